"""Queries behind the day lists and the visit view (services/overview.py)."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from frontdesk.storage import models as m


def bookings_on(day: dt.date, limit: int = 2000):
    return list(m.Booking.select(m.Booking, m.Guest, m.Package).join(m.Guest).switch(m.Booking)
                .join(m.Package, pw.JOIN.LEFT_OUTER).where(m.Booking.exam_date == day)
                .order_by(m.Booking.status, m.Booking.booking_no).limit(limit))


def visits_with_item_counts(day: dt.date, limit: int = 2000):
    pending = pw.fn.SUM(pw.Case(None, [(m.VisitItem.status == "pending", 1)], 0)).alias("pending")
    done = pw.fn.SUM(pw.Case(None, [(m.VisitItem.status == "done", 1)], 0)).alias("done")
    query = (m.Visit.select(m.Visit, m.Guest, m.Package, pending, done).join(m.Guest).switch(m.Visit)
             .join(m.Package, pw.JOIN.LEFT_OUTER).switch(m.Visit).join(m.VisitItem, pw.JOIN.LEFT_OUTER)
             .where(m.Visit.visit_date == day, m.Visit.status != "prepared")  # prepared: not arrived
             .group_by(m.Visit, m.Guest, m.Package)
             .order_by(m.Visit.visit_no).limit(limit))
    return [(v, int(v.pending or 0), int(v.done or 0)) for v in query]


def visits_with_status(status: str, limit: int):
    return list(m.Visit.select(m.Visit, m.Guest, m.Package).join(m.Guest).switch(m.Visit)
                .join(m.Package, pw.JOIN.LEFT_OUTER).where(m.Visit.status == status)
                .order_by(m.Visit.visit_date.desc(), m.Visit.visit_no).limit(limit))


def specimens_on(day: dt.date, limit: int = 5000):
    return list(m.Specimen.select(m.Specimen, m.Visit, m.Guest, m.TubeType).join(m.Visit).join(m.Guest)
                .switch(m.Specimen).join(m.TubeType).where(m.Visit.visit_date == day, m.Visit.status != "prepared")
                .order_by(m.Specimen.barcode).limit(limit))


def visit_status_counts(day: dt.date) -> dict[str, int]:
    rows = (m.Visit.select(m.Visit.status, pw.fn.COUNT(m.Visit.id)).where(m.Visit.visit_date == day)
            .group_by(m.Visit.status).tuples())
    return {status: n for status, n in rows}


def booking_status_counts(day: dt.date) -> dict[str, int]:
    rows = (m.Booking.select(m.Booking.status, pw.fn.COUNT(m.Booking.id)).where(m.Booking.exam_date == day)
            .group_by(m.Booking.status).tuples())
    return {status: n for status, n in rows}


def payments_between(start: dt.datetime, end: dt.datetime, status: str):
    rows = (m.Payment.select(m.Payment.method, m.Receipt.kind, pw.fn.SUM(m.Payment.amount))
            .join(m.Receipt).where((m.Receipt.issued_at >= start) & (m.Receipt.issued_at < end)
                                   & (m.Receipt.status == status))
            .group_by(m.Payment.method, m.Receipt.kind).tuples())
    return [(method, kind, m.Payment.amount.python_value(total)) for method, kind, total in rows]


def receipt_counts_between(start: dt.datetime, end: dt.datetime, status: str) -> dict[str, int]:
    rows = (m.Receipt.select(m.Receipt.kind, pw.fn.COUNT(m.Receipt.id))
            .where((m.Receipt.issued_at >= start) & (m.Receipt.issued_at < end) & (m.Receipt.status == status))
            .group_by(m.Receipt.kind).tuples())
    return {kind: n for kind, n in rows}


def visit_by_id(visit_id: int):
    return (m.Visit.select(m.Visit, m.Guest).join(m.Guest).where(m.Visit.id == visit_id).first())


def visit_by_number(visit_no: str):
    return m.Visit.get_or_none(m.Visit.visit_no == visit_no)


def specimen_by_barcode(barcode: str):
    return m.Specimen.get_or_none(m.Specimen.barcode == barcode)


def receipt_by_number(receipt_no: str):
    return m.Receipt.get_or_none(m.Receipt.receipt_no == receipt_no)


def visit_items(visit_id: int):
    return list(m.VisitItem.select(m.VisitItem, m.ExamItem, m.Station).join(m.ExamItem).join(m.Station)
                .where(m.VisitItem.visit == visit_id).order_by(m.Station.route_order, m.ExamItem.code))


def visit_specimens(visit_id: int):
    return list(m.Specimen.select(m.Specimen, m.TubeType).join(m.TubeType).where(m.Specimen.visit == visit_id)
                .order_by(m.TubeType.draw_order, m.Specimen.barcode))


def visit_receipts(visit_id: int):
    return list(m.Receipt.select().where(m.Receipt.visit == visit_id).order_by(m.Receipt.issued_at))
