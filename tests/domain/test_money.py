from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk import i18n
from frontdesk.domain.money import format_amount, from_cents, parse_amount, to_cents
from frontdesk.errors import ValidationError


def test_to_cents_is_exact():
    assert to_cents(Decimal("1234.56")) == 123456


def test_to_cents_accepts_trailing_zeros_beyond_two_decimals():
    assert to_cents(Decimal("1.500")) == 150


def test_to_cents_handles_negative_amounts():
    assert to_cents(Decimal("-0.05")) == -5


def test_to_cents_handles_positive_exponents():
    assert to_cents(Decimal("1E+3")) == 100000


def test_to_cents_refuses_fractions_of_a_cent():
    with pytest.raises(ValueError):
        to_cents(Decimal("1.005"))


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity")])
def test_to_cents_refuses_non_finite_values(value):
    with pytest.raises(ValueError):
        to_cents(value)


def test_to_cents_refuses_floats():
    with pytest.raises(TypeError):
        to_cents(1.5)


def test_from_cents_has_two_decimals():
    assert str(from_cents(150)) == "1.50"


def test_from_cents_refuses_non_integers():
    with pytest.raises(TypeError):
        from_cents(1.5)


@given(st.integers(-(10**15), 10**15))
def test_cents_round_trip(cents):
    assert to_cents(from_cents(cents)) == cents


@pytest.mark.parametrize(
    "text, amount",
    [
        ("12", "12.00"),
        ("12.5", "12.50"),
        (".5", "0.50"),
        ("¥1,234.50", "1234.50"),
        ("￥１２３元", "123.00"),
        (" 1 234 ", "1234.00"),
        ("12.500", "12.50"),
        ("1000000", "1000000.00"),
    ],
)
def test_parse_amount_accepts_desk_input(text, amount):
    assert parse_amount(text) == Decimal(amount)
    assert str(parse_amount(text)) == amount


def test_parse_amount_accepts_zero_by_default():
    assert parse_amount("0") == Decimal("0.00")


def test_parse_amount_refuses_zero_when_asked():
    with pytest.raises(ValidationError, match="必须大于零"):
        parse_amount("0.00", allow_zero=False)


def test_parse_amount_empty_asks_for_an_amount():
    with pytest.raises(ValidationError, match="请输入金额") as caught:
        parse_amount(" ¥ ")
    assert caught.value.field == "amount"


@pytest.mark.parametrize("text", ["abc", "1.2.3", ".", "1e5", "NaN", "1,5", "12,34.5"])
def test_parse_amount_refuses_non_numbers(text):
    with pytest.raises(ValidationError, match="必须是数字"):
        parse_amount(text)


def test_parse_amount_refuses_negative_amounts():
    with pytest.raises(ValidationError, match="不能为负数"):
        parse_amount("-5")


def test_parse_amount_refuses_more_than_two_decimals():
    with pytest.raises(ValidationError, match="最多两位小数"):
        parse_amount("1.005")


def test_parse_amount_refuses_absurd_amounts():
    with pytest.raises(ValidationError, match="过大"):
        parse_amount("1000000.01")


def test_parse_amount_message_follows_the_language():
    i18n.set_language("en")
    with pytest.raises(ValidationError, match="Enter an amount"):
        parse_amount("")


def test_format_amount_has_symbol_thousands_and_two_decimals():
    assert format_amount(Decimal("1234.5")) == "¥1,234.50"


def test_format_amount_puts_the_minus_before_the_symbol():
    assert format_amount(Decimal("-12")) == "-¥12.00"


def test_format_amount_refuses_fractions_of_a_cent():
    with pytest.raises(ValueError):
        format_amount(Decimal("0.001"))


@given(st.integers(0, 100_000_000))
def test_formatted_amount_parses_back(cents):
    amount = from_cents(cents)
    assert parse_amount(format_amount(amount)) == amount


@settings(max_examples=300)
@given(st.text(max_size=20) | st.text(alphabet="0123456789.,-¥元 ", max_size=15))
def test_parse_amount_returns_or_raises_validation_error_for_random_text(text):
    try:
        amount = parse_amount(text)
    except ValidationError:
        return
    assert Decimal(0) <= amount <= Decimal(1_000_000)
    assert to_cents(amount) >= 0
