"""Luhn (mod 10) check digits for the numbers FrontDesk issues itself.

Luhn catches every single-digit error and most swaps of neighbouring digits,
the two mistakes people make when typing a number read off a label.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]+")


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() would also accept '²' and Arabic-Indic digits.
    return _DIGITS.fullmatch(text) is not None


def _luhn_sum(digits: str, *, double_rightmost: bool) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if (position % 2 == 0) == double_rightmost:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total


def luhn_check_digit(digits: str) -> str:
    """The Luhn digit to append to ``digits`` (ASCII digits only)."""
    if digits and not _is_ascii_digits(digits):
        raise ValueError(f"Luhn payload must be ASCII digits, got {digits!r}")
    # The payload's rightmost digit is doubled, because the check digit
    # will sit to its right.
    return str(-_luhn_sum(digits, double_rightmost=True) % 10)


def luhn_append(digits: str) -> str:
    """``digits`` followed by its Luhn check digit."""
    return digits + luhn_check_digit(digits)


def luhn_valid(code: str) -> bool:
    """True if ``code`` is ASCII digits whose last digit is a correct Luhn digit."""
    if not _is_ascii_digits(code):
        return False
    return _luhn_sum(code, double_rightmost=False) % 10 == 0
