"""Opening the desk's database: connect, refuse a newer schema, upgrade an older one."""

from __future__ import annotations

import logging

from frontdesk import paths
from frontdesk.storage import db, migrations
from frontdesk.storage.db import DatabaseTarget

log = logging.getLogger(__name__)


def open_database(url: str, *, create: bool | None = None, upgrade: bool = True) -> DatabaseTarget:
    """Connect to ``url`` and bring its schema up to date.

    ``create`` defaults to True only for the SQLite file in the data folder:
    a configured file elsewhere that has vanished is an error, not a new
    empty database.
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
                migrations.check_not_newer()
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
