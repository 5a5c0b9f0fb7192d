"""Cleaning and checking text typed, pasted or scanned at the desk.

Chinese input methods produce full-width digits, letters and the ideographic
space (U+3000); copies from web pages and spreadsheets bring zero-width and
control characters.  NFKC folds the full-width forms to ASCII.
"""

from __future__ import annotations

import re
import unicodedata

from frontdesk.errors import ValidationError
from frontdesk.i18n import tr

# Dashes people put inside phone and ID numbers; NFKC leaves most of them alone.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DIGIT_JUNK = re.compile(rf"[\s{re.escape(_DASHES)}]+")

# Spellings of the middle dot that separates parts of transliterated names
# (e.g. 买买提·艾力); U+00B7 is the one the ID card uses.
_NAME_DOTS = "\u00b7\u2022\u2027\u30fb\u0387\u2219\u22c5"
_NAME_DOT = "\u00b7"
_NAME_MAX_CHARS = 40


def _drop_invisible(text: str) -> str:
    # Cc (controls) and Cf (zero-width spaces, BOM, bidi marks) but keep
    # whitespace, which the callers collapse or remove themselves.
    return "".join(
        c for c in text if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf")
    )


def _plain_ascii(text: str) -> bool:
    # Printable ASCII is already NFKC and has no invisible characters: scanner
    # input takes this path, which the search box runs on every lookup.
    return text.isascii() and text.isprintable()


def normalize_input(text: str) -> str:
    """NFKC-fold, drop invisible characters, trim and collapse inner whitespace."""
    if not _plain_ascii(text):
        text = _drop_invisible(unicodedata.normalize("NFKC", text))
    return " ".join(text.split())


def normalize_digits(text: str) -> str:
    """NFKC-fold and remove all whitespace and dashes (ID, phone, code input)."""
    if not _plain_ascii(text):
        text = _drop_invisible(unicodedata.normalize("NFKC", text))
    return _DIGIT_JUNK.sub("", text)


def validate_mobile(text: str) -> str:
    """A mainland mobile number as its 11 digits; accepts +86/86/0086 and separators."""
    number = normalize_digits(text)
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086") and len(number) == 15:
        number = number[4:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    if not number:
        raise ValidationError(tr("请输入手机号", "Enter a mobile number"), field="mobile")
    if not number.isascii() or not number.isdigit():
        raise ValidationError(
            tr("手机号只能包含数字", "A mobile number contains digits only"), field="mobile"
        )
    if len(number) != 11:
        raise ValidationError(
            tr(
                "手机号应为11位，现在是{count}位",
                "A mobile number has 11 digits, not {count}",
                count=len(number),
            ),
            field="mobile",
        )
    if number[0] != "1" or number[1] in "012":
        raise ValidationError(
            tr("手机号应以13至19开头", "A mobile number starts with 13 to 19"), field="mobile"
        )
    return number


def _is_han(char: str) -> bool:
    # Includes the extension blocks: rare characters are common in names.
    return char == "\u3007" or unicodedata.name(char, "").startswith(
        ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")
    )


def _is_latin_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and unicodedata.name(
        char, ""
    ).startswith("LATIN ")


def validate_person_name(text: str) -> str:
    """A person's name: Chinese or latin letters, '·' and spaces, 1 to 40 characters.

    Hyphens and apostrophes are also allowed between latin letters
    (Jean-Pierre, O'Brien): refusing a guest's real name is worse than
    accepting punctuation.
    """
    name = normalize_input(text)
    for dot in _NAME_DOTS:
        name = name.replace(dot, _NAME_DOT)
    name = re.sub(r"\s*\u00b7\s*", _NAME_DOT, name)
    if not name:
        raise ValidationError(tr("请输入姓名", "Enter a name"), field="name")
    if len(name) > _NAME_MAX_CHARS:
        raise ValidationError(
            tr(
                "姓名不能超过{limit}个字",
                "A name has at most {limit} characters",
                limit=_NAME_MAX_CHARS,
            ),
            field="name",
        )
    if any(c.isdigit() for c in name):
        raise ValidationError(tr("姓名不能包含数字", "A name cannot contain digits"), field="name")
    for index, char in enumerate(name):
        if _is_han(char) or _is_latin_letter(char) or char in (" ", _NAME_DOT):
            continue
        if (
            char in "-'"
            and 0 < index < len(name) - 1
            and _is_latin_letter(name[index - 1])
            and _is_latin_letter(name[index + 1])
        ):
            continue
        raise ValidationError(
            tr(
                "姓名中有不允许的字符“{char}”",
                "The name contains a character that is not allowed: “{char}”",
                char=char,
            ),
            field="name",
        )
    if name[0] == _NAME_DOT or name[-1] == _NAME_DOT or _NAME_DOT * 2 in name:
        raise ValidationError(
            tr("“·”只能用在名字中间", "“·” may only separate parts of a name"), field="name"
        )
    return name
