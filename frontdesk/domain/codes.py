"""The numbers FrontDesk issues: visit, specimen, booking, receipt and deferral-slip numbers.

All are plain digits (Code 128 subset C prints them compactly) ending in a
Luhn check digit, and their lengths and prefixes differ, so a scan can be
routed without asking what was scanned:

========  ======  ==========================================
kind      digits  layout
========  ======  ==========================================
visit     11      YYMMDD + 4-digit daily sequence + Luhn
specimen  12      YYMMDD + 5-digit daily sequence + Luhn
booking   10      "8" + 8-digit sequence + Luhn
receipt   10      "9" + 8-digit sequence + Luhn
deferral  10      "7" + 8-digit original visit id + Luhn
========  ======  ==========================================

A deferral slip (缓检单) names the visit whose items were deferred: one
slip number per original visit, whatever dates its items are moved to, so
an old slip still finds the guest's open deferrals.

Sequences start at 1; the YY of a date is 20YY.
"""

from __future__ import annotations

import enum
from datetime import date

from frontdesk.domain.checkdigit import luhn_append, luhn_valid
from frontdesk.domain.text import normalize_digits
from frontdesk.errors import ValidationError
from frontdesk.i18n import tr

_VISIT_SEQ_MAX = 9_999
_SPECIMEN_SEQ_MAX = 99_999
_SERIAL_SEQ_MAX = 99_999_999
_BOOKING_PREFIX = "8"
_RECEIPT_PREFIX = "9"
_DEFERRAL_PREFIX = "7"


class CodeKind(enum.Enum):
    VISIT = "visit"
    SPECIMEN = "specimen"
    BOOKING = "booking"
    RECEIPT = "receipt"
    DEFERRAL = "deferral"


def _check_seq(seq: int, maximum: int, what: str) -> None:
    # Running out of numbers is a capacity problem, not something the desk typed.
    if not 1 <= seq <= maximum:
        raise ValueError(f"{what} sequence {seq} outside 1..{maximum}")


def _yymmdd(day: date) -> str:
    if not 2000 <= day.year <= 2099:
        raise ValueError(f"date {day} cannot be written as 20YY")
    return day.strftime("%y%m%d")


def make_visit_no(day: date, seq: int) -> str:
    _check_seq(seq, _VISIT_SEQ_MAX, "visit")
    return luhn_append(f"{_yymmdd(day)}{seq:04d}")


def make_specimen_no(day: date, seq: int) -> str:
    _check_seq(seq, _SPECIMEN_SEQ_MAX, "specimen")
    return luhn_append(f"{_yymmdd(day)}{seq:05d}")


def make_booking_no(seq: int) -> str:
    _check_seq(seq, _SERIAL_SEQ_MAX, "booking")
    return luhn_append(f"{_BOOKING_PREFIX}{seq:08d}")


def make_receipt_no(seq: int) -> str:
    _check_seq(seq, _SERIAL_SEQ_MAX, "receipt")
    return luhn_append(f"{_RECEIPT_PREFIX}{seq:08d}")


def make_deferral_no(original_visit_id: int) -> str:
    _check_seq(original_visit_id, _SERIAL_SEQ_MAX, "deferral")
    return luhn_append(f"{_DEFERRAL_PREFIX}{original_visit_id:08d}")


def deferral_visit_id(deferral_no: str) -> int:
    """The original visit's id a (parsed) deferral-slip number names."""
    return int(deferral_no[1:9])


def _is_yymmdd(text: str) -> bool:
    try:
        date(2000 + int(text[0:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        return False
    return True


def _kind_by_shape(digits: str) -> CodeKind | None:
    """The kind a digit string is laid out as, ignoring its check digit."""
    if len(digits) == 11 and _is_yymmdd(digits) and digits[6:10] != "0000":
        return CodeKind.VISIT
    if len(digits) == 12 and _is_yymmdd(digits) and digits[6:11] != "00000":
        return CodeKind.SPECIMEN
    if len(digits) == 10 and digits[1:9] != "00000000":
        if digits[0] == _BOOKING_PREFIX:
            return CodeKind.BOOKING
        if digits[0] == _RECEIPT_PREFIX:
            return CodeKind.RECEIPT
        if digits[0] == _DEFERRAL_PREFIX:
            return CodeKind.DEFERRAL
    return None


def parse_code(text: str) -> tuple[CodeKind, str]:
    """Recognise a scanned or typed code; returns its kind and its digits.

    Raises ``ValidationError`` if the text is not shaped like one of our codes
    or its check digit is wrong.
    """
    digits = normalize_digits(text)
    if not digits:
        raise ValidationError(tr("请扫描或输入条码", "Scan or type a code"), field="code")
    kind = _kind_by_shape(digits) if digits.isascii() and digits.isdigit() else None
    if kind is None:
        raise ValidationError(
            tr(
                "无法识别的号码：不是体检号、标本条码、预约号、收据号或缓检单号",
                "Unrecognised code: not a visit, specimen, booking, receipt or deferral-slip number",
            ),
            field="code",
        )
    if not luhn_valid(digits):
        raise ValidationError(
            tr(
                "条码校验位错误，可能扫描或输入有误",
                "Check digit wrong: the code was mistyped or misread",
            ),
            field="code",
        )
    return kind, digits


def may_be_code(digits: str) -> bool:
    """Whether typed digits are shaped like one of our codes (10-12 digits) rather than something to search
    for: an 11-digit number starting with 1 is a mobile phone, never a visit number."""
    return digits.isdigit() and (len(digits) in (10, 12) or (len(digits) == 11 and digits[0] != "1"))


def looks_like_code(text: str) -> CodeKind | None:
    """The kind of code ``text`` is, or None; never raises (for search boxes)."""
    try:
        kind, _ = parse_code(text)
    except ValidationError:
        return None
    return kind
