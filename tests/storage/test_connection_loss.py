"""A desk on a shared PostgreSQL survives a lost connection (server restart, network blip):
the call that hit it says so and saves nothing; the next call reconnects."""

import os

import pytest

from frontdesk.domain.enums import Role
from frontdesk.errors import DatabaseError
from frontdesk.services import auth, overview
from frontdesk.services.database import as_user_error
from frontdesk.services.session import Session
from frontdesk.storage import models as m
from frontdesk.storage.db import database


def _kill_our_backend():
    import psycopg2

    pid = database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    admin = psycopg2.connect(os.environ["FRONTDESK_TEST_PG_URL"])
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
    admin.close()


@pytest.fixture
def pg(fdb):
    if not fdb.startswith("postgres"):
        pytest.skip("connection loss is a server matter: PostgreSQL only")
    return fdb


def test_write_after_lost_connection_is_reported_then_next_call_reconnects(pg):
    boss = Session("boss", "boss", Role.ADMIN, "d")
    _kill_our_backend()
    with pytest.raises(DatabaseError, match="连接中断"):
        auth.create_user(boss, "lisi", "李四", Role.RECEPTION, "long-enough-pw")
    auth.create_user(boss, "lisi", "李四", Role.RECEPTION, "long-enough-pw")
    assert m.User.select().where(m.User.username == "lisi").count() == 1


def test_read_after_lost_connection_becomes_a_message_not_a_crash(pg):
    import datetime as dt

    _kill_our_backend()
    with pytest.raises(Exception) as caught:
        overview.bookings_on(dt.date.today())
    message = as_user_error(caught.value)
    assert isinstance(message, DatabaseError) and "连接中断" in message.message
    assert overview.bookings_on(dt.date.today()).rows == []  # reconnected
