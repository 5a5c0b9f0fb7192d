"""Opening the desk's database: connect, refuse a newer schema, upgrade an older one."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from frontdesk import paths
from frontdesk.errors import DatabaseError
from frontdesk.i18n import tr
from frontdesk.storage import backups, db, migrations, roles
from frontdesk.storage.db import DatabaseTarget

log = logging.getLogger(__name__)


def open_database(url: str, *, create: bool | None = None, upgrade: bool = True,
                  require_current: bool = False) -> DatabaseTarget:
    """Connect to ``url``; bring its schema up to date when ``upgrade`` (the desk's start, ``db migrate``).

    ``create`` defaults to True only for the SQLite file in the data folder:
    a configured file elsewhere that has vanished is an error, not a new
    empty database.  Without ``upgrade`` a newer schema is still refused, and
    with ``require_current`` an older one too (with the command that
    upgrades it): a command that only reads (``search``, ``labels``) must
    not change a database under a desk still running the older FrontDesk.
    """
    target = db.parse_url(url)
    if create is None:
        create = target.dialect == "sqlite" and target.path.resolve() == paths.default_sqlite_path().resolve()
    db.connect(url, create=create)
    try:
        with db.errors_translated():
            if upgrade:
                applied = migrations.upgrade()
                if applied:
                    log.info("database upgraded through versions %s", applied)
            else:
                version = migrations.check_not_newer()
                latest = migrations.latest_version()
                if require_current and version == 0:
                    raise DatabaseError(tr("数据库还是空的。请先运行 frontdesk db migrate 建立数据库，或启动 FrontDesk 程序。",
                                           "The database is empty. Run `frontdesk db migrate` to set it up first, or "
                                           "start the FrontDesk app."))
                if require_current and version < latest:
                    raise DatabaseError(tr(
                        "数据库版本 {v} 比本程序的版本 {l} 旧。请先运行 frontdesk db migrate 升级（升级前会自动备份），"
                        "或启动 FrontDesk 程序。",
                        "The database is at schema version {v}, older than this FrontDesk ({l}). Run "
                        "`frontdesk db migrate` first (it makes a backup before upgrading), or start the FrontDesk "
                        "app.", v=version, l=latest))
    except Exception:
        db.close()
        raise
    return target


def schema_status() -> tuple[int, int]:
    """(version of the open database, latest version this program knows)."""
    return migrations.current_version(), migrations.latest_version()


def backup(target=None):
    with db.errors_translated():
        return migrations.backup_sqlite(target=target)


def backup_to(url: str, out: Path | None = None, *, reason: str = "manual") -> Path:
    """Back up the database at ``url`` (SQLite: online backup API; PostgreSQL: ``pg_dump``) to ``out``.

    The database is opened first with the usual checks (any schema version: a backup comes before an upgrade).
    """
    target = open_database(url, create=False, upgrade=False)
    close()
    if out is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        suffix = ".sqlite3" if target.dialect == "sqlite" else ".dump"
        out = _backup_folder() / f"frontdesk-{stamp}-{reason}{suffix}"
    with db.errors_translated():
        if target.dialect == "sqlite":
            return backups.backup_sqlite_file(target.path.resolve(), Path(out))
        return backups.backup_postgresql(target.dsn, Path(out))


@dataclass(frozen=True)
class RestoreResult:
    safety_copy: Path | None  # the database as it was before the restore (None: there was nothing to keep)
    version: int  # schema version after the restore (upgraded when the backup was older)


def restore(url: str, backup_file: Path, *, force: bool = False) -> RestoreResult:
    """Put the backup ``backup_file`` in place of the database at ``url``; leaves it open.

    Refuses (unless ``force``) when the database holds newer data than the backup.  A backup of an older
    schema is upgraded after the restore, as at a desk's start.
    """
    target = db.parse_url(url)
    backup_file = Path(backup_file)
    close()
    with db.errors_translated():
        if target.dialect == "sqlite":
            safety = backups.restore_sqlite(target.path.resolve(), backup_file, force=force)
        else:
            db.connect(url)
            try:
                has_tables = bool(db.database.get_tables())
                current = backups.open_stamp() if has_tables else None
            finally:
                close()
            safety = backups.restore_postgresql(target.dsn, backup_file, current=current, has_tables=has_tables,
                                                force=force)
    open_database(url, create=False)
    if target.dialect == "postgresql":
        roles.regrant_all()  # the dump carries no privileges
    return RestoreResult(safety, migrations.current_version())


def daily_backup(url: str, keep: int, *, today: dt.date | None = None) -> Path | None:
    """The day's automatic backup (once a day, at the first start), keeping the newest ``keep`` of them.

    Never stops a desk from starting: a failure is logged and the day is tried again at the next start.
    """
    try:
        keep = int(keep)
    except (TypeError, ValueError):
        log.warning("backup_keep setting %r is not a number; keeping 7", keep)
        keep = 7
    if keep <= 0:
        return None
    today = today or dt.date.today()
    target = db.parse_url(url)
    folder = _backup_folder() / "daily"
    folder.mkdir(exist_ok=True)
    suffix = ".sqlite3" if target.dialect == "sqlite" else ".dump"
    out = folder / f"frontdesk-daily-{today:%Y%m%d}{suffix}"
    made = None
    if not out.exists():
        try:
            with db.errors_translated():
                if target.dialect == "sqlite":
                    made = backups.backup_sqlite_file(target.path.resolve(), out)
                else:
                    made = backups.backup_postgresql(target.dsn, out)
            log.info("daily backup written: %s", made)
        except Exception as exc:  # a missing pg_dump, a full disk: say so in the log, keep the desk working
            log.warning("daily backup failed: %s", exc)
            return None
    dailies = sorted(folder.glob(f"frontdesk-daily-*{suffix}"), reverse=True)
    for old in dailies[keep:]:
        old.unlink(missing_ok=True)
    return made


def migrate_to_postgresql(source_url: str, target_url: str) -> list:
    """Copy the single-desk SQLite database at ``source_url`` into the EMPTY PostgreSQL database at ``target_url``.

    The source is first brought to the latest schema (with its usual backup), the target's schema is made by the
    migrations, and the copy is verified table by table; returns the checks (``storage.copy.TableCheck``).
    """
    from frontdesk.storage import copy

    source = db.parse_url(source_url)
    target = db.parse_url(target_url)
    if source.dialect != "sqlite":
        raise DatabaseError(tr("只能从 SQLite 数据库迁移到 PostgreSQL；当前数据库是 {d}。",
                               "Only a SQLite database can be moved to PostgreSQL; the current one is {d}.",
                               d=source.display()))
    if target.dialect != "postgresql":
        raise DatabaseError(tr("--to 需要 postgresql://… 地址。", "--to needs a postgresql://… URL."))
    open_database(source_url, create=False)  # the usual checks, and the latest schema (backed up before)
    close()
    db.connect(target_url)
    try:
        # One transaction for all of it (PostgreSQL's DDL is transactional): a failed or mismatched copy
        # leaves the target as empty as it was, ready for another try.
        with db.errors_translated(), db.database.atomic():
            schema = db.database.execute_sql("SELECT current_schema()").fetchone()[0]
            if schema is None:  # ?schema= names a schema not made yet
                name = target.dsn["options"].split("=", 1)[1]
                db.database.execute_sql('CREATE SCHEMA "%s"' % name.replace('"', '""'))
            if not copy.target_is_empty():
                raise DatabaseError(tr("目标 PostgreSQL 数据库不是空的（已有表），为免混入或覆盖数据已停止。请用一个空的数据库"
                                       "（或新的 ?schema=）。",
                                       "The target PostgreSQL database is not empty (it has tables); stopped so as not "
                                       "to mix or overwrite data. Use an empty database (or a new ?schema=)."))
            migrations.upgrade(backup=False)
            return copy.copy_into_open_postgresql(source.path)
    finally:
        close()


def _backup_folder() -> Path:
    folder = paths.data_dir() / "backups"
    folder.mkdir(exist_ok=True)
    return folder


def close() -> None:
    db.close()


def as_user_error(exc: BaseException) -> BaseException:
    """A driver error (lost connection, locked file) as a ``DatabaseError`` for people; anything else as it is."""
    return db.recover(exc) or exc
