"""The booking slip (预订单): what it says, in both languages, and a barcode that scans to the booking number."""

from __future__ import annotations

import dataclasses
from datetime import date

import zxingcpp

from frontdesk import i18n
from frontdesk.printing.booking_slip import BookingSlipData, render_booking_slip
from frontdesk.printing.pdf_raster import pdf_pages_to_images

from .conftest import page_texts

BOOKING_NO = "8000000042"


def make_slip(**changes) -> BookingSlipData:
    data = BookingSlipData(
        site_name="健康体检中心", site_address="健康路 88 号", site_phone="010-88886666", booking_no=BOOKING_NO,
        guest_name="张三丰", sex_label="男", exam_date=date(2026, 11, 30), weekday="周一", half_day="上午",
        package="基础体检套餐", organisation="",
        items=(("血常规", "采血室 一楼 101", False), ("骨密度", "骨密度室 二楼 208", True)),
        fasting=True, instructions=("检查当天请空腹", "请携带身份证"), issued_by="李前台")
    return dataclasses.replace(data, **changes)


def test_the_slip_says_when_what_where_and_how_to_prepare():
    [text] = page_texts(render_booking_slip(make_slip()))
    for expected in ("体检预订单", "张三丰", BOOKING_NO, "2026-11-30", "周一", "上午", "基础体检套餐", "血常规",
                     "骨密度（加项）", "二楼 208", "检查当天请空腹", "健康路 88 号", "010-88886666", "李前台"):
        assert expected in text, expected


def test_without_an_address_the_where_box_is_left_out():
    [text] = page_texts(render_booking_slip(make_slip(site_address="", site_phone="")))
    assert "体检地点" not in text and "地址" not in text


def test_the_barcode_scans_to_the_booking_number_on_every_page():
    items = tuple((f"项目{n}", f"科室{n} 三楼", False) for n in range(40))          # 40 stations
    pdf = render_booking_slip(make_slip(items=items))
    images = pdf_pages_to_images(pdf, 200)
    assert len(images) >= 2 or len(page_texts(pdf)) == 1
    first = zxingcpp.read_barcodes(images[0], formats=zxingcpp.BarcodeFormat.Code128)
    assert [r.text for r in first] == [BOOKING_NO]
    texts = page_texts(pdf)
    assert sum(t.count("项目39") for t in texts) == 1


def test_the_slip_in_english():
    i18n.set_language("en")
    [text] = page_texts(render_booking_slip(make_slip(half_day="Morning", weekday="Mon")))
    assert "Booking Slip" in text and "Before you come" in text and "(added)" in text and "Morning" in text


def test_items_are_grouped_by_the_station_where_they_are_done():
    items = (("血常规", "采血室 一楼 101", False), ("肝功能", "采血室 一楼 101", False),
             ("骨密度", "骨密度室 二楼 208", True), ("糖化血红蛋白", "采血室 一楼 101", True))
    [text] = page_texts(render_booking_slip(make_slip(items=items)))
    assert text.count("采血室 一楼 101") == 1
    assert "血常规、肝功能、糖化血红蛋白（加项）" in text.replace("\r\n", "")
