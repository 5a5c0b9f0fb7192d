"""Queries that need peewee's expression language, kept out of the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import peewee as pw

from frontdesk.storage import models as m
from frontdesk.storage.db import database, dialect

# Services catch this (a unique index refused a row) without importing peewee.
IntegrityError = pw.IntegrityError


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


def bulk_insert(model, rows: list[dict], batch_size: int = 2000) -> None:
    """Insert many rows in batches (demo data, roster imports)."""
    for batch in pw.chunked(rows, batch_size):
        model.insert_many(batch).execute()


def _same(value):
    return value


def insert_rows(model, columns: Sequence[str], rows: Iterable[Sequence], batch_size: int = 5000) -> int:
    """Insert plain tuples fast (demo data, large imports); returns the number of rows.

    Values go through the model's fields (money to cents, UTC datetimes);
    fields not named get their model default, as ``insert_many`` would.  The
    SQL is built once and run with ``executemany`` (``execute_values`` on
    PostgreSQL), several times faster than ``insert_many`` for wide batches.
    """
    fields = [model._meta.fields[name] for name in columns]
    extra = [f for name, f in model._meta.fields.items()
             if name not in columns and not f.primary_key and f.default is not None]
    sqlite = dialect() == "sqlite"

    def adapt(field):
        convert = field.db_value
        if type(field).__module__ == "peewee" and not isinstance(field, (pw.DateField, pw.DateTimeField)):
            return _same  # text, numbers, booleans and ids pass through as they are
        if not sqlite:
            return convert

        def to_sqlite(value):
            # The text peewee itself would store; sqlite3's date adapters are deprecated.
            value = convert(value)
            if isinstance(value, dt.datetime):
                return value.isoformat(" ")
            if isinstance(value, dt.date):
                return value.isoformat()
            return value
        return to_sqlite

    converters = [adapt(f) for f in fields]
    names = ", ".join(f'"{f.column_name}"' for f in fields + extra)
    table = model._meta.table_name
    count = 0
    for batch in pw.chunked(rows, batch_size):
        defaults = [adapt(f)(f.default() if callable(f.default) else f.default) for f in extra]
        values = [tuple(conv(v) for conv, v in zip(converters, row)) + tuple(defaults) for row in batch]
        count += len(values)
        if sqlite:
            marks = ", ".join("?" for _ in range(len(fields) + len(extra)))
            database.cursor().executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
        else:
            from psycopg2.extras import execute_values

            execute_values(database.cursor(), f'INSERT INTO "{table}" ({names}) VALUES %s', values, page_size=1000)
    return count


def waiting_guests_by_station(day: dt.date, *, exclude_visit_id: int | None = None) -> dict[int, int]:
    """Station id -> guests checked in on ``day`` with an item still pending there (the queue, in people)."""
    query = (m.VisitItem.select(m.ExamItem.station, pw.fn.COUNT(m.Visit.id.distinct()))
             .join(m.Visit, on=(m.VisitItem.visit == m.Visit.id))
             .switch(m.VisitItem).join(m.ExamItem, on=(m.VisitItem.item == m.ExamItem.id))
             .where(m.Visit.visit_date == day, m.Visit.status == "checked_in", m.VisitItem.status == "pending"))
    if exclude_visit_id is not None:
        query = query.where(m.Visit.id != exclude_visit_id)
    return {station: n for station, n in query.group_by(m.ExamItem.station).tuples()}


def live_receipt_lines(visit_id: int) -> list[tuple]:
    """(receipt kind, payer, visit item id, item is add-on, amount) of the visit's issued receipts' lines."""
    rows = (m.ReceiptLine.select(m.Receipt.kind, m.ReceiptLine.payer, m.ReceiptLine.visit_item, m.VisitItem.is_addon,
                                 m.ReceiptLine.amount)
            .join(m.Receipt, on=(m.ReceiptLine.receipt == m.Receipt.id))
            .switch(m.ReceiptLine).join(m.VisitItem, pw.JOIN.LEFT_OUTER, on=(m.ReceiptLine.visit_item == m.VisitItem.id))
            .where(m.Receipt.visit == visit_id, m.Receipt.status == "issued").order_by(m.ReceiptLine.id).tuples())
    return [(kind, payer, item_id, None if item_id is None else bool(is_addon), amount)
            for kind, payer, item_id, is_addon, amount in rows]
