"""The document bag's cover (健检资料袋) and the organisation's booking order sheet (单位预订单): what they say in both
languages, the cover's barcode scanning to the booking number, a long order sheet continuing with its header."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import zxingcpp

from frontdesk import i18n
from frontdesk.printing.bag_cover import BagCoverData, render_bag_cover, render_bag_covers
from frontdesk.printing.booking_order import BookingOrderData, OrderLine, PackageTotal, render_booking_order
from frontdesk.printing.pdf_raster import pdf_pages_to_images

from .conftest import page_texts


def cover(**changes) -> BagCoverData:
    values = dict(site_name="健康体检中心", booking_no="8000000042", visit_no="26112400014", guest_name="刘静英",
                  sex_label="女", age=41, exam_date=date(2026, 11, 24), weekday="周二", half_day="上午",
                  package="单位团检套餐", organisation="华新制造股份有限公司", department="采购部", fasting=True,
                  contents=("导检单（体检号 26112400014）", "报到条码标签 3 张"), sequence="3 / 8")
    values.update(changes)
    return BagCoverData(**values)


def test_the_cover_says_whose_bag_it_is_what_is_inside_and_scans_to_the_booking():
    pdf = render_bag_cover(cover())
    [text] = page_texts(pdf)
    for expected in ("健检资料袋", "刘静英", "8000000042", "26112400014", "41岁", "2026-11-24", "周二", "上午",
                     "单位团检套餐", "华新制造股份有限公司", "采购部", "需空腹", "导检单（体检号 26112400014）",
                     "报到条码标签 3 张", "3 / 8", "报到时扫描此条码"):
        assert expected in text, expected
    [image] = pdf_pages_to_images(pdf, 200, grayscale=True)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == ["8000000042"]


def test_the_cover_in_english_and_without_fasting_or_organisation():
    i18n.set_language("en")
    [text] = page_texts(render_bag_cover(cover(fasting=False, organisation="", department="", sex_label="Female")))
    assert "Document bag" in text and "Scan at check-in" in text and "41 y" in text
    assert "Fasting" not in text and "Organisation" not in text and "Department" not in text


def test_covers_of_a_batch_are_one_page_each():
    assert len(page_texts(render_bag_covers([cover(), cover(booking_no="8000000059")]))) == 2


def test_a_long_order_sheet_repeats_its_header_and_ends_with_the_totals():
    lines = tuple(OrderLine(f"80000{n:05d}", f"员工{n}", "男", 30 + n % 20, "生产部", "单位团检套餐", "上午", "已预约")
                  for n in range(70))
    data = BookingOrderData(site_name="健康体检中心", organisation="华新制造股份有限公司", contracts="2026年度员工体检",
                            exam_date=date(2026, 11, 24), weekday="周二", lines=lines,
                            totals=(PackageTotal("单位团检套餐", 70, Decimal("380.00"), Decimal("26600.00")),),
                            people=70, amount=Decimal("26600.00"), printed_by="李前台", printed_at="2026-11-23 17:00")
    pages = page_texts(render_booking_order(data))
    assert len(pages) >= 2
    people_pages = [page for page in pages if "员工" in page]
    assert len(people_pages) >= 2 and all("预约号" in page for page in people_pages)  # the header on every page
    assert "员工0" in pages[0] and "员工69" in "".join(pages)
    assert "按套餐汇总" in pages[-1] and "26,600.00" in pages[-1] and f"第 {len(pages)} / {len(pages)} 页" in pages[-1]
