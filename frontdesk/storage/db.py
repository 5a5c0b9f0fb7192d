"""Opening the database: SQLite by default, PostgreSQL for several desks.

Every model binds to ``database``, a proxy initialised once the URL is known.
Failures to open are turned into ``DatabaseError`` with a message for people.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import peewee as pw

from frontdesk.errors import DatabaseError
from frontdesk.i18n import tr

log = logging.getLogger(__name__)

database = pw.DatabaseProxy()

SQLITE_BUSY_TIMEOUT_MS = 5000

# Called before each outermost transaction(); a check raises a UserError to refuse the write.
WRITE_CHECKS: list = []


@dataclass(frozen=True)
class DatabaseTarget:
    """Where the data lives, parsed from a URL or a plain file path."""

    dialect: str  # "sqlite" or "postgresql"
    path: Path | None = None
    dsn: dict | None = None

    def display(self) -> str:
        """A short description for the status bar, without any password."""
        if self.dialect == "sqlite":
            return f"SQLite {self.path}"
        dsn = self.dsn or {}
        return f"PostgreSQL {dsn.get('user', '')}@{dsn.get('host', '')}:{dsn.get('port', 5432)}/{dsn.get('database', '')}"


def parse_url(url: str) -> DatabaseTarget:
    """``sqlite:///relative.db``, ``sqlite:////absolute.db``, a plain path, or ``postgresql://...``."""
    url = url.strip()
    if url.startswith(("postgresql://", "postgres://")):
        parts = urlparse(url)
        if not parts.path.strip("/"):
            raise DatabaseError(tr("PostgreSQL 地址缺少数据库名：{url}", "The PostgreSQL URL names no database: {url}", url=url))
        dsn = {"database": unquote(parts.path.lstrip("/")), "host": parts.hostname or "127.0.0.1",
               "port": parts.port or 5432, "user": unquote(parts.username or "postgres")}
        if parts.password:
            dsn["password"] = unquote(parts.password)
        schema = parse_qs(parts.query).get("schema")
        if schema:
            # Several sites (or test runs) can share one server, each in its own schema.
            dsn["options"] = f"-c search_path={schema[0]}"
        return DatabaseTarget("postgresql", dsn=dsn)
    if url.startswith("sqlite:///"):
        return DatabaseTarget("sqlite", path=Path(url[len("sqlite:///"):]).expanduser())
    if "://" in url or not url:
        raise DatabaseError(tr("无法识别的数据库地址：{url}（应为 sqlite:///文件 或 postgresql://…）",
                               "Unrecognised database URL: {url} (expected sqlite:///FILE or postgresql://…)", url=url))
    return DatabaseTarget("sqlite", path=Path(url).expanduser())


def connect(url: str, *, create: bool = False) -> DatabaseTarget:
    """Open the database at ``url`` and bind the models to it.

    A SQLite file that does not exist is created only with ``create=True``:
    a configured file that has gone missing (unplugged share, wrong path)
    must not be silently replaced by an empty database.
    """
    target = parse_url(url)
    close()
    if target.dialect == "sqlite":
        db = _open_sqlite(target.path, create=create)
    else:
        db = _open_postgresql(target.dsn)
    database.initialize(db)
    return target


