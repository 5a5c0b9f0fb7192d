"""ZPL II for Zebra-compatible label printers (TCP port 9100, USB, file).

The printer draws the barcode itself (``^BY``/``^BC``) so the bars are as
sharp as the print head allows, from the same code words as every other
output (``zpl_field_data``).  All text, the barcode's digits included, goes as
``^GFA`` graphics cut from the raster rendering, so Chinese prints on printers
with no Chinese font and looks exactly like the PNG preview.

The layout must be made for the printer's resolution (203 dpi = 8 dots/mm,
300 dpi = 12 dots/mm): ZPL positions are in the printer's dots.
"""

from __future__ import annotations

import re

from PIL import Image

from frontdesk.printing.barcode128 import zpl_field_data
from frontdesk.printing.label_layout import LabelLayout
from frontdesk.printing.label_raster import render_label_image

#: ^BY accepts module widths of 1 to 10 dots.
MAX_ZPL_MODULE = 10


def _gfa(x: int, y: int, ink: Image.Image) -> str:
    """``^FO``/``^GFA`` for a mode '1' image whose set bits are ink."""
    row_bytes = (ink.width + 7) // 8
    data = ink.tobytes()  # PIL packs '1' rows MSB first, padded to whole bytes
    total = len(data)
    if total != row_bytes * ink.height:  # pragma: no cover - PIL's packing
        raise AssertionError("unexpected 1-bit row packing")
    return f"^FO{x},{y}^GFA,{total},{total},{row_bytes},{data.hex().upper()}^FS"


def label_to_zpl(layout: LabelLayout) -> str:
    """One label as ``^XA ... ^XZ``."""
    bc = layout.barcode
    if bc.module_width_dots > MAX_ZPL_MODULE:
        raise ValueError(f"ZPL module width {bc.module_width_dots} > {MAX_ZPL_MODULE} dots; lay out at the printer's dpi")
    text_only = render_label_image(layout, with_barcode=False)
    # Set bits = ink, as ^GF wants (PIL's '1' has set bits = white).
    ink = text_only.point(lambda v: 255 - v)
    parts = [
        "^XA",
        f"^PW{layout.width}",
        f"^LL{layout.height}",
        "^LH0,0",
    ]
    for item in (*layout.texts, layout.digits):
        # The item's line box (a little wider: glyphs may overhang their
        # advance), cropped to its ink.  Overlapping neighbours only repeat
        # ink at the same dots, which prints the same.
        box = (
            max(0, item.x - 2),
            max(0, item.y),
            min(layout.width, item.x + item.width + 2),
            min(layout.height, item.bottom),
        )
        region = ink.crop(box)
        bbox = region.getbbox()
        if bbox is None:
            continue
        parts.append(_gfa(box[0] + bbox[0], box[1] + bbox[1], region.crop(bbox)))
    parts += [
        f"^FO{bc.x},{bc.y}",
        f"^BY{bc.module_width_dots}",
        # N orientation, height, no interpretation line (our digits are a
        # graphic), not above, no UCC check digit, no automatic mode: the
        # ^FD invocation codes fix the subsets.
        f"^BCN,{bc.height_dots},N,N,N,N",
        f"^FD{zpl_field_data(bc.human_readable)}^FS",
        "^PQ1",
        "^XZ",
    ]
    return "\n".join(parts) + "\n"


def labels_to_zpl(layouts) -> str:
    """Several labels, one ``^XA ... ^XZ`` each, in order."""
    return "".join(label_to_zpl(layout) for layout in layouts)


_GFA = re.compile(
    r"\^FO(?P<x>\d+),(?P<y>\d+)\^GFA,(?P<b>\d+),(?P<c>\d+),(?P<d>\d+),(?P<data>[0-9A-Fa-f]*)\^FS"
)


def decode_gfa(zpl: str) -> list[tuple[int, int, Image.Image]]:
    """Every ``^FO x,y ^GFA`` graphic in ``zpl`` as (x, y, image).

    Images are mode 'L', black ink on white, ``bytes_per_row * 8`` wide.  Only
    the uncompressed ASCII-hex form this module writes is understood; its byte
    counts are checked against the data.
    """
    graphics = []
    for match in _GFA.finditer(zpl):
        data = bytes.fromhex(match["data"])
        total, row_bytes = int(match["b"]), int(match["d"])
        if len(data) != total or int(match["c"]) != total or row_bytes == 0 or total % row_bytes:
            raise ValueError(f"inconsistent ^GFA field at offset {match.start()}")
        ink = Image.frombytes("1", (row_bytes * 8, total // row_bytes), data)
        graphics.append((int(match["x"]), int(match["y"]), ink.point(lambda v: 255 - v).convert("L")))
    return graphics
