"""Queries behind close-out, deferrals and make-up visits (services/closeout.py, services/deferrals.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import peewee as pw

from frontdesk.storage import models as m

# Services catch this (the unique make-up index refused a row) without importing peewee.
IntegrityError = pw.IntegrityError

_OPEN_SPECIMEN = ("created", "label_printed")
_LIVE_ITEM = ("pending", "done")


def claim_checked_in_visit(visit_id: int) -> bool:
    """Lock the visit's row if it is still checked in; False if it is not (closed, cancelled, gone).

    A no-op UPDATE with the status in its WHERE: on PostgreSQL it takes the
    row lock, so a desk closing the visit and a desk changing its items wait
    for each other and the second sees what the first committed; on SQLite
    the transaction holds the write lock already.
    """
    return m.Visit.update(status=m.Visit.status).where(
        (m.Visit.id == visit_id) & (m.Visit.status == "checked_in")).execute() == 1


def close_visit_row(visit_id: int, closed_at: dt.datetime, closed_by: str, new_status: str) -> bool:
    """Close the visit only if it is still checked in; False if another desk got there first."""
    return m.Visit.update(status=new_status, closed_at=closed_at, closed_by=closed_by).where(
        (m.Visit.id == visit_id) & (m.Visit.status == "checked_in")).execute() == 1


def reopen_visit_row(visit_id: int, closed_status: str) -> bool:
    return m.Visit.update(status="checked_in", closed_at=None, closed_by="").where(
        (m.Visit.id == visit_id) & (m.Visit.status == closed_status)).execute() == 1


def visit_items_full(visit_id: int):
    """The visit's items with exam item and station, not refunded ones last."""
    return list(m.VisitItem.select(m.VisitItem, m.ExamItem, m.Station).join(m.ExamItem).join(m.Station)
                .where(m.VisitItem.visit == visit_id).order_by(m.Station.route_order, m.Station.code, m.ExamItem.id))


def visit_specimens(visit_id: int):
    return list(m.Specimen.select(m.Specimen, m.TubeType).join(m.TubeType)
                .where(m.Specimen.visit == visit_id, m.Specimen.status != "cancelled").order_by(m.Specimen.barcode))


def set_items(item_ids: Sequence[int], visit_id: int, from_statuses: Sequence[str], **values) -> int:
    """Change the visit's items that are in one of ``from_statuses``; returns how many changed."""
    return m.VisitItem.update(**values).where(
        m.VisitItem.id.in_(list(item_ids)), m.VisitItem.visit == visit_id,
        m.VisitItem.status.in_(list(from_statuses))).execute()


def cancel_unused_open_specimens(visit_id: int, at: dt.datetime) -> list[str]:
    """Cancel the visit's uncollected containers that no pending or done item needs; their barcodes."""
    needed = (m.VisitItem.select(m.VisitItem.specimen).where(m.VisitItem.visit == visit_id,
                                                             m.VisitItem.status.in_(_LIVE_ITEM),
                                                             m.VisitItem.specimen.is_null(False)))
    rows = list(m.Specimen.select(m.Specimen.id, m.Specimen.barcode).where(
        m.Specimen.visit == visit_id, m.Specimen.status.in_(_OPEN_SPECIMEN), m.Specimen.id.not_in(needed)))
    if rows:
        m.Specimen.update(status="cancelled", cancelled_at=at).where(m.Specimen.id.in_([r.id for r in rows])).execute()
    return [r.barcode for r in rows]


def visits_of_day(day: dt.date, limit: int = 3000):
    return list(m.Visit.select(m.Visit, m.Guest, m.Package).join(m.Guest).switch(m.Visit)
                .join(m.Package, pw.JOIN.LEFT_OUTER).where(m.Visit.visit_date == day,
                                                           # prepared (已备单): not arrived yet
                                                           m.Visit.status.not_in(["cancelled", "prepared"]))
                .order_by(m.Visit.visit_no).limit(limit))


