"""The one bundled CJK font, registered for ReportLab and loaded for Pillow.

Every printed artefact uses the same TrueType file from resources/fonts so a
machine without Chinese fonts still prints Chinese, never boxes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from frontdesk import paths

REPORTLAB_FONT = "FrontDeskCJK"


@lru_cache(maxsize=1)
def register_reportlab_font() -> str:
    """Register the bundled font with ReportLab once; return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(REPORTLAB_FONT, str(paths.font_path())))
    return REPORTLAB_FONT


@lru_cache(maxsize=64)
def pil_font(size_px: int):
    """The bundled font for Pillow at a pixel size (cached: labels reuse sizes)."""
    from PIL import ImageFont

    return ImageFont.truetype(str(paths.font_path()), size_px)


def split_runs(text: str, font_for: Callable[[str], str]) -> list[tuple[str, str]]:
    """Split ``text`` into (font, run) pairs, consecutive characters of one font together.

    The bundled CJK font has no Latin glyphs, so every printed string is drawn
    as runs in two fonts; ``font_for`` says which font a character needs.
    """
    runs: list[tuple[str, str]] = []
    for ch in text:
        font = font_for(ch)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return runs
