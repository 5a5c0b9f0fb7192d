"""The translation layer.

Chinese is the source wording; every user-visible string is written as a pair
``tr("中文", "English")`` so both languages live beside the code that shows
them and a missing translation is impossible.  The current language is
process-wide: the desk runs in one language at a time.
"""

from __future__ import annotations

LANGUAGES = ("zh", "en")
_language = "zh"


def set_language(language: str) -> None:
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    _language = language


def language() -> str:
    return _language


def tr(zh: str, en: str, /, **values: object) -> str:
    """Return the text in the current language, formatted with ``values``."""
    text = en if _language == "en" else zh
    return text.format(**values) if values else text
