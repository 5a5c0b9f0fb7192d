"""Backups and restores of the desk's database.

SQLite: SQLite's online backup API, both ways (a backup is a complete
SQLite file; a restore copies it into the database file in place, so the
file keeps its name, folder and permissions).  PostgreSQL: ``pg_dump``'s
custom format of the site's schema, restored by ``pg_restore`` piped into
``psql`` in ONE transaction that first drops the schema's contents: a
failed restore leaves the database as it was.

A restore never silently goes back in time: the newest audit entry (time,
then id) of the database is compared with the backup's, and a database with
newer data is restored over only with ``force``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from frontdesk import paths
from frontdesk.errors import DatabaseError, SchemaTooNewError
from frontdesk.i18n import tr
from frontdesk.storage import db as dbmod
from frontdesk.storage import migrations

log = logging.getLogger(__name__)

PG_LOCK_TIMEOUT = "10s"


@dataclass(frozen=True, order=True)
class Stamp:
    """How far a database's data goes: the newest audit entry (UTC time, id)."""

    at: dt.datetime
    audit_id: int

    def display(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} UTC (#{self.audit_id})"


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.fromisoformat(str(value).strip()).replace(tzinfo=None)


def stamp_of(at, audit_id) -> Stamp | None:
    if at is None or audit_id is None:
        return None
    return Stamp(_as_datetime(at), int(audit_id))


def _sqlite_stamp(con: sqlite3.Connection) -> Stamp | None:
    row = con.execute("SELECT at, id FROM audit_log ORDER BY at DESC, id DESC LIMIT 1").fetchone()
    return stamp_of(*row) if row else None


def open_stamp() -> Stamp | None:
    """The stamp of the open database (None when it has no audit entries or no schema yet)."""
    database = dbmod.database
    if not database.table_exists("audit_log"):
        return None
    row = database.execute_sql("SELECT at, id FROM audit_log ORDER BY at DESC, id DESC LIMIT 1").fetchone()
    return stamp_of(*row) if row else None


def _refuse_if_newer(current: Stamp | None, backup: Stamp | None, force: bool) -> None:
    if force or current is None or (backup is not None and current <= backup):
        return
    raise DatabaseError(tr(
        "数据库中的数据比备份新（数据库最新记录 {c}，备份最新记录 {b}）：恢复会丢掉之后的工作，已停止。"
        "确实要恢复请加 --force（恢复前会先备份当前数据库）。",
        "The database holds newer data than the backup (database: last entry {c}; backup: {b}); restoring would "
        "lose the work done since, so nothing was changed. Add --force if you really mean it (the current "
        "database is backed up first).",
        c=current.display(), b=backup.display() if backup else tr("无", "none")))


def _default_folder() -> Path:
    folder = paths.data_dir() / "backups"
    folder.mkdir(exist_ok=True)
    return folder


# --- SQLite ---------------------------------------------------------------------------------------------------

def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True)


def backup_sqlite_file(source_path: Path, out: Path) -> Path:
    """Online backup of a SQLite file (safe while desks use it), written whole or not at all."""
    out = Path(out)
    _check_out(out)
    tmp = out.with_name(out.name + ".part")
    source = _read_only(source_path)
    try:
        dest = sqlite3.connect(str(tmp))
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    tmp.replace(out)
    return out


def _check_out(out: Path) -> None:
    if not out.parent.is_dir():
        raise DatabaseError(tr("备份文件夹不存在：{p}", "The backup folder does not exist: {p}", p=out.parent))
    if out.exists():
        raise DatabaseError(tr("备份文件已存在，不会覆盖：{p}", "The backup file already exists and is not overwritten: {p}",
                               p=out))


