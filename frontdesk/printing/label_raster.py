"""Draw a ``LabelLayout`` as a 1-bit image, one pixel per printer dot.

Thermal printers print dots, not grey, so the label is rendered 1-bit: text
is drawn anti-aliased and then thresholded on the dark side (a pixel at least
a third covered prints), which keeps the thin strokes of small Chinese
characters from breaking up.  Bars are whole dots by construction.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from frontdesk.printing.label_layout import LabelLayout, TextItem, run_pil_font, text_runs

#: Grey levels below this print as ink (0 = black, 255 = white).
INK_THRESHOLD = 170
_TO_1BIT = [0 if v < INK_THRESHOLD else 255 for v in range(256)]


def draw_text(draw: ImageDraw.ImageDraw, item: TextItem, dx: int = 0, dy: int = 0) -> None:
    """Draw one text item on an 'L' canvas, run by run, on its baseline."""
    x = float(item.x + dx)
    baseline = item.baseline + dy
    for kind, segment in text_runs(item.text):
        font = run_pil_font(kind, item.height)
        draw.text((x, baseline), segment, font=font, fill=0, anchor="ls")
        x += font.getlength(segment)


def render_label_image(layout: LabelLayout, *, with_barcode: bool = True) -> Image.Image:
    """The label as a mode '1' image of exactly ``layout.width`` x ``layout.height``
    dots, white background.  ``with_barcode=False`` draws only the text (the
    ZPL output lets the printer draw the bars itself)."""
    canvas = Image.new("L", (layout.width, layout.height), 255)
    draw = ImageDraw.Draw(canvas)
    for item in (*layout.texts, layout.digits):
        draw_text(draw, item)
    image = canvas.point(_TO_1BIT, mode="1")
    if with_barcode:
        bars = ImageDraw.Draw(image)
        bc = layout.barcode
        for x, w in bc.bar_runs():
            bars.rectangle((x, bc.y, x + w - 1, bc.y + bc.height_dots - 1), fill=0)
    image.info["dpi"] = (layout.dpi, layout.dpi)
    return image


def label_png_bytes(layout: LabelLayout) -> bytes:
    """The label as PNG bytes, with its resolution recorded (pHYs) so viewers
    and printing tools show it at its true size."""
    buffer = io.BytesIO()
    render_label_image(layout).save(buffer, "PNG", dpi=(layout.dpi, layout.dpi), optimize=False)
    return buffer.getvalue()
