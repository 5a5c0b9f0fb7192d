"""Numbers that must be unique but may have gaps: visit, specimen and handover numbers.

Why not ``queries.next_counter`` for them: its ``UPDATE counter`` locks the
day's counter row until the check-in commits, so every other desk's check-in
waits for the whole of this one (items, receipt, specimens, audit, COMMIT).
With four desks that lock was where most of a check-in's time went.

On PostgreSQL these numbers are taken on a second connection of the same
thread in autocommit: the counter row is locked for the one statement only.
The number still comes from the database (never from a desk's memory), so
two desks never share one; a check-in that rolls back afterwards leaves an
unused number (a gap), which visit and specimen numbers may have: nothing
counts them, and a barcode that was never printed is never scanned.

Receipt numbers stay gapless (a tax/finance requirement): they keep
``next_counter`` inside the transaction and check-in takes them last, just
before the audit entry and COMMIT (services/checkin.py), so that lock is
short too.  Booking numbers keep ``next_counter`` (bookings are few).

On SQLite there is one writer at a time anyway (BEGIN IMMEDIATE holds the
write lock for the whole transaction) and a second connection would wait
for the first: there the number is taken inside the caller's transaction.
"""

from __future__ import annotations

import logging
import threading

import psycopg2

from frontdesk.storage import queries
from frontdesk.storage.db import database, dialect, translate_error

log = logging.getLogger(__name__)

_TAKE = ("INSERT INTO counter (name, value) VALUES (%s, %s) "
         "ON CONFLICT (name) DO UPDATE SET value = counter.value + %s RETURNING value")

_local = threading.local()
_open: list = []  # every side connection, so closing the database closes them all
_open_lock = threading.Lock()


def next_number(name: str) -> int:
    """The next value of counter ``name``, committed at once (may leave a gap; never repeats)."""
    return next_numbers(name, 1)[0]


def next_numbers(name: str, count: int) -> list[int]:
    """``count`` consecutive values of counter ``name`` in one statement (a check-in's tubes)."""
    if count < 1:
        return []
    if dialect() != "postgresql":
        return [queries.next_counter(name) for _ in range(count)]
    for attempt in (1, 2):
        conn = _connection()
        try:
            with conn.cursor() as cur:
                cur.execute(_TAKE, (name, count, count))
                last = int(cur.fetchone()[0])
                return list(range(last - count + 1, last + 1))
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            # A dropped connection (server restart, network blip): once more on a fresh one.  If the first
            # statement did commit before the drop, that number is simply a gap.
            _drop(conn)
            log.warning("numbering connection lost (%s); %s", exc, "retrying" if attempt == 1 else "giving up")
            if attempt == 2:
                raise translate_error(exc) from exc
    raise AssertionError("unreachable")


def _connection():
    obj = database.obj
    conn = getattr(_local, "conn", None)
    if conn is not None and (getattr(_local, "owner", None) is not obj or conn.closed):
        _drop(conn)
        conn = None
    if conn is None:
        params = dict(obj.connect_params)
        try:
            conn = psycopg2.connect(database=obj.database, **params)
        except psycopg2.OperationalError as exc:
            raise translate_error(exc) from exc
        conn.autocommit = True
        # No WAL flush wait for these commits: the check-in that uses a number commits (and flushes) after
        # it, and WAL is flushed in order, so a number in use is never lost; one lost in a crash before any
        # use is just not used.  It saved two fsyncs per check-in (bench/RESULTS.md).
        with conn.cursor() as cur:
            cur.execute("SET synchronous_commit TO off")
        _local.conn, _local.owner = conn, obj
        with _open_lock:
            _open.append(conn)
    return conn


def _drop(conn) -> None:
    try:
        conn.close()
    except Exception as exc:  # closing a dead connection may fail; it is gone all the same
        log.debug("closing numbering connection: %s", exc)
    with _open_lock:
        if conn in _open:
            _open.remove(conn)
    if getattr(_local, "conn", None) is conn:
        _local.conn = None


def close_all() -> None:
    """Close every thread's numbering connection (the database is being closed or switched)."""
    with _open_lock:
        conns = list(_open)
        _open.clear()
    for conn in conns:
        try:
            conn.close()
        except Exception as exc:
            log.debug("closing numbering connection: %s", exc)