def read_sqlite_backup(path: Path) -> tuple[int, Stamp | None]:
    """(schema version, stamp) of a SQLite backup file; refuses what is not a FrontDesk database we can open."""
    path = Path(path)
    if not path.is_file():
        raise DatabaseError(tr("备份文件不存在：{p}", "The backup file does not exist: {p}", p=path))
    try:
        con = _read_only(path)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "schema_meta" not in tables or "audit_log" not in tables:
                raise DatabaseError(tr("这不是 FrontDesk 的备份（缺少版本信息）：{p}",
                                       "This is not a FrontDesk backup (no schema version): {p}", p=path))
            row = con.execute("SELECT value FROM schema_meta WHERE key = 'version'").fetchone()
            version = int(row[0]) if row else 0
            stamp = _sqlite_stamp(con)
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(tr("备份文件已损坏或不是 SQLite 数据库：{p}（{e}）",
                               "The backup file is damaged or not a SQLite database: {p} ({e})",
                               p=path, e=exc)) from exc
    if version > migrations.latest_version():
        raise SchemaTooNewError(migrations.too_new_message(version, migrations.latest_version()))
    return version, stamp


def restore_sqlite(path: Path, backup: Path, *, force: bool = False) -> Path | None:
    """Copy ``backup`` into the database file ``path`` in place; return the safety copy made first (if any).

    The database must not be open in this process (the caller closed it).
    """
    _, backup_stamp = read_sqlite_backup(backup)
    path = Path(path)
    safety = None
    if path.exists():
        _, current = read_sqlite_backup(path)  # the same checks: the file we overwrite is ours
        _refuse_if_newer(current, backup_stamp, force)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        safety = backup_sqlite_file(path, _default_folder() / f"frontdesk-{stamp}-before-restore.sqlite3")
    elif not path.parent.is_dir():
        raise DatabaseError(tr("数据库所在文件夹不存在：{p}", "The database folder does not exist: {p}", p=path.parent))
    source = _read_only(backup)
    try:
        dest = sqlite3.connect(str(path), timeout=dbmod.SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            source.backup(dest)  # page by page into the live file, under SQLite's own locking
        except sqlite3.OperationalError as exc:
            raise dbmod.translate_error(exc, path) from exc
        finally:
            dest.close()
    finally:
        source.close()
    log.info("database %s restored from %s (safety copy %s)", path, backup, safety)
    return safety


# --- PostgreSQL -----------------------------------------------------------------------------------------------

def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise DatabaseError(tr("找不到 PostgreSQL 工具 {t}。请安装 PostgreSQL 客户端（Debian/Ubuntu：apt install "
                               "postgresql-client；Windows：PostgreSQL 安装包中的命令行工具），并把它放到 PATH 中。",
                               "The PostgreSQL tool {t} was not found. Install the PostgreSQL client tools (Debian/"
                               "Ubuntu: apt install postgresql-client; Windows: the command line tools of the "
                               "PostgreSQL installer) and put them on the PATH.", t=name))
    return found


def _pg_env(dsn: dict) -> dict:
    env = dict(os.environ)
    env.update(PGHOST=str(dsn["host"]), PGPORT=str(dsn["port"]), PGUSER=str(dsn.get("user", "")),
               PGDATABASE=str(dsn["database"]), PGCONNECT_TIMEOUT="10",
               PGOPTIONS=f"-c lock_timeout={PG_LOCK_TIMEOUT}")
    if dsn.get("password"):
        env["PGPASSWORD"] = str(dsn["password"])
    return env


def _schema(dsn: dict) -> str:
    options = dsn.get("options", "")
    prefix = "-c search_path="
    return options[len(prefix):].split(",")[0].strip() if options.startswith(prefix) else "public"


def _run(args: list[str], env: dict, what: str, *, stdin=None) -> subprocess.CompletedProcess:
    done = subprocess.run(args, env=env, input=stdin, capture_output=True)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        log.warning("%s failed (%s): %s", what, done.returncode, message)
        if "lock timeout" in message.lower():
            raise DatabaseError(tr("{w}失败：数据库正被其他前台使用。请先关闭所有前台的 FrontDesk 再试。",
                                   "{w} failed: other desks are using the database. Close FrontDesk at every desk "
                                   "and try again.", w=what))
        raise DatabaseError(tr("{w}失败：{e}", "{w} failed: {e}", w=what, e=message[-800:]))
    return done


def backup_postgresql(dsn: dict, out: Path) -> Path:
    """``pg_dump`` of the site's schema in the custom format, written whole or not at all."""
    pg_dump = _tool("pg_dump")
    out = Path(out)
    _check_out(out)
    tmp = out.with_name(out.name + ".part")
    _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--schema={_schema(dsn)}",
          f"--file={tmp}"], _pg_env(dsn), tr("pg_dump 备份", "The pg_dump backup"))
    tmp.replace(out)
    return out


