"""Queries that need peewee's expression language, kept out of the services."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from frontdesk.storage import models as m
from frontdesk.storage.db import database, dialect


def next_counter(name: str) -> int:
    """Increment and return the named counter inside the caller's transaction.

    The UPDATE takes a row lock (PostgreSQL) or the write lock (SQLite), so
    desks sharing one database never get the same number, and a rollback
    returns the number: receipt numbers stay without gaps.
    """
    assert database.in_transaction(), "counters are only taken inside a transaction"
    cursor = database.execute_sql("UPDATE counter SET value = value + 1 WHERE name = %s RETURNING value"
                                  .replace("%s", "?" if dialect() == "sqlite" else "%s"), (name,))
    row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    # First use of this counter: create it. A desk racing us on PostgreSQL
    # makes the insert conflict; then the UPDATE above wins on retry.
    m.Counter.insert(name=name, value=0).on_conflict_ignore().execute()
    return next_counter(name)


def audit_entries(*, username: str = "", action: str = "", text: str = "", since: dt.datetime | None = None,
                  until: dt.datetime | None = None, limit: int = 500):
    query = m.AuditLog.select()
    if username:
        query = query.where(m.AuditLog.username == username)
    if action:
        query = query.where(m.AuditLog.action == action)
    if text:
        like = f"%{text}%"
        query = query.where(m.AuditLog.record_id.contains(text) | m.AuditLog.details ** like)
    if since:
        query = query.where(m.AuditLog.at >= since)
    if until:
        query = query.where(m.AuditLog.at < until)
    return list(query.order_by(m.AuditLog.at.desc(), m.AuditLog.id.desc()).limit(limit))


def audit_actions() -> list[str]:
    return [r.action for r in m.AuditLog.select(m.AuditLog.action).distinct().order_by(m.AuditLog.action)]


def count_by_status(model, field, day_field, day: dt.date) -> dict[str, int]:
    rows = (model.select(field, pw.fn.COUNT(model.id).alias("n")).where(day_field == day).group_by(field).tuples())
    return {status: n for status, n in rows}


def bulk_insert(model, rows: list[dict], batch_size: int = 2000) -> None:
    """Insert many rows in batches (demo data, roster imports)."""
    for batch in pw.chunked(rows, batch_size):
        model.insert_many(batch).execute()


def row_counts() -> dict[str, int]:
    return {model._meta.table_name: model.select().count() for model in (m.Guest, m.Visit, m.Booking, m.ExamItem)}
