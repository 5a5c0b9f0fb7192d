"""Receipts render to PDF with readable Chinese, a scannable barcode and pages that flow."""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timezone
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from frontdesk.printing.pdf_raster import pdf_pages_to_images
from frontdesk.printing.receipt import (
    ReceiptData,
    ReceiptLine,
    ReceiptPayment,
    font_runs,
    render_receipt_pdf,
    text_width,
    wrap_text,
)

from .conftest import page_texts

MM = 72 / 25.4
VISIT_NO = "25061501274"
RECEIPT_NO = "9000012738"


def make_receipt(**changes) -> ReceiptData:
    data = ReceiptData(
        site_name="仁和健康体检中心",
        receipt_no=RECEIPT_NO,
        visit_no=VISIT_NO,
        guest_name="张三丰",
        guest_sex="男",
        organisation="北京武当科技有限公司",
        lines=(
            ReceiptLine("入职体检套餐（男）", Decimal("380.00"), "单位"),
            ReceiptLine("甲状腺彩超", Decimal("120.00"), "个人"),
            ReceiptLine("幽门螺杆菌C13呼气试验", Decimal("150"), "个人"),
        ),
        payments=(ReceiptPayment("微信支付", Decimal("200.00")), ReceiptPayment("现金", Decimal("100.00"))),
        total=Decimal("650.00"),
        paid=Decimal("300.00"),
        change=Decimal("30.00"),
        cashier="王丽",
        desk="前台1",
        issued_at=datetime(2025, 6, 15, 0, 32, tzinfo=timezone.utc),
    )
    return dataclasses.replace(data, **changes)


def many_lines(count: int) -> tuple[ReceiptLine, ...]:
    return tuple(ReceiptLine(f"加项{i:03d}", Decimal("10.00"), "个人") for i in range(count))



def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [(w / MM, h / MM) for w, h in (doc.get_page_size(i) for i in range(len(doc)))]
    finally:
        doc.close()



@pytest.fixture
def beijing_time(monkeypatch):
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available on this platform")
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("fmt", ["a5", "roll80"])
def test_receipt_renders_to_png(fmt, tmp_path):
    pdf = render_receipt_pdf(make_receipt(), fmt)
    images = pdf_pages_to_images(pdf, 300)
    path = tmp_path / f"receipt-{fmt}.png"
    images[0].save(path)
    (width_mm, height_mm), = page_sizes_mm(pdf)
    with Image.open(path) as png:
        assert png.size == pytest.approx((width_mm / 25.4 * 300, height_mm / 25.4 * 300), abs=1)
        results = zxingcpp.read_barcodes(png.convert("L"), formats=zxingcpp.BarcodeFormat.Code128)
    assert [r.text for r in results] == [VISIT_NO]


@pytest.mark.parametrize("fmt", ["a5", "roll80"])
def test_receipt_text_has_guest_title_items_amounts_and_numbers(fmt):
    text = page_texts(render_receipt_pdf(make_receipt(), fmt))[0]
    for expected in ["仁和健康体检中心", "收费收据", "张三丰", "北京武当科技有限公司", RECEIPT_NO, VISIT_NO,
                     "入职体检套餐（男）", "甲状腺彩超", "幽门螺杆菌C13呼气试验", "单位", "个人",
                     "¥380.00", "¥120.00", "¥150.00", "¥650.00", "微信支付", "¥200.00", "现金", "¥100.00",
                     "¥300.00", "¥30.00", "王丽", "前台1"]:
        assert expected in text, expected


def test_amounts_print_with_two_decimals_and_thousands_separator():
    data = make_receipt(lines=(ReceiptLine("全身体检", Decimal("1280"), "个人"),), total=Decimal("1280"))
    assert "¥1,280.00" in page_texts(render_receipt_pdf(data))[0]


@pytest.mark.parametrize("fmt", ["a5", "roll80"])
def test_receipt_barcode_decodes_to_visit_number(fmt):
    image = pdf_pages_to_images(render_receipt_pdf(make_receipt(), fmt), 300)[0]
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
    assert [r.text for r in results] == [VISIT_NO]


def test_receipt_prints_issue_time_in_local_time(beijing_time):
    text = page_texts(render_receipt_pdf(make_receipt(issued_at=datetime(2025, 6, 15, 0, 32, tzinfo=timezone.utc))))[0]
    assert "2025-06-15 08:32" in text


def test_naive_issue_time_is_refused():
    with pytest.raises(ValueError):
        make_receipt(issued_at=datetime(2025, 6, 15, 8, 32))


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        render_receipt_pdf(make_receipt(), "letter")


def test_a5_receipt_is_a5_portrait():
    (width, height), = page_sizes_mm(render_receipt_pdf(make_receipt(), "a5"))
    assert width == pytest.approx(148, abs=0.1)
    assert height == pytest.approx(210, abs=0.1)


def test_roll80_receipt_is_80mm_wide():
    (width, _height), = page_sizes_mm(render_receipt_pdf(make_receipt(), "roll80"))
    assert width == pytest.approx(80, abs=0.1)


def test_roll80_grows_with_the_items_on_one_page():
    short = page_sizes_mm(render_receipt_pdf(make_receipt(), "roll80"))
    long = page_sizes_mm(render_receipt_pdf(make_receipt(lines=many_lines(60)), "roll80"))
    assert len(long) == 1
    assert long[0][1] > short[0][1] + 100


