"""The close-out part of the demo day: past days closed with deferrals and abandoned items, make-up visits,
today a morning in progress with belongings still stored."""

from __future__ import annotations

import datetime as dt

import pytest

from frontdesk.domain.enums import DeferralState, ItemStatus, VisitStatus
from frontdesk.services import belongings, demo
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def built(demo_copy, tmp_path):
    return demo_copy(today=TODAY, days=3, scale=0.6, seed=5, output_dir=tmp_path / "prints")


@pytest.mark.parametrize("fdb", ["sqlite"], indirect=True)
def test_past_days_are_closed_with_who_and_when(built):
    past = list(m.Visit.select().where(m.Visit.visit_date < TODAY, m.Visit.status != VisitStatus.CANCELLED.value))
    assert past and all(v.status != VisitStatus.CHECKED_IN.value for v in past)
    assert all(v.closed_by and v.closed_at and v.closed_at.astimezone().date() == v.visit_date for v in past)


@pytest.mark.parametrize("fdb", ["sqlite"], indirect=True)
def test_deferred_items_come_back_on_make_up_visits_that_charge_nothing(built):
    used = list(m.VisitItem.select().where(m.VisitItem.deferral_state == DeferralState.USED.value))
    assert used
    for item in used:
        makeup = m.VisitItem.get(m.VisitItem.makeup_of == item.id)
        assert makeup.visit.original_visit_id == item.visit_id and makeup.visit.visit_date == item.deferred_to
        assert not m.Receipt.select().where(m.Receipt.visit == makeup.visit_id).exists()
    assert m.VisitItem.select().where(m.VisitItem.status == ItemStatus.ABANDONED.value,
                                      m.VisitItem.guest_confirmed == True).exists()  # noqa: E712


@pytest.mark.parametrize("fdb", ["sqlite"], indirect=True)
def test_today_has_visits_still_open_and_belongings_not_returned(built):
    today = list(m.Visit.select().where(m.Visit.visit_date == TODAY))
    assert any(v.status == VisitStatus.CHECKED_IN.value for v in today)
    stored = belongings.not_returned(TODAY)
    assert stored and {b.visit_date for b in stored} == {TODAY}
    assert m.Belonging.select().where(m.Belonging.status == "returned").exists()
