"""Queries behind the capacity calendar (``services.capacity``) and the bookings' day list.

Each load query covers a whole date range in one grouped statement: the
calendar of a month is two queries for the load, two for the limits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import peewee as pw

from frontdesk.storage import models as m
from frontdesk.storage.db import database, dialect

# Visit items that used (or will use) their station on the visit day.
_USING_ITEM = ("pending", "done")
_LIVE_BOOKING = "booked"


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _people(first: dt.date, last: dt.date, *, exclude_booking_id: int | None, exclude_visit_id: int | None,
            with_station: bool) -> pw.SelectQuery:
    """(day, [station,] guest) of everyone expected at the centre: the UNION removes the same person twice.

    Sources: live bookings (their package's items and extra items), visits of
    the day that are not cancelled (walk-ins and booked guests once checked in:
    a checked-in booking is no longer ``booked``), open deferrals to the day.
    """
    station = [m.ExamItem.station.alias("station_id")] if with_station else []
    not_excluded_booking = (m.Booking.id != exclude_booking_id) if exclude_booking_id else True
    package_items = (m.Booking.select(m.Booking.exam_date.alias("day"), *station, m.Booking.guest.alias("guest_id"))
                     .join(m.PackageItem, on=(m.PackageItem.package == m.Booking.package))
                     .join(m.ExamItem, on=(m.PackageItem.item == m.ExamItem.id))
                     .where(m.Booking.status == _LIVE_BOOKING, m.Booking.exam_date.between(first, last),
                            not_excluded_booking))
    extra_items = (m.Booking.select(m.Booking.exam_date.alias("day"), *station, m.Booking.guest.alias("guest_id"))
                   .join(m.BookingItem, on=(m.BookingItem.booking == m.Booking.id))
                   .join(m.ExamItem, on=(m.BookingItem.item == m.ExamItem.id))
                   .where(m.Booking.status == _LIVE_BOOKING, m.Booking.exam_date.between(first, last),
                          not_excluded_booking))
    not_excluded_visit = (m.Visit.id != exclude_visit_id) if exclude_visit_id else True
    visits = (m.Visit.select(m.Visit.visit_date.alias("day"), *station, m.Visit.guest.alias("guest_id"))
              .join(m.VisitItem, on=(m.VisitItem.visit == m.Visit.id))
              .join(m.ExamItem, on=(m.VisitItem.item == m.ExamItem.id))
              .where(m.Visit.status != "cancelled", m.Visit.visit_date.between(first, last),
                     m.VisitItem.status.in_(_USING_ITEM)))
    deferred = (m.VisitItem.select(m.VisitItem.deferred_to.alias("day"), *station, m.Visit.guest.alias("guest_id"))
                .join(m.Visit, on=(m.VisitItem.visit == m.Visit.id))
                .join(m.ExamItem, on=(m.VisitItem.item == m.ExamItem.id))
                .where(m.VisitItem.deferral_state == "open", m.VisitItem.deferred_to.between(first, last),
                       not_excluded_visit))
    return package_items | extra_items | visits | deferred


def station_load(first: dt.date, last: dt.date, *, exclude_booking_id: int | None = None,
                 exclude_visit_id: int | None = None) -> dict[tuple[dt.date, int], int]:
    """(day, station id) -> distinct guests expected at the station, every day from ``first`` to ``last``."""
    people = _people(first, last, exclude_booking_id=exclude_booking_id, exclude_visit_id=exclude_visit_id,
                     with_station=True).alias("people")
    query = (pw.Select(from_list=[people], columns=[people.c.day, people.c.station_id, pw.fn.COUNT(pw.SQL("*"))])
             .group_by(people.c.day, people.c.station_id).bind(database))
    return {(_as_date(day), station): n for day, station, n in query.tuples()}


def centre_load(first: dt.date, last: dt.date, *, exclude_booking_id: int | None = None,
                exclude_visit_id: int | None = None) -> dict[dt.date, int]:
    """day -> distinct guests expected at the centre."""
    people = _people(first, last, exclude_booking_id=exclude_booking_id, exclude_visit_id=exclude_visit_id,
                     with_station=False).alias("people")
    query = (pw.Select(from_list=[people], columns=[people.c.day, pw.fn.COUNT(pw.SQL("*"))])
             .group_by(people.c.day).bind(database))
    return {_as_date(day): n for day, n in query.tuples()}


def stations():
    return list(m.Station.select().order_by(m.Station.route_order, m.Station.code))


def rules():
    return list(m.CapacityRule.select().order_by(m.CapacityRule.station, m.CapacityRule.weekday))


def exceptions(first: dt.date, last: dt.date):
    return list(m.CapacityException.select().where(m.CapacityException.day.between(first, last))
                .order_by(m.CapacityException.day, m.CapacityException.station))


def stations_of_package(package_id: int | None) -> set[int]:
    if package_id is None:
        return set()
    return {sid for (sid,) in m.ExamItem.select(m.ExamItem.station).join(m.PackageItem)
            .where(m.PackageItem.package == package_id).distinct().tuples()}


def stations_of_items(item_ids: Sequence[int]) -> set[int]:
    if not item_ids:
        return set()
    return {sid for (sid,) in m.ExamItem.select(m.ExamItem.station).where(m.ExamItem.id.in_(list(item_ids)))
            .distinct().tuples()}


def lock_capacity() -> None:
    """Serialise every write that takes capacity (bookings made or moved) across desks.

    The UPDATE of one counter row takes a row lock on PostgreSQL (SQLite's
    transactions hold the write lock already); under READ COMMITTED the load
    read after it sees every booking committed by the desk that held it.
    """
    assert database.in_transaction(), "capacity is only locked inside a transaction"
    mark = "?" if dialect() == "sqlite" else "%s"
    cursor = database.execute_sql(f"UPDATE counter SET value = value + 1 WHERE name = {mark}", ("capacity",))
    if cursor.rowcount == 0:
        m.Counter.insert(name="capacity", value=0).on_conflict_ignore().execute()
        database.execute_sql(f"UPDATE counter SET value = value + 1 WHERE name = {mark}", ("capacity",))
