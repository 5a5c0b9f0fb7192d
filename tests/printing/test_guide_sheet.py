"""The guide sheet renders on A4 with the guest, the stations in order and a scannable barcode."""

from __future__ import annotations

import dataclasses
from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from frontdesk.printing.guide_sheet import GuideSheetData, GuideStation, render_guide_sheet_pdf
from frontdesk.printing.pdf_raster import pdf_pages_to_images

from .conftest import page_texts

MM = 72 / 25.4
VISIT_NO = "25061501274"


def station(order: int, name: str, location: str, items: tuple[str, ...], note: str = "") -> GuideStation:
    return GuideStation(order=order, station_name=name, location=location, items=items, note=note)


STATIONS = (
    station(1, "采血室", "1楼 检验科", ("血常规", "肝功能", "空腹血糖"), "空腹，请最先采血"),
    station(2, "超声科", "2楼 201室", ("腹部彩超",), "空腹项目"),
    station(3, "一般检查", "1楼 108室", ("身高", "体重", "血压")),
    station(4, "心电图室", "2楼 220室", ("十二导联心电图",)),
)


def make_sheet(**changes) -> GuideSheetData:
    data = GuideSheetData(
        site_name="仁和健康体检中心",
        visit_no=VISIT_NO,
        guest_name="张三丰",
        sex_label="男",
        age=45,
        package_name="入职体检套餐（男）",
        organisation="北京武当科技有限公司",
        visit_date=date(2025, 6, 15),
        fasting_required=True,
        stations=STATIONS,
        specimen_instructions=("尿杯：留取中段尿，交至检验窗口。", "采便器：当天交回检验窗口。"),
        locker_tag="A-023",
    )
    return dataclasses.replace(data, **changes)


def many_stations(count: int) -> tuple[GuideStation, ...]:
    return tuple(station(i, f"科室{i:02d}", f"{i % 5 + 1}楼", (f"项目{i:02d}甲", f"项目{i:02d}乙")) for i in range(1, count + 1))




def test_guide_sheet_renders_to_png(tmp_path):
    image = pdf_pages_to_images(render_guide_sheet_pdf(make_sheet()), 200)[0]
    image.save(tmp_path / "guide.png")
    with Image.open(tmp_path / "guide.png") as png:
        assert png.size == (1654, 2339)  # A4 at 200 dpi
        results = zxingcpp.read_barcodes(png.convert("L"), formats=zxingcpp.BarcodeFormat.Code128)
    assert [r.text for r in results] == [VISIT_NO]


def test_guide_sheet_is_a4_portrait():
    doc = pdfium.PdfDocument(render_guide_sheet_pdf(make_sheet()))
    width, height = doc.get_page_size(0)
    doc.close()
    assert (width / MM, height / MM) == pytest.approx((210, 297), abs=0.1)


def test_guide_sheet_text_has_guest_package_and_stations():
    text = page_texts(render_guide_sheet_pdf(make_sheet()))[0]
    for expected in ["仁和健康体检中心", "体检流程指引单", "张三丰", "男", "45岁", VISIT_NO, "入职体检套餐（男）",
                     "北京武当科技有限公司", "2025-06-15", "A-023", "采血室", "1楼 检验科", "血常规", "腹部彩超",
                     "十二导联心电图", "空腹，请最先采血", "签章", "尿杯：留取中段尿，交至检验窗口。",
                     "采便器：当天交回检验窗口。", "请将本单交回前台"]:
        assert expected in text, expected


def test_stations_are_listed_in_order():
    shuffled = tuple(reversed(STATIONS))
    text = page_texts(render_guide_sheet_pdf(make_sheet(stations=shuffled)))[0]
    positions = [text.index(s.station_name) for s in STATIONS]
    assert positions == sorted(positions)


def test_fasting_sheet_says_breakfast_after_blood_draw():
    assert "采血后方可用早餐" in page_texts(render_guide_sheet_pdf(make_sheet()))[0]


def test_sheet_without_fasting_does_not_ask_to_fast():
    text = page_texts(render_guide_sheet_pdf(make_sheet(fasting_required=False)))[0]
    assert "采血后方可用早餐" not in text
    assert "无需空腹" in text


def test_guide_sheet_barcode_decodes_to_visit_number():
    image = pdf_pages_to_images(render_guide_sheet_pdf(make_sheet()), 200)[0]
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
    assert [r.text for r in results] == [VISIT_NO]


def test_missing_optional_fields_render():
    text = page_texts(render_guide_sheet_pdf(make_sheet(age=None, organisation=None, locker_tag=None,
                                                        specimen_instructions=())))[0]
    assert "张三丰" in text
    assert "单位" not in text


def test_many_stations_flow_onto_a_second_page():
    stations = many_stations(30)
    texts = page_texts(render_guide_sheet_pdf(make_sheet(stations=stations)))
    assert len(texts) >= 2
    for s in stations:
        assert sum(text.count(s.station_name) for text in texts) == 1, s.station_name
    for text in texts:
        assert "签章" in text  # table header repeated
        assert "请将本单交回前台" in text
        assert VISIT_NO in text


def test_every_page_barcode_decodes():
    pdf = render_guide_sheet_pdf(make_sheet(stations=many_stations(30)))
    for image in pdf_pages_to_images(pdf, 200):
        results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
        assert [r.text for r in results] == [VISIT_NO]


def test_ten_station_package_fits_one_page():
    assert len(page_texts(render_guide_sheet_pdf(make_sheet(stations=many_stations(10))))) == 1


def test_english_guide_sheet_has_english_titles(english):
    text = page_texts(render_guide_sheet_pdf(make_sheet()))[0]
    assert "Examination Guide Sheet" in text
    assert "return this sheet to the front desk" in text
    assert "体检流程指引单" not in text
    assert "张三丰" in text
