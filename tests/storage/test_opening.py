"""Opening a database file or server: only ours is touched, and what is wrong is said plainly.

- a zero-byte file is not a new database (SQLite would silently make one of it);
- another application's SQLite file keeps its header (no switch to WAL);
- disk full is reported as disk full, with the cause in the log;
- a PostgreSQL role, database or password that is wrong is named as such;
- ``db status`` reads the version without upgrading it.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from frontdesk import cli, paths
from frontdesk.domain.enums import Role
from frontdesk.errors import DatabaseError
from frontdesk.services import auth, database
from frontdesk.services.session import Session
from frontdesk.storage import migrations
from frontdesk.storage import models as m
from frontdesk.storage.db import database as proxy

BOSS = Session("boss", "boss", Role.ADMIN, "d")


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------
# Files that are not ours


def test_zero_byte_file_is_refused_by_a_plain_search_and_stays_empty(capsys, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    code, _, err = run(capsys, "--db", f"sqlite:///{empty}", "search", "张")
    assert code == 1 and "不是 FrontDesk 数据库" in err
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db", "home"]  # no -wal / -shm beside it


def test_zero_byte_file_is_refused_even_when_told_to_create(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(DatabaseError, match="不是 FrontDesk 数据库"):
        database.open_database(f"sqlite:///{empty}", create=True)
    assert empty.stat().st_size == 0


def test_zero_byte_file_message_in_english(tmp_path, english):
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(DatabaseError, match="not a FrontDesk database"):
        database.open_database(f"sqlite:///{empty}")


def test_another_applications_sqlite_file_keeps_its_header(tmp_path):
    other = tmp_path / "accounts.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE ledger (x)")
    con.execute("INSERT INTO ledger VALUES (1)")
    con.commit()
    con.close()
    before = other.read_bytes()
    assert before[18:20] == b"\x01\x01"  # rollback journal, not WAL
    with pytest.raises(DatabaseError, match="不是 FrontDesk"):
        database.open_database(f"sqlite:///{other}")
    database.close()
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.sqlite", "home"]


def test_our_new_database_uses_wal(tmp_path):
    path = tmp_path / "desk.sqlite3"
    database.open_database(f"sqlite:///{path}", create=True)
    try:
        assert proxy.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        database.close()


def test_our_database_in_rollback_journal_mode_is_switched_to_wal_on_open(tmp_path):
    path = tmp_path / "desk.sqlite3"
    database.open_database(f"sqlite:///{path}", create=True)
    database.close()
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA journal_mode=delete")
    database.open_database(f"sqlite:///{path}")
    try:
        assert proxy.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        database.close()


# --------------------------------------------------------------------------
# Disk full


def _fill_up():
    """Let the open SQLite file grow no further: the next write that needs a page gets SQLITE_FULL."""
    pages = proxy.execute_sql("PRAGMA page_count").fetchone()[0]
    proxy.execute_sql(f"PRAGMA max_page_count = {pages}")


def test_disk_full_says_disk_full_saves_nothing_and_logs_the_cause(tmp_path, caplog):
    database.open_database(f"sqlite:///{tmp_path / 'desk.sqlite3'}", create=True)
    try:
        _fill_up()
        caplog.set_level(logging.WARNING)
        with pytest.raises(DatabaseError, match="磁盘已满") as err:
            for n in range(200):  # each account adds rows until a page is needed
                auth.create_user(BOSS, f"user{n:03d}", "某某" * 30, Role.RECEPTION, "long-enough-pw" + "x" * 200)
        assert "rollback" not in err.value.message
        assert "database or disk is full" in caplog.text
        saved = m.User.select().count()
        assert m.AuditLog.select().count() == saved  # every account that was saved is whole (with its audit row)
    finally:
        database.close()


@pytest.fixture
def tiny_disk(tmp_path):
    """A real full disk: a 1.5 MB tmpfs (tests run as root in CI; elsewhere this case is skipped)."""
    import subprocess

    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    yield mount
    database.close()
    subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_really_full_disk_says_disk_full_not_cannot_rollback(tiny_disk, caplog):
    """On a full disk SQLite rolls the transaction back itself; the rollback that follows fails
    ("cannot rollback - no transaction is active") and used to be the message, the cause lost."""
    database.open_database(f"sqlite:///{tiny_disk / 'desk.sqlite3'}", create=True)
    caplog.set_level(logging.WARNING)
    with pytest.raises(DatabaseError) as err:
        for n in range(2000):
            auth.create_user(BOSS, f"user{n:04d}", "某某" * 30, Role.RECEPTION, "long-enough-pw" + "x" * 200)
    assert "磁盘已满" in err.value.message and "rollback" not in err.value.message
    assert "database or disk is full" in caplog.text
    saved = m.User.select().count()
    assert saved > 0 and m.AuditLog.select().where(m.AuditLog.action == "user.create").count() == saved


def test_disk_full_inside_a_savepoint_says_disk_full(tmp_path):
    from frontdesk.storage import db

    database.open_database(f"sqlite:///{tmp_path / 'desk.sqlite3'}", create=True)
    try:
        _fill_up()
        with pytest.raises(DatabaseError, match="磁盘已满"):
            with db.transaction():
                with db.transaction():
                    for n in range(200):
                        m.User.create(username=f"u{n}", display_name="某" * 60, role="reception",
                                      password_hash="x" * 250)
        assert m.User.select().count() == 0
    finally:
        database.close()


# --------------------------------------------------------------------------
# PostgreSQL: say what is wrong


def _pg_base():
    base = os.environ.get("FRONTDESK_TEST_PG_URL")
    if not base:
        pytest.skip("FRONTDESK_TEST_PG_URL is not set: PostgreSQL cases not run")
    return base


@pytest.mark.pg
def test_a_postgresql_schema_holding_someone_elses_tables_is_not_a_frontdesk_database():
    import uuid

    import psycopg2

    base = _pg_base()
    schema = "t_" + uuid.uuid4().hex[:12]
    conn = psycopg2.connect(base)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE SCHEMA {schema}")
            cur.execute(f"CREATE TABLE {schema}.someone_elses (x int)")
        with pytest.raises(DatabaseError, match="这不是 FrontDesk 数据库"):
            database.open_database(f"{base}?schema={schema}")
        with conn.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))
            assert cur.fetchall() == [("someone_elses",)]  # nothing of ours was added
    finally:
        database.close()
        with conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA {schema} CASCADE")
        conn.close()


@pytest.mark.pg
def test_unknown_postgresql_role_is_named():
    base = _pg_base()
    url = base.replace("postgresql://postgres@", "postgresql://nobody_here@")
    with pytest.raises(DatabaseError, match="用户（角色）“nobody_here”不存在") as err:
        database.open_database(url)
    assert "无法连接" not in err.value.message


@pytest.mark.pg
def test_unknown_postgresql_database_is_named():
    base = _pg_base()
    url = base.rsplit("/", 1)[0] + "/no_such_db_here"
    with pytest.raises(DatabaseError, match="数据库“no_such_db_here”不存在") as err:
        database.open_database(url)
    assert "无法连接" not in err.value.message


@pytest.mark.pg
def test_unknown_postgresql_database_in_english(english):
    url = _pg_base().rsplit("/", 1)[0] + "/no_such_db_here"
    with pytest.raises(DatabaseError, match="database “no_such_db_here” does not exist"):
        database.open_database(url)


def test_wrong_postgresql_password_is_named(monkeypatch):
    import peewee as pw

    def refuse(self):
        raise pw.OperationalError('connection to server at "10.0.0.5", port 5432 failed: '
                                  'FATAL:  password authentication failed for user "desk"\n')

    monkeypatch.setattr(pw.PostgresqlDatabase, "_connect", refuse)
    with pytest.raises(DatabaseError, match="密码不正确"):
        database.open_database("postgresql://desk:wrong@10.0.0.5/frontdesk")


def test_missing_postgresql_password_is_named(monkeypatch):
    import peewee as pw

    def refuse(self):
        raise pw.OperationalError('connection to server at "10.0.0.5", port 5432 failed: fe_sendauth: '
                                  'no password supplied\n')

    monkeypatch.setattr(pw.PostgresqlDatabase, "_connect", refuse)
    with pytest.raises(DatabaseError, match="需要密码"):
        database.open_database("postgresql://desk@10.0.0.5/frontdesk")


def test_server_that_is_down_is_still_cannot_reach():
    with pytest.raises(DatabaseError, match="无法连接"):
        database.open_database("postgresql://postgres@127.0.0.1:1/test")


# --------------------------------------------------------------------------
# Only `db migrate` and the app's start upgrade a database


def _version_3_file(tmp_path, monkeypatch) -> Path:
    """A database left at schema version 3 by an older FrontDesk."""
    folder = tmp_path / "old-migrations"
    folder.mkdir()
    for path in paths.migrations_dir().iterdir():
        if path.name[:4] in ("0001", "0002", "0003"):
            shutil.copy(path, folder)
    path = tmp_path / "desk.sqlite3"
    with monkeypatch.context() as patch:
        patch.setattr(paths, "migrations_dir", lambda: folder)
        database.open_database(f"sqlite:///{path}", create=True)
        database.close()
    return path


def _file_version(path: Path) -> int:
    with sqlite3.connect(path) as con:
        return int(con.execute("SELECT value FROM schema_meta WHERE key='version'").fetchone()[0])


def test_db_status_does_not_migrate(capsys, tmp_path, monkeypatch):
    path = _version_3_file(tmp_path, monkeypatch)
    before = path.read_bytes()
    code, out, _ = run(capsys, "--db", f"sqlite:///{path}", "db", "status")
    assert code == 0 and "数据库版本 3" in out and f"程序支持 {migrations.latest_version()}" in out
    assert _file_version(path) == 3 and path.read_bytes() == before
    assert not (paths.data_dir() / "backups").exists()  # no upgrade, so no pre-upgrade backup either


def test_search_on_an_older_database_asks_for_db_migrate_and_changes_nothing(capsys, tmp_path, monkeypatch):
    path = _version_3_file(tmp_path, monkeypatch)
    code, _, err = run(capsys, "--db", f"sqlite:///{path}", "search", "张")
    assert code == 1 and "db migrate" in err
    assert _file_version(path) == 3


def test_db_migrate_upgrades(capsys, tmp_path, monkeypatch):
    path = _version_3_file(tmp_path, monkeypatch)
    code, _, _ = run(capsys, "--db", f"sqlite:///{path}", "db", "migrate")
    assert code == 0 and _file_version(path) == migrations.latest_version()


def test_the_app_start_upgrades(tmp_path, monkeypatch):
    """The desk's own start (open_database with its defaults) brings the schema up to date."""
    path = _version_3_file(tmp_path, monkeypatch)
    database.open_database(f"sqlite:///{path}")
    database.close()
    assert _file_version(path) == migrations.latest_version()


