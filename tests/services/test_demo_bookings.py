"""The bookings part of the demo day: bookings for today and the coming days made through the services, by phone
and at the desk, every one eligible and within capacity (one supervisor's override, audited), no-shows marked."""

from __future__ import annotations

import datetime as dt

import pytest

from frontdesk.domain.enums import BookingStatus
from frontdesk.services import capacity, demo, eligibility
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def built(demo_copy, tmp_path):
    return demo_copy(output_dir=tmp_path / "prints", today=TODAY, days=2, scale=0.8, seed=11)


def test_coming_days_are_booked_by_phone_and_at_the_desk_with_half_days_and_extra_items(built):
    coming = list(m.Booking.select().where(m.Booking.exam_date > TODAY))
    assert len(coming) >= 8
    assert {b.channel for b in coming} >= {"phone", "desk"} and {b.half_day for b in coming} == {"am", "pm"}
    assert m.BookingItem.select().join(m.Booking).where(m.Booking.exam_date > TODAY).exists()
    assert m.Booking.select().where(m.Booking.status == BookingStatus.CANCELLED.value,
                                    m.Booking.cancel_reason != "").exists()
    assert m.AuditLog.select().where(m.AuditLog.action == "booking.move").exists()


def test_every_demo_booking_is_eligible_and_within_capacity_but_the_one_override(built):
    for b in m.Booking.select():
        verdict = eligibility.check(b.guest, package_id=b.package_id, contract_id=b.contract_id, day=b.exam_date,
                                    item_ids=[i.item_id for i in b.extra_items])
        assert verdict.ok, (b.booking_no, verdict.reasons)
    overrides = list(m.Booking.select().where(m.Booking.override_reason != ""))
    assert len(overrides) == 1 and overrides[0].override_by == "zhuguan"
    over_day = overrides[0].exam_date
    for day in capacity.day_loads(TODAY, TODAY + dt.timedelta(days=20)):
        over = [s.name for s in (day.centre, *day.stations) if s.limit is not None and s.load > s.limit]
        assert not over or (day.day == over_day and over == ["超声科"]), (day.day, over)


def test_capacity_is_set_and_past_days_unarrived_bookings_are_no_shows(built):
    assert m.CapacityRule.select().where(m.CapacityRule.station.is_null()).count() == 7
    assert capacity.day_load(TODAY + dt.timedelta(days=12)).closed
    past = m.Booking.select().where(m.Booking.exam_date < TODAY)
    assert not past.where(m.Booking.status == BookingStatus.BOOKED.value).exists()
    assert past.where(m.Booking.status == BookingStatus.NO_SHOW.value).exists()
