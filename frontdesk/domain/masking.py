"""Masked forms of personal data for screens, lists and exports (PIPL).

Each keeps a few characters at both ends so the desk can still tell people
apart.  When a value is too short to keep those ends and still hide at least
four characters, only a quarter of it is kept at each end.
"""

from __future__ import annotations

_MASK = "*"
_MIN_HIDDEN = 4


def _keep_ends(text: str, head: int, tail: int) -> str:
    text = text.strip()
    if len(text) < head + tail + _MIN_HIDDEN:
        head = tail = len(text) // 4
    hidden = len(text) - head - tail
    return text[:head] + _MASK * hidden + text[len(text) - tail :]


def mask_name(name: str) -> str:
    """张三丰 -> 张*丰, 张三 -> 张*; one star per hidden character."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + _MASK
    return name[0] + _MASK * (len(name) - 2) + name[-1]


def mask_id_number(number: str) -> str:
    """11010519491231002X -> 110105********002X (first 6 and last 4 kept)."""
    return _keep_ends(number, 6, 4)


def mask_phone(phone: str) -> str:
    """13812341234 -> 138****1234 (first 3 and last 4 kept)."""
    return _keep_ends(phone, 3, 4)
