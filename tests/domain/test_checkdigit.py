import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.domain.checkdigit import luhn_append, luhn_check_digit, luhn_valid

digit_strings = st.text(alphabet="0123456789", min_size=1, max_size=20)


def test_check_digit_of_the_textbook_example():
    assert luhn_check_digit("7992739871") == "3"


def test_append_adds_the_check_digit():
    assert luhn_append("7992739871") == "79927398713"


def test_textbook_example_is_valid():
    assert luhn_valid("79927398713")


def test_wrong_last_digit_is_invalid():
    assert not luhn_valid("79927398710")


def test_empty_code_is_invalid():
    assert not luhn_valid("")


@pytest.mark.parametrize("code", ["7992739871a", "７９９２７３９８７１３", "79927 398713", "²"])
def test_non_ascii_digits_are_invalid(code):
    assert not luhn_valid(code)


def test_check_digit_refuses_non_digits():
    with pytest.raises(ValueError):
        luhn_check_digit("12a")


@given(digit_strings)
def test_appended_code_is_always_valid(digits):
    assert luhn_valid(luhn_append(digits))


@given(digit_strings, st.data())
def test_any_single_digit_change_is_detected(digits, data):
    code = luhn_append(digits)
    position = data.draw(st.integers(0, len(code) - 1))
    replacement = data.draw(st.sampled_from("0123456789").filter(lambda d: d != code[position]))
    assert not luhn_valid(code[:position] + replacement + code[position + 1 :])


def _textbook_luhn(text: str) -> bool:
    """Luhn written out the long way: from the right, every second digit doubled, its digits summed."""
    if not text or any(c not in "0123456789" for c in text):
        return False
    total = 0
    for position, char in enumerate(reversed(text)):
        value = int(char) * (2 if position % 2 else 1)
        total += value // 10 + value % 10
    return total % 10 == 0


@settings(max_examples=300)
@given(st.text(max_size=30) | digit_strings)
def test_valid_agrees_with_the_textbook_rule_on_any_text(text):
    assert luhn_valid(text) is _textbook_luhn(text)
