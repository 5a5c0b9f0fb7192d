"""Opening the desk's database: connect, refuse a newer schema, upgrade an older one."""

from __future__ import annotations

import logging

from frontdesk import paths
from frontdesk.errors import DatabaseError
from frontdesk.i18n import tr
from frontdesk.storage import db, migrations
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


def close() -> None:
    db.close()


def as_user_error(exc: BaseException) -> BaseException:
    """A driver error (lost connection, locked file) as a ``DatabaseError`` for people; anything else as it is."""
    return db.recover(exc) or exc
