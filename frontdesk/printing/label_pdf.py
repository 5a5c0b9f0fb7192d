"""Labels as a PDF: one page per label at the label's exact size, in vectors.

Bars are filled rectangles from the layout's modules, so the PDF prints sharp
at any resolution; text uses the bundled CJK font (and Vera for Latin and
digits, which the CJK font lacks), embedded as subsets.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import lru_cache

from frontdesk.printing import fonts
from frontdesk.printing.label_layout import LabelLayout, TextItem, latin_font_path, text_runs

LATIN_FONT = "FrontDeskLatin"


@lru_cache(maxsize=1)
def _register_latin_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(LATIN_FONT, latin_font_path()))
    return LATIN_FONT


def _draw_text(canvas, item: TextItem, scale: float, page_h: float, cjk: str, latin: str) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    size = item.height * scale
    x = item.x * scale
    y = page_h - item.baseline * scale
    for kind, segment in text_runs(item.text):
        font = latin if kind == "latin" else cjk
        canvas.setFont(font, size)
        canvas.drawString(x, y, segment)
        x += stringWidth(segment, font, size)


def labels_to_pdf(layouts: Iterable[LabelLayout], *, title: str = "Specimen labels") -> bytes:
    """All labels in one PDF, one page each, page size = label size."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    cjk, latin = fonts.register_reportlab_font(), _register_latin_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=1, invariant=1)
    canvas.setTitle(title)
    pages = 0
    for layout in layouts:
        page_w, page_h = layout.size.width_mm * mm, layout.size.height_mm * mm
        canvas.setPageSize((page_w, page_h))
        # Dots to points.  The layout's dot grid is the label rounded to
        # whole dots, so it may differ from the page by under half a dot.
        scale = 72.0 / layout.dpi
        canvas.setFillColorRGB(0, 0, 0)
        bc = layout.barcode
        top = page_h - bc.y * scale
        height = bc.height_dots * scale
        for x, w in bc.bar_runs():
            canvas.rect(x * scale, top - height, w * scale, height, stroke=0, fill=1)
        for item in (*layout.texts, layout.digits):
            _draw_text(canvas, item, scale, page_h, cjk, latin)
        canvas.showPage()
        pages += 1
    if not pages:
        raise ValueError("no labels to put in the PDF")
    canvas.save()
    return buffer.getvalue()
