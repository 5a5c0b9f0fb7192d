"""Numbered schema migrations, kept in ``db/migrations``.

A migration is ``NNNN_name.sqlite.sql`` + ``NNNN_name.postgresql.sql``
(statements separated by a line holding only ``;``), or ``NNNN_name.py`` with
``upgrade(db, dialect)``.  Each runs in one transaction together with the
version bump, so a killed upgrade leaves the old schema intact.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import logging
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from frontdesk import paths
from frontdesk.errors import DatabaseError, SchemaTooNewError
from frontdesk.i18n import tr
from frontdesk.storage import db as dbmod
from frontdesk.storage.db import database

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(sqlite\.sql|postgresql\.sql|py)$")


@dataclass
class Migration:
    version: int
    name: str
    files: dict  # "sqlite"/"postgresql"/"py" -> Path

    def apply(self, dialect: str) -> None:
        if "py" in self.files:
            spec = importlib.util.spec_from_file_location(f"_fd_migration_{self.version}", self.files["py"])
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.upgrade(database, dialect)
            return
        for statement in split_sql(self.files[dialect].read_text(encoding="utf-8")):
            database.execute_sql(statement)


def split_sql(text: str) -> list[str]:
    statements, current = [], []
    for line in text.splitlines():
        if line.strip() == ";":
            if "".join(current).strip():
                statements.append("\n".join(current))
            current = []
        elif not line.lstrip().startswith("--"):
            current.append(line)
    if "".join(current).strip():
        statements.append("\n".join(current))
    return statements


def available(folder: Path | None = None) -> list[Migration]:
    found: dict[int, Migration] = {}
    for path in sorted((folder or paths.migrations_dir()).iterdir()):
        match = _NAME.match(path.name)
        if not match:
            continue
        version, name, kind = int(match.group(1)), match.group(2), match.group(3).split(".")[0]
        found.setdefault(version, Migration(version, name, {})).files[kind] = path
    migrations = [found[v] for v in sorted(found)]
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration {expected:04d} is missing")
    return migrations


def latest_version() -> int:
    return available()[-1].version


def _has_tables() -> bool:
    """Whether the open database (PostgreSQL: its current schema) holds any table at all."""
    if dbmod.dialect() == "postgresql":
        # pg_class directly: the pg_tables view behind get_tables() costs a new connection ~40 ms.
        return database.execute_sql(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE relnamespace = current_schema()::regnamespace "
            "AND relkind IN ('r', 'p'))").fetchone()[0]
    return bool(database.get_tables())


def current_version() -> int:
    """The schema version of the open database; 0 for an empty one."""
    if not dbmod.has_table("schema_meta"):  # asked before each migration: a direct look-up
        if _has_tables():
            raise DatabaseError(tr("这不是 FrontDesk 数据库（缺少版本信息），为避免损坏数据已停止。",
                                   "This is not a FrontDesk database (no schema version); stopped to avoid damaging it."))
        return 0
    row = database.execute_sql("SELECT value FROM schema_meta WHERE key = 'version'").fetchone()
    return int(row[0]) if row else 0


def too_new_message(version: int, latest: int) -> str:
    return tr("数据库版本 {v} 比本程序支持的版本 {l} 新（另一台工作站已升级了 FrontDesk）。请更新这台工作站的 FrontDesk "
              "后再使用；在此之前这台工作站不能保存任何内容。",
              "The database is at schema version {v}, newer than this FrontDesk supports ({l}): another workstation "
              "has upgraded FrontDesk. Please update this workstation; until then it cannot save anything.",
              v=version, l=latest)


# A desk that was started before another desk upgraded the database must not go on writing with its older
# idea of the schema: before a write, at most every WRITE_CHECK_SECONDS, the schema version is read again.
WRITE_CHECK_SECONDS = 30.0
_write_guard = {"latest": None, "checked": float("-inf")}


def guard_writes() -> None:
    """Refuse a write (SchemaTooNewError: "update this workstation") once the database is newer than this app."""
    now = time.monotonic()
    if now - _write_guard["checked"] < WRITE_CHECK_SECONDS:
        return
    try:
        row = database.execute_sql("SELECT value FROM schema_meta WHERE key = 'version'").fetchone()
    except (pw.DatabaseError, pw.InterfaceError, sqlite3.DatabaseError, DatabaseError) as exc:
        log.debug("schema version not checked before a write: %s", exc)  # the write itself will say what is wrong
        return
    latest = _write_guard["latest"] or latest_version()
    version = int(row[0]) if row else 0
    if version > latest:
        log.warning("schema version %s is newer than this FrontDesk (%s): writes refused", version, latest)
        raise SchemaTooNewError(too_new_message(version, latest))
    _write_guard.update(latest=latest, checked=now)


dbmod.WRITE_CHECKS.append(guard_writes)


def check_not_newer() -> int:
    version, latest = current_version(), latest_version()
    _write_guard.update(latest=latest, checked=time.monotonic() if version <= latest else float("-inf"))
    if version > latest:
        raise SchemaTooNewError(too_new_message(version, latest))
    return version


def upgrade(*, backup: bool = True) -> list[int]:
    """Bring the open database to the latest schema; return the versions applied.

    Before changing an existing SQLite file a copy is saved in the data
    folder's backups/, so a failed or unwanted upgrade can be undone.

    On PostgreSQL several desks may start at the same moment: the whole run
    (reading the version included) holds a session advisory lock for the
    schema, so the second desk waits, then finds the schema current and
    applies nothing.  SQLite needs no such lock: each migration's
    transaction takes the write lock (BEGIN IMMEDIATE) and re-reads the
    version inside it.
    """
    if dbmod.dialect() != "postgresql":
        return _upgrade(backup=backup)
    with migration_lock():
        applied = _upgrade(backup=backup)
        if applied:
            from frontdesk.storage import roles  # grants on tables a migration added, for every desk role

            roles.regrant_all()
        return applied


MIGRATION_LOCK_SQL = "hashtext('frontdesk-migrations:' || current_schema())"


@contextlib.contextmanager
def migration_lock():
    """Hold PostgreSQL's advisory lock for schema changes of this site's schema (one session at a time)."""
    database.execute_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_SQL})")
    try:
        yield
    finally:
        try:
            database.execute_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_SQL})")
        except (pw.DatabaseError, pw.InterfaceError) as exc:  # a dropped connection has let go of it anyway
            log.warning("releasing the migration lock failed: %s", exc)


def _upgrade(*, backup: bool) -> list[int]:
    version = check_not_newer()
    pending = [m for m in available() if m.version > version]
    if not pending:
        return []
    dialect = dbmod.dialect()
    if backup and version > 0 and dialect == "sqlite":
        backup_sqlite(reason=f"before-v{pending[-1].version}")
    applied = []
    for migration in pending:
        log.info("applying migration %04d_%s", migration.version, migration.name)
        try:
            with database.atomic("IMMEDIATE") if dialect == "sqlite" else database.atomic():
                if current_version() >= migration.version:  # another desk applied it meanwhile (SQLite)
                    continue
                migration.apply(dialect)
                _set_version(migration.version)
        except (pw.DatabaseError, sqlite3.DatabaseError) as exc:
            log.exception("migration %s failed", migration.version)
            text = str(exc).lower()
            if "must be owner" in text or "permission denied" in text:
                raise DatabaseError(tr(
                    "数据库需要升级到版本 {v}，但这台工作站连接数据库所用的前台角色无权修改数据库结构。请管理员用所有者账号运行 "
                    "frontdesk db migrate，然后再启动。",
                    "The database needs upgrading to version {v}, but the desk role this workstation connects as may "
                    "not change the schema. Ask the administrator to run `frontdesk db migrate` as the owner, then "
                    "start again.", v=migration.version)) from exc
            raise DatabaseError(tr("数据库升级到版本 {v} 失败，数据保持原样：{e}",
                                   "Upgrading the database to version {v} failed; the data is unchanged: {e}",
                                   v=migration.version, e=exc)) from exc
        applied.append(migration.version)
    return applied


def _set_version(version: int) -> None:
    updated = database.execute_sql("UPDATE schema_meta SET value = %s WHERE key = 'version'" % int(version)).rowcount
    if not updated:
        database.execute_sql("INSERT INTO schema_meta (key, value) VALUES ('version', '%d')" % int(version))


def backup_sqlite(*, reason: str = "manual", target: Path | None = None) -> Path:
    """Copy the open SQLite database with SQLite's online backup (safe while in use)."""
    if dbmod.dialect() != "sqlite":
        raise DatabaseError(tr("只有 SQLite 数据库可以在这里备份；PostgreSQL 请用 pg_dump。",
                               "Only a SQLite database can be backed up here; use pg_dump for PostgreSQL."))
    if target is None:
        folder = paths.data_dir() / "backups"
        folder.mkdir(exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = folder / f"frontdesk-{stamp}-{reason}.sqlite3"
    source = database.connection()
    dest = sqlite3.connect(str(target))
    try:
        source.backup(dest)
    finally:
        dest.close()
    log.info("database backed up to %s", target)
    return target
