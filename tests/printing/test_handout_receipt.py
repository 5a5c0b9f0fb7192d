"""The report hand-out receipt (体检报告领取凭证): its text, the visit's barcode, and the signature drawn on it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pypdfium2
import pytest
import zxingcpp
from PIL import Image, ImageDraw

from frontdesk.domain.enums import HandoutMethod
from frontdesk.printing.handout_receipt import HandoutReceiptData, render_handout_receipt_pdf

from .conftest import page_texts

AT = dt.datetime(2026, 11, 30, 2, 15, tzinfo=dt.timezone.utc)


def _signature() -> bytes:
    """A wide black scrawl on transparent ground, as the signature pad saves it."""
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(40, 150), (120, 40), (200, 160), (300, 50), (420, 150), (560, 60)], fill=(0, 0, 0, 255), width=12)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _data(**changes) -> HandoutReceiptData:
    data = HandoutReceiptData(
        site_name="滨江健康体检中心", visit_no="26112300125", guest_name="张*丰", guest_id_masked="110105********002X",
        visit_date=dt.date(2026, 11, 23), package="入职体检套餐", method=HandoutMethod.PROXY, recipient_name="李*英",
        recipient_id_masked="310104********1247", relation="配偶", authorisation_seen=True, courier_company="",
        tracking_no="", handed_at=AT, handed_by="李前台", desk="前台1", shelf_no="A-03", signature_png=_signature())
    return dataclasses.replace(data, **changes)


def _render(pdf: bytes, dpi=300):
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) == 1
        page = document[0]
        return page.get_size(), page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()


def test_proxy_receipt_names_the_proxy_masked_and_the_visit_barcode_scans():
    pdf = render_handout_receipt_pdf(_data())
    (text,) = page_texts(pdf)
    for expected in ("体检报告领取凭证", "滨江健康体检中心", "26112300125", "张*丰", "110105********002X", "代领",
                     "李*英", "310104********1247", "配偶", "已核验", "李前台", "A-03", "领取人签名"):
        assert expected in text, expected
    size, image = _render(pdf)
    assert size == pytest.approx((419.5, 595.3), abs=0.5)  # A5
    assert [r.text for r in zxingcpp.read_barcodes(image)] == ["26112300125"]


def test_the_drawn_signature_is_on_the_receipt():
    def dark_pixels(data):
        _, image = _render(render_handout_receipt_pdf(data), dpi=100)
        width, height = image.size
        # The signature box is in the lower half of the page.
        box = image.crop((0, height // 2, width, height))
        return sum(box.point(lambda p: 1 if p < 100 else 0).histogram()[1:])

    with_signature, without = dark_pixels(_data()), dark_pixels(_data(signature_png=None))
    assert with_signature > without + 1500


def test_courier_receipt_shows_company_and_tracking_number():
    (text,) = page_texts(render_handout_receipt_pdf(_data(method=HandoutMethod.MAILED, courier_company="顺丰速运",
                                                          tracking_no="SF1234567890", signature_png=None)))
    assert "顺丰速运" in text and "SF1234567890" in text and "代领人" not in text


def test_repeat_hand_out_says_which_supervisor_allowed_it():
    (text,) = page_texts(render_handout_receipt_pdf(_data(method=HandoutMethod.IN_PERSON, repeat=True,
                                                          authorised_by="王主管")))
    assert "补发" in text and "王主管" in text


def test_english_receipt(english):
    (text,) = page_texts(render_handout_receipt_pdf(_data()))
    assert "Report hand-out receipt" in text and "Proxy" in text and "Spouse" not in text  # the relation as typed


def test_hand_out_time_must_be_timezone_aware():
    with pytest.raises(ValueError):
        _data(handed_at=dt.datetime(2026, 11, 30, 10, 15))
