"""Queries behind reports at the desk (services/reports.py): arrival, the shelf,
hand-outs, pickup appointments and the call list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import peewee as pw

from frontdesk.storage import models as m


def visits_by_number(numbers: Iterable[str]) -> dict[str, m.Visit]:
    numbers = sorted(set(numbers))
    found: dict[str, m.Visit] = {}
    for chunk in pw.chunked(numbers, 500):
        for visit in m.Visit.select(m.Visit, m.Guest).join(m.Guest).where(m.Visit.visit_no.in_(chunk)):
            found[visit.visit_no] = visit
    return found


def visit_with_guest(visit_id: int) -> m.Visit | None:
    return (m.Visit.select(m.Visit, m.Guest, m.Package).join(m.Guest).switch(m.Visit)
            .join(m.Package, pw.JOIN.LEFT_OUTER).where(m.Visit.id == visit_id).first())


def arrivals_of(visit_ids: Iterable[int]) -> dict[int, m.ReportArrival]:
    ids = sorted(set(visit_ids))
    found: dict[int, m.ReportArrival] = {}
    for chunk in pw.chunked(ids, 500):
        for arrival in m.ReportArrival.select().where(m.ReportArrival.visit.in_(chunk)):
            found[arrival.visit_id] = arrival
    return found


def move_status(visit_ids: Sequence[int], from_status: str, to_status: str) -> int:
    """Set the status of those visits still at ``from_status``; returns how many moved.

    The WHERE on the old status makes a desk that lost a race move nothing,
    so the caller can tell (and roll back) instead of overwriting.
    """
    moved = 0
    for chunk in pw.chunked(list(visit_ids), 500):
        moved += (m.Visit.update(status=to_status)
                  .where(m.Visit.id.in_(chunk), m.Visit.status == from_status).execute())
    return moved


def handouts_of(visit_id: int) -> list[m.ReportHandout]:
    return list(m.ReportHandout.select().where(m.ReportHandout.visit == visit_id)
                .order_by(m.ReportHandout.handed_at, m.ReportHandout.id))


def handout_with_visit(handout_id: int) -> m.ReportHandout | None:
    return (m.ReportHandout.select(m.ReportHandout, m.Visit, m.Guest).join(m.Visit).join(m.Guest)
            .where(m.ReportHandout.id == handout_id).first())


def reports_with_status(statuses: Sequence[str], *, limit: int = 1000, received_before: dt.datetime | None = None,
                        visit_date_before: dt.date | None = None):
    """Visits at ``statuses`` with their guest, package and arrival (arrival may be missing)."""
    query = (m.Visit.select(m.Visit, m.Guest, m.Package, m.ReportArrival).join(m.Guest).switch(m.Visit)
             .join(m.Package, pw.JOIN.LEFT_OUTER).switch(m.Visit)
             .join(m.ReportArrival, pw.JOIN.LEFT_OUTER, on=(m.ReportArrival.visit == m.Visit.id), attr="arrival")
             .where(m.Visit.status.in_(list(statuses))))
    if received_before is not None:
        query = query.where(m.ReportArrival.received_at < received_before)
    if visit_date_before is not None:
        query = query.where(m.Visit.visit_date < visit_date_before)
    return list(query.order_by(m.ReportArrival.received_at, m.Visit.visit_no).limit(limit))


def arrivals_between(start: dt.datetime, end: dt.datetime, *, limit: int = 1000):
    """Visits whose report arrived in ``[start, end)``, newest first, with guest, package and arrival."""
    query = (m.Visit.select(m.Visit, m.Guest, m.Package, m.ReportArrival).join(m.Guest).switch(m.Visit)
             .join(m.Package, pw.JOIN.LEFT_OUTER).switch(m.Visit)
             .join(m.ReportArrival, on=(m.ReportArrival.visit == m.Visit.id), attr="arrival")
             .where((m.ReportArrival.received_at >= start) & (m.ReportArrival.received_at < end)))
    return list(query.order_by(m.ReportArrival.received_at.desc(), m.Visit.visit_no.desc()).limit(limit))


def report_visits_matching(*, name: str = "", phone: str = "", id_numbers: Sequence[str] = (),
                           statuses: Sequence[str], limit: int = 50):
    """Visits with a report (at ``statuses``) of guests found by name prefix, phone or ID number."""
    query = (m.Visit.select(m.Visit, m.Guest, m.Package).join(m.Guest).switch(m.Visit)
             .join(m.Package, pw.JOIN.LEFT_OUTER).where(m.Visit.status.in_(list(statuses))))
    if name:
        query = query.where(m.Guest.name.startswith(name))
    elif phone:
        query = query.where(m.Guest.phone == phone)
    elif id_numbers:
        query = query.where(m.Guest.id_number.in_(list(id_numbers)))
    else:
        return []
    return list(query.order_by(m.Visit.visit_date.desc(), m.Visit.visit_no).limit(limit))


def last_calls(visit_ids: Iterable[int]) -> dict[int, tuple[m.ReportCall, int]]:
    """The latest call for each visit and how many calls there were."""
    ids = sorted(set(visit_ids))
    result: dict[int, tuple[m.ReportCall, int]] = {}
    for chunk in pw.chunked(ids, 500):
        counts: dict[int, int] = {}
        latest: dict[int, m.ReportCall] = {}
        for call in (m.ReportCall.select().where(m.ReportCall.visit.in_(chunk))
                     .order_by(m.ReportCall.called_at, m.ReportCall.id)):
            counts[call.visit_id] = counts.get(call.visit_id, 0) + 1
            latest[call.visit_id] = call
        result.update({vid: (latest[vid], counts[vid]) for vid in latest})
    return result


def booked_appointments_of(visit_ids: Iterable[int], status: str) -> dict[int, m.PickupAppointment]:
    """The earliest appointment at ``status`` of each visit."""
    ids = sorted(set(visit_ids))
    found: dict[int, m.PickupAppointment] = {}
    for chunk in pw.chunked(ids, 500):
        for appt in (m.PickupAppointment.select().where(m.PickupAppointment.visit.in_(chunk),
                                                        m.PickupAppointment.status == status)
                     .order_by(m.PickupAppointment.day.desc(), m.PickupAppointment.slot.desc())):
            found[appt.visit_id] = appt
    return found


def appointments_on(day: dt.date, statuses: Sequence[str]):
    return list(m.PickupAppointment.select(m.PickupAppointment, m.Visit, m.Guest).join(m.Visit)
                .switch(m.PickupAppointment).join(m.Guest)
                .where(m.PickupAppointment.day == day, m.PickupAppointment.status.in_(list(statuses)))
                .order_by(m.PickupAppointment.slot, m.PickupAppointment.id))


def slot_counts(day: dt.date, status: str) -> dict[str, int]:
    query = (m.PickupAppointment.select(m.PickupAppointment.slot, pw.fn.COUNT(m.PickupAppointment.id).alias("n"))
             .where(m.PickupAppointment.day == day, m.PickupAppointment.status == status)
             .group_by(m.PickupAppointment.slot))
    return {row.slot: int(row.n) for row in query}


def open_appointment(visit_id: int, kind: str, status: str, from_day: dt.date) -> m.PickupAppointment | None:
    return (m.PickupAppointment.select().where(m.PickupAppointment.visit == visit_id,
                                               m.PickupAppointment.kind == kind,
                                               m.PickupAppointment.status == status,
                                               m.PickupAppointment.day >= from_day).first())
