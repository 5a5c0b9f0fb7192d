"""A contract's add-on allowance (单位增项额度) is spent once per visit: what earlier add-ons used,
at check-in or later at the desk, is gone, and the guest pays the rest."""

import datetime as dt
from decimal import Decimal as D

import pytest

from frontdesk.domain.enums import Payer, PaymentMethod, VisitSource
from frontdesk.errors import ValidationError
from frontdesk.services import checkin
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


def cash(amount):
    return PaymentInput(PaymentMethod.CASH, D(amount))


def org_and_guest(receipt):
    methods = {p.method: p.amount for p in receipt.payments}
    return methods.get("org_account", D("0.00")), sum((a for k, a in methods.items() if k != "org_account"),
                                                        D("0.00"))


@pytest.fixture
def group_visit(desk, make_guest, make_contract, cat):
    def go(*, allowance="100.00", added=(), payments=()):
        guest = make_guest()
        contract = make_contract(roster=[guest], addon_allowance=allowance)
        request = CheckInRequest(guest_id=guest.id, contract_id=contract.id, source=VisitSource.GROUP,
                                 added_item_ids=[cat.item_id(code) for code in added], payments=list(payments))
        return checkin.check_in(desk, request, day=TODAY)
    return go


def test_second_add_on_gets_only_what_the_first_left_of_the_allowance(desk, group_visit, cat):
    visit = group_visit().visit
    first = checkin.add_items(desk, visit.id, [cat.item_id("THY")], [], day=TODAY)  # 90.00: all on the allowance
    assert (first.quote.org_total, first.quote.guest_total) == (D("90.00"), D("0.00"))
    assert checkin.quote_addons(visit.id, [cat.item_id("C13")]).guest_total == D("140.00")
    second = checkin.add_items(desk, visit.id, [cat.item_id("C13")], [cash("140.00")], day=TODAY)  # 150.00
    assert (second.quote.org_total, second.quote.guest_total) == (D("10.00"), D("140.00"))
    assert org_and_guest(second.receipt) == (D("10.00"), D("140.00"))
    c13 = m.VisitItem.get(m.VisitItem.visit == visit.id, m.VisitItem.item == cat.item_id("C13"))
    assert c13.payer == Payer.GUEST.value  # the guest pays part of it


def test_once_the_allowance_is_spent_the_guest_pays_the_full_price(desk, group_visit, cat):
    visit = group_visit(allowance="90.00").visit
    checkin.add_items(desk, visit.id, [cat.item_id("THY")], [], day=TODAY)
    with pytest.raises(ValidationError, match="付款不足"):
        checkin.add_items(desk, visit.id, [cat.item_id("C13")], [], day=TODAY)  # nothing left for the org to pay
    assert not m.VisitItem.select().where(m.VisitItem.visit == visit.id,
                                          m.VisitItem.item == cat.item_id("C13")).exists()
    added = checkin.add_items(desk, visit.id, [cat.item_id("C13")], [cash("150.00")], day=TODAY)
    assert org_and_guest(added.receipt) == (D("0.00"), D("150.00"))


def test_add_ons_chosen_at_check_in_use_the_allowance_too(desk, group_visit, cat):
    result = group_visit(added=["C13"], payments=[cash("50.00")])  # 150.00: 100 allowance, 50 the guest
    assert org_and_guest(result.receipt) == (D("480.00"), D("50.00"))  # GROUP package 380 + 100
    later = checkin.add_items(desk, result.visit.id, [cat.item_id("THY")], [cash("90.00")], day=TODAY)
    assert (later.quote.org_total, later.quote.guest_total) == (D("0.00"), D("90.00"))
    assert org_and_guest(later.receipt) == (D("0.00"), D("90.00"))
