"""ZPL: the printer draws the bars, our text travels as ^GFA graphics."""

from __future__ import annotations

import re

import pytest
from PIL import Image, ImageChops

from frontdesk.printing.label_layout import LABEL_SIZES, layout_label, sample_label_data
from frontdesk.printing.label_raster import render_label_image
from frontdesk.printing.label_zpl import decode_gfa, label_to_zpl, labels_to_zpl


@pytest.fixture
def layout():
    return layout_label(sample_label_data(copy_no=1, copies=2), LABEL_SIZES["50x25"], 203)


def test_zpl_is_one_format_with_the_label_size(layout):
    zpl = label_to_zpl(layout)
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert zpl.count("^XA") == zpl.count("^XZ") == 1
    assert f"^PW{layout.width}" in zpl and f"^LL{layout.height}" in zpl


def test_zpl_is_plain_ascii(layout):
    label_to_zpl(layout).encode("ascii")


def test_barcode_is_native_code128_without_printer_text(layout):
    zpl = label_to_zpl(layout)
    bc = layout.barcode
    assert f"^FO{bc.x},{bc.y}" in zpl
    assert f"^BY{bc.module_width_dots}" in zpl
    assert f"^BCN,{bc.height_dots},N,N,N,N" in zpl  # interpretation line off
    assert "^FD>;260509001236^FS" in zpl


def test_all_text_is_graphics_not_printer_fonts(layout):
    zpl = label_to_zpl(layout)
    assert "^A" not in zpl.replace("^XA", "")  # no font commands
    assert "张三丰" not in zpl
    assert len(decode_gfa(zpl)) == len(layout.texts) + 1  # + the digits


@pytest.mark.parametrize("size", list(LABEL_SIZES))
@pytest.mark.parametrize("dpi", [203, 300])
def test_graphics_rebuild_exactly_the_text_of_the_raster(size, dpi):
    layout = layout_label(sample_label_data(copy_no=2, copies=3), LABEL_SIZES[size], dpi)
    canvas = Image.new("L", (layout.width, layout.height), 255)
    for x, y, graphic in decode_gfa(label_to_zpl(layout)):
        assert graphic.getextrema()[0] == 0, "each graphic carries ink"
        assert x + graphic.width <= layout.width + 8 and y + graphic.height <= layout.height
        canvas.paste(0, (x, y), ImageChops.invert(graphic))
    expected = render_label_image(layout, with_barcode=False).convert("L")
    assert ImageChops.difference(canvas, expected).getbbox() is None


def test_graphic_byte_counts_match_their_data(layout):
    for match in re.finditer(r"\^GFA,(\d+),(\d+),(\d+),([0-9A-F]+)\^FS", label_to_zpl(layout)):
        total, _, row_bytes, data = match.groups()
        assert len(data) == 2 * int(total)
        assert int(total) % int(row_bytes) == 0


def test_decode_gfa_refuses_inconsistent_counts():
    with pytest.raises(ValueError):
        decode_gfa("^XA^FO1,1^GFA,4,4,2,FFFF^FS^XZ")


def test_several_labels_are_several_formats():
    layouts = [layout_label(sample_label_data(copy_no=n, copies=3)) for n in (1, 2, 3)]
    zpl = labels_to_zpl(layouts)
    assert zpl.count("^XA") == zpl.count("^XZ") == 3
