"""Pinyin of names, for searching guests by typing zsf or zhangsanfeng.

pypinyin reads a character as an ordinary word, but surnames often have
their own reading (单 shàn, not dān; 曾 zēng, not céng), so the surname is
looked up in a table first.  Only the first characters are treated as a
surname: names with '·' are transliterations (买买提·艾力), not Chinese names,
and keep pypinyin's readings throughout.
"""

from __future__ import annotations

import re
import unicodedata


# Surnames whose usual reading differs from pypinyin's default for the character.
# 乐 is left out: Lè and Yuè are both common surnames.
_SURNAMES = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha",
    "朴": "piao", "盖": "ge", "秘": "bi", "覃": "qin", "缪": "miao", "翟": "zhai",
    "种": "chong", "繁": "po", "召": "shao", "折": "she", "祭": "zhai", "阚": "kan",
    "员": "yun", "卜": "bu", "隗": "wei", "句": "gou", "长": "chang", "薄": "bo",
    "都": "du", "洗": "xian", "能": "nai", "郇": "xun", "眭": "sui", "重": "chong",
}
# Two-character surnames whose characters read differently together.
_COMPOUND_SURNAMES = {
    "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "长孙": ("zhang", "sun"),
    "单于": ("chan", "yu"), "澹台": ("tan", "tai"), "乐正": ("yue", "zheng"),
}
_HAN = re.compile(
    "([\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+)"
)
_LATIN = re.compile("[a-z]+")


def _latin_letters(text: str) -> str:
    # NFKD splits é into e + accent; the accent is dropped with the rest.
    return "".join(_LATIN.findall(unicodedata.normalize("NFKD", text).lower()))


def _tokens(name: str) -> list[tuple[bool, str]]:
    """(is_han_syllable, lowercase ASCII text) for each part of ``name``."""
    name = unicodedata.normalize("NFKC", name).strip()
    tokens: list[tuple[bool, str]] = []
    if "·" not in name:
        if name[:2] in _COMPOUND_SURNAMES:
            tokens += [(True, s) for s in _COMPOUND_SURNAMES[name[:2]]]
            name = name[2:]
        elif name[:1] in _SURNAMES:
            tokens.append((True, _SURNAMES[name[0]]))
            name = name[1:]
    for index, part in enumerate(_HAN.split(name)):
        if index % 2:  # re.split puts the captured Han runs at odd indexes
            # Imported here: pypinyin loads its dictionaries (~0.15 s) on import,
            # which the desk should not pay for at start-up.
            from pypinyin import Style, lazy_pinyin

            syllables = lazy_pinyin(part, style=Style.NORMAL, errors="ignore")
            # Characters pypinyin cannot read come back unchanged; drop them.
            tokens += [(True, s) for s in syllables if _LATIN.fullmatch(s)]
        elif letters := _latin_letters(part):
            tokens.append((False, letters))
    return tokens


def pinyin_initials(name: str) -> str:
    """张三丰 -> zsf; latin letters are kept whole (lowercased), the rest dropped."""
    return "".join(text[0] if is_han else text for is_han, text in _tokens(name))


def pinyin_full(name: str) -> str:
    """张三丰 -> zhangsanfeng."""
    return "".join(text for _, text in _tokens(name))
