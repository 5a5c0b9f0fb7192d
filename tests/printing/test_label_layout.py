"""Where things go on a specimen label, and how long text is cut."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from frontdesk.errors import ValidationError
from frontdesk.i18n import set_language
from frontdesk.printing.label_layout import (
    ELLIPSIS,
    LABEL_SIZES,
    LabelData,
    LabelSize,
    fit_tests,
    layout_label,
    parse_label_size,
    sample_label_data,
    text_width,
)

SIZES = list(LABEL_SIZES.values())
DPIS = [203, 300]


@pytest.fixture(autouse=True)
def _chinese():
    set_language("zh")
    yield
    set_language("zh")


def _guest(name: str, **changes) -> LabelData:
    return dataclasses.replace(sample_label_data(), guest_name=name, **changes)


@pytest.mark.parametrize(("text", "expected"), [
    ("50x25", LabelSize(50, 25)),
    ("50X30", LabelSize(50, 30)),
    (" 60 × 40 mm", LabelSize(60, 40)),
    ("50*25", LabelSize(50, 25)),
])
def test_parse_label_size_accepts_the_three_sizes(text, expected):
    assert parse_label_size(text) == expected


@pytest.mark.parametrize("text", ["", "100x50", "50x", "abc"])
def test_parse_label_size_refuses_other_sizes_with_a_message(text):
    with pytest.raises(ValidationError) as caught:
        parse_label_size(text)
    assert "50x25" in caught.value.message


def test_parse_label_size_message_follows_the_language():
    set_language("en")
    with pytest.raises(ValidationError, match="Unsupported label size"):
        parse_label_size("1x1")


@pytest.mark.parametrize(("size", "dpi", "module"), [
    (LABEL_SIZES["50x25"], 203, 3),
    (LABEL_SIZES["50x25"], 300, 4),
    (LABEL_SIZES["60x40"], 203, 3),
    (LABEL_SIZES["60x40"], 300, 5),
])
def test_module_width_is_the_largest_that_fits_with_quiet_zones(size, dpi, module):
    layout = layout_label(sample_label_data(), size, dpi)
    bc = layout.barcode
    assert bc.module_width_dots == module
    assert len(bc.modules) == 101
    assert (101 + 20) * (module + 1) > layout.width  # one more dot would not fit


@pytest.mark.parametrize("size", SIZES, ids=lambda s: s.key)
@pytest.mark.parametrize("dpi", DPIS)
def test_barcode_meets_scanner_minimums(size, dpi):
    layout = layout_label(sample_label_data(), size, dpi)
    bc = layout.barcode
    dots_per_mm = dpi / 25.4
    assert bc.height_dots >= 10 * dots_per_mm
    assert bc.module_width_dots >= 0.25 * dots_per_mm
    assert layout.quiet_zone_left >= 10 * bc.module_width_dots
    assert layout.quiet_zone_right >= 10 * bc.module_width_dots


@pytest.mark.parametrize("size", SIZES, ids=lambda s: s.key)
@pytest.mark.parametrize("dpi", DPIS)
def test_every_text_stays_inside_the_label_and_clear_of_the_bars(size, dpi):
    data = _guest("欧阳娜娜娜娜娜娜娜娜娜娜娜娜", copies=3, copy_no=2, tests=("血常规", "糖化血红蛋白", "血型", "网织红细胞"))
    layout = layout_label(data, size, dpi)
    bc = layout.barcode
    for item in layout.texts:
        assert 0 <= item.x and item.x + item.width <= layout.width, item
        assert 0 <= item.y and item.bottom <= bc.y, item
    digits = layout.digits
    assert digits.baseline <= layout.height
    assert digits.baseline - digits.height * 0.76 >= bc.y + bc.height_dots
    assert bc.x + bc.width <= layout.width


@pytest.mark.parametrize("size", SIZES, ids=lambda s: s.key)
def test_name_is_always_at_the_same_place_top_left(size):
    places = {
        (item.x, item.y)
        for name in ("李四", "欧阳娜娜娜娜娜娜娜娜", "Maximilian Alexander von Hohenzollern-Sigmaringen")
        for item in [layout_label(_guest(name), size, 203).texts[0]]
    }
    assert len(places) == 1


def test_long_name_is_cut_with_an_ellipsis_never_wrapped():
    name = "欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜娜"
    layout = layout_label(_guest(name), LABEL_SIZES["50x25"], 203)
    shown = layout.texts[0].text
    assert shown.endswith(ELLIPSIS)
    assert name.startswith(shown[:-1])
    assert len(shown) > 4
    sex_age = layout.texts[1]
    assert layout.texts[0].x + layout.texts[0].width < sex_age.x


def test_long_foreign_name_is_cut_with_an_ellipsis():
    name = "Maximilian Alexander von Hohenzollern-Sigmaringen"
    shown = layout_label(_guest(name), LABEL_SIZES["50x25"], 203).texts[0].text
    assert shown.endswith(ELLIPSIS) and name.startswith(shown[:-1])
    assert not shown[:-1].endswith(" ")


def test_short_name_is_shown_whole():
    assert layout_label(_guest("张三丰"), LABEL_SIZES["50x25"], 203).texts[0].text == "张三丰"


def test_white_space_in_names_collapses():
    assert layout_label(_guest("  Li   Na "), LABEL_SIZES["50x25"], 203).texts[0].text == "Li Na"


def test_tests_that_do_not_fit_are_counted_not_cut():
    tests = ("肝功能", "肾功能", "血脂四项", "甲功三项", "肿瘤标志物")
    budget = text_width("肝功能 肾功能 血脂四项 +2", 20)
    assert fit_tests(tests, 20, budget) == "肝功能 肾功能 血脂四项 +2"


def test_tests_all_shown_when_they_fit():
    assert fit_tests(("血常规", "糖化血红蛋白"), 20, 10_000) == "血常规 糖化血红蛋白"


def test_a_single_too_long_test_is_cut_before_the_count():
    text = fit_tests(("超长的检查项目名称超长的检查项目名称", "血型"), 20, 120)
    assert text.endswith(ELLIPSIS + " +1")
    assert text_width(text, 20) <= 120


@pytest.mark.parametrize("size", SIZES, ids=lambda s: s.key)
def test_label_shows_visit_tube_cap_tests_date_and_copy(size):
    data = dataclasses.replace(sample_label_data(), copies=2, copy_no=2)
    texts = " ".join(item.text for item in layout_label(data, size, 203).texts)
    for part in ("张三丰", "男 45岁", "2605090012", "2026-05-09", "紫色", "EDTA抗凝管", "血常规", "糖化血红蛋白", "2/2"):
        assert part in texts


def test_copy_marker_sits_between_visit_number_and_date():
    data = dataclasses.replace(sample_label_data(), copies=3, copy_no=2)
    texts = layout_label(data, LABEL_SIZES["50x25"], 203).texts
    visit, date_item, marker = (next(t for t in texts if t.text == text) for text in (data.visit_no, "2026-05-09", "2/3"))
    assert marker.y == visit.y == date_item.y
    assert visit.x + visit.width < marker.x < marker.x + marker.width < date_item.x


def test_copy_marker_moves_to_the_tube_row_when_a_long_visit_number_needs_the_room():
    data = dataclasses.replace(sample_label_data(), copies=3, copy_no=2, visit_no="26050900120000001")
    texts = layout_label(data, LABEL_SIZES["50x25"], 203).texts
    visit = next(t for t in texts if t.text == "26050900120000001")
    marker = next(t for t in texts if t.text == "2/3")
    assert marker.y > visit.y
    assert marker.x + marker.width <= layout_label(data, LABEL_SIZES["50x25"], 203).width


def test_single_copy_has_no_copy_marker():
    texts = [item.text for item in layout_label(sample_label_data(), LABEL_SIZES["50x25"], 203).texts]
    assert "1/1" not in texts


def test_unknown_age_is_left_out():
    texts = [item.text for item in layout_label(_guest("李四", age=None), LABEL_SIZES["50x25"], 203).texts]
    assert "男" in texts


def test_age_follows_the_language():
    set_language("en")
    texts = [item.text for item in layout_label(_guest("Li Si", sex_label="F", age=8), LABEL_SIZES["50x25"], 203).texts]
    assert "F 8 y" in texts


def test_digits_under_the_bars_are_the_barcode_and_centred():
    layout = layout_label(sample_label_data(), LABEL_SIZES["50x25"], 203)
    bc, digits = layout.barcode, layout.digits
    assert digits.text == bc.human_readable == "260509001236"
    assert abs((digits.x + digits.width / 2) - (bc.x + bc.width / 2)) <= 1


def test_barcode_too_long_for_the_label_is_refused():
    data = dataclasses.replace(sample_label_data(), barcode="ABCDEFGHIJKLMNOPQRST")
    with pytest.raises(ValidationError):
        layout_label(data, LABEL_SIZES["50x25"], 203)


def test_copy_number_outside_copies_is_a_bug():
    with pytest.raises(ValueError):
        layout_label(dataclasses.replace(sample_label_data(), copy_no=3, copies=2))


def test_layout_is_in_dots_of_the_requested_resolution():
    layout = layout_label(sample_label_data(), LABEL_SIZES["50x25"], 203)
    assert (layout.width, layout.height) == (400, 200)
    layout = layout_label(sample_label_data(), LABEL_SIZES["50x25"], 300)
    assert (layout.width, layout.height) == (591, 295)


def test_collected_date_is_printed_as_iso():
    data = dataclasses.replace(sample_label_data(), collected_on=date(2026, 1, 2))
    assert "2026-01-02" in [item.text for item in layout_label(data).texts]
