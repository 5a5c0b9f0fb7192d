"""Queries behind ``services.bookings``: rows with what they show joined in one read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import peewee as pw

from frontdesk.storage import models as m


def bookings(*, ids: Sequence[int] | None = None, number: str | None = None, day: dt.date | None = None,
             guest_id: int | None = None, statuses: Sequence[str] | None = None, limit: int = 5000):
    """Bookings with their guest, package and contract, morning first, then by number."""
    query = (m.Booking.select(m.Booking, m.Guest, m.Package, m.Contract, m.Organisation)
             .join(m.Guest, on=(m.Booking.guest == m.Guest.id))
             .switch(m.Booking).join(m.Package, pw.JOIN.LEFT_OUTER, on=(m.Booking.package == m.Package.id))
             .switch(m.Booking).join(m.Contract, pw.JOIN.LEFT_OUTER, on=(m.Booking.contract == m.Contract.id))
             .join(m.Organisation, pw.JOIN.LEFT_OUTER, on=(m.Contract.organisation == m.Organisation.id)))
    if ids is not None:
        query = query.where(m.Booking.id.in_(list(ids) or [0]))
    if number is not None:
        query = query.where(m.Booking.booking_no == number)
    if day is not None:
        query = query.where(m.Booking.exam_date == day)
    if guest_id is not None:
        query = query.where(m.Booking.guest == guest_id)
    if statuses:
        query = query.where(m.Booking.status.in_(list(statuses)))
    return list(query.order_by(m.Booking.exam_date, m.Booking.half_day, m.Booking.booking_no).limit(limit))


def organisation_name(contract: m.Contract) -> str:
    """The contract's organisation (joined by ``bookings``: no query per booking in a day's list)."""
    org = contract.organisation if contract.organisation_id else None
    return org.name if org else ""


def extra_items(booking_ids: Sequence[int]):
    return list(m.BookingItem.select(m.BookingItem, m.ExamItem, m.Station)
                .join(m.ExamItem, on=(m.BookingItem.item == m.ExamItem.id))
                .join(m.Station, on=(m.ExamItem.station == m.Station.id))
                .where(m.BookingItem.booking.in_(list(booking_ids) or [0]))
                .order_by(m.BookingItem.booking, m.Station.route_order, m.ExamItem.code))


def package_items(package_id: int | None):
    if package_id is None:
        return []
    return list(m.ExamItem.select(m.ExamItem, m.Station).join(m.Station, on=(m.ExamItem.station == m.Station.id))
                .switch(m.ExamItem).join(m.PackageItem, on=(m.PackageItem.item == m.ExamItem.id))
                .where(m.PackageItem.package == package_id).order_by(m.Station.route_order, m.ExamItem.code))


def package_item_ids(package_id: int | None) -> set[int]:
    if package_id is None:
        return set()
    return {i for (i,) in m.PackageItem.select(m.PackageItem.item).where(m.PackageItem.package == package_id).tuples()}


def live_booking_of(guest_id: int, day: dt.date, exclude_id: int | None = None):
    query = m.Booking.select().where(m.Booking.guest == guest_id, m.Booking.exam_date == day,
                                     m.Booking.status == "booked")
    if exclude_id is not None:
        query = query.where(m.Booking.id != exclude_id)
    return query.first()


def unarrived_before(day: dt.date):
    """Live bookings of days before ``day`` (not checked in), except those whose no-show was undone."""
    return list(m.Booking.select(m.Booking.id, m.Booking.booking_no)
                .where(m.Booking.status == "booked", m.Booking.exam_date < day, m.Booking.no_show_undone_by == "")
                .order_by(m.Booking.exam_date, m.Booking.booking_no))