def _open_sqlite(path: Path, *, create: bool) -> pw.SqliteDatabase:
    path = path.resolve()
    if not path.parent.is_dir():
        raise DatabaseError(tr("数据库所在文件夹不存在：{p}", "The database folder does not exist: {p}", p=path.parent))
    if not path.exists() and not create:
        raise DatabaseError(tr("数据库文件不存在：{p}。请检查设置中的数据库位置。",
                               "The database file does not exist: {p}. Check the database location in the settings.",
                               p=path))
    if path.exists() and not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise DatabaseError(tr("数据库文件是只读的，无法保存：{p}", "The database file is read-only and cannot be saved: {p}",
                               p=path))
    if path.is_file() and path.stat().st_size == 0:
        # SQLite takes an empty file for an empty database and would make one of it: whatever the file
        # was meant to be (a failed copy, another program's placeholder), it is not ours.
        raise DatabaseError(tr("这不是 FrontDesk 数据库（文件是空的）：{p}。为免覆盖其他文件已停止；"
                               "新建数据库请选一个还不存在的文件名。",
                               "This is not a FrontDesk database (the file is empty): {p}. Stopped so as not to "
                               "overwrite it; for a new database choose a file name that does not exist yet.",
                               p=path))
    # journal_mode=wal is written into the file's header: it is set only once the file is known to be
    # ours (or new), so opening another program's database by mistake leaves it exactly as it was.
    db = pw.SqliteDatabase(
        str(path),
        pragmas={"foreign_keys": 1, "busy_timeout": SQLITE_BUSY_TIMEOUT_MS, "synchronous": "normal"},
        check_same_thread=False,
    )
    try:
        db.connect()
        tables = {row[0] for row in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and "schema_meta" not in tables:
            db.close()
            raise DatabaseError(tr("这不是 FrontDesk 数据库（缺少版本信息）：{p}。为避免损坏其中的数据已停止。",
                                   "This is not a FrontDesk database (no schema version): {p}. Stopped to avoid "
                                   "damaging its data.", p=path))
        db.execute_sql("PRAGMA journal_mode = wal")
    except (pw.DatabaseError, sqlite3.DatabaseError) as exc:
        db.close()
        raise translate_error(exc, path) from exc
    return db


def _open_postgresql(dsn: dict) -> pw.PostgresqlDatabase:
    db = _PostgresqlDatabase(dsn["database"], **{k: v for k, v in dsn.items() if k != "database"},
                             connect_timeout=5)
    try:
        db.connect()
    except pw.OperationalError as exc:
        log.warning("PostgreSQL connect failed: %s", exc)
        raise _connect_failure(str(exc), dsn) from exc
    return db


def _connect_failure(text: str, dsn: dict) -> DatabaseError:
    """What is wrong when the server answered but would not let us in; else "cannot reach"."""
    where = dict(h=dsn["host"], p=dsn["port"], d=dsn["database"], u=dsn.get("user", ""))
    lower = text.lower()
    if "role" in lower and "does not exist" in lower:
        return DatabaseError(tr("数据库服务器 {h}:{p} 上的用户（角色）“{u}”不存在。请检查数据库地址中的用户名。",
                                "The user (role) “{u}” does not exist on the database server {h}:{p}. Check the "
                                "user name in the database URL.", **where))
    if "database" in lower and "does not exist" in lower:
        return DatabaseError(tr("数据库服务器 {h}:{p} 上的数据库“{d}”不存在。请检查数据库地址中的库名，或请管理员创建它。",
                                "The database “{d}” does not exist on the server {h}:{p}. Check the database name "
                                "in the URL, or ask the administrator to create it.", **where))
    if "password authentication failed" in lower:
        return DatabaseError(tr("数据库服务器 {h}:{p} 拒绝了用户“{u}”的密码：密码不正确。",
                                "The database server {h}:{p} refused the password of “{u}”: the password is wrong.",
                                **where))
    if "no password supplied" in lower:
        return DatabaseError(tr("数据库服务器 {h}:{p} 需要密码，但数据库地址中没有密码。",
                                "The database server {h}:{p} asks for a password and the database URL has none.",
                                **where))
    if "pg_hba.conf" in lower or "permission denied for database" in lower:
        return DatabaseError(tr("数据库服务器 {h}:{p} 不允许用户“{u}”从这台电脑连接数据库“{d}”（服务器的访问设置）。",
                                "The database server {h}:{p} does not let “{u}” connect to “{d}” from this computer "
                                "(the server's access rules).", **where))
    return DatabaseError(tr("无法连接数据库服务器 {h}:{p}（{d}）。请检查网络和服务器是否运行。",
                            "Cannot reach the database server {h}:{p} ({d}). Check the network and that the server "
                            "is running.", **where))


def translate_error(exc: Exception, path: Path | None = None) -> DatabaseError:
    """Turn a driver error into a message for people."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return DatabaseError(tr("数据库正被其他程序占用，请稍后重试。", "The database is locked by another program; try again shortly."))
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return DatabaseError(tr("数据库文件已损坏或不是 FrontDesk 数据库：{p}。请从备份恢复。",
                                "The database file is damaged or not a FrontDesk database: {p}. Restore it from a backup.",
                                p=path or ""))
    if _connection_lost(text):
        return DatabaseError(tr("与数据库服务器的连接中断了，本次操作未保存。请重试；如仍失败，请检查网络。",
                                "The connection to the database server was lost and this was not saved. Try again; "
                                "if it fails again, check the network."))
    if "readonly" in text or "read-only" in text:
        return DatabaseError(tr("数据库是只读的，无法保存。", "The database is read-only; nothing can be saved."))
    if "disk" in text and "full" in text:
        return DatabaseError(tr("磁盘已满，无法保存。", "The disk is full; nothing can be saved."))
    return DatabaseError(tr("数据库错误：{e}", "Database error: {e}", e=exc))


def close() -> None:
    from frontdesk.storage import numbers  # its side connections (visit/specimen numbers) go with the database

    numbers.close_all()
    if database.obj is not None and not database.is_closed():
        database.close()


def dialect() -> str:
    return "postgresql" if isinstance(database.obj, pw.PostgresqlDatabase) else "sqlite"


def has_table(name: str) -> bool:
    """Whether the open database (PostgreSQL: its schema on the search path) has the table ``name``.

    A direct look-up: peewee's table_exists() lists the catalogue through the pg_tables
    view, which costs a new PostgreSQL connection ~40 ms.
    """
    if dialect() == "postgresql":
        return database.execute_sql("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]
    return database.execute_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                (name,)).fetchone() is not None


@contextlib.contextmanager
def transaction():
    """One transaction for a whole service call; driver errors become ``DatabaseError``.

    On SQLite the write lock is taken at the start (BEGIN IMMEDIATE) so two
    desks cannot both read, then both fail to upgrade to writing.  Inside
    another transaction this is a savepoint.

    The ending is done here rather than by peewee's context managers, so the
    error that stopped the work is the one reported and logged: a rollback
    that fails too (SQLite has already rolled back after "disk full"; a
    connection the server dropped cannot roll back at all) is logged beside
    it, never in its place.  Only the outermost level lets go of a dead
    connection: a savepoint doing so would pull the transaction stack out
    from under the levels above it.
    """
    nested = database.in_transaction()
    if not nested:
        for check in WRITE_CHECKS:  # e.g. "this desk's FrontDesk is older than the database" (migrations.py)
            check()
    try:
        if nested:
            block = database.savepoint()
        elif dialect() == "sqlite":
            block = database.transaction("IMMEDIATE")
        else:
            block = database.transaction()
        block.__enter__()
    except DRIVER_ERRORS as exc:
        raise _failed(exc, outermost=not nested) from exc
    try:
        yield
    except BaseException as exc:
        _roll_back(block, nested, exc)
        if isinstance(exc, DRIVER_ERRORS):
            raise _failed(exc, outermost=not nested) from exc
        raise
    if not nested:
        database.pop_transaction()
    try:
        block.commit(begin=False)
    except BaseException as exc:  # e.g. SQLite's deferred foreign keys fail at COMMIT and leave it open
        _roll_back(block, nested, exc, popped=True)
        if isinstance(exc, DRIVER_ERRORS):
            raise _failed(exc, outermost=not nested) from exc
        raise


def _roll_back(block, nested: bool, cause: BaseException, *, popped: bool = False) -> None:
    if not nested and not popped:
        database.pop_transaction()
    try:
        block.rollback(begin=False)
    except DRIVER_ERRORS as exc:
        log.warning("rollback after %s failed too: %s", type(cause).__name__, exc)
        if not nested:
            _forget_connection()
        return
    if not nested and _is_dead():
        _forget_connection()


def _failed(exc: BaseException, *, outermost: bool) -> DatabaseError:
    """Log the driver error that stopped the work (with its traceback) and return its message."""
    log.warning("database error in transaction: %s", exc, exc_info=exc)
    if outermost and (_connection_lost(str(exc).lower()) or _is_dead()):
        _forget_connection()
    return translate_error(exc)


DRIVER_ERRORS = (pw.OperationalError, pw.InterfaceError, sqlite3.OperationalError)


def _connection_lost(text: str) -> bool:
    return any(phrase in text for phrase in ("server closed the connection", "connection already closed",
                                             "terminating connection", "connection not open", "could not receive",
                                             "could not send", "ssl connection has been closed",
                                             "no connection to the server", "connection has been closed"))


def _is_dead() -> bool:
    """True when this thread's connection is one the driver knows to be closed (psycopg2's ``closed``)."""
    obj = database.obj
    if obj is None or obj.is_closed():
        return False
    return bool(getattr(obj._state.conn, "closed", 0))


def _forget_connection() -> None:
    """Let go of this thread's dead connection; the next call connects afresh (peewee reconnects on use).

    Never inside a transaction: the transaction's levels still hold on to it.
    """
    obj = database.obj
    if obj is None or obj.in_transaction():
        return
    try:
        obj.close()
    except Exception as exc:  # closing a dead connection can fail too; peewee forgets it all the same
        log.debug("closing a dead connection: %s", exc)
        obj._state.reset()
    log.warning("database connection dropped; the next call reconnects")


class _PostgresqlDatabase(pw.PostgresqlDatabase):
    """Lets go of a connection the server dropped, also for a read outside any transaction.

    A read has no ``transaction()`` around it to recover: without this, a
    dead connection stayed in place and every later read on that thread (the
    UI's search worker) failed until something else closed it.
    """

    def execute_sql(self, sql, params=None):
        try:
            return super().execute_sql(sql, params)
        except DRIVER_ERRORS as exc:
            if _connection_lost(str(exc).lower()) or _is_dead():
                log.warning("database connection lost: %s", exc, exc_info=exc)
                if not self.in_transaction():
                    _forget_connection()  # inside one, the outermost transaction() does it after its rollback
                raise translate_error(exc) from exc
            raise


def recover(exc: BaseException) -> DatabaseError | None:
    """The message for a driver error, after dropping a connection the server has closed.

    A desk on a shared PostgreSQL must survive a server restart or a network
    blip: the failed call reports it, and the next one connects afresh.
    Returns None for anything that is not a driver error.
    """
    if not isinstance(exc, DRIVER_ERRORS):
        return None
    if _connection_lost(str(exc).lower()) and database.obj is not None:
        _forget_connection()
    return translate_error(exc)


@contextlib.contextmanager
def errors_translated():
    """Re-raise driver errors as ``DatabaseError`` inside this block."""
    try:
        yield
    except (pw.OperationalError, pw.InterfaceError, sqlite3.OperationalError) as exc:
        raise translate_error(exc) from exc
