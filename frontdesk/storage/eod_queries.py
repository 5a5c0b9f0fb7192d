"""Reads behind the end-of-day report (services/eod.py): plain tuples, a few grouped reads per day.

Times are aware UTC bounds ``[start, end)`` of the local day; ``desk`` ""
means every desk.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import peewee as pw

from frontdesk.domain.enums import VisitStatus
from frontdesk.storage import models as m

_CHUNK = 500


def _chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


# --------------------------------------------------------------------------
# Visits, items, bookings


@dataclass(frozen=True)
class VisitRow:
    id: int
    visit_no: str
    status: str
    source: str
    desk: str
    checked_in_at: dt.datetime
    package_id: int | None
    contract_id: int | None
    organisation: str
    original_visit_id: int | None
    guest_name: str
    guest_phone: str


def visits_on(day: dt.date, desk: str = "") -> list[VisitRow]:
    org = m.Organisation.alias()
    query = (m.Visit.select(m.Visit.id, m.Visit.visit_no, m.Visit.status, m.Visit.source, m.Visit.desk,
                            m.Visit.checked_in_at, m.Visit.package, m.Visit.contract, org.name,
                            m.Visit.original_visit, m.Guest.name, m.Guest.phone)
             .join(m.Guest, on=(m.Visit.guest == m.Guest.id))
             .switch(m.Visit).join(m.Contract, pw.JOIN.LEFT_OUTER, on=(m.Visit.contract == m.Contract.id))
             .join(org, pw.JOIN.LEFT_OUTER, on=(m.Contract.organisation == org.id))
             .where(m.Visit.visit_date == day))
    if desk:
        query = query.where(m.Visit.desk == desk)
    rows = []
    for (vid, no, status, source, vdesk, at, package_id, contract_id, org_name, original, name,
         phone) in query.order_by(m.Visit.id).tuples():
        rows.append(VisitRow(vid, no, status, source, vdesk, at, package_id,
                             contract_id, org_name or "", original, name, phone or ""))
    return rows


@dataclass(frozen=True)
class ItemRow:
    visit_id: int
    item_code: str
    item_name: str
    item_name_en: str
    station_id: int
    status: str
    is_addon: bool
    deferred_to: dt.date | None
    reason: str
    resolved_by: str


def stations() -> list[tuple[int, str, str, str, int]]:
    """(id, code, name, name_en, route order) of every station."""
    return list(m.Station.select(m.Station.id, m.Station.code, m.Station.name, m.Station.name_en,
                                 m.Station.route_order).order_by(m.Station.route_order, m.Station.id).tuples())


def packages() -> dict[int, tuple[str, str, str]]:
    return {pid: (code, name, name_en) for pid, code, name, name_en in
            m.Package.select(m.Package.id, m.Package.code, m.Package.name, m.Package.name_en).tuples()}


def booking_counts(day: dt.date) -> dict[str, int]:
    query = (m.Booking.select(m.Booking.status, pw.fn.COUNT(m.Booking.id))
             .where(m.Booking.exam_date == day).group_by(m.Booking.status))
    return {status: count for status, count in query.tuples()}


def users() -> dict[str, str]:
    return {u: n for u, n in m.User.select(m.User.username, m.User.display_name).tuples()}


# --------------------------------------------------------------------------
# Money


@dataclass(frozen=True)
class ReceiptRow:
    """A receipt with its payments by method; ``event_at``/``event_desk``/``event_by`` say when, where
    and by whom the event (issue or void) happened."""

    id: int
    receipt_no: str
    kind: str
    status: str
    total: Decimal
    issued_at: dt.datetime
    cashier: str
    desk: str
    visit_id: int
    visit_no: str
    visit_date: dt.date
    guest_name: str
    organisation: str
    refund_of_id: int | None
    voided_at: dt.datetime | None
    voided_by: str
    void_reason: str
    payments: tuple[tuple[str, Decimal], ...]  # (method, amount) in payment order
    event_at: dt.datetime
    event_desk: str
    event_by: str


def _receipts(where, *, event: str) -> list[ReceiptRow]:
    org = m.Organisation.alias()
    query = (m.Receipt.select(m.Receipt.id, m.Receipt.receipt_no, m.Receipt.kind, m.Receipt.status,
                              m.Receipt.total, m.Receipt.issued_at, m.Receipt.cashier, m.Receipt.desk,
                              m.Receipt.visit, m.Visit.visit_no, m.Visit.visit_date, m.Guest.name, org.name,
                              m.Receipt.refund_of, m.Receipt.voided_at, m.Receipt.voided_by, m.Receipt.void_reason)
             .join(m.Visit, on=(m.Receipt.visit == m.Visit.id))
             .join(m.Guest, on=(m.Visit.guest == m.Guest.id))
             .switch(m.Visit).join(m.Contract, pw.JOIN.LEFT_OUTER, on=(m.Visit.contract == m.Contract.id))
             .join(org, pw.JOIN.LEFT_OUTER, on=(m.Contract.organisation == org.id))
             .where(where).order_by(m.Receipt.id))
    raw = list(query.tuples())
    ids = [r[0] for r in raw]
    pays: dict[int, list[tuple[str, Decimal]]] = {}
    for chunk in _chunks(ids):
        for rid, method, amount in (m.Payment.select(m.Payment.receipt, m.Payment.method, m.Payment.amount)
                                    .where(m.Payment.receipt.in_(chunk)).order_by(m.Payment.id).tuples()):
            pays.setdefault(rid, []).append((method, amount))
    void_desks: dict[str, str] = {}
    if event == "void":
        for chunk in _chunks([str(i) for i in ids]):
            for rid, desk in (m.AuditLog.select(m.AuditLog.record_id, m.AuditLog.desk)
                              .where(m.AuditLog.action == "receipt.void", m.AuditLog.record_type == "receipt",
                                     m.AuditLog.record_id.in_(chunk)).tuples()):
                void_desks[rid] = desk
    rows = []
    for (rid, no, kind, status, total, issued_at, cashier, desk, visit_id, visit_no, visit_date, guest, org_name,
         refund_of, voided_at, voided_by, void_reason) in raw:
        issued_at = issued_at
        voided_at = voided_at
        if isinstance(visit_date, str):
            visit_date = dt.date.fromisoformat(visit_date)
        if event == "void":
            at, where_desk, by = voided_at, void_desks.get(str(rid), desk), voided_by
        else:
            at, where_desk, by = issued_at, desk, cashier
        rows.append(ReceiptRow(rid, no, kind, status, total, issued_at, cashier, desk,
                               visit_id, visit_no, visit_date, guest, org_name or "", refund_of, voided_at,
                               voided_by or "", void_reason or "", tuple(pays.get(rid, ())), at, where_desk, by))
    return rows


def receipts_issued(start: dt.datetime, end: dt.datetime, kind: str, desk: str = "") -> list[ReceiptRow]:
    """Receipts of ``kind`` issued in ``[start, end)`` (void or not), at ``desk``."""
    where = (m.Receipt.issued_at >= start) & (m.Receipt.issued_at < end) & (m.Receipt.kind == kind)
    if desk:
        where &= m.Receipt.desk == desk
    return _receipts(where, event="issue")


def receipts_voided(start: dt.datetime, end: dt.datetime, desk: str = "") -> list[ReceiptRow]:
    """Receipts voided in ``[start, end)``; ``desk`` is the desk the void was made at (its audit entry)."""
    rows = _receipts((m.Receipt.voided_at >= start) & (m.Receipt.voided_at < end), event="void")
    return [r for r in rows if not desk or r.event_desk == desk]


def voids_of_receipts_issued(start: dt.datetime, end: dt.datetime, after: dt.datetime,
                             desk: str = "") -> list[ReceiptRow]:
    """Receipts issued in ``[start, end)`` (at ``desk``) and voided at or after ``after``."""
    where = (m.Receipt.issued_at >= start) & (m.Receipt.issued_at < end) & (m.Receipt.voided_at >= after)
    if desk:
        where &= m.Receipt.desk == desk
    return _receipts(where, event="void")


def refunds_of_receipts_issued(start: dt.datetime, end: dt.datetime, after: dt.datetime,
                               desk: str = "") -> list[ReceiptRow]:
    """Refund receipts issued at or after ``after`` that refund a receipt issued in ``[start, end)`` at ``desk``."""
    original = m.Receipt.alias()
    subquery = original.select(original.id).where((original.issued_at >= start) & (original.issued_at < end))
    if desk:
        subquery = subquery.where(original.desk == desk)
    where = (m.Receipt.refund_of.in_(subquery)) & (m.Receipt.issued_at >= after)
    return _receipts(where, event="issue")


def receipts_by_id(ids: Iterable[int]) -> dict[int, tuple[str, dt.datetime, str]]:
    """id -> (receipt number, issued at, desk)."""
    found: dict[int, tuple[str, dt.datetime, str]] = {}
    for chunk in _chunks(sorted(set(ids))):
        for rid, no, at, desk in (m.Receipt.select(m.Receipt.id, m.Receipt.receipt_no, m.Receipt.issued_at,
                                                   m.Receipt.desk).where(m.Receipt.id.in_(chunk)).tuples()):
            found[rid] = (no, at, desk)
    return found


def addon_lines(receipt_ids: list[int]) -> list[tuple[str, str, str, Decimal]]:
    """(item code, name, name_en, amount) of the add-on lines on these receipts."""
    rows = []
    for chunk in _chunks(receipt_ids):
        query = (m.ReceiptLine.select(m.ExamItem.code, m.ExamItem.name, m.ExamItem.name_en, m.ReceiptLine.amount)
                 .join(m.VisitItem, on=(m.ReceiptLine.visit_item == m.VisitItem.id))
                 .join(m.ExamItem, on=(m.VisitItem.item == m.ExamItem.id))
                 .where(m.ReceiptLine.receipt.in_(chunk), m.VisitItem.is_addon == True)  # noqa: E712
                 .order_by(m.ReceiptLine.id))
        rows += [(c, n, ne, a) for c, n, ne, a in query.tuples()]
    return rows


# --------------------------------------------------------------------------
# Closing


@dataclass(frozen=True)
class DayCloseRow:
    day: dt.date
    desk: str
    scope: str
    closed_by: str
    closed_at: dt.datetime
    cash_expected: Decimal
    cash_counted: Decimal
    cash_difference: Decimal
    figures: str


def _close_row(row: m.DayClose) -> DayCloseRow:
    day = row.day if isinstance(row.day, dt.date) else dt.date.fromisoformat(str(row.day))
    return DayCloseRow(day, row.desk, row.scope, row.closed_by, row.closed_at, row.cash_expected, row.cash_counted,
                       row.cash_difference, row.figures)


def day_close(day: dt.date, desk: str) -> DayCloseRow | None:
    row = m.DayClose.get_or_none((m.DayClose.day == day) & (m.DayClose.desk == desk))
    return _close_row(row) if row is not None else None


def closes_on(days: Iterable[dt.date]) -> dict[tuple[dt.date, str], DayCloseRow]:
    """Closings of these days, by (day, desk)."""
    days = sorted(set(days))
    found = {}
    for chunk in _chunks(days):
        for row in (m.DayClose.select(m.DayClose.day, m.DayClose.desk, m.DayClose.scope, m.DayClose.closed_by,
                                      m.DayClose.closed_at, m.DayClose.cash_expected, m.DayClose.cash_counted,
                                      m.DayClose.cash_difference, pw.Value("").alias("figures"))
                    .where(m.DayClose.day.in_(chunk))):
            close = _close_row(row)
            found[(close.day, close.desk)] = close
    return found


def insert_day_close(day: dt.date, desk: str, scope: str, closed_by: str, closed_at: dt.datetime,
                     expected: Decimal, counted: Decimal, difference: Decimal, figures: str) -> bool:
    """False when the day (and desk) is closed already: the unique index decides, not a read before."""
    try:
        with m.DayClose._meta.database.atomic():  # a savepoint: PostgreSQL's transaction survives the refusal
            m.DayClose.create(day=day, desk=desk, scope=scope, closed_by=closed_by, closed_at=closed_at,
                              cash_expected=expected, cash_counted=counted, cash_difference=difference,
                              figures=figures)
    except pw.IntegrityError:
        return False
    return True


def desks_with_activity(start: dt.datetime, end: dt.datetime, day: dt.date) -> list[str]:
    """Desks that checked in a visit or issued a receipt on the day."""
    desks = {d for (d,) in m.Visit.select(m.Visit.desk)
             .where(m.Visit.visit_date == day, m.Visit.status != VisitStatus.PREPARED.value).distinct().tuples()}
    desks |= {d for (d,) in m.Receipt.select(m.Receipt.desk)
              .where((m.Receipt.issued_at >= start) & (m.Receipt.issued_at < end)).distinct().tuples()}
    return sorted(d for d in desks if d)


# --------------------------------------------------------------------------
# Specimens, labels


def specimen_counts(day: dt.date, desk: str = "") -> list[tuple[str, str, str, str, int]]:
    """(tube code, name, name_en, status, count) for the specimens of the day's visits."""
    query = (m.Specimen.select(m.TubeType.code, m.TubeType.name, m.TubeType.name_en, m.Specimen.status,
                               pw.fn.COUNT(m.Specimen.id))
             .join(m.TubeType, on=(m.Specimen.tube_type == m.TubeType.id))
             .switch(m.Specimen).join(m.Visit, on=(m.Specimen.visit == m.Visit.id))
             # A visit prepared the day before (已备单) whose guest has not come holds pre-printed tubes
             # that nobody is waiting for: they are not the day's specimens.
             .where(m.Visit.visit_date == day, m.Visit.status != VisitStatus.PREPARED.value)
             .group_by(m.TubeType.code, m.TubeType.name, m.TubeType.name_en, m.TubeType.draw_order, m.Specimen.status)
             .order_by(m.TubeType.draw_order, m.TubeType.code))
    if desk:
        query = query.where(m.Visit.desk == desk)
    return list(query.tuples())


