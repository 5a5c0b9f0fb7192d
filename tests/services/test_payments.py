import datetime as dt
from decimal import Decimal as D

import pypdfium2
import pytest

from frontdesk.domain.enums import ItemStatus, PaymentMethod, SpecimenStatus
from frontdesk.errors import ConflictError, PermissionDeniedError, ValidationError
from frontdesk.printing.receipt import ReceiptData, render_receipt_pdf
from frontdesk.services import checkin, payments
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


def cash(amount, tendered=None):
    return PaymentInput(PaymentMethod.CASH, D(amount), D(tendered) if tendered else None)


@pytest.fixture
def checked_in(desk, make_guest, cat):
    guest = make_guest()
    return checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=cat.package("BASIC").id,
                                                 payments=[cash("298.00", "300.00")]), day=TODAY)


def test_validate_payments_gives_change_for_cash_only():
    tenders = payments.validate_payments([cash("50.00", "100.00")], guest_due=D("50.00"), org_due=D("0"))
    assert tenders[0].change == D("50.00")


def test_validate_payments_refuses_cash_tendered_below_amount():
    with pytest.raises(ValidationError) as err:
        payments.validate_payments([cash("50.00", "20.00")], guest_due=D("50.00"), org_due=D("0"))
    assert err.value.field == "tendered"


def test_validate_payments_refuses_overpayment():
    with pytest.raises(ValidationError, match="超出"):
        payments.validate_payments([cash("60.00")], guest_due=D("50.00"), org_due=D("0"))


def test_validate_payments_refuses_fractions_of_a_cent():
    with pytest.raises(ValidationError, match="两位小数"):
        payments.validate_payments([cash("50.001")], guest_due=D("50.00"), org_due=D("0"))


def test_void_needs_a_supervisor(desk, checked_in):
    with pytest.raises(PermissionDeniedError):
        payments.void_receipt(desk, checked_in.receipt.id, "收错了")


def test_void_of_check_in_receipt_cancels_the_visit_and_is_audited(supervisor, checked_in):
    payments.void_receipt(supervisor, checked_in.receipt.id, "收错了")
    assert m.Receipt.get_by_id(checked_in.receipt.id).status == "void"
    assert m.Visit.get_by_id(checked_in.visit.id).status == "cancelled"
    assert len(checked_in.specimens) == 4
    assert [s.status for s in m.Specimen.select()] == [SpecimenStatus.CANCELLED.value] * 4
    entry = m.AuditLog.get(m.AuditLog.action == "receipt.void")
    assert entry.username == "zhuguan" and "收错了" in entry.details


def test_void_needs_a_reason(supervisor, checked_in):
    with pytest.raises(ValidationError):
        payments.void_receipt(supervisor, checked_in.receipt.id, "  ")


def test_void_of_check_in_receipt_is_refused_after_an_item_is_done(supervisor, checked_in):
    m.VisitItem.update(status=ItemStatus.DONE.value).where(m.VisitItem.visit == checked_in.visit.id).execute()
    with pytest.raises(ConflictError, match="逐项退费"):
        payments.void_receipt(supervisor, checked_in.receipt.id, "收错了")
    assert m.Receipt.get_by_id(checked_in.receipt.id).status == "issued"


def test_void_of_check_in_receipt_is_refused_after_an_add_on_receipt(desk, supervisor, checked_in, cat):
    checkin.add_items(desk, checked_in.visit.id, [cat.item_id("THY")], [cash("90.00")], day=TODAY)
    with pytest.raises(ConflictError):
        payments.void_receipt(supervisor, checked_in.receipt.id, "收错了")


def test_void_of_add_on_receipt_takes_its_items_off(desk, supervisor, checked_in, cat):
    added = checkin.add_items(desk, checked_in.visit.id, [cat.item_id("THY")], [cash("90.00")], day=TODAY)
    payments.void_receipt(supervisor, added.receipt.id, "加错了")
    assert m.VisitItem.get_by_id(added.visit_items[0].id).status == ItemStatus.REFUNDED.value
    assert m.Visit.get_by_id(checked_in.visit.id).status == "checked_in"


def test_refund_receipt_cannot_be_voided(supervisor, checked_in, cat):
    vi = m.VisitItem.get(m.VisitItem.visit == checked_in.visit.id, m.VisitItem.item == cat.item_id("ECG"))
    refund = checkin.remove_item(supervisor, vi.id, PaymentMethod.CASH, "不做")
    with pytest.raises(ConflictError):
        payments.void_receipt(supervisor, refund.id, "x")


def test_receipt_data_matches_the_receipt_and_renders(checked_in):
    data = payments.receipt_data(checked_in.receipt.id, "仁和体检中心")
    assert isinstance(data, ReceiptData)
    assert data.receipt_no == checked_in.receipt.receipt_no and data.visit_no == checked_in.visit.visit_no
    assert data.total == D("298.00") and data.paid == D("300.00") and data.change == D("2.00")
    assert data.cashier == "qiantai" and data.guest_name == "张三丰" and not data.is_void
    document = pypdfium2.PdfDocument(render_receipt_pdf(data))
    try:
        text = "".join(document[i].get_textpage().get_text_bounded() for i in range(len(document)))
    finally:
        document.close()
    for shown in (data.receipt_no, data.visit_no, "张三丰", "仁和体检中心", "¥298.00", "¥300.00", "¥2.00"):
        assert shown in text, shown


def test_receipt_data_of_a_void_receipt_says_so(supervisor, checked_in):
    payments.void_receipt(supervisor, checked_in.receipt.id, "收错了")
    assert payments.receipt_data(checked_in.receipt.id, "x").is_void
