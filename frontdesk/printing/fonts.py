"""The one bundled CJK font, registered for ReportLab and loaded for Pillow.

Every printed artefact uses the same TrueType file from resources/fonts so a
machine without Chinese fonts still prints Chinese, never boxes.
"""

from __future__ import annotations

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