def _copy_rows(pg_restore: str, backup: Path, table: str, env: dict) -> tuple[list[str], list[list[str]]]:
    """The columns and rows of one table in a custom-format dump (COPY text), without restoring it."""
    done = _run([pg_restore, "--data-only", f"--table={table}", "--file=-", str(backup)], env,
                tr("读取备份", "Reading the backup"))
    columns, rows, inside = [], [], False
    for line in done.stdout.decode("utf-8").splitlines():
        if line.startswith("COPY ") and " FROM stdin" in line:
            columns = [c.strip().strip('"') for c in line[line.index("(") + 1:line.rindex(")")].split(",")]
            inside = True
        elif inside and line == "\\.":
            inside = False
        elif inside:
            rows.append([None if v == "\\N" else v for v in line.split("\t")])
    return columns, rows


def read_postgresql_backup(backup: Path, dsn: dict) -> tuple[str, int, Stamp | None]:
    """(schema dumped, schema version, stamp) of a ``pg_dump`` custom-format FrontDesk backup."""
    backup = Path(backup)
    if not backup.is_file():
        raise DatabaseError(tr("备份文件不存在：{p}", "The backup file does not exist: {p}", p=backup))
    pg_restore = _tool("pg_restore")
    env = _pg_env(dsn)
    listing = _run([pg_restore, "--list", str(backup)], env, tr("读取备份", "Reading the backup")).stdout.decode()
    schema = None
    for line in listing.splitlines():
        parts = line.split()
        if "TABLE" in parts and "schema_meta" in parts:
            schema = parts[parts.index("schema_meta") - 1]
            break
    if schema is None:
        raise DatabaseError(tr("这不是 FrontDesk 的备份（缺少版本信息）：{p}",
                               "This is not a FrontDesk backup (no schema version): {p}", p=backup))
    columns, rows = _copy_rows(pg_restore, backup, "schema_meta", env)
    meta = {r[columns.index("key")]: r[columns.index("value")] for r in rows}
    version = int(meta.get("version") or 0)
    if version > migrations.latest_version():
        raise SchemaTooNewError(migrations.too_new_message(version, migrations.latest_version()))
    columns, rows = _copy_rows(pg_restore, backup, "audit_log", env)
    stamps = [stamp_of(r[columns.index("at")], r[columns.index("id")]) for r in rows]
    return schema, version, max(stamps) if stamps else None


def restore_postgresql(dsn: dict, backup: Path, *, current: Stamp | None, has_tables: bool,
                       force: bool = False) -> Path | None:
    """Replace the site's schema by the backup's, in one transaction; return the safety dump made first."""
    schema, _, backup_stamp = read_postgresql_backup(backup, dsn)
    target_schema = _schema(dsn)
    if schema != target_schema:
        raise DatabaseError(tr("备份来自模式“{b}”，不能恢复到模式“{t}”。请恢复到同名模式（数据库地址的 ?schema=）。",
                               "The backup is of the schema “{b}” and cannot be restored into “{t}”. Restore it into a "
                               "schema of the same name (?schema= in the database URL).", b=schema, t=target_schema))
    safety = None
    if has_tables:
        _refuse_if_newer(current, backup_stamp, force)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        safety = backup_postgresql(dsn, _default_folder() / f"frontdesk-{stamp}-before-restore.dump")
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    env = _pg_env(dsn)
    script = _run([pg_restore, "--no-owner", "--no-privileges", "--file=-", str(backup)], env,
                  tr("读取备份", "Reading the backup")).stdout
    quoted = '"' + target_schema.replace('"', '""') + '"'
    drop = f"DROP SCHEMA IF EXISTS {quoted} CASCADE;\n".encode()
    with tempfile.TemporaryDirectory() as folder:
        sql = Path(folder) / "restore.sql"
        sql.write_bytes(drop + script)
        _run([psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", f"--file={sql}"],
             env, tr("恢复", "The restore"))
    log.info("PostgreSQL schema %s restored from %s (safety copy %s)", target_schema, backup, safety)
    return safety
