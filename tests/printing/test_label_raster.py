"""Raster labels: every size, both printer resolutions, awkward guests.

Each label must scan back to its specimen number, and the pixels themselves
must show bars at least 10 mm tall, a narrow bar of at least 0.25 mm and at
least 10 modules of white on both sides, all inside the label.
"""

from __future__ import annotations

import io
import math
from datetime import date

import pytest
import zxingcpp
from PIL import Image, ImageChops

from frontdesk.printing.label_layout import LABEL_SIZES, LabelData, layout_label
from frontdesk.printing.label_raster import label_png_bytes, render_label_image

DAY = date(2026, 5, 9)

GUESTS = {
    "purple-edta": LabelData("张三丰", "男", 45, "2605090012", "EDTA抗凝管", "紫色", ("血常规", "糖化血红蛋白"), DAY, "260509001236"),
    "long-chinese-gold-sst": LabelData(
        "欧阳娜娜娜娜娜娜娜娜", "女", 29, "2605090013", "促凝管(SST)", "黄色",
        ("肝功能", "肾功能", "血脂四项", "甲功三项", "肿瘤标志物"), DAY, "260509001301",
    ),
    "long-foreign-blue-citrate": LabelData(
        "Maximilian Alexander von Hohenzollern-Sigmaringen", "男", None, "2605090014", "枸橼酸钠管", "浅蓝色",
        ("凝血四项", "D-二聚体"), DAY, "260509001418",
    ),
    "dotted-name-grey-fluoride-copy": LabelData(
        "阿卜杜热合曼·买买提艾力", "男", 61, "2605090015", "氟化钠管", "灰色", ("空腹血糖",), DAY, "260509001525", 2, 3,
    ),
    "urine-cup": LabelData("李四", "女", 8, "2605090016", "尿杯", "", ("尿常规",), DAY, "260509001616"),
    "red-clot": LabelData("王五", "男", 102, "2605090017", "普通管", "红色", ("乙肝五项",), DAY, "260509001707"),
}

SIZES = list(LABEL_SIZES)
DPIS = [203, 300]


def _bar_row(image: Image.Image, y: int) -> list[int]:
    """Pixel values (0 ink / 1 white) of one row."""
    width = image.width
    pixels = image.load()
    return [0 if pixels[x, y] == 0 else 1 for x in range(width)]


def _runs(row: list[int]) -> list[tuple[int, int, int]]:
    """(value, start, length) runs of a row."""
    runs = []
    start = 0
    for x in range(1, len(row) + 1):
        if x == len(row) or row[x] != row[start]:
            runs.append((row[start], start, x - start))
            start = x
    return runs


@pytest.fixture(params=[(size, dpi) for size in SIZES for dpi in DPIS], ids=lambda p: f"{p[0]}@{p[1]}")
def size_dpi(request):
    return request.param


@pytest.mark.parametrize("guest", list(GUESTS), ids=str)
def test_label_scans_back_to_its_specimen_number(guest, size_dpi):
    size, dpi = size_dpi
    data = GUESTS[guest]
    image = render_label_image(layout_label(data, LABEL_SIZES[size], dpi))
    results = zxingcpp.read_barcodes(image.convert("L"))
    assert [(r.text, r.format) for r in results] == [(data.barcode, zxingcpp.BarcodeFormat.Code128)]


@pytest.mark.parametrize("guest", ["purple-edta", "long-chinese-gold-sst"])
def test_label_pixels_meet_scanner_minimums(guest, size_dpi):
    size, dpi = size_dpi
    layout = layout_label(GUESTS[guest], LABEL_SIZES[size], dpi)
    image = render_label_image(layout)
    dots_per_mm = dpi / 25.4

    # A row through the middle of the bars: symbol extent and narrow bar.
    mid = layout.barcode.y + layout.barcode.height_dots // 2
    runs = _runs(_bar_row(image, mid))
    assert runs[0][0] == 1 and runs[-1][0] == 1, "the symbol must not touch the label's edges"
    symbol = runs[1:-1]
    first_bar_x = symbol[0][1]
    last_bar_end = symbol[-1][1] + symbol[-1][2]
    narrow = min(length for _, _, length in symbol)
    assert narrow >= math.ceil(0.25 * dots_per_mm - 1e-9)
    # Code 128: 101 modules for 12 digits, so the symbol is 101 narrow bars wide.
    assert last_bar_end - first_bar_x == 101 * narrow

    # Bars: every bar column is solid ink for at least 10 mm.
    min_bar = math.ceil(10 * dots_per_mm)
    pixels = image.load()
    for value, start, length in symbol:
        if value == 0:
            x = start + length // 2
            top = bottom = mid
            while top > 0 and pixels[x, top - 1] == 0:
                top -= 1
            while bottom < image.height - 1 and pixels[x, bottom + 1] == 0:
                bottom += 1
            assert bottom - top + 1 >= min_bar, (x, top, bottom)

    # Quiet zones: 10 modules of white beside the bars over their full height.
    bar_top, bar_bottom = layout.barcode.y, layout.barcode.y + layout.barcode.height_dots
    left_zone = image.crop((first_bar_x - 10 * narrow, bar_top, first_bar_x, bar_bottom))
    right_zone = image.crop((last_bar_end, bar_top, last_bar_end + 10 * narrow, bar_bottom))
    assert first_bar_x - 10 * narrow >= 0 and last_bar_end + 10 * narrow <= image.width
    assert left_zone.convert("L").getextrema() == (255, 255)
    assert right_zone.convert("L").getextrema() == (255, 255)


def test_image_is_exactly_the_label_in_dots_on_white(size_dpi):
    size, dpi = size_dpi
    layout = layout_label(GUESTS["purple-edta"], LABEL_SIZES[size], dpi)
    image = render_label_image(layout)
    assert image.mode == "1"
    assert image.size == (round(LABEL_SIZES[size].width_mm * dpi / 25.4), round(LABEL_SIZES[size].height_mm * dpi / 25.4))
    corners = [image.getpixel(p) for p in [(0, 0), (image.width - 1, 0), (0, image.height - 1), (image.width - 1, image.height - 1)]]
    assert corners == [255] * 4


def test_name_ink_is_in_the_top_left_corner():
    layout = layout_label(GUESTS["long-chinese-gold-sst"], LABEL_SIZES["50x25"], 203)
    image = render_label_image(layout).convert("L")
    name = layout.texts[0]
    box = image.crop((0, 0, name.x + name.width + 2, name.bottom))
    assert box.getextrema()[0] == 0  # there is ink where the name belongs


def test_png_records_its_resolution():
    layout = layout_label(GUESTS["purple-edta"], LABEL_SIZES["50x25"], 300)
    png = Image.open(io.BytesIO(label_png_bytes(layout)))
    assert png.format == "PNG"
    assert tuple(round(v) for v in png.info["dpi"]) == (300, 300)
    assert png.size == (591, 295)
    assert ImageChops.difference(png.convert("L"), render_label_image(layout).convert("L")).getbbox() is None
    assert [r.text for r in zxingcpp.read_barcodes(png.convert("L"))] == [GUESTS["purple-edta"].barcode]
