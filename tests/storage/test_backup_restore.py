"""Backups and the restore drill (issue 12), on SQLite and PostgreSQL.

The drill: back up, change, restore, compare.  A restore over a database with newer data than the backup is
refused unless forced, and the database as it was is kept first.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from frontdesk import cli, paths
from frontdesk.domain.enums import IdType, Role
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.errors import DatabaseError
from frontdesk.services import database, guests
from frontdesk.services.session import Session
from frontdesk.storage import backups
from frontdesk.storage.db import database as proxy

TODAY = dt.date(2026, 11, 23)
DESK = Session("qiantai", "李前台", Role.RECEPTION, "前台1")


def _register(name, seq, phone):
    number = make_resident_id("110105", dt.date(1980, 5, 17), seq)
    return guests.register(DESK, guests.GuestInput(name=name, sex="M", birth_date=dt.date(1980, 5, 17),
                                                   id_type=IdType.RESIDENT_ID, id_number=number, phone=phone,
                                                   organisation_id=None), today=TODAY)


def _snapshot():
    """Every row of every table, in key order: what a restore must bring back exactly."""
    tables = sorted(proxy.get_tables())
    return {t: [tuple(r) for r in proxy.execute_sql(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()] for t in tables}


def _change():
    return _register("李四", 125, "13800000002")


def test_restore_drill_back_up_change_restore_compare(fdb, tmp_path):
    _register("张三丰", 123, "13800000001")
    before = _snapshot()
    out = database.backup_to(fdb, tmp_path / "drill.backup")
    assert out.is_file() and out.stat().st_size > 0
    database.open_database(fdb)
    _change()
    changed = _snapshot()
    assert changed != before and len(changed["guest"]) == 2

    # The database now holds newer work than the backup: refused, nothing changed.
    with pytest.raises(DatabaseError, match="比备份新"):
        database.restore(fdb, out)
    database.open_database(fdb)
    assert _snapshot() == changed

    result = database.restore(fdb, out, force=True)
    assert _snapshot() == before
    assert result.safety_copy is not None and result.safety_copy.is_file()
    # The work the restore went back over is not lost: it is in the safety copy.
    database.close()
    database.restore(fdb, result.safety_copy, force=True)
    assert _snapshot() == changed
    # Sequences/ids carry on after a restore: a new guest gets a fresh id.
    guest = _register("王五", 127, "13800000003")
    assert guest.id > max(r[0] for r in changed["guest"])


def test_restore_of_a_backup_as_new_as_the_database_needs_no_force(fdb, tmp_path):
    _register("张三丰", 123, "13800000001")
    out = database.backup_to(fdb, tmp_path / "same.backup")
    before = _snapshot()
    database.restore(fdb, out)
    assert _snapshot() == before


def test_backup_never_overwrites_a_file(fdb, tmp_path):
    target = tmp_path / "exists.backup"
    target.write_text("keep me")
    with pytest.raises(DatabaseError, match="已存在"):
        database.backup_to(fdb, target)
    assert target.read_text() == "keep me"


def test_sqlite_restore_refuses_a_file_that_is_not_a_frontdesk_backup(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    database.open_database(url, create=True)
    _register("张三丰", 123, "13800000001")
    before = _snapshot()
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE notes (x TEXT)")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(DatabaseError, match="不是 FrontDesk 的备份"):
        database.restore(url, other, force=True)
    with pytest.raises(DatabaseError, match="损坏"):
        database.restore(url, junk, force=True)
    with pytest.raises(DatabaseError, match="不存在"):
        database.restore(url, tmp_path / "missing.sqlite3", force=True)
    database.open_database(url)
    assert _snapshot() == before
    database.close()


@pytest.mark.parametrize("fdb", [pytest.param("postgresql", marks=pytest.mark.pg)], indirect=True)
def test_postgresql_backup_without_pg_dump_says_what_to_install(fdb, tmp_path, monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(DatabaseError, match="pg_dump") as err:
        database.backup_to(fdb, tmp_path / "x.dump")
    assert "postgresql-client" in err.value.message
    assert not (tmp_path / "x.dump").exists()


def test_daily_backup_once_a_day_keeping_n(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    database.open_database(url, create=True)
    _register("张三丰", 123, "13800000001")
    database.close()
    days = [dt.date(2026, 11, 20) + dt.timedelta(days=n) for n in range(5)]
    for day in days:
        assert database.daily_backup(url, keep=3, today=day) is not None
    assert database.daily_backup(url, keep=3, today=days[-1]) is None  # the day's copy exists already
    kept = sorted(p.name for p in (paths.data_dir() / "backups" / "daily").iterdir())
    assert kept == [f"frontdesk-daily-{d:%Y%m%d}.sqlite3" for d in days[2:]]
    _, stamp = backups.read_sqlite_backup(paths.data_dir() / "backups" / "daily" / kept[-1])
    assert stamp is not None
    assert database.daily_backup(url, keep=0, today=days[-1] + dt.timedelta(days=1)) is None  # 0: switched off


@pytest.mark.parametrize("fdb", [pytest.param("postgresql", marks=pytest.mark.pg)], indirect=True)
def test_daily_backup_on_postgresql_is_a_dump_that_restores(fdb, tmp_path):
    _register("张三丰", 123, "13800000001")
    made = database.daily_backup(fdb, keep=2, today=TODAY)
    assert made is not None and made.suffix == ".dump"
    schema, _, stamp = backups.read_postgresql_backup(made, database.db.parse_url(fdb).dsn)
    assert schema == fdb.split("schema=")[1] and stamp is not None


def test_cli_restore_refuses_newer_data_then_forced(fdb, tmp_path, capsys):
    _register("张三丰", 123, "13800000001")
    out = tmp_path / "cli.backup"
    database.close()
    assert cli.main(["--lang", "en", "--db", fdb, "db", "backup", "--out", str(out)]) == 0
    database.open_database(fdb)
    _register("李四", 125, "13800000002")
    database.close()
    capsys.readouterr()
    assert cli.main(["--lang", "en", "--db", fdb, "db", "restore", str(out)]) != 0
    assert "newer data than the backup" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "--db", fdb, "db", "restore", str(out), "--force"]) == 0
    printed = capsys.readouterr().out
    assert "Restored from" in printed and "before-restore" in printed
    database.open_database(fdb)
    assert [r[0] for r in proxy.execute_sql("SELECT name FROM guest").fetchall()] == ["张三丰"]


def test_the_desks_start_makes_the_days_backup_in_the_background(tmp_path):
    import threading

    from frontdesk import app

    url = f"sqlite:///{paths.default_sqlite_path()}"  # the desk's own file, made at its first start
    target, has_users = app._open_and_check(url, 2)
    assert target.dialect == "sqlite" and has_users is False
    for thread in threading.enumerate():
        if thread.name == "daily-backup":
            thread.join(timeout=60)
    daily = list((paths.data_dir() / "backups" / "daily").glob("frontdesk-daily-*.sqlite3"))
    assert [p.name for p in daily] == [f"frontdesk-daily-{dt.date.today():%Y%m%d}.sqlite3"]
    database.close()


@pytest.mark.parametrize("fdb", [pytest.param("postgresql", marks=pytest.mark.pg)], indirect=True)
def test_postgresql_restore_while_a_desk_holds_the_tables_gives_up_and_changes_nothing(fdb, tmp_path,
                                                                                       monkeypatch):
    import psycopg2

    _register("张三丰", 123, "13800000001")
    out = database.backup_to(fdb, tmp_path / "busy.dump")
    database.open_database(fdb)
    _change()
    changed = _snapshot()
    database.close()
    monkeypatch.setattr(backups, "PG_LOCK_TIMEOUT", "1s")
    dsn = database.db.parse_url(fdb).dsn
    other_desk = psycopg2.connect(dbname=dsn["database"], host=dsn["host"], port=dsn["port"], user=dsn["user"],
                                  options=dsn["options"])
    try:
        with other_desk.cursor() as cur:
            cur.execute("SELECT count(*) FROM guest")  # an open transaction at another desk
            with pytest.raises(DatabaseError, match="其他前台"):
                database.restore(fdb, out, force=True)
    finally:
        other_desk.close()
    database.open_database(fdb)
    assert _snapshot() == changed
