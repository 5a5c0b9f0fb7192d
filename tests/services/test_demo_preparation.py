"""The "before the exam" part of the demo day: tomorrow's guests reminded (and the list exported, audited), and
one group of tomorrow prepared in one batch through the services: prepared visits, bags and labels printed."""

from __future__ import annotations

import datetime as dt

import pytest

from frontdesk.domain.enums import BookingStatus, SpecimenStatus, VisitStatus
from frontdesk.services import demo, labels
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)
TOMORROW = TODAY + dt.timedelta(days=1)


@pytest.fixture
def built(demo_copy, tmp_path):
    return demo_copy(output_dir=tmp_path / "prints", today=TODAY, days=2, scale=0.5, seed=11)


def test_tomorrows_reminders_are_done_and_one_group_is_prepared(built, tmp_path):
    live = list(m.Booking.select().where(m.Booking.exam_date == TOMORROW,
                                         m.Booking.status == BookingStatus.BOOKED.value))
    assert live and all(b.reminded_at is not None and b.reminded_by == "qiantai" for b in live)
    assert (tmp_path / "prints" / f"reminders-{TOMORROW:%Y%m%d}.xlsx").exists()
    assert m.AuditLog.select().where(m.AuditLog.action == "reminders.export").count() == 1
    prepared = list(m.Visit.select().where(m.Visit.status == VisitStatus.PREPARED.value))
    assert prepared and {v.visit_date for v in prepared} == {TOMORROW}
    assert len({v.contract_id for v in prepared}) == 1 and prepared[0].contract_id is not None
    assert all(v.documents_printed_at is not None for v in prepared)
    assert all(labels.visit_labels(v.id).to_print("check_in") == [] for v in prepared)
    assert len(list((tmp_path / "prints" / "bags").iterdir())) == len(prepared)
    # Nobody arrived tomorrow yet: no specimen of a prepared visit was collected.
    assert not m.Specimen.select().where(m.Specimen.visit.in_([v.id for v in prepared]),
                                         m.Specimen.status == SpecimenStatus.COLLECTED.value).exists()
