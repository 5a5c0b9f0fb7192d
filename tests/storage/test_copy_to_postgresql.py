"""Moving a single-desk SQLite database to PostgreSQL (issue 12): `frontdesk db migrate --to postgresql://…`.

The copy is verified per table (row count and a checksum over the normalised rows), the sequences carry on
after the copied ids, a non-empty target is refused, and a mismatch rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal as D

import psycopg2
import pytest

from frontdesk import cli
from frontdesk.domain.enums import IdType, PaymentMethod, Role
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.errors import DatabaseError
from frontdesk.services import catalogue, checkin, database, guests
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.services.session import Session
from frontdesk.storage import copy
from frontdesk.storage import models as m
from frontdesk.storage.db import database as proxy

pytestmark = pytest.mark.pg

TODAY = dt.date(2026, 11, 23)
ADMIN = Session("admin", "管理员", Role.ADMIN, "前台1")
DESK = Session("qiantai", "李前台", Role.RECEPTION, "前台1")


@pytest.fixture
def pg_target():
    """A PostgreSQL URL naming a schema that does not exist yet (the copy makes it); dropped afterwards."""
    base = os.environ.get("FRONTDESK_TEST_PG_URL")
    if not base:
        pytest.skip("FRONTDESK_TEST_PG_URL is not set: PostgreSQL cases not run")
    schema = "t_" + uuid.uuid4().hex[:12]
    yield f"{base}?schema={schema}"
    database.close()
    conn = psycopg2.connect(base)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    conn.close()


def _check_in(name, seq, phone):
    number = make_resident_id("110105", dt.date(1980, 5, 17), seq)
    guest = guests.register(DESK, guests.GuestInput(name=name, sex="M", birth_date=dt.date(1980, 5, 17),
                                                    id_type=IdType.RESIDENT_ID, id_number=number, phone=phone,
                                                    organisation_id=None), today=TODAY)
    package = m.Package.get(m.Package.code == "BASIC")
    checkin.check_in(DESK, CheckInRequest(guest_id=guest.id, package_id=package.id, payments=[
        PaymentInput(PaymentMethod.CASH, D(str(package.price)), None)]), day=TODAY)
    return guest


@pytest.fixture
def sqlite_desk(tmp_path):
    """A single desk's SQLite database with a seeded catalogue, two check-ins and a merged guest."""
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    database.open_database(url, create=True)
    catalogue.load_seed_catalogue(ADMIN)
    first = _check_in("张三丰", 123, "13800000001")
    second = _check_in("李四", 125, "13800000002")
    # A reference to a row with a higher id (merged into a guest registered later): copied in a second step.
    proxy.execute_sql("UPDATE guest SET merged_into_id = ? WHERE id = ?", (second.id, first.id))
    database.close()
    return url


def _counts():
    return {t: proxy.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(proxy.get_tables())}


def test_copy_is_verified_and_the_desks_carry_on(sqlite_desk, pg_target):
    database.open_database(sqlite_desk)
    source_counts = _counts()
    last_audit = m.AuditLog.select().order_by(m.AuditLog.id.desc()).get()
    database.close()

    checks = database.migrate_to_postgresql(sqlite_desk, pg_target)
    assert checks and all(c.ok for c in checks)
    assert {c.table for c in checks} == set(source_counts)
    assert {c.table: c.target_rows for c in checks} == source_counts
    assert source_counts["visit"] == 2 and source_counts["audit_log"] > 0

    database.open_database(pg_target)
    assert _counts() == source_counts
    copied = m.AuditLog.get_by_id(last_audit.id)
    assert (copied.at, copied.action, copied.details) == (last_audit.at, last_audit.action, last_audit.details)
    merged = m.Guest.get(m.Guest.name == "张三丰")
    assert merged.merged_into_id == m.Guest.get(m.Guest.name == "李四").id
    assert m.Package.get(m.Package.code == "BASIC").active is True  # booleans arrive as booleans
    # Sequences past the copied ids: the next desk's check-in gets new ids, no clash.
    guest = _check_in("王五", 127, "13800000003")
    assert guest.id == max(g.id for g in m.Guest.select()) and m.Visit.select().count() == 3
    assert m.AuditLog.select().order_by(m.AuditLog.id.desc()).get().id > last_audit.id


def test_checksums_are_computed_the_same_way_on_both_sides():
    assert copy.normalise(1, "boolean") == copy.normalise(True, "boolean") == 1
    assert copy.normalise("2026-11-23 08:00:00", "timestamp without time zone") == copy.normalise(
        dt.datetime(2026, 11, 23, 8), "timestamp without time zone")
    assert copy.normalise("2026-11-23", "date") == copy.normalise(dt.date(2026, 11, 23), "date")
    assert copy.normalise("2026-11-23 08:00:01", "timestamp without time zone") != copy.normalise(
        dt.datetime(2026, 11, 23, 8), "timestamp without time zone")


def test_a_target_that_is_not_empty_is_refused(sqlite_desk, pg_target):
    conn = psycopg2.connect(os.environ["FRONTDESK_TEST_PG_URL"])
    schema = pg_target.split("schema=")[1]
    with conn, conn.cursor() as cur:
        cur.execute(f"CREATE SCHEMA {schema}")
        cur.execute(f"CREATE TABLE {schema}.someone_elses (id INTEGER)")
    conn.close()
    with pytest.raises(DatabaseError, match="不是空的"):
        database.migrate_to_postgresql(sqlite_desk, pg_target)
    database.db.connect(pg_target)
    assert proxy.get_tables() == ["someone_elses"]
    database.close()


def test_a_mismatch_rolls_everything_back(sqlite_desk, pg_target, monkeypatch):
    real = copy._to_target

    def corrupt(value, pg_type):
        return "张三疯" if value == "张三丰" else real(value, pg_type)

    monkeypatch.setattr(copy, "_to_target", corrupt)
    with pytest.raises(copy.CopyMismatch, match="不一致") as err:
        database.migrate_to_postgresql(sqlite_desk, pg_target)
    assert [c.table for c in err.value.checks if not c.ok] == ["guest"]
    database.db.connect(pg_target)
    assert proxy.get_tables() == []  # as empty as before: the schema made by the migrations went too
    database.close()
    monkeypatch.setattr(copy, "_to_target", real)
    assert all(c.ok for c in database.migrate_to_postgresql(sqlite_desk, pg_target))  # and a retry works


def test_cli_prints_the_verification_table(sqlite_desk, pg_target, capsys):
    assert cli.main(["--lang", "en", "--db", sqlite_desk, "db", "migrate", "--to", pg_target]) == 0
    out = capsys.readouterr().out
    assert "SQLite rows" in out and "PostgreSQL checksum" in out
    line = next(row for row in out.splitlines() if row.startswith("visit "))
    assert line.split()[1:3] == ["2", "2"] and line.endswith("OK")
    assert "MISMATCH" not in out and "copied and verified" in out
    assert cli.main(["--lang", "en", "--db", sqlite_desk, "db", "migrate", "--to", pg_target]) != 0
    assert "not empty" in capsys.readouterr().err
