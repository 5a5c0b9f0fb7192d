"""Several desks starting at the same moment on a fresh database (issue 12): the migrations run once.

Three desk PROCESSES wait at a barrier, then all start (connect and upgrade) at once.  Each must end at the
latest version, and every migration must have been applied by exactly one of them.  A desk whose FrontDesk is
older than the database refuses to work and says to update this workstation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid

import psycopg2
import pytest

from frontdesk import i18n
from frontdesk.errors import SchemaTooNewError
from frontdesk.services import database
from frontdesk.storage import migrations
from frontdesk.storage.db import database as proxy

DESK = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from frontdesk.storage import db, migrations

    url, folder, me = sys.argv[1:]
    db.connect(url, create=True)
    Path(folder, f"ready-{me}").touch()
    deadline = time.monotonic() + 120
    while len(list(Path(folder).glob("ready-*"))) < 3:
        if time.monotonic() > deadline:
            sys.exit("the other desks never started")
        time.sleep(0.002)
    applied = migrations.upgrade(backup=False)
    print(json.dumps({"applied": applied, "version": migrations.current_version()}))
""")


def _start_three(url, tmp_path):
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    procs = [subprocess.Popen([sys.executable, "-c", DESK, url, str(tmp_path), str(n)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for n in range(3)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _assert_applied_once(results):
    latest = migrations.latest_version()
    assert [r["version"] for r in results] == [latest] * 3
    applied = sorted(v for r in results for v in r["applied"])
    assert applied == list(range(1, latest + 1)), results  # each migration once, none twice


@pytest.mark.pg
def test_three_desks_starting_at_once_on_postgresql_migrate_once(tmp_path):
    base = os.environ.get("FRONTDESK_TEST_PG_URL")
    if not base:
        pytest.skip("FRONTDESK_TEST_PG_URL is not set: PostgreSQL cases not run")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = psycopg2.connect(base)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE SCHEMA {schema}")
    try:
        _assert_applied_once(_start_three(f"{base}?schema={schema}", tmp_path))
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


def test_three_desks_starting_at_once_on_sqlite_migrate_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    # The file is made first (as the first desk's start does); three processes creating one file at the same
    # instant would see each other's empty file, which the desk rightly refuses to take for a database.
    from frontdesk.storage import db

    db.connect(url, create=True)
    db.close()
    _assert_applied_once(_start_three(url, tmp_path))


def test_desk_older_than_the_database_says_update_this_workstation(fdb):
    proxy.execute_sql("UPDATE schema_meta SET value = '%d' WHERE key = 'version'" % (migrations.latest_version() + 1))
    database.close()
    with pytest.raises(SchemaTooNewError, match="请更新这台工作站"):
        database.open_database(fdb)
    i18n.set_language("en")
    with pytest.raises(SchemaTooNewError, match="update this workstation"):
        database.open_database(fdb, upgrade=False)


BUMP = textwrap.dedent("""
    import sys
    from frontdesk.storage import db
    db.connect(sys.argv[1])
    db.database.execute_sql("UPDATE schema_meta SET value = '%d' WHERE key = 'version'" % int(sys.argv[2]))
    db.close()
""")


def test_a_running_desk_stops_writing_once_another_desk_upgraded_the_database(fdb, monkeypatch):
    from frontdesk.domain.enums import Role
    from frontdesk.services import site_settings
    from frontdesk.services.session import Session

    admin = Session("admin", "管理员", Role.ADMIN, "前台1")
    key = sorted(site_settings.DEFAULTS)[0]
    monkeypatch.setattr(migrations, "WRITE_CHECK_SECONDS", 0.0)  # check before every write, not every 30 s
    site_settings.set_value(admin, key, "1")  # writes while the schema is current
    before = _rows()
    # Another workstation, running a newer FrontDesk, upgrades the database while this desk is running.
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    subprocess.run([sys.executable, "-c", BUMP, fdb, str(migrations.latest_version() + 1)], check=True, env=env,
                   timeout=120)
    i18n.set_language("en")
    with pytest.raises(SchemaTooNewError, match="update this workstation"):
        site_settings.set_value(admin, key, "2")
    assert _rows() == before  # nothing written


def _rows():
    return (proxy.execute_sql("SELECT count(*) FROM audit_log").fetchone()[0],
            proxy.execute_sql("SELECT key, value FROM setting ORDER BY key").fetchall())
