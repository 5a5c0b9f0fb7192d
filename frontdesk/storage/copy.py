"""Moving a single-desk SQLite database into an empty PostgreSQL database, verified.

The PostgreSQL schema is made by the migrations (the same ones a desk
runs), then every table is copied in dependency order in ONE transaction,
the sequences are set past the copied ids, and each table is verified: the
row count and a checksum computed the same way on both sides (SHA-256 over
the rows in key order, each value normalised by the PostgreSQL column's
type: booleans as 0/1, times in one ISO form, numbers as numbers).  Any
difference rolls the whole copy back, so the target is either a verified
copy or still empty.

The audit log's triggers refuse UPDATE, DELETE and TRUNCATE only: the
copy's INSERTs pass them, and the copied entries keep their ids and times.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from frontdesk.errors import DatabaseError
from frontdesk.i18n import tr
from frontdesk.storage import db as dbmod
from frontdesk.storage import migrations

log = logging.getLogger(__name__)

INTEGER_TYPES = ("smallint", "integer", "bigint")
BATCH = 2000


@dataclass(frozen=True)
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_sum: str
    target_sum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sum == self.target_sum


class CopyMismatch(DatabaseError):
    """The copy differs from the source; it was rolled back."""

    def __init__(self, message: str, checks: list[TableCheck]) -> None:
        super().__init__(message)
        self.checks = checks


@dataclass(frozen=True)
class _Table:
    name: str
    columns: tuple[str, ...]
    types: tuple[str, ...]
    key: tuple[str, ...]
    self_refs: tuple[str, ...]  # columns referring to the same table (copied in a second step)

    @property
    def integer_key(self) -> bool:
        return all(self.types[self.columns.index(k)] in INTEGER_TYPES for k in self.key)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- values ---------------------------------------------------------------------------------------------------

def _as_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value).strip())


def normalise(value, pg_type: str):
    """One value as the checksum sees it, whichever side it was read from."""
    if value is None:
        return None
    if pg_type == "boolean":
        return 1 if value in (1, True, "1", "t", "true", "True") else 0
    if pg_type in INTEGER_TYPES:
        return int(value)
    if pg_type in ("numeric", "double precision", "real"):
        return str(Decimal(str(value)).normalize())
    if pg_type == "timestamp without time zone":
        return _as_datetime(value).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if pg_type == "timestamp with time zone":
        moment = _as_datetime(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        return moment.astimezone(dt.timezone.utc).isoformat(sep=" ", timespec="microseconds")
    if pg_type == "date":
        return value.isoformat() if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10]).isoformat()
    if pg_type == "bytea":
        return bytes(value).hex()
    return str(value)


def _to_target(value, pg_type: str):
    """A SQLite value as the PostgreSQL column takes it."""
    if value is None:
        return None
    if pg_type == "boolean":
        return bool(normalise(value, pg_type))
    if pg_type in INTEGER_TYPES:
        return int(value)
    if pg_type == "bytea":
        import psycopg2

        return psycopg2.Binary(bytes(value))
    if pg_type in ("numeric", "double precision", "real"):
        return Decimal(str(value))
    if pg_type.startswith("timestamp") or pg_type == "date":
        return str(value)
    return str(value)


class _Checksum:
    def __init__(self) -> None:
        self.rows = 0
        self._hash = hashlib.sha256()

    def add(self, row, types) -> None:
        self.rows += 1
        normalised = [normalise(v, t) for v, t in zip(row, types)]
        self._hash.update(json.dumps(normalised, ensure_ascii=False, separators=(",", ":")).encode())
        self._hash.update(b"\n")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()[:16]


def _ordered_rows(cursor_rows, table: _Table):
    """Rows in key order, the same on both sides: integer keys are sorted by the databases, text keys here
    (SQLite and PostgreSQL collate text differently)."""
    if table.integer_key:
        return cursor_rows
    positions = [table.columns.index(k) for k in table.key]
    return sorted(cursor_rows, key=lambda row: tuple(str(row[p]) for p in positions))


def _select(table: _Table) -> str:
    cols = ", ".join(_q(c) for c in table.columns)
    order = ", ".join(_q(k) for k in table.key)
    return f"SELECT {cols} FROM {_q(table.name)}" + (f" ORDER BY {order}" if table.integer_key else "")


def _checksum(cursor, table: _Table) -> _Checksum:
    cursor.execute(_select(table))
    check = _Checksum()
    rows = cursor if table.integer_key else cursor.fetchall()
    for row in _ordered_rows(rows, table):
        check.add(row, table.types)
    return check


# --- the schema as PostgreSQL has it --------------------------------------------------------------------------

def _target_tables(cur) -> dict[str, _Table]:
    cur.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in cur.fetchall():
        columns.setdefault(table, []).append((column, data_type))
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    real = {r[0] for r in cur.fetchall()}
    cur.execute("""
        SELECT c.relname, a.attname FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
        WHERE i.indisprimary AND n.nspname = current_schema()""")
    keys: dict[str, list[str]] = {}
    for table, column in cur.fetchall():
        keys.setdefault(table, []).append(column)
    cur.execute("""
        SELECT c.relname, a.attname FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(k.conkey)
        WHERE k.contype = 'f' AND k.conrelid = k.confrelid AND n.nspname = current_schema()""")
    self_refs: dict[str, list[str]] = {}
    for table, column in cur.fetchall():
        self_refs.setdefault(table, []).append(column)
    tables = {}
    for name in real:
        cols = columns[name]
        names = tuple(c for c, _ in cols)
        key = tuple(c for c in names if c in keys.get(name, ())) or names
        tables[name] = _Table(name, names, tuple(t for _, t in cols), key, tuple(self_refs.get(name, ())))
    return tables


def _dependency_order(cur, names: set[str]) -> list[str]:
    cur.execute("""
        SELECT c.relname, f.relname FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class f ON f.oid = k.confrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype = 'f' AND k.conrelid <> k.confrelid AND n.nspname = current_schema()""")
    needs: dict[str, set[str]] = {n: set() for n in names}
    for child, parent in cur.fetchall():
        if child in needs and parent in names:
            needs[child].add(parent)
    order: list[str] = []
    while needs:
        ready = sorted(n for n, parents in needs.items() if not parents - set(order))
        if not ready:
            raise DatabaseError(tr("表之间的外键成环，无法确定复制顺序：{t}", "The tables' foreign keys form a cycle; "
                                   "no copy order exists: {t}", t=", ".join(sorted(needs))))
        for name in ready:
            order.append(name)
            del needs[name]
    return order


# --- the copy -------------------------------------------------------------------------------------------------

def _source_columns(src: sqlite3.Connection) -> dict[str, set[str]]:
    names = [r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%'")]
    return {n: {r[1] for r in src.execute(f"PRAGMA table_info({_q(n)})")} for n in names}


def target_is_empty() -> bool:
    return not dbmod.database.get_tables()


def copy_into_open_postgresql(source_path: Path) -> list[TableCheck]:
    """Copy the SQLite file (at the latest schema) into the open, freshly migrated PostgreSQL schema.

    Everything happens in one transaction; on any difference it is rolled back and ``CopyMismatch`` raised.
    """
    import psycopg2.extras

    database = dbmod.database
    src = sqlite3.connect(f"file:{Path(source_path).resolve()}?mode=ro", uri=True)
    try:
        source_version = int(src.execute("SELECT value FROM schema_meta WHERE key = 'version'").fetchone()[0])
        if source_version != migrations.current_version():
            raise DatabaseError(tr("SQLite 数据库版本 {s} 与 PostgreSQL 的版本 {t} 不同；请先升级 SQLite 数据库。",
                                   "The SQLite database is at schema version {s}, PostgreSQL at {t}; upgrade the "
                                   "SQLite database first.", s=source_version, t=migrations.current_version()))
        source_columns = _source_columns(src)
        with database.atomic():
            cur = database.cursor()
            tables = _target_tables(cur)
            if set(source_columns) != set(tables):
                only_source = ", ".join(sorted(set(source_columns) - set(tables))) or "-"
                only_target = ", ".join(sorted(set(tables) - set(source_columns))) or "-"
                raise DatabaseError(tr("两边的表不一致，未复制。只在 SQLite：{a}；只在 PostgreSQL：{b}",
                                       "The two databases have different tables; nothing was copied. Only in SQLite: "
                                       "{a}; only in PostgreSQL: {b}", a=only_source, b=only_target))
            for name, table in tables.items():
                if set(table.columns) != source_columns[name]:
                    raise DatabaseError(tr("表 {t} 的列两边不一致，未复制。", "The table {t} has different columns on the "
                                           "two sides; nothing was copied.", t=name))
            order = _dependency_order(cur, set(tables))
            # The migrations may have put rows in (the schema version); the copy brings the source's instead.
            for name in reversed(order):
                if name == "audit_log":
                    cur.execute("SELECT count(*) FROM audit_log")
                    if cur.fetchone()[0]:
                        raise DatabaseError(tr("目标数据库的审计日志不是空的，未复制。",
                                               "The target's audit log is not empty; nothing was copied."))
                    continue
                cur.execute(f"DELETE FROM {_q(name)}")
            for name in order:
                _copy_table(src, cur, tables[name], psycopg2.extras)
            _set_sequences(cur, tables)
            checks = []
            for name in order:
                table = tables[name]
                source = _checksum(src.cursor(), table)
                target = _checksum(cur, table)
                checks.append(TableCheck(name, source.rows, target.rows, source.hexdigest(), target.hexdigest()))
            bad = [c for c in checks if not c.ok]
            if bad:
                raise CopyMismatch(tr("复制校验不一致（{t}），已全部撤销，PostgreSQL 数据库仍是空的。",
                                      "The copy does not match the source ({t}); all of it was rolled back and the "
                                      "PostgreSQL database is empty again.", t=", ".join(c.table for c in bad)),
                                   checks)
    finally:
        src.close()
    return checks


def _copy_table(src: sqlite3.Connection, cur, table: _Table, extras) -> None:
    cols = ", ".join(_q(c) for c in table.columns)
    insert = f"INSERT INTO {_q(table.name)} ({cols}) VALUES %s"
    later: list[tuple] = []  # (id, column, value) of references to rows not copied yet
    self_positions = [table.columns.index(c) for c in table.self_refs]
    id_position = table.columns.index("id") if "id" in table.columns else None
    reader = src.execute(_select(table))
    rows = reader if table.integer_key else _ordered_rows(reader.fetchall(), table)
    batch = []
    for row in rows:
        values = [_to_target(v, t) for v, t in zip(row, table.types)]
        if id_position is not None:
            for p in self_positions:
                if values[p] is not None and values[p] >= values[id_position]:
                    later.append((values[id_position], table.columns[p], values[p]))
                    values[p] = None
        batch.append(values)
        if len(batch) >= BATCH:
            extras.execute_values(cur, insert, batch, page_size=BATCH)
            batch = []
    if batch:
        extras.execute_values(cur, insert, batch, page_size=BATCH)
    for row_id, column, value in later:
        cur.execute(f"UPDATE {_q(table.name)} SET {_q(column)} = %s WHERE id = %s", (value, row_id))


def _set_sequences(cur, tables: dict[str, _Table]) -> None:
    for table in tables.values():
        for column in table.columns:
            cur.execute("SELECT pg_get_serial_sequence(%s, %s)", (_q(table.name), column))
            sequence = cur.fetchone()[0]
            if not sequence:
                continue
            cur.execute(f"SELECT max({_q(column)}) FROM {_q(table.name)}")
            top = cur.fetchone()[0]
            if top is None:
                cur.execute("SELECT setval(%s, 1, false)", (sequence,))
            else:
                cur.execute("SELECT setval(%s, %s, true)", (sequence, int(top)))


def format_checks(checks: list[TableCheck]) -> str:
    """The verification table as printed by ``frontdesk db migrate --to``."""
    head = (tr("表", "table"), tr("SQLite 行数", "SQLite rows"), tr("PostgreSQL 行数", "PostgreSQL rows"),
            tr("SQLite 校验和", "SQLite checksum"), tr("PostgreSQL 校验和", "PostgreSQL checksum"), "")
    rows = [head] + [(c.table, str(c.source_rows), str(c.target_rows), c.source_sum, c.target_sum,
                      "OK" if c.ok else tr("不一致", "MISMATCH")) for c in checks]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(r, widths)).rstrip()
                     for r in rows)


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
