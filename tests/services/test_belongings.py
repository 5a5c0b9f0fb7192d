import datetime as dt
from decimal import Decimal as D

import pytest

from frontdesk.domain.enums import PaymentMethod
from frontdesk.errors import ConflictError, ValidationError
from frontdesk.services import belongings, checkin
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def visit(desk, make_guest, cat):
    def make(name="张三丰"):
        guest = make_guest(name=name)
        return checkin.check_in(desk, CheckInRequest(guest_id=guest.id, added_item_ids=[cat.item_id("GENERAL")],
                                                     payments=[PaymentInput(PaymentMethod.CASH, D("10.00"))]),
                                day=TODAY).visit
    return make


@pytest.mark.parametrize("tag", ["", "ABCDEFGHI", "A-1?", "柜1"])
def test_bad_tag_is_refused(tag):
    with pytest.raises(ValidationError):
        belongings.normalise_tag(tag)


def test_tag_is_folded_to_upper_case_ascii():
    assert belongings.normalise_tag(" ａ１２ ") == "A12"


def test_tag_out_to_one_guest_is_refused_for_another(desk, visit):
    first, second = visit(), visit("李四")
    belongings.store(desk, first.id, "A12", "外套")
    with pytest.raises(ConflictError, match="A12"):
        belongings.store(desk, second.id, "a12")
    assert belongings.in_use("A12").visit_id == first.id


def test_returned_tag_can_be_given_out_again(desk, visit):
    first, second = visit(), visit("李四")
    stored = belongings.store(desk, first.id, "7")
    belongings.return_(desk, stored.id)
    assert belongings.in_use("7") is None
    assert belongings.store(desk, second.id, "7").visit_id == second.id
    with pytest.raises(ConflictError):
        belongings.return_(desk, stored.id)


def test_database_index_refuses_a_second_stored_tag(desk, visit, monkeypatch):
    """The partial unique index backs the check when two desks race."""
    first, second = visit(), visit("李四")
    belongings.store(desk, first.id, "B3")
    # As if the other desk had not committed yet when we looked.
    monkeypatch.setattr(belongings, "in_use", lambda tag: None)
    with pytest.raises(ConflictError):
        belongings.store(desk, second.id, "B3")
    assert m.Belonging.select().count() == 1
