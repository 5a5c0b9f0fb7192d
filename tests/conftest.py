"""Shared fixtures: a fresh data folder per test, and one database fixture
parametrised over SQLite and PostgreSQL so storage behaviour is proven on both."""

from __future__ import annotations

import os
import uuid

import pytest

from frontdesk import i18n

PG_URL_ENV = "FRONTDESK_TEST_PG_URL"
# Set by .ci/run (and implied by CI=…): the PostgreSQL cases must run, so a missing URL or a server that
# cannot be reached stops the run with an error instead of skipping them and passing.
REQUIRE_PG_ENV = "FRONTDESK_REQUIRE_PG"


def _pg_required() -> bool:
    return os.environ.get(REQUIRE_PG_ENV, "").strip() not in ("", "0") or bool(os.environ.get("CI", "").strip())


def pytest_configure(config):
    if not _pg_required():
        return
    base = os.environ.get(PG_URL_ENV)
    if not base:
        raise pytest.UsageError(f"{PG_URL_ENV} is not set, but the PostgreSQL cases must run here "
                                f"({REQUIRE_PG_ENV}/CI is set)")
    import psycopg2

    try:
        psycopg2.connect(base, connect_timeout=10).close()
    except psycopg2.Error as exc:
        raise pytest.UsageError(f"PostgreSQL at {PG_URL_ENV} cannot be used, but the PostgreSQL cases must run "
                                f"here: {str(exc).strip()}") from None


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("FRONTDESK_HOME", str(home))
    monkeypatch.delenv("FRONTDESK_DB", raising=False)
    i18n.set_language("zh")
    yield home
    i18n.set_language("zh")


def _pg_schema_url(base_url: str):
    import psycopg2

    schema = "t_" + uuid.uuid4().hex[:12]
    conn = psycopg2.connect(base_url)  # fails loudly when the variable is set but the server is down
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base_url else "?"
    return f"{base_url}{sep}schema={schema}", conn, schema


def _quiesce_qt() -> None:
    """Before a test's database goes away, nothing of that test may still reach it: the test's
    windows are deleted (their pending timers with them) and the background jobs they started
    end, and their results are dropped with the windows that asked for them."""
    import sys

    if "frontdesk.ui.worker" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    from frontdesk.ui import worker

    app = QApplication.instance()
    if app is None:
        return
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    worker.wait_for_idle(10000)
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def fdb(request, tmp_path):
    """An open, migrated, empty FrontDesk database; yields its URL."""
    from frontdesk.services import database

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
        database.open_database(url, create=True)
        yield url
        _quiesce_qt()
        database.close()
        return
    base = os.environ.get(PG_URL_ENV)
    if not base:
        if _pg_required():
            pytest.fail(f"{PG_URL_ENV} is not set, but the PostgreSQL cases must run here")
        pytest.skip(f"{PG_URL_ENV} is not set: PostgreSQL cases not run")
    url, admin_conn, schema = _pg_schema_url(base)
    database.open_database(url)
    try:
        yield url
    finally:
        _quiesce_qt()
        database.close()
        with admin_conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA {schema} CASCADE")
        admin_conn.close()


@pytest.fixture
def admin(fdb):
    from frontdesk.domain.enums import Role
    from frontdesk.services.session import Session

    return Session("admin", "管理员", Role.ADMIN, "前台1")


@pytest.fixture
def catalogue(admin):
    from frontdesk.services import catalogue as cat

    cat.load_seed_catalogue(admin)
    return cat


@pytest.fixture
def english():
    """The desk switched to English for one test (the autouse fixture above switches back)."""
    i18n.set_language("en")


# The demo day is built through the services, which takes seconds; most tests only need one to work on.
# Each set of arguments is built once per session on SQLite and copied into the test's own database
# (a file copy on SQLite, the verified SQLite-to-PostgreSQL copy on PostgreSQL), so every test still gets
# its own database. tests/services/test_demo*.py build some for real on both databases.
_DEMO_TEMPLATES: dict = {}


@pytest.fixture
def demo_copy(fdb, tmp_path, tmp_path_factory):
    """``demo_copy(today=…, days=…, scale=…, seed=…, output_dir=…)``: that demo day in this test's database."""
    import dataclasses
    import shutil
    import sqlite3
    from pathlib import Path

    from frontdesk.services import database, demo

    def make(*, output_dir=None, **kwargs):
        key = tuple(sorted(kwargs.items()))
        if key not in _DEMO_TEMPLATES:
            folder = tmp_path_factory.mktemp("demo-template")
            database.close()
            database.open_database(f"sqlite:///{folder / 'demo.sqlite3'}", create=True)
            try:
                summary = demo.build(output_dir=folder / "prints", **kwargs)
            finally:
                database.close()
                database.open_database(fdb)
            _DEMO_TEMPLATES[key] = (folder, summary)
        folder, summary = _DEMO_TEMPLATES[key]
        if fdb.startswith("sqlite"):
            database.close()
            target = Path(fdb.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            with sqlite3.connect(folder / "demo.sqlite3") as src, sqlite3.connect(target) as dst:
                src.backup(dst)
            database.open_database(fdb)
        else:
            from frontdesk.storage import copy

            copy.copy_into_open_postgresql(folder / "demo.sqlite3")
        output_dir = Path(output_dir) if output_dir else tmp_path / "demo-prints"
        shutil.copytree(folder / "prints", output_dir, dirs_exist_ok=True)
        return dataclasses.replace(summary, output_dir=output_dir)

    return make