@dataclass(frozen=True)
class LabelEvent:
    action: str
    at: dt.datetime
    username: str
    desk: str
    specimen_id: int
    barcode: str
    visit_no: str
    copies: int
    reprint_no: int


def label_events(start: dt.datetime, end: dt.datetime, actions: Iterable[str], desk: str = "") -> list[LabelEvent]:
    query = (m.AuditLog.select(m.AuditLog.action, m.AuditLog.at, m.AuditLog.username, m.AuditLog.desk,
                               m.AuditLog.record_id, m.AuditLog.details)
             .where((m.AuditLog.at >= start) & (m.AuditLog.at < end), m.AuditLog.action.in_(list(actions)))
             .order_by(m.AuditLog.at, m.AuditLog.id))
    if desk:
        query = query.where(m.AuditLog.desk == desk)
    events = []
    for action, at, user, where, record_id, details in query.tuples():
        try:
            data = json.loads(details or "{}")
        except ValueError:
            data = {}
        events.append(LabelEvent(action, at, user, where,
                                 int(record_id) if str(record_id).isdigit() else 0, str(data.get("barcode", "")),
                                 str(data.get("visit_no", "")), int(data.get("copies", 1) or 0),
                                 int(data.get("reprint_no", 0) or 0)))
    return events


def tube_names_of_specimens(ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    found = {}
    for chunk in _chunks(sorted(set(ids))):
        for sid, name, name_en in (m.Specimen.select(m.Specimen.id, m.TubeType.name, m.TubeType.name_en)
                                   .join(m.TubeType, on=(m.Specimen.tube_type == m.TubeType.id))
                                   .where(m.Specimen.id.in_(chunk)).tuples()):
            found[sid] = (name, name_en)
    return found


# --------------------------------------------------------------------------
# Reports and belongings


def reports_received(start: dt.datetime, end: dt.datetime, desk: str = "") -> int:
    query = m.ReportArrival.select().where((m.ReportArrival.received_at >= start) & (m.ReportArrival.received_at < end))
    if desk:
        query = query.where(m.ReportArrival.desk == desk)
    return query.count()


def handouts_by_method(start: dt.datetime, end: dt.datetime, desk: str = "") -> dict[str, int]:
    query = (m.ReportHandout.select(m.ReportHandout.method, pw.fn.COUNT(m.ReportHandout.id))
             .where((m.ReportHandout.handed_at >= start) & (m.ReportHandout.handed_at < end))
             .group_by(m.ReportHandout.method))
    if desk:
        query = query.where(m.ReportHandout.desk == desk)
    return {method: count for method, count in query.tuples()}


def reports_waiting_since(before: dt.datetime, ready_status: str, limit: int = 2000
                          ) -> list[tuple[str, str, str, str, dt.date, dt.datetime]]:
    """(visit no, guest name, ID number, phone, visit date, received at) of reports still at the desk,
    received before ``before``."""
    query = (m.ReportArrival.select(m.Visit.visit_no, m.Guest.name, m.Guest.id_number, m.Guest.phone,
                                    m.Visit.visit_date,
                                    m.ReportArrival.received_at)
             .join(m.Visit, on=(m.ReportArrival.visit == m.Visit.id))
             .join(m.Guest, on=(m.Visit.guest == m.Guest.id))
             .where(m.ReportArrival.received_at < before, m.Visit.status == ready_status)
             .order_by(m.ReportArrival.received_at, m.Visit.visit_no).limit(limit))
    rows = []
    for no, name, id_number, phone, visit_date, at in query.tuples():
        if isinstance(visit_date, str):
            visit_date = dt.date.fromisoformat(visit_date)
        rows.append((no, name, id_number or "", phone or "", visit_date, at))
    return rows


def belongings_not_returned(day: dt.date, stored_status: str, desk: str = ""
                            ) -> list[tuple[str, str, str, str, dt.datetime, str]]:
    """(tag, visit no, guest name, description, stored at, stored by) kept for the day's visits, not returned."""
    query = (m.Belonging.select(m.Belonging.tag_no, m.Visit.visit_no, m.Guest.name, m.Belonging.description,
                                m.Belonging.stored_at, m.Belonging.stored_by)
             .join(m.Visit, on=(m.Belonging.visit == m.Visit.id))
             .join(m.Guest, on=(m.Visit.guest == m.Guest.id))
             .where(m.Visit.visit_date == day, m.Belonging.status == stored_status)
             .order_by(m.Belonging.tag_no))
    if desk:
        query = query.where(m.Visit.desk == desk)
    return [(tag, no, name, desc or "", at, by or "")
            for tag, no, name, desc, at, by in query.tuples()]


def refund_reasons(start: dt.datetime, end: dt.datetime | None = None) -> dict[str, str]:
    """Refund receipt number -> the reason given, from the refunds audited in ``[start, end)``."""
    query = m.AuditLog.select(m.AuditLog.details).where(m.AuditLog.action == "visit_item.refund",
                                                         m.AuditLog.at >= start)
    if end is not None:
        query = query.where(m.AuditLog.at < end)
    reasons: dict[str, str] = {}
    for (details,) in query.order_by(m.AuditLog.id).tuples():
        try:
            data = json.loads(details or "{}")
        except ValueError:
            continue
        number = str(data.get("receipt_no") or "")
        if number and data.get("reason"):
            reasons.setdefault(number, str(data["reason"]))
    return reasons


def _live_items(day: dt.date, desk: str, visit_statuses: Iterable[str]):
    where = (m.Visit.visit_date == day) & (m.Visit.status.in_(list(visit_statuses)))
    if desk:
        where &= m.Visit.desk == desk
    return where


def item_counts(day: dt.date, visit_statuses: Iterable[str], desk: str = ""
                ) -> list[tuple[int | None, int | None, int, str, int]]:
    """(package id, contract id, station id, item status, count) over the items of the day's visits in
    ``visit_statuses``: one grouped read, whatever the size of the day."""
    query = (m.VisitItem.select(m.Visit.package, m.Visit.contract, m.ExamItem.station, m.VisitItem.status,
                                pw.fn.COUNT(m.VisitItem.id))
             .join(m.ExamItem, on=(m.VisitItem.item == m.ExamItem.id))
             .switch(m.VisitItem).join(m.Visit, on=(m.VisitItem.visit == m.Visit.id))
             .where(_live_items(day, desk, visit_statuses))
             .group_by(m.Visit.package, m.Visit.contract, m.ExamItem.station, m.VisitItem.status))
    return list(query.tuples())


def deferred_counts(day: dt.date, visit_statuses: Iterable[str], deferred_status: str, desk: str = ""
                    ) -> list[tuple[dt.date, int, int]]:
    """(deferred to, items, visits) of the items deferred on the day's visits."""
    query = (m.VisitItem.select(m.VisitItem.deferred_to, pw.fn.COUNT(m.VisitItem.id),
                                pw.fn.COUNT(m.VisitItem.visit.distinct()))
             .join(m.Visit, on=(m.VisitItem.visit == m.Visit.id))
             .where(_live_items(day, desk, visit_statuses), m.VisitItem.status == deferred_status,
                    m.VisitItem.deferred_to.is_null(False))
             .group_by(m.VisitItem.deferred_to).order_by(m.VisitItem.deferred_to))
    rows = []
    for to, items, visits in query.tuples():
        rows.append((to if isinstance(to, dt.date) else dt.date.fromisoformat(str(to)), items, visits))
    return rows


def items_with_status(day: dt.date, visit_statuses: Iterable[str], status: str, desk: str = "") -> list[ItemRow]:
    """The items of the day's visits in ``status`` (abandoned ones, for their reasons)."""
    query = (m.VisitItem.select(m.VisitItem.visit, m.ExamItem.code, m.ExamItem.name, m.ExamItem.name_en,
                                m.ExamItem.station, m.VisitItem.status, m.VisitItem.is_addon,
                                m.VisitItem.deferred_to, m.VisitItem.reason, m.VisitItem.resolved_by)
             .join(m.ExamItem, on=(m.VisitItem.item == m.ExamItem.id))
             .switch(m.VisitItem).join(m.Visit, on=(m.VisitItem.visit == m.Visit.id))
             .where(_live_items(day, desk, visit_statuses), m.VisitItem.status == status)
             .order_by(m.Visit.visit_no, m.VisitItem.id))
    return [ItemRow(vid, code, name, name_en, station, st, bool(addon), None, reason or "", by or "")
            for vid, code, name, name_en, station, st, addon, _, reason, by in query.tuples()]
