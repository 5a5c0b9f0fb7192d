"""The clock the services record times with: the wall clock, or a pinned moment (demo, tests)."""

import datetime as dt

import pytest

from frontdesk import clock

UTC = dt.timezone.utc


def test_the_clock_is_the_wall_clock_unless_pinned():
    before = dt.datetime.now(UTC)
    now = clock.now()
    assert now.tzinfo is not None and before <= now <= dt.datetime.now(UTC)
    assert not clock.is_pinned()


def test_a_pinned_clock_stands_still_advances_on_request_and_comes_back():
    moment = dt.datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    with clock.pinned(moment):
        assert clock.now() == moment and clock.now() == moment
        assert clock.advance(dt.timedelta(minutes=5)) == moment + dt.timedelta(minutes=5)
        assert clock.now() == moment + dt.timedelta(minutes=5)
        with clock.pinned(moment + dt.timedelta(days=1)):
            assert clock.now() == moment + dt.timedelta(days=1)
        assert clock.now() == moment + dt.timedelta(minutes=5)  # the outer pin is back
    assert not clock.is_pinned()


def test_a_naive_moment_is_local_time_and_today_is_the_local_date():
    local = dt.datetime(2026, 11, 23, 23, 50)
    with clock.pinned(local):
        assert clock.now() == local.astimezone().astimezone(UTC)
        assert clock.today() == dt.date(2026, 11, 23)
        assert clock.local_now().replace(tzinfo=None) == local


def test_the_pin_is_undone_when_the_block_fails():
    with pytest.raises(RuntimeError):
        with clock.pinned(dt.datetime(2026, 1, 1, tzinfo=UTC)):
            raise RuntimeError("boom")
    assert not clock.is_pinned()


def test_advancing_an_unpinned_clock_is_a_mistake():
    with pytest.raises(RuntimeError):
        clock.advance(dt.timedelta(minutes=1))


def test_rows_take_their_times_from_the_clock(fdb, admin, catalogue):
    from frontdesk.services import guests

    moment = dt.datetime(2026, 11, 20, 2, 15, tzinfo=UTC)
    with clock.pinned(moment):
        guest = guests.register(admin, guests.GuestInput("张三", "", None, "resident_id", "11010519491231002X",
                                                         "13800138000"))
    from frontdesk.storage import models as m

    assert m.Guest.get_by_id(guest.id).created_at == moment
    assert m.AuditLog.select().order_by(m.AuditLog.id.desc()).first().at == moment
