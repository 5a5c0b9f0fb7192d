"""Refunding several items at once: one transaction, one voucher per receipt refunded, amounts known first."""

import datetime as dt
from decimal import Decimal as D

import pytest

from frontdesk.domain.enums import ItemStatus, PaymentMethod, Role
from frontdesk.errors import ConflictError, PermissionDeniedError, ValidationError
from frontdesk.services import auth, checkin, payments, refunds
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.services.session import SYSTEM
from frontdesk.storage import models as m

from .conftest import TODAY


def cash(amount):
    return PaymentInput(PaymentMethod.CASH, D(amount), None)


def _item(visit, cat, code):
    return m.VisitItem.get(m.VisitItem.visit == visit.id, m.VisitItem.item == cat.item_id(code))


@pytest.fixture
def visit(desk, make_guest, cat):
    """A basic package (298.00) with an add-on C13 (150.00) paid at check-in."""
    request = CheckInRequest(guest_id=make_guest().id, package_id=cat.package("BASIC").id,
                             added_item_ids=[cat.item_id("C13")], payments=[cash("448.00")])
    return checkin.check_in(desk, request, day=TODAY).visit


def test_quote_shows_each_amount_and_the_total_and_writes_nothing(visit, cat):
    ecg, c13 = _item(visit, cat, "ECG"), _item(visit, cat, "C13")
    quote = refunds.quote([ecg.id, c13.id])
    assert {line.visit_item_id: line.amount for line in quote.lines} == {ecg.id: D("30.00"), c13.id: D("150.00")}
    assert quote.total == D("180.00") and quote.guest_total == D("180.00")
    assert all(line.refunds_receipt_no for line in quote.lines)
    assert not m.Receipt.select().where(m.Receipt.kind == "refund").exists()
    assert m.VisitItem.get_by_id(ecg.id).status == ItemStatus.PENDING.value


def test_refund_of_several_items_is_one_voucher_per_receipt_refunded(visit, supervisor, cat):
    auth.create_user(SYSTEM, supervisor.username, "王主管", Role.SUPERVISOR, "long-enough-pw-1")
    ecg, c13 = _item(visit, cat, "ECG"), _item(visit, cat, "C13")
    vouchers = refunds.refund_items(supervisor, [ecg.id, c13.id], PaymentMethod.CASH, "客人不做")
    charge = m.Receipt.get((m.Receipt.visit == visit.id) & (m.Receipt.kind == "charge"))
    # Both came from the check-in receipt: one voucher, naming that receipt.
    assert len(vouchers) == 1 and vouchers[0].total == D("180.00")
    assert vouchers[0].refund_of_id == charge.id
    assert {m.VisitItem.get_by_id(i).status for i in (ecg.id, c13.id)} == {ItemStatus.REFUNDED.value}
    assert m.AuditLog.select().where(m.AuditLog.action == "visit_item.refund").count() == 2
    data = payments.receipt_data(vouchers[0].id, "仁和体检中心")
    assert data.is_refund and data.refund_of_no == charge.receipt_no and data.approved_by == "王主管"


def test_package_items_refunded_together_never_exceed_the_package_price(desk, supervisor, make_guest, cat):
    request = CheckInRequest(guest_id=make_guest().id, package_id=cat.package("BASIC").id, payments=[cash("298.00")])
    visit = checkin.check_in(desk, request, day=TODAY).visit
    ids = [vi.id for vi in m.VisitItem.select().where(m.VisitItem.visit == visit.id)]
    quote = refunds.quote(ids)
    assert quote.total == D("298.00")  # the list prices add up to more than the package price
    vouchers = refunds.refund_items(supervisor, ids, PaymentMethod.CASH, "全部不做")
    assert sum(v.total for v in vouchers) == D("298.00")


def test_one_item_that_cannot_be_refunded_refunds_nothing(visit, supervisor, cat):
    ecg, c13 = _item(visit, cat, "ECG"), _item(visit, cat, "C13")
    m.VisitItem.update(status=ItemStatus.DONE.value).where(m.VisitItem.id == c13.id).execute()
    with pytest.raises(ConflictError, match="已检查"):
        refunds.refund_items(supervisor, [ecg.id, c13.id], PaymentMethod.CASH, "不做")
    assert m.VisitItem.get_by_id(ecg.id).status == ItemStatus.PENDING.value
    assert not m.Receipt.select().where(m.Receipt.kind == "refund").exists()


def test_refund_needs_a_supervisor_and_a_reason(visit, desk, supervisor, cat):
    ecg = _item(visit, cat, "ECG")
    with pytest.raises(PermissionDeniedError):
        refunds.refund_items(desk, [ecg.id], PaymentMethod.CASH, "不做")
    with pytest.raises(ValidationError, match="原因"):
        refunds.refund_items(supervisor, [ecg.id], PaymentMethod.CASH, "  ")
    with pytest.raises(ValidationError, match="勾选"):
        refunds.refund_items(supervisor, [], PaymentMethod.CASH, "不做")
    assert m.VisitItem.get_by_id(ecg.id).status == ItemStatus.PENDING.value


def test_guest_share_cannot_go_to_the_organisation_account(visit, supervisor, cat):
    with pytest.raises(ValidationError, match="单位账户"):
        refunds.refund_items(supervisor, [_item(visit, cat, "ECG").id], PaymentMethod.ORG_ACCOUNT, "不做")