def test_many_items_flow_onto_further_a5_pages():
    lines = many_lines(60)
    texts = page_texts(render_receipt_pdf(make_receipt(lines=lines), "a5"))
    assert len(texts) > 1
    for line in lines:
        assert sum(text.count(line.name) for text in texts) == 1, line.name
    # Every page repeats the table header and names the receipt it belongs to.
    for text in texts:
        assert "金额" in text
        assert RECEIPT_NO in text
    assert "合计" in texts[-1]
    assert f"第 {len(texts)} / {len(texts)} 页" in texts[-1]


def test_a5_continuation_pages_stay_a5():
    sizes = page_sizes_mm(render_receipt_pdf(make_receipt(lines=many_lines(60)), "a5"))
    assert all(size == pytest.approx((148, 210), abs=0.1) for size in sizes)


@pytest.mark.parametrize("fmt", ["a5", "roll80"])
def test_void_receipt_carries_void_mark(fmt):
    assert "作废" in page_texts(render_receipt_pdf(make_receipt(is_void=True), fmt))[0]


def test_void_mark_is_on_every_page():
    texts = page_texts(render_receipt_pdf(make_receipt(is_void=True, lines=many_lines(60)), "a5"))
    assert all("作废" in text for text in texts)


def test_paid_receipt_has_no_void_mark():
    assert "作废" not in page_texts(render_receipt_pdf(make_receipt()))[0]


@pytest.mark.parametrize("fmt", ["a5", "roll80"])
def test_refund_receipt_is_titled_refund(fmt):
    text = page_texts(render_receipt_pdf(make_receipt(is_refund=True), fmt))[0]
    assert "退款凭证" in text
    assert "收费收据" not in text


def test_english_receipt_has_english_titles(english):
    text = page_texts(render_receipt_pdf(make_receipt()))[0]
    assert "Receipt" in text
    assert "Total" in text
    assert "Visit no." in text
    assert "收费收据" not in text
    assert "张三丰" in text  # data stays as entered


def test_english_void_refund_receipt(english):
    text = page_texts(render_receipt_pdf(make_receipt(is_refund=True, is_void=True), "roll80"))[0]
    assert "Refund Receipt" in text
    assert "VOID" in text


def test_latin_letters_and_digits_use_a_latin_font():
    # The bundled CJK font has no Latin glyphs: digits in it would print as boxes.
    runs = font_runs("体检号25061501274")
    assert runs[0][1] == "体检号"
    assert runs[1] == ("Helvetica", "25061501274")


def test_wrapped_lines_fit_the_width():
    text = "肿瘤标志物（男性六项）AFP/CEA/CA19-9/PSA/fPSA/CYFRA21-1 " * 3
    lines = wrap_text(text, 9, 100)
    assert len(lines) > 1
    assert all(text_width(line, 9) <= 100 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_wrapping_keeps_latin_words_whole():
    assert wrap_text("please return this sheet", 10, text_width("please return", 10)) == ["please return", "this sheet"]


def test_same_data_gives_same_pdf_bytes():
    assert render_receipt_pdf(make_receipt()) == render_receipt_pdf(make_receipt())


def test_empty_item_list_still_renders():
    text = page_texts(render_receipt_pdf(make_receipt(lines=(), total=Decimal(0))))[0]
    assert "¥0.00" in text


@pytest.mark.parametrize("fmt", ["a5", "roll80"])
def test_receipt_total_is_also_in_capital_numerals(fmt):
    data = make_receipt(lines=(ReceiptLine("全身体检", Decimal("1090"), "个人"),), total=Decimal("1090.00"))
    text = page_texts(render_receipt_pdf(data, fmt))[0].replace("\r\n", "").replace("\n", "")
    assert "合计（大写）" in text
    assert "人民币壹仟零玖拾元整" in text


def test_long_capital_total_wraps_on_the_roll_without_losing_characters():
    data = make_receipt(total=Decimal("1234567.89"))
    text = page_texts(render_receipt_pdf(data, "roll80"))[0].replace("\r\n", "").replace("\n", "")
    assert "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分" in text


@pytest.mark.parametrize("fmt", ["a5", "roll80"])
def test_receipt_has_a_place_for_the_seal(fmt):
    assert "盖章处" in page_texts(render_receipt_pdf(make_receipt(), fmt))[0]


def test_english_receipt_spells_the_total_in_capitals_too(english):
    text = page_texts(render_receipt_pdf(make_receipt(total=Decimal("0.50"))))[0]
    assert "Total in words" in text
    assert "伍角" in text
    assert "Seal" in text


@pytest.mark.parametrize("fmt", ["a5", "roll80"])
def test_refund_voucher_names_the_receipt_it_refunds_and_the_approver(fmt):
    data = make_receipt(is_refund=True, refund_of_no="9000012701", approved_by="李主管", cashier="李主管")
    text = page_texts(render_receipt_pdf(data, fmt))[0]
    assert "原收据号" in text
    assert "9000012701" in text
    assert "审批人：李主管" in text
    assert "收款员" not in text
    assert "退款合计（大写）" in text


def test_english_refund_voucher_says_approved_by(english):
    data = make_receipt(is_refund=True, refund_of_no="9000012701", approved_by="Li")
    text = page_texts(render_receipt_pdf(data))[0]
    assert "Approved by: Li" in text
    assert "Original receipt: 9000012701" in text
    assert "Cashier" not in text
