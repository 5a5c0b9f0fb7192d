"""The SQL behind the desk's search box, written to use an index for every key.

Hand-written SQL (not the query builder) because the box runs on every
keystroke pause over half a million guests: each lookup is one or two short
statements whose plans are fixed here, checked on SQLite and PostgreSQL.

Prefix search (names, pinyin initials):

- SQLite: a range ``col >= q AND col < next(q)`` where ``next(q)`` is ``q``
  with its last character incremented.  SQLite compares text by UTF-8 bytes,
  which is code point order, so the range holds exactly the strings that
  start with ``q`` (``q || '\\uffff'`` would miss names with characters beyond
  U+FFFF, which rare-character names have) and is an index range scan.
- PostgreSQL: ``col LIKE 'q%'`` served by the ``varchar_pattern_ops`` indexes
  of migration 0002 (a plain range would follow the database collation).

Everything is LIMITed.  Merged-away guests (``merged_into_id``) never match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from frontdesk.storage.db import database, dialect

GUEST_KEYS = ("id_number", "phone")
PREFIX_KEYS = ("name", "pinyin_initials")

# Columns of every hit row, in this order.
HIT_COLUMNS = ("kind", "guest_id", "name", "sex", "birth_date", "id_type", "id_number", "phone",
               "visit_id", "visit_no", "visit_date", "visit_status", "booking_id", "booking_no", "exam_date",
               "booking_status", "package_name", "package_name_en")

_GUEST_COLS = "g.id, g.name, g.sex, g.birth_date, g.id_type, g.id_number, g.phone"
_NO_VISIT = "NULL, NULL, NULL, NULL"
_NO_BOOKING = "NULL, NULL, NULL, NULL"


def _run(sql: str, params: Sequence) -> list[tuple]:
    if dialect() != "sqlite":
        sql = sql.replace("?", "%s")
    return database.execute_sql(sql, tuple(params)).fetchall()


def _marks(values: Sequence) -> str:
    return ", ".join("?" for _ in values)


def _day(day: dt.date):
    # sqlite3's default date adapter is deprecated; dates are stored as ISO text there.
    return day.isoformat() if dialect() == "sqlite" else day


def next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    last = ord(prefix[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates never occur in stored text
        last = 0xE000
    return prefix[:-1] + chr(last)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prefix_condition(column: str, prefix: str) -> tuple[str, list]:
    if column not in PREFIX_KEYS:
        raise ValueError(column)
    if dialect() == "sqlite":
        return f"g.{column} >= ? AND g.{column} < ?", [prefix, next_prefix(prefix)]
    return f"g.{column} LIKE ?", [_like_escape(prefix) + "%"]


def _prefix_order(column: str) -> str:
    if dialect() == "sqlite":
        return f"g.{column}, g.id"  # the index order (rowid breaks ties)
    # The pattern_ops index is ordered by ~<~ (byte order); ORDER BY the column's collation instead
    # would walk the collation index through every guest (230 ms for "zj" on 500,000).  No id
    # tie-break: it would sort every guest sharing the first value.
    return f"g.{column} USING ~<~"


def _todays_by_prefix_sql(condition: str) -> str:
    return (f"SELECT b.guest_id AS guest_id FROM booking b CROSS JOIN guest g "
            f"WHERE g.id = b.guest_id AND b.exam_date = ? AND b.status = 'booked' AND {condition} "
            f"AND g.merged_into_id IS NULL "
            f"UNION "
            f"SELECT v.guest_id AS guest_id FROM visit v CROSS JOIN guest g "
            f"WHERE g.id = v.guest_id AND v.visit_date = ? AND v.status <> 'cancelled' AND {condition} "
            f"AND g.merged_into_id IS NULL")


def prefix_guest_ids(column: str, prefix: str, day: dt.date, limit: int) -> tuple[list[int], list[int]]:
    """(guests with a booking or visit on ``day``, first guests in ``column`` order) for a prefix, in one statement.

    The day's part is driven from the day's bookings and visits (a few
    thousand at most), so a one-letter prefix matching tens of thousands of
    guests stays fast; on SQLite ``CROSS JOIN`` fixes that join order.
    """
    condition, params = _prefix_condition(column, prefix)
    sql = (f"SELECT 0, guest_id FROM (SELECT guest_id FROM ({_todays_by_prefix_sql(condition)}) t "
           f"ORDER BY guest_id LIMIT ?) today "
           f"UNION ALL "
           f"SELECT 1, id FROM (SELECT g.id AS id FROM guest g WHERE {condition} AND g.merged_into_id IS NULL "
           f"ORDER BY {_prefix_order(column)} LIMIT ?) first")
    rows = _run(sql, [_day(day), *params, _day(day), *params, limit, *params, limit])
    return [gid for tag, gid in rows if tag == 0], [gid for tag, gid in rows if tag == 1]


GuestSet = tuple[str, list]  # SQL usable inside IN (...): a SELECT of ids or a list of placeholders; its parameters


def id_list(ids: Sequence[int]) -> GuestSet:
    """A set given by its ids."""
    return _marks(ids), list(ids)


def key_set(column: str, values: Sequence[str], limit: int) -> GuestSet:
    """Guests (not merged away) whose identity number or phone is one of ``values``."""
    if column not in GUEST_KEYS:
        raise ValueError(column)
    # No ORDER BY: with one, SQLite may walk the table in id order instead of using the key's index.
    return (f"SELECT id FROM guest WHERE {column} IN ({_marks(values)}) AND merged_into_id IS NULL LIMIT ?",
            [*values, limit])


_CODE_SETS = {
    # kind: the guests, visits and bookings a scanned number names
    "visit": ("SELECT guest_id FROM visit WHERE visit_no = ?", "SELECT id FROM visit WHERE visit_no = ?", None),
    "specimen": ("SELECT v.guest_id FROM specimen s JOIN visit v ON v.id = s.visit_id WHERE s.barcode = ?",
                 "SELECT visit_id FROM specimen WHERE barcode = ?", None),
    "receipt": ("SELECT v.guest_id FROM receipt r JOIN visit v ON v.id = r.visit_id WHERE r.receipt_no = ?",
                "SELECT visit_id FROM receipt WHERE receipt_no = ?", None),
    "booking": ("SELECT guest_id FROM booking WHERE booking_no = ?", None,
                "SELECT id FROM booking WHERE booking_no = ?"),
    # A deferral slip's number is "7" + the original visit's id + a check digit (domain.codes).
    "deferral": ("SELECT guest_id FROM visit WHERE id = CAST(substr(?, 2, 8) AS INTEGER)",
                 "SELECT id FROM visit WHERE id = CAST(substr(?, 2, 8) AS INTEGER)", None),
}


_CODE_LOOKUPS = {
    "visit": "SELECT guest_id, id, NULL FROM visit WHERE visit_no = ?",
    "specimen": "SELECT v.guest_id, v.id, NULL FROM specimen s JOIN visit v ON v.id = s.visit_id WHERE s.barcode = ?",
    "receipt": "SELECT v.guest_id, v.id, NULL FROM receipt r JOIN visit v ON v.id = r.visit_id WHERE r.receipt_no = ?",
    "booking": "SELECT guest_id, NULL, id FROM booking WHERE booking_no = ?",
    "deferral": "SELECT guest_id, id, NULL FROM visit WHERE id = CAST(substr(?, 2, 8) AS INTEGER)",
}


def code_sets(kind: str, code: str) -> tuple[GuestSet | None, GuestSet | None, GuestSet | None]:
    """(guests, visits, bookings) named by a visit, specimen, receipt or booking number."""
    if dialect() != "sqlite":
        # One look-up now rather than two subqueries planned later (see ``hit_rows``).
        rows = _run(_CODE_LOOKUPS[kind], [code])
        if not rows:
            return None, None, None
        guest_id, visit_id, booking_id = rows[0]
        return (id_list([guest_id]), id_list([visit_id]) if visit_id else None,
                id_list([booking_id]) if booking_id else None)
    guests, visits, bookings = _CODE_SETS[kind]
    return (guests, [code]), (visits, [code]) if visits else None, (bookings, [code]) if bookings else None


def union(*sets: GuestSet | None) -> GuestSet | None:
    members = [s for s in sets if s is not None]
    if len(members) <= 1:
        return members[0] if members else None
    if not all(_is_select(member) for member, _ in members):
        ids = sorted({gid for found in members for gid in _ids_of(found)})
        return id_list(ids) if ids else None
    # Each member wrapped: a LIMIT inside a compound SELECT needs a subquery.
    sql = " UNION ".join(f"SELECT * FROM ({member}) u{n}" for n, (member, _) in enumerate(members))
    return sql, [p for _, params in members for p in params]


def _is_select(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT")


def _ids_of(found: GuestSet) -> list[int]:
    return [row[0] for row in _run(*found)] if _is_select(found[0]) else list(found[1])


def _resolved(found: GuestSet | None) -> GuestSet | None:
    """The set as a list of ids (None when empty)."""
    if found is None or not _is_select(found[0]):
        return found
    ids = sorted(set(_ids_of(found)))
    return id_list(ids) if ids else None


def hit_rows(day: dt.date, guests: GuestSet | None, *, visits: GuestSet | None = None,
             bookings: GuestSet | None = None) -> list[tuple]:
    """Rows (``HIT_COLUMNS``) for what was found, in one statement:

    ``b`` the guests' bookings for ``day`` (any status), ``v`` their visits on
    ``day``, ``g`` each guest with their latest visit, and ``V`` / ``B`` the
    particular visits and bookings a scanned number named.
    """
    if dialect() != "sqlite":
        # PostgreSQL plans a statement on every call: the id look-ups as subqueries in three
        # branches cost more to plan (~0.9 ms) than running them first as statements of their own.
        guests, visits, bookings = (_resolved(s) for s in (guests, visits, bookings))
        if guests is None and visits is None and bookings is None:
            return []
    day_value = _day(day)
    parts: list[str] = []
    params: list = []
    package = "p.name, p.name_en"
    if guests is not None:
        ids, ids_params = guests
        # No status condition on bookings (the caller keeps the open ones): with it SQLite would rather read
        # every booking of the day through (exam_date, status) than use (guest_id, exam_date).
        parts.append(f"SELECT 'b', {_GUEST_COLS}, {_NO_VISIT}, b.id, b.booking_no, b.exam_date, b.status, {package} "
                     f"FROM guest g CROSS JOIN booking b LEFT JOIN package p ON p.id = b.package_id "
                     f"WHERE g.id IN ({ids}) AND b.guest_id = g.id AND b.exam_date = ?")
        params += [*ids_params, day_value]
        parts.append(f"SELECT 'v', {_GUEST_COLS}, v.id, v.visit_no, v.visit_date, v.status, {_NO_BOOKING}, {package} "
                     f"FROM guest g CROSS JOIN visit v LEFT JOIN package p ON p.id = v.package_id "
                     f"WHERE g.id IN ({ids}) AND v.guest_id = g.id AND v.visit_date = ?")
        params += [*ids_params, day_value]
        parts.append(f"SELECT 'g', {_GUEST_COLS}, v.id, v.visit_no, v.visit_date, v.status, {_NO_BOOKING}, {package} "
                     f"FROM guest g LEFT JOIN visit v ON v.id = (SELECT v2.id FROM visit v2 WHERE v2.guest_id = g.id "
                     f"ORDER BY v2.visit_date DESC, v2.id DESC LIMIT 1) LEFT JOIN package p ON p.id = v.package_id "
                     f"WHERE g.id IN ({ids})")
        params += ids_params
    if visits is not None:
        parts.append(f"SELECT 'V', {_GUEST_COLS}, v.id, v.visit_no, v.visit_date, v.status, {_NO_BOOKING}, {package} "
                     f"FROM visit v JOIN guest g ON g.id = v.guest_id LEFT JOIN package p ON p.id = v.package_id "
                     f"WHERE v.id IN ({visits[0]})")
        params += visits[1]
    if bookings is not None:
        parts.append(f"SELECT 'B', {_GUEST_COLS}, {_NO_VISIT}, b.id, b.booking_no, b.exam_date, b.status, {package} "
                     f"FROM booking b JOIN guest g ON g.id = b.guest_id LEFT JOIN package p ON p.id = b.package_id "
                     f"WHERE b.id IN ({bookings[0]})")
        params += bookings[1]
    if not parts:
        return []
    rows = _run(" UNION ALL ".join(parts), params)
    if dialect() == "sqlite":
        rows = [_dates(row) for row in rows]
    return rows


_DATE_COLUMNS = tuple(HIT_COLUMNS.index(c) for c in ("birth_date", "visit_date", "exam_date"))


def _dates(row: tuple) -> tuple:
    row = list(row)
    for index in _DATE_COLUMNS:
        if isinstance(row[index], str):
            row[index] = dt.date.fromisoformat(row[index][:10])
    return tuple(row)