def test_duplicate_live_visits_stop_the_upgrade_to_4_and_name_them(tmp_path, monkeypatch):
    path = _version_3_file(tmp_path, monkeypatch)
    with sqlite3.connect(path) as con:
        con.execute("INSERT INTO guest (name, sex, id_type, id_number, phone, pinyin_initials, created_at) "
                    "VALUES ('张三', 'M', 'resident_id', '1', '1', 'zs', '2026-01-01')")
        for no in ("26112300012", "26112300020"):
            con.execute("INSERT INTO visit (visit_no, guest_id, visit_date, source, status, desk, checked_in_at, "
                        "checked_in_by, closed_by) VALUES (?, 1, '2026-11-23', 'walk_in', 'checked_in', '', "
                        "'2026-11-23 01:00:00', '', '')", (no,))
    with pytest.raises(DatabaseError, match="26112300012, 26112300020"):
        database.open_database(f"sqlite:///{path}")
    assert _file_version(path) == 3


def test_a_command_on_a_new_empty_database_asks_for_db_migrate(capsys, tmp_path):
    path = tmp_path / "new.sqlite3"
    with sqlite3.connect(path) as con:  # a SQLite file with no tables: a database nobody has set up yet
        con.execute("CREATE TABLE scratch (x)")
        con.execute("DROP TABLE scratch")
    assert path.stat().st_size > 0
    code, _, err = run(capsys, "--db", f"sqlite:///{path}", "user", "list")
    assert code == 1 and "db migrate" in err and "数据库还是空的" in err
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT name FROM sqlite_master").fetchall() == []
