import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk import i18n
from frontdesk.domain.money import capital_amount, format_amount, from_cents, parse_amount, to_cents
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
    assert amount == amount.quantize(Decimal("0.01")) and amount.as_tuple().exponent == -2  # whole cents
    assert parse_amount(format_amount(amount)) == amount


@pytest.mark.parametrize(
    "amount, capitals",
    [
        ("1090.00", "壹仟零玖拾元整"),
        ("0.50", "伍角"),
        ("1001.05", "壹仟零壹元零伍分"),
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("0.55", "伍角伍分"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("15", "壹拾伍元整"),
        ("100", "壹佰元整"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("12.30", "壹拾贰元叁角"),
        ("10.05", "壹拾元零伍分"),
        ("1000.00", "壹仟元整"),
        ("1010", "壹仟零壹拾元整"),
        ("10000", "壹万元整"),
        ("10001", "壹万零壹元整"),
        ("10010", "壹万零壹拾元整"),
        ("10100", "壹万零壹佰元整"),
        ("11000", "壹万壹仟元整"),
        ("100000", "壹拾万元整"),
        ("100500", "壹拾万零伍佰元整"),
        ("107000.53", "壹拾万柒仟元伍角叁分"),
        ("1000000", "壹佰万元整"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("100010000", "壹亿零壹万元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("1000000000000", "壹万亿元整"),
        ("-12.00", "负壹拾贰元整"),
    ],
)
def test_capital_amount_follows_the_bookkeeping_rules(amount, capitals):
    assert capital_amount(Decimal(amount)) == capitals


def test_capital_amount_refuses_fractions_of_a_cent():
    with pytest.raises(ValueError):
        capital_amount(Decimal("1.005"))


def _read_capitals(text: str) -> int:
    """A reader of capital amounts, independent of the writer: back to cents."""
    digits = {ch: i for i, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
    small = {"拾": 10, "佰": 100, "仟": 1000}
    big = {"万": 10**4, "亿": 10**8}
    text = text.removesuffix("整")
    total = section = number = 0
    yuan_part, _, rest = text.partition("元") if "元" in text else ("", "", text)
    for ch in yuan_part:
        if ch in digits:
            number = digits[ch]
        elif ch in small:
            section += number * small[ch]
            number = 0
        elif ch in big:
            # 万亿: 万 after 亿 multiplies what was already placed.
            section += number
            if ch == "万" and total and section == 0:
                total *= 10**4
            else:
                total = (total + section) * big[ch] if ch == "亿" else total + section * big[ch]
            section = number = 0
    cents = (total + section + number) * 100
    jiao = re.search("([壹贰叁肆伍陆柒捌玖])角", rest)
    fen = re.search("([壹贰叁肆伍陆柒捌玖])分", rest)
    return cents + (digits[jiao.group(1)] * 10 if jiao else 0) + (digits[fen.group(1)] if fen else 0)


@given(st.integers(0, 99_999_999_999))
def test_capital_amount_reads_back_to_the_same_amount(cents):
    text = capital_amount(from_cents(cents))
    assert _read_capitals(text) == cents
    assert "零零" not in text
    assert not text.startswith("零") or cents == 0
    assert text.endswith("整") == (cents % 100 == 0)