def item_status_counts(visit_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = {}
    for chunk in pw.chunked(list(visit_ids), 500):
        rows = (m.VisitItem.select(m.VisitItem.visit, m.VisitItem.status, pw.fn.COUNT(m.VisitItem.id))
                .where(m.VisitItem.visit.in_(chunk)).group_by(m.VisitItem.visit, m.VisitItem.status).tuples())
        for visit_id, status, n in rows:
            result.setdefault(visit_id, {})[status] = n
    return result


def blocking_specimen_counts(visit_ids: Sequence[int]) -> dict[int, int]:
    """Visit id -> its uncollected containers that a pending or done item still needs."""
    result: dict[int, int] = {}
    for chunk in pw.chunked(list(visit_ids), 500):
        rows = (m.Specimen.select(m.Specimen.visit, pw.fn.COUNT(pw.fn.DISTINCT(m.Specimen.id)))
                .join(m.VisitItem, on=(m.VisitItem.specimen == m.Specimen.id))
                .where(m.Specimen.visit.in_(chunk), m.Specimen.status.in_(_OPEN_SPECIMEN),
                       m.VisitItem.status.in_(_LIVE_ITEM))
                .group_by(m.Specimen.visit).tuples())
        result.update(dict(rows))
    return result


def stored_belonging_counts(visit_ids: Sequence[int]) -> dict[int, int]:
    result: dict[int, int] = {}
    for chunk in pw.chunked(list(visit_ids), 500):
        rows = (m.Belonging.select(m.Belonging.visit, pw.fn.COUNT(m.Belonging.id))
                .where(m.Belonging.visit.in_(chunk), m.Belonging.status == "stored")
                .group_by(m.Belonging.visit).tuples())
        result.update(dict(rows))
    return result


def display_names(usernames: Iterable[str]) -> dict[str, str]:
    names = [u for u in set(usernames) if u]
    if not names:
        return {}
    return {u.username: u.display_name for u in m.User.select().where(m.User.username.in_(names))}


# -- deferrals -----------------------------------------------------------------

def open_deferral_items(*, visit_ids: Sequence[int] | None = None, guest_ids: Sequence[int] | None = None,
                        deferred_to: dt.date | None = None):
    """Open deferred items with exam item, station and visit."""
    query = (m.VisitItem.select(m.VisitItem, m.ExamItem, m.Station, m.Visit)
             .join(m.ExamItem).join(m.Station).switch(m.VisitItem).join(m.Visit)
             .where(m.VisitItem.deferral_state == "open", m.VisitItem.status == "deferred"))
    if visit_ids is not None:
        query = query.where(m.VisitItem.visit.in_(list(visit_ids) or [0]))
    if guest_ids is not None:
        query = query.where(m.Visit.guest.in_(list(guest_ids) or [0]))
    if deferred_to is not None:
        query = query.where(m.VisitItem.deferred_to == deferred_to)
    return list(query.order_by(m.VisitItem.deferred_to, m.Visit.visit_no, m.Station.route_order, m.ExamItem.id))


def deferral_load(first: dt.date, last: dt.date, station_ids: Sequence[int],
                  exclude_visit_id: int | None = None) -> dict[tuple[dt.date, int], int]:
    """(date, station id) -> guests with an open deferral at that station that day."""
    query = (m.VisitItem.select(m.VisitItem.deferred_to, m.ExamItem.station,
                                pw.fn.COUNT(pw.fn.DISTINCT(m.VisitItem.visit)))
             .join(m.ExamItem)
             .where(m.VisitItem.deferral_state == "open", m.VisitItem.deferred_to.between(first, last),
                    m.ExamItem.station.in_(list(station_ids) or [0])))
    if exclude_visit_id is not None:
        query = query.where(m.VisitItem.visit != exclude_visit_id)
    rows = query.group_by(m.VisitItem.deferred_to, m.ExamItem.station).tuples()
    return {(_as_date(day), station): n for day, station, n in rows}


def booking_load(first: dt.date, last: dt.date, station_ids: Sequence[int]) -> dict[tuple[dt.date, int], int]:
    """(date, station id) -> open bookings that day whose package has an item at the station."""
    rows = (m.Booking.select(m.Booking.exam_date, m.ExamItem.station, pw.fn.COUNT(pw.fn.DISTINCT(m.Booking.id)))
            .join(m.PackageItem, on=(m.PackageItem.package == m.Booking.package))
            .join(m.ExamItem, on=(m.PackageItem.item == m.ExamItem.id))
            .where(m.Booking.status == "booked", m.Booking.exam_date.between(first, last),
                   m.ExamItem.station.in_(list(station_ids) or [0]))
            .group_by(m.Booking.exam_date, m.ExamItem.station).tuples())
    return {(_as_date(day), station): n for day, station, n in rows}


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def stations(station_ids: Sequence[int]):
    return list(m.Station.select().where(m.Station.id.in_(list(station_ids) or [0]))
                .order_by(m.Station.route_order, m.Station.code))


def guests_by_id_number(variants: Sequence[str]):
    return list(m.Guest.select().where(m.Guest.id_number.in_(list(variants) or [""]), m.Guest.merged_into.is_null()))


def live_visit_on(guest_id: int, day: dt.date):
    return (m.Visit.select().where(m.Visit.guest == guest_id, m.Visit.visit_date == day,
                                   m.Visit.status != "cancelled").first())


def mark_deferrals_used(item_ids: Sequence[int]) -> int:
    """Open deferred items -> used, only those still open (a second desk gets a smaller count)."""
    return m.VisitItem.update(deferral_state="used").where(
        m.VisitItem.id.in_(list(item_ids)), m.VisitItem.deferral_state == "open").execute()


# -- belongings ------------------------------------------------------------------

def belongings(*, visit_id: int | None = None, stored_only: bool = False, visits_up_to: dt.date | None = None):
    query = (m.Belonging.select(m.Belonging, m.Visit, m.Guest).join(m.Visit).join(m.Guest))
    if visit_id is not None:
        query = query.where(m.Belonging.visit == visit_id)
    if stored_only:
        query = query.where(m.Belonging.status == "stored")
    if visits_up_to is not None:
        query = query.where(m.Visit.visit_date <= visits_up_to)
    return list(query.order_by(m.Belonging.tag_no, m.Belonging.id))
