"""Resident identity card numbers (居民身份证号码, GB 11643-1999).

18 characters: 6-digit region, birth date YYYYMMDD, 3-digit sequence (odd for
men, even for women) and a check character.  Cards issued before 1999 carry
15 digits: region, birth date YYMMDD (always 19YY), sequence, no check
character; they are accepted as they are, not silently upgraded, so a guest
is recorded with the number printed on the card they handed over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from frontdesk.domain.sex import Sex
from frontdesk.domain.text import normalize_digits
from frontdesk.errors import ValidationError
from frontdesk.i18n import tr

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# First two digits of every province-level division (incl. Taiwan, Hong Kong,
# Macao and 91 for overseas registrations); anything else is a typo.
_PROVINCES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37]
    + [41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65]
    + [71, 81, 82, 83, 91]
)
# Nobody born before 1900 comes for an exam; such a date is a typo.
_EARLIEST_BIRTH = date(1900, 1, 1)
_SHAPE = re.compile(r"[0-9]{15}|[0-9]{17}[0-9X]")
_FIELD = "id_number"


@dataclass(frozen=True)
class ResidentId:
    number: str  # as on the card: 18 characters, or 15 for an old card
    region: str
    birth_date: date
    sex: Sex


def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of an 18-character number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"need 17 ASCII digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def _invalid(zh: str, en: str, **values: object) -> ValidationError:
    return ValidationError(tr(zh, en, **values), field=_FIELD)


def parse_resident_id(text: str, today: date | None = None) -> ResidentId:
    """Check a typed or pasted ID number and read its region, birth date and sex.

    ``today`` bounds the birth date (defaults to the system date).
    """
    number = normalize_digits(text).upper()
    if not number:
        raise _invalid("请输入身份证号", "Enter an ID number")
    if not number.isascii() or not set(number) <= set("0123456789X"):
        raise _invalid(
            "身份证号只能包含数字，最后一位可以是X",
            "An ID number has digits only, except an X as the last character",
        )
    if len(number) not in (15, 18):
        raise _invalid(
            "身份证号应为18位（旧证15位），现在是{count}位",
            "An ID number has 18 characters (15 on old cards), not {count}",
            count=len(number),
        )
    if not _SHAPE.fullmatch(number):
        # Only reached for a misplaced X.
        raise _invalid(
            "身份证号只能包含数字，最后一位可以是X",
            "An ID number has digits only, except an X as the last character",
        )
    if len(number) == 18 and id_check_char(number[:17]) != number[17]:
        raise _invalid(
            "身份证号校验位错误，请核对号码",
            "The ID number's check character is wrong: please check the number",
        )
    if int(number[:2]) not in _PROVINCES:
        raise _invalid(
            "身份证号开头的地区代码不存在，请核对号码",
            "The ID number starts with a region code that does not exist",
        )
    birth = number[6:14] if len(number) == 18 else "19" + number[6:12]
    try:
        birth_date = date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        raise _invalid(
            "身份证号中的出生日期{birth}不存在",
            "The birth date {birth} in the ID number does not exist",
            birth=birth,
        ) from None
    if birth_date < _EARLIEST_BIRTH:
        raise _invalid(
            "身份证号中的出生日期早于1900年，请核对号码",
            "The ID number gives a birth date before 1900: please check the number",
        )
    if birth_date > (today or date.today()):
        raise _invalid(
            "身份证号中的出生日期在将来，请核对号码",
            "The ID number gives a birth date in the future: please check the number",
        )
    sequence = int(number[14:17] if len(number) == 18 else number[12:15])
    return ResidentId(
        number=number,
        region=number[:6],
        birth_date=birth_date,
        sex=Sex.MALE if sequence % 2 else Sex.FEMALE,
    )


def make_resident_id(region: str, birth_date: date, sequence: int) -> str:
    """An 18-character number for test and demo people (odd sequence = male)."""
    if len(region) != 6 or not region.isascii() or not region.isdigit():
        raise ValueError(f"region must be 6 ASCII digits, got {region!r}")
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence {sequence} outside 0..999")
    # strftime's %Y does not zero-pad years before 1000.
    d = birth_date
    first17 = f"{region}{d.year:04d}{d.month:02d}{d.day:02d}{sequence:03d}"
    return first17 + id_check_char(first17)


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on ``day``.

    Someone born on 29 February turns a year older on 1 March in common years.
    """
    if day < birth_date:
        raise ValueError(f"{day} is before the birth date {birth_date}")
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def id_number_variants(number: str) -> list[str]:
    """The number and the same person's other form: old 15-digit <-> new 18-digit (born 19xx)."""
    variants = [number]
    if len(number) == 18 and number[6:8] == "19":
        variants.append(number[:6] + number[8:17])
    elif len(number) == 15 and number.isdigit():
        first17 = number[:6] + "19" + number[6:]
        variants.append(first17 + id_check_char(first17))
    return variants
