"""Queries behind specimen labels, receiving and the lab hand-over.

Status changes here are conditional UPDATEs (``... WHERE status IN (...)``)
so a desk acting on a stale screen never overwrites what another desk did
meanwhile: the caller compares the row count with what it expected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import peewee as pw

from frontdesk.storage import models as m

CREATED, LABEL_PRINTED, COLLECTED, SENT, CANCELLED = "created", "label_printed", "collected", "sent", "cancelled"
OPEN = (CREATED, LABEL_PRINTED)


def visit_with_guest(visit_id: int):
    return (m.Visit.select(m.Visit, m.Guest).join(m.Guest).where(m.Visit.id == visit_id).first())


def visit_specimens(visit_id: int, specimen_ids: Sequence[int] | None = None, *, include_cancelled: bool = False):
    """The visit's specimens with their tube types, in order of draw, then barcode."""
    query = (m.Specimen.select(m.Specimen, m.TubeType).join(m.TubeType).where(m.Specimen.visit == visit_id))
    if not include_cancelled:
        query = query.where(m.Specimen.status != CANCELLED)
    if specimen_ids is not None:
        query = query.where(m.Specimen.id.in_(list(specimen_ids) or [0]))
    return list(query.order_by(m.TubeType.draw_order, m.Specimen.barcode))


def tests_on_specimens(specimen_ids: Iterable[int]) -> dict[int, list[str]]:
    """Specimen id -> short names of its live (not refunded) tests, in catalogue order."""
    ids = list(specimen_ids)
    names: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return names
    rows = (m.VisitItem.select(m.VisitItem.specimen, m.ExamItem.short_name)
            .join(m.ExamItem, on=(m.VisitItem.item == m.ExamItem.id))
            .where(m.VisitItem.specimen.in_(ids), m.VisitItem.status != "refunded")
            .order_by(m.ExamItem.id).tuples())
    for specimen_id, short_name in rows:
        names[specimen_id].append(short_name)
    return names


def specimen_by_barcode(barcode: str):
    """The specimen with its visit, guest and tube type, or None."""
    return (m.Specimen.select(m.Specimen, m.Visit, m.Guest, m.TubeType).join(m.Visit).join(m.Guest)
            .switch(m.Specimen).join(m.TubeType).where(m.Specimen.barcode == barcode).first())


def label_print_counts(specimen_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Specimen id -> {audit action: entries} for the label.* actions.

    Prints are audited one entry per specimen, so the audit log (append-only)
    is the record of how often a label was printed and reprinted.
    """
    ids = [str(i) for i in specimen_ids]
    counts: dict[int, dict[str, int]] = {int(i): {} for i in ids}
    if not ids:
        return counts
    rows = (m.AuditLog.select(m.AuditLog.record_id, m.AuditLog.action, pw.fn.COUNT(m.AuditLog.id))
            .where(m.AuditLog.record_type == "specimen", m.AuditLog.record_id.in_(ids),
                   m.AuditLog.action.startswith("label."))
            .group_by(m.AuditLog.record_id, m.AuditLog.action).tuples())
    for record_id, action, n in rows:
        counts[int(record_id)][action] = int(n)
    return counts


def record_print(specimen_id: int, copies: int, at: dt.datetime) -> None:
    """Count ``copies`` printed labels; created -> label printed, later statuses stay."""
    status = pw.Case(None, [(m.Specimen.status == CREATED, LABEL_PRINTED)], m.Specimen.status)
    (m.Specimen.update(print_count=m.Specimen.print_count + copies, printed_at=at, status=status)
     .where(m.Specimen.id == specimen_id).execute())


def void_label(specimen_id: int) -> int:
    """A printed, uncollected label no longer says what is on the tube: back to created."""
    return (m.Specimen.update(status=CREATED)
            .where(m.Specimen.id == specimen_id, m.Specimen.status == LABEL_PRINTED).execute())


def mark_collected(specimen_id: int, at: dt.datetime, by: str) -> int:
    return (m.Specimen.update(status=COLLECTED, collected_at=at, collected_by=by)
            .where(m.Specimen.id == specimen_id, m.Specimen.status.in_(OPEN)).execute())


def collected_not_sent(up_to_day: dt.date | None = None, specimen_ids: Sequence[int] | None = None):
    """Collected specimens not yet sent, with visit, guest and tube type; by tube type, then barcode."""
    query = (m.Specimen.select(m.Specimen, m.Visit, m.Guest, m.TubeType).join(m.Visit).join(m.Guest)
             .switch(m.Specimen).join(m.TubeType).where(m.Specimen.status == COLLECTED))
    if up_to_day is not None:
        query = query.where(m.Visit.visit_date <= up_to_day)
    if specimen_ids is not None:
        query = query.where(m.Specimen.id.in_(list(specimen_ids) or [0]))
    return list(query.order_by(m.TubeType.draw_order, m.TubeType.code, m.Specimen.barcode))


def mark_sent(specimen_ids: Sequence[int], handover_no: str, at: dt.datetime, by: str) -> int:
    return (m.Specimen.update(status=SENT, sent_at=at, sent_by=by, handover_no=handover_no)
            .where(m.Specimen.id.in_(list(specimen_ids)), m.Specimen.status == COLLECTED).execute())


def handover_specimens(handover_no: str):
    return list(m.Specimen.select(m.Specimen, m.Visit, m.Guest, m.TubeType).join(m.Visit).join(m.Guest)
                .switch(m.Specimen).join(m.TubeType).where(m.Specimen.handover_no == handover_no)
                .order_by(m.TubeType.draw_order, m.TubeType.code, m.Specimen.barcode))


def handovers_between(start: dt.datetime, end: dt.datetime) -> list[tuple[str, dt.datetime, str, int]]:
    """(hand-over number, sent at, sent by, specimens) of hand-overs in [start, end), newest first."""
    sent_at = pw.fn.MIN(m.Specimen.sent_at)
    rows = (m.Specimen.select(m.Specimen.handover_no, sent_at, pw.fn.MIN(m.Specimen.sent_by),
                              pw.fn.COUNT(m.Specimen.id))
            .where(m.Specimen.handover_no.is_null(False), m.Specimen.sent_at >= start, m.Specimen.sent_at < end)
            .group_by(m.Specimen.handover_no).order_by(sent_at.desc()).tuples())
    return [(no, m.Specimen.sent_at.python_value(at), by, int(n)) for no, at, by, n in rows]


def display_names(usernames: Iterable[str]) -> dict[str, str]:
    names = list(set(usernames))
    if not names:
        return {}
    return {u.username: u.display_name for u in m.User.select().where(m.User.username.in_(names))}
