"""The desk role (issue 12): desks connect as a role that can add to the audit log but never change or remove it.

Run on the local PostgreSQL (the test's own schema); each test makes its own uniquely named role and drops it.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import uuid
from decimal import Decimal as D

import psycopg2
import pytest

from frontdesk import cli, paths
from frontdesk.domain.enums import IdType, PaymentMethod, Role
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.errors import DatabaseError, ValidationError
from frontdesk.services import catalogue, checkin, database, guests
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.services.session import Session
from frontdesk.storage import migrations, roles
from frontdesk.storage import models as m
from frontdesk.storage.db import parse_url

TODAY = dt.date(2026, 11, 23)
pg_only = pytest.mark.parametrize("fdb", [pytest.param("postgresql", marks=pytest.mark.pg)], indirect=True)


def _admin_conn():
    conn = psycopg2.connect(os.environ["FRONTDESK_TEST_PG_URL"])
    conn.autocommit = True
    return conn


@pytest.fixture
def desk_role(fdb):
    """A desk role made by the owner (the test's postgres user) for this schema; dropped afterwards."""
    name = "t_desk_" + uuid.uuid4().hex[:10]
    roles.create_desk_role(name)
    yield name
    database.close()
    conn = _admin_conn()
    with conn.cursor() as cur:
        cur.execute(f'DROP OWNED BY "{name}"')
        cur.execute(f'DROP ROLE "{name}"')
    conn.close()


def _desk_conn(fdb, name):
    """A plain connection as the desk role, on the test's schema."""
    dsn = parse_url(roles.desk_url(fdb, name)).dsn
    return psycopg2.connect(dbname=dsn["database"], host=dsn["host"], port=dsn["port"], user=dsn["user"],
                            options=dsn["options"])


def _check_in_one(session):
    admin = Session("admin", "管理员", Role.ADMIN, "前台1")
    if not m.Package.select().exists():
        catalogue.load_seed_catalogue(admin)
    number = make_resident_id("110105", dt.date(1980, 5, 17), 123)
    guest = guests.register(session, guests.GuestInput(name="张三丰", sex="M", birth_date=dt.date(1980, 5, 17),
                                                       id_type=IdType.RESIDENT_ID, id_number=number,
                                                       phone="13800000001", organisation_id=None), today=TODAY)
    package = m.Package.get(m.Package.code == "BASIC")
    return checkin.check_in(session, CheckInRequest(
        guest_id=guest.id, package_id=package.id,
        payments=[PaymentInput(PaymentMethod.CASH, D(str(package.price)), None)]), day=TODAY)


@pg_only
def test_desk_role_cannot_disable_triggers_or_change_the_audit_log(fdb, desk_role):
    from frontdesk.services import audit

    audit.record(Session("admin", "管理员", Role.ADMIN, "前台1"), "test.entry", "thing", 1, note="kept")
    conn = _desk_conn(fdb, desk_role)
    conn.autocommit = True
    refused = {
        "ALTER TABLE audit_log DISABLE TRIGGER ALL": "must be owner",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change": "must be owner",
        "DROP TRIGGER audit_log_no_change ON audit_log": "must be owner",
        "DELETE FROM audit_log": "permission denied",
        "UPDATE audit_log SET action = 'rewritten'": "permission denied",
        "TRUNCATE audit_log": "permission denied",
        "ALTER TABLE guest ADD COLUMN sneaky TEXT": "must be owner",
        "UPDATE schema_meta SET value = '1' WHERE key = 'version'": "permission denied",
        "CREATE TABLE sneaky (id INTEGER)": "permission denied",
    }
    with conn.cursor() as cur:
        for statement, words in refused.items():
            with pytest.raises(psycopg2.Error, match=words):
                cur.execute(statement)
        # What a desk does need: add to the audit log, read it.
        cur.execute("INSERT INTO audit_log (at, username, desk, action, record_type, record_id, details) "
                    "VALUES (now(), 'desk', '前台2', 'test.desk', '', '', '')")
        cur.execute("SELECT action FROM audit_log ORDER BY id")
        assert [r[0] for r in cur.fetchall()] == ["test.entry", "test.desk"]
        cur.execute("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")
        assert cur.fetchone() == (False, False, False)
    conn.close()


@pg_only
def test_check_in_works_as_the_desk_role(fdb, desk_role):
    database.close()
    database.open_database(roles.desk_url(fdb, desk_role))  # the desk's start: nothing to migrate, no DDL
    assert database.db.database.execute_sql("SELECT current_user").fetchone()[0] == desk_role
    result = _check_in_one(Session("qiantai", "李前台", Role.RECEPTION, "前台2"))
    assert m.Visit.get_by_id(result.visit.id).status == "checked_in"
    assert m.AuditLog.select().where(m.AuditLog.action == "visit.check_in").count() == 1
    assert m.Counter.select().count() >= 1  # numbers drawn by the desk role


@pg_only
def test_tables_added_by_a_later_migration_are_granted(fdb, desk_role, tmp_path, monkeypatch):
    folder = tmp_path / "migrations"
    shutil.copytree(paths.migrations_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    later = migrations.latest_version() + 1
    (folder / f"{later:04d}_later_table.py").write_text(
        "def upgrade(db, dialect):\n"
        "    db.execute_sql('CREATE TABLE later_table (id SERIAL PRIMARY KEY, note TEXT NOT NULL)')\n",
        encoding="utf-8")
    monkeypatch.setattr(paths, "migrations_dir", lambda: folder)
    assert migrations.upgrade() == [later]
    conn = _desk_conn(fdb, desk_role)
    with conn.cursor() as cur:
        cur.execute("INSERT INTO later_table (note) VALUES ('from the desk') RETURNING id")
        assert cur.fetchone()[0] == 1
    conn.commit()
    conn.close()


@pg_only
def test_cli_creates_the_role_and_prints_the_desk_url(fdb, monkeypatch, capsys):
    name = "t_desk_" + uuid.uuid4().hex[:10]
    database.close()
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-desk-pw\n"))
    try:
        code = cli.main(["--lang", "en", "--db", fdb, "db", "migrate", "--create-desk-role", name, "--password-stdin"])
        out = capsys.readouterr().out
        assert code == 0, out
        assert f"postgresql://{name}:PASSWORD@" in out and "s3cret" not in out
        assert "schema=" in out
        conn = _admin_conn()
        with conn.cursor() as cur:
            cur.execute("SELECT rolpassword IS NOT NULL, rolsuper FROM pg_authid WHERE rolname = %s", (name,))
            assert cur.fetchone() == (True, False)
            schema = fdb.split("schema=")[1]
            cur.execute("SELECT has_table_privilege(%s, %s, 'INSERT'), has_table_privilege(%s, %s, 'DELETE'), "
                        "has_table_privilege(%s, %s, 'UPDATE')",
                        (name, f"{schema}.audit_log", name, f"{schema}.audit_log", name, f"{schema}.guest"))
            assert cur.fetchone() == (True, False, True)
        conn.close()
        # Run again: the role is brought into line, not duplicated.
        assert cli.main(["--db", fdb, "db", "migrate", "--create-desk-role", name]) == 0
    finally:
        database.close()
        conn = _admin_conn()
        with conn.cursor() as cur:
            cur.execute(f'DROP OWNED BY "{name}"')
            cur.execute(f'DROP ROLE IF EXISTS "{name}"')
        conn.close()


@pg_only
def test_bad_role_names_and_the_owner_itself_are_refused(fdb):
    with pytest.raises(ValidationError, match="角色名"):
        roles.create_desk_role("Desk; DROP TABLE guest")
    with pytest.raises(ValidationError, match="所有者"):
        roles.create_desk_role("postgres")


def test_sqlite_has_no_desk_roles(tmp_path):
    database.open_database(f"sqlite:///{tmp_path / 'one.sqlite3'}", create=True)
    try:
        with pytest.raises(DatabaseError, match="PostgreSQL"):
            roles.create_desk_role("desk1")
    finally:
        database.close()


@pg_only
def test_a_desk_role_cannot_upgrade_and_says_to_ask_the_owner(fdb, desk_role, tmp_path, monkeypatch):
    folder = tmp_path / "migrations"
    shutil.copytree(paths.migrations_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    later = migrations.latest_version() + 1
    (folder / f"{later:04d}_owner_only.py").write_text(
        "def upgrade(db, dialect):\n"
        "    db.execute_sql('ALTER TABLE guest ADD COLUMN nickname TEXT')\n", encoding="utf-8")
    monkeypatch.setattr(paths, "migrations_dir", lambda: folder)
    database.close()
    with pytest.raises(DatabaseError, match="所有者"):
        database.open_database(roles.desk_url(fdb, desk_role))
    database.open_database(fdb)  # the owner
    assert migrations.current_version() == later


DESK_PROCESS = """
import datetime as dt, json, sys
from decimal import Decimal as D
import psycopg2
from frontdesk.domain.enums import IdType, PaymentMethod, Role
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.services import checkin, database, guests
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.services.session import Session
from frontdesk.storage import models as m
from frontdesk.storage.db import database as proxy

url, me = sys.argv[1], int(sys.argv[2])
database.open_database(url)
session = Session(f"desk{me}", f"前台员{me}", Role.RECEPTION, f"前台{me}")
package = m.Package.get(m.Package.code == "BASIC")
numbers = []
for n in range(2):
    number = make_resident_id("110105", dt.date(1980, 5, 17), (me * 10 + n) * 2 + 1)
    guest = guests.register(session, guests.GuestInput(name="张三李四"[me] + "甲乙"[n] + "客", sex="M",
                            birth_date=dt.date(1980, 5, 17),
                            id_type=IdType.RESIDENT_ID, id_number=number, phone=f"1380000{me}{n:03d}",
                            organisation_id=None), today=dt.date(2026, 11, 23))
    result = checkin.check_in(session, CheckInRequest(guest_id=guest.id, package_id=package.id, payments=[
        PaymentInput(PaymentMethod.CASH, D(str(package.price)), None)]), day=dt.date(2026, 11, 23))
    numbers.append(result.visit.visit_no)
refused = []
for statement in ("DELETE FROM audit_log", "ALTER TABLE audit_log DISABLE TRIGGER ALL"):
    try:
        proxy.execute_sql(statement)
    except Exception as exc:
        refused.append(type(exc).__name__)
print(json.dumps({"numbers": numbers, "refused": refused}))
"""


@pg_only
def test_two_desk_processes_work_as_the_desk_role_and_cannot_touch_the_audit_log(fdb, desk_role):
    import json
    import subprocess
    import sys

    catalogue.load_seed_catalogue(Session("admin", "管理员", Role.ADMIN, "前台1"))
    url = roles.desk_url(fdb, desk_role)
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    procs = [subprocess.Popen([sys.executable, "-c", DESK_PROCESS, url, str(me)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for me in (1, 2)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    numbers = [n for r in results for n in r["numbers"]]
    assert len(numbers) == len(set(numbers)) == 4
    assert all(len(r["refused"]) == 2 for r in results)
    assert m.AuditLog.select().where(m.AuditLog.action == "visit.check_in").count() == 4
