"""The deferral slip (缓检单): items, date, instructions and the original visit number as text, and a
Code 128 barcode of the slip number that finds the guest's open deferrals again."""

from __future__ import annotations

import dataclasses
from datetime import date

import pypdfium2 as pdfium
import zxingcpp

from frontdesk.printing.deferral_slip import DeferralSlipData, render_deferral_slip
from frontdesk.printing.pdf_raster import pdf_pages_to_images

from .conftest import page_texts

VISIT_NO = "26112300012"
SLIP_NO = "7000001235"  # make_deferral_no(123)


def make_slip(**changes) -> DeferralSlipData:
    data = DeferralSlipData(
        site_name="仁和健康体检中心", visit_no=VISIT_NO, guest_name="张三丰", sex_label="男",
        original_date=date(2026, 11, 23), deferred_to=date(2026, 11, 30),
        items=(("肝功能", "采血室（一楼 101）"), ("骨密度", "骨密度室（二楼 206）")), fasting=True,
        instructions=("当天请空腹（前一晚 22 点后禁食禁水），上午 10 点前到前台报到。", "请携带本单和本人身份证件。"),
        issued_by="李前台", slip_no=SLIP_NO)
    return dataclasses.replace(data, **changes)


def test_slip_text_has_items_dates_instructions_and_visit_number():
    [text] = page_texts(render_deferral_slip(make_slip()))
    for expected in ("缓检通知单", "张三丰", VISIT_NO, "2026-11-23", "2026-11-30", "肝功能", "采血室（一楼 101）",
                     "骨密度", "空腹", "本人身份证件", "李前台", "仁和健康体检中心"):
        assert expected in text, expected


def test_slip_barcode_decodes_to_the_slip_number():
    image = pdf_pages_to_images(render_deferral_slip(make_slip()), 200)[0]
    results = zxingcpp.read_barcodes(image)
    assert [(r.format, r.text) for r in results] == [(zxingcpp.BarcodeFormat.Code128, SLIP_NO)]


def test_slip_is_a5_portrait():
    doc = pdfium.PdfDocument(render_deferral_slip(make_slip()))
    width, height = doc[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (148, 210)


def test_long_list_continues_on_a_second_page_with_every_item():
    items = tuple((f"项目{i:02d}", f"科室{i:02d}") for i in range(1, 31))
    texts = page_texts(render_deferral_slip(make_slip(items=items)))
    assert len(texts) >= 2
    joined = "".join(texts)
    assert all(f"项目{i:02d}" in joined for i in range(1, 31))
    assert "补检须知" in texts[-1]


def test_english_slip(english):
    [text] = page_texts(render_deferral_slip(make_slip(items=(("Liver function", "Blood draw"),))))
    assert "Deferred Items Slip" in text and "Come back on" in text and "Liver function" in text


def test_slip_from_the_service_names_what_was_deferred(fdb, catalogue):
    import datetime as dt
    from decimal import Decimal as D

    from frontdesk.domain.enums import IdType, PaymentMethod, Role
    from frontdesk.domain.idnumber import make_resident_id
    from frontdesk.services import checkin, closeout, deferrals, guests, search
    from frontdesk.services.checkin import CheckInRequest
    from frontdesk.services.payments import PaymentInput
    from frontdesk.services.session import Session
    from frontdesk.storage import models as m

    desk = Session("qiantai", "李前台", Role.RECEPTION, "前台1")
    today = dt.date(2026, 11, 23)
    guest = guests.register(desk, guests.GuestInput(
        name="张三丰", sex="M", birth_date=dt.date(1980, 5, 17), id_type=IdType.RESIDENT_ID,
        id_number=make_resident_id("110105", dt.date(1980, 5, 17), 23), phone="13800000009", organisation_id=None),
        today=today)
    items = [m.ExamItem.get(m.ExamItem.code == c) for c in ("GENERAL", "LFT")]
    visit = checkin.check_in(desk, CheckInRequest(guest_id=guest.id, added_item_ids=[i.id for i in items],
                                                  payments=[PaymentInput(PaymentMethod.CASH, D("70.00"))]),
                             day=today).visit
    lft = next(i.visit_item_id for i in closeout.closeout_view(visit.id).items if i.item_code == "LFT")
    deferrals.defer_items(desk, visit.id, [lft], dt.date(2026, 11, 26), today=today)
    pdf = deferrals.slip_pdf(visit.id, dt.date(2026, 11, 26), issued_by="李前台", site="测试中心")
    [text] = page_texts(pdf)
    assert "肝功能" in text and "一般检查" not in text and "2026-11-26" in text and "空腹" in text
    assert visit.visit_no in text
    image = pdf_pages_to_images(pdf, 200)[0]
    [scanned] = [r.text for r in zxingcpp.read_barcodes(image)]
    # The scanned slip, not the visit number, names the deferral: it finds the deferred items for the make-up visit.
    assert scanned != visit.visit_no
    [found] = deferrals.find_open_deferrals(scanned)
    assert found.visit_id == visit.id and [i.item_name for i in found.items] == ["肝功能"]
    # Typed into any search box, the slip finds the guest and the original visit.
    hits = search.search(scanned, day=today)
    assert ("visit", guest.id) in {(h.kind, h.guest_id) for h in hits}
