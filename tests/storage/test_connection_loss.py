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


def _guest_and_request(admin):
    import datetime as dt
    from decimal import Decimal

    from frontdesk.domain.enums import IdType, PaymentMethod
    from frontdesk.domain.idnumber import make_resident_id
    from frontdesk.services import guests
    from frontdesk.services.checkin import CheckInRequest
    from frontdesk.services.payments import PaymentInput

    guest = guests.register(admin, guests.GuestInput(
        name="张三丰", sex="M", birth_date=dt.date(1980, 5, 17), id_type=IdType.RESIDENT_ID,
        id_number=make_resident_id("110105", dt.date(1980, 5, 17), 23), phone="13800000001"))
    package = m.Package.get(m.Package.code == "BASIC")
    return CheckInRequest(guest_id=guest.id, package_id=package.id, locker_tag="A12",
                          payments=[PaymentInput(PaymentMethod.CASH, Decimal(package.price))])


def test_connection_lost_inside_a_nested_transaction_of_a_check_in_is_a_message(pg, admin, catalogue, monkeypatch):
    """The belongings tag is stored in a nested transaction (a savepoint) of the check-in: losing the
    server there used to close the connection under the outer transaction (IndexError: pop from empty list)."""
    from frontdesk.services import belongings, checkin

    request = _guest_and_request(admin)
    real = belongings.in_use

    def server_goes_away(tag):
        _kill_our_backend()
        return real(tag)

    monkeypatch.setattr(belongings, "in_use", server_goes_away)
    with pytest.raises(DatabaseError, match="连接中断.*未保存"):
        checkin.check_in(admin, request)
    monkeypatch.setattr(belongings, "in_use", real)
    assert m.Visit.select().count() == 0 and m.Receipt.select().count() == 0  # nothing saved, and reconnected
    result = checkin.check_in(admin, request)
    assert m.Visit.select().count() == 1 and result.receipt is not None


def test_connection_lost_while_writing_inside_a_savepoint_is_a_message(pg, monkeypatch):
    from frontdesk.storage import db

    boss = Session("boss", "boss", Role.ADMIN, "d")
    with pytest.raises(DatabaseError, match="连接中断"):
        with db.transaction():
            auth.create_user(boss, "wangwu", "王五", Role.RECEPTION, "long-enough-pw")
            with db.transaction():
                _kill_our_backend()
                m.User.update(display_name="x").execute()
    assert not m.User.select().where(m.User.username == "wangwu").exists()


def test_read_outside_a_transaction_reports_and_reconnects_by_itself(pg):
    """No write, no error dialog in between: the next read simply works."""
    import datetime as dt

    _kill_our_backend()
    with pytest.raises(DatabaseError, match="连接中断"):
        overview.bookings_on(dt.date.today())
    assert overview.bookings_on(dt.date.today()).rows == []


def test_search_on_a_worker_thread_reconnects_on_that_thread(pg):
    """The UI searches on a worker thread, which keeps its own connection: it must recover there."""
    from concurrent.futures import ThreadPoolExecutor

    from frontdesk.services import search

    with ThreadPoolExecutor(max_workers=1) as worker:  # one thread, reused, like the UI's worker
        assert worker.submit(search.search, "张").result() == []
        worker.submit(_kill_our_backend).result()
        with pytest.raises(DatabaseError, match="连接中断"):
            worker.submit(search.search, "张").result()
        assert worker.submit(search.search, "张").result() == []
