import shutil
import sqlite3
from pathlib import Path

import pytest

from frontdesk import paths
from frontdesk.errors import DatabaseError, SchemaTooNewError
from frontdesk.services import database
from frontdesk.storage import migrations
from frontdesk.storage import models as m
from frontdesk.storage.db import database as proxy

DATA = Path(__file__).resolve().parents[1] / "data"


def test_new_database_is_at_latest_version(fdb):
    assert database.schema_status() == (migrations.latest_version(), migrations.latest_version())


def test_migrated_schema_has_every_model_column(fdb):
    for model in m.ALL_MODELS:
        table = model._meta.table_name
        columns = {c.name for c in proxy.get_columns(table)}
        expected = {f.column_name for f in model._meta.sorted_fields}
        assert expected <= columns, (table, expected - columns)


def test_newer_schema_is_refused_with_message(fdb):
    proxy.execute_sql("UPDATE schema_meta SET value = '999' WHERE key = 'version'")
    database.close()
    with pytest.raises(SchemaTooNewError, match="999"):
        database.open_database(fdb)


def test_audit_log_refuses_update_and_delete(fdb, admin):
    from frontdesk.services import audit

    with proxy.atomic():
        audit.record(admin, "test.action", "thing", 1, note="x")
    with pytest.raises(Exception, match="append-only"):
        with proxy.atomic():
            m.AuditLog.update(action="changed").execute()
    with pytest.raises(Exception, match="append-only"):
        with proxy.atomic():
            m.AuditLog.delete().execute()
    assert m.AuditLog.get().action == "test.action"


def test_old_version_file_is_backed_up_and_upgraded_keeping_data(tmp_path):
    old = tmp_path / "desk.sqlite3"
    shutil.copy(DATA / "frontdesk-v1.sqlite3", old)
    database.open_database(f"sqlite:///{old}")
    try:
        assert database.schema_status()[0] == migrations.latest_version()
        assert m.Guest.get().name == "张三丰"
        assert m.User.get().username == "oldadmin"
        backups = list((paths.data_dir() / "backups").glob("*.sqlite3"))
        assert len(backups) == 1
        with sqlite3.connect(backups[0]) as con:
            assert con.execute("SELECT value FROM schema_meta WHERE key='version'").fetchone() == ("1",)
        with pytest.raises(Exception, match="append-only"):
            with proxy.atomic():
                m.AuditLog.delete().execute()
    finally:
        database.close()


def test_failed_migration_leaves_database_unchanged(tmp_path, monkeypatch):
    old = tmp_path / "desk.sqlite3"
    shutil.copy(DATA / "frontdesk-v1.sqlite3", old)
    folder = tmp_path / "migrations"
    folder.mkdir()
    for path in paths.migrations_dir().glob("0001_*"):
        shutil.copy(path, folder)
    (folder / "0002_broken.sqlite.sql").write_text("CREATE TABLE extra (id INTEGER)\n;\nTHIS IS NOT SQL\n;\n")
    (folder / "0002_broken.postgresql.sql").write_text("SELECT 1\n")
    monkeypatch.setattr(paths, "migrations_dir", lambda: folder)
    with pytest.raises(DatabaseError, match="2"):
        database.open_database(f"sqlite:///{old}")
    database.close()
    with sqlite3.connect(old) as con:
        assert con.execute("SELECT value FROM schema_meta WHERE key='version'").fetchone() == ("1",)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "extra" not in tables


def test_missing_configured_file_is_not_created(tmp_path):
    target = tmp_path / "gone.sqlite3"
    with pytest.raises(DatabaseError, match="不存在"):
        database.open_database(f"sqlite:///{target}")
    assert not target.exists()


def test_corrupt_file_gets_clear_message(tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(DatabaseError, match="损坏"):
        database.open_database(f"sqlite:///{bad}")
    assert bad.read_bytes().startswith(b"this is not")


def test_foreign_sqlite_database_is_refused(tmp_path):
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE precious (x)")
    with pytest.raises(DatabaseError, match="不是 FrontDesk"):
        database.open_database(f"sqlite:///{other}")
    database.close()
    with sqlite3.connect(other) as con:
        assert {r[0] for r in con.execute("SELECT name FROM sqlite_master")} == {"precious"}


def test_write_to_locked_database_gets_clear_message_and_loses_nothing(tmp_path, monkeypatch):
    from frontdesk.domain.enums import Role
    from frontdesk.services import auth
    from frontdesk.services.session import Session
    from frontdesk.storage import db

    path = tmp_path / "locked.sqlite3"
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 50)
    database.open_database(f"sqlite:///{path}", create=True)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseError, match="占用"):
            auth.create_user(Session("a", "a", Role.ADMIN, "d"), "newuser", "New", Role.RECEPTION, "long-enough-1")
    finally:
        holder.rollback()
        holder.close()
    assert not m.User.select().exists()
    database.close()


def test_read_only_file_gets_clear_message(tmp_path, monkeypatch):
    import os

    path = tmp_path / "ro.sqlite3"
    database.open_database(f"sqlite:///{path}", create=True)
    database.close()
    # Tests may run as root, for whom chmod does not bite: ask os.access directly.
    monkeypatch.setattr(os, "access", lambda p, mode: mode != os.W_OK)
    with pytest.raises(DatabaseError, match="只读"):
        database.open_database(f"sqlite:///{path}")


def test_unreachable_postgresql_gets_clear_message():
    with pytest.raises(DatabaseError, match="无法连接"):
        database.open_database("postgresql://postgres@127.0.0.1:1/test")


def test_english_messages_when_english_selected(tmp_path):
    from frontdesk import i18n

    i18n.set_language("en")
    with pytest.raises(DatabaseError, match="does not exist"):
        database.open_database(f"sqlite:///{tmp_path / 'nope.sqlite3'}")


def test_backup_copies_the_open_database(fdb, tmp_path):
    if not fdb.startswith("sqlite"):
        with pytest.raises(DatabaseError, match="pg_dump"):
            database.backup(tmp_path / "b.sqlite3")
        return
    out = database.backup(tmp_path / "b.sqlite3")
    with sqlite3.connect(out) as con:
        assert con.execute("SELECT value FROM schema_meta WHERE key='version'").fetchone()[0] == str(
            migrations.latest_version())
