"""Several desks on one database (issue 12): no lost update, changes heard at the other desks.

The two-desk tests run real desk PROCESSES (not threads): each reads the row
with its version, they meet at a barrier, then both save.  The first save
wins; the second is refused with the desk, the person and the time of the
first, and the first desk's change is what the database holds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time
from decimal import Decimal as D

import pytest

from frontdesk.domain.enums import BookingStatus, PaymentMethod, Role
from frontdesk.errors import ConflictError, DatabaseError
from frontdesk.services import auth, bookings, checkin, closeout, contracts, guests, versioning
from frontdesk.services.changes import ChangeWatcher, Topic
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.services.session import Session
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)

DESK = textwrap.dedent("""
    import json, sys, time, datetime as dt
    from pathlib import Path
    from frontdesk import i18n
    from frontdesk.domain.enums import Role
    from frontdesk.errors import UserError
    from frontdesk.services import bookings, closeout, database, guests
    from frontdesk.services.session import Session

    url, what, row_id, folder, me = sys.argv[1:]
    i18n.set_language("zh")
    database.open_database(url, upgrade=False)
    session = Session(f"desk{me}", f"前台员{me}", Role.RECEPTION, f"前台{me}")
    row_id = int(row_id)
    # Read as the form does: the row and the version it is at.
    if what == "guest":
        seen = guests.guest_view(row_id)
    elif what == "visit":
        seen = closeout.closeout_view(row_id)
    else:
        seen = bookings.booking(row_id)
    Path(folder, f"read-{me}").touch()
    while len(list(Path(folder).glob("read-*"))) < 2:
        time.sleep(0.005)
    try:
        if what == "guest":
            inp = guests.GuestInput(seen.name, seen.sex, seen.birth_date, seen.id_type, seen.id_number,
                                    f"1390000000{me}", seen.organisation_id)
            guests.update(session, row_id, inp, today=dt.date(2026, 11, 23), version=seen.version)
        elif what == "visit":
            closeout.mark_all_done(session, row_id, version=seen.version)
        elif me == "1":
            bookings.move_booking(session, row_id, seen.exam_date + dt.timedelta(days=1), version=seen.version)
        else:
            bookings.cancel_booking(session, row_id, "客人来电取消", version=seen.version)
        print(json.dumps({"ok": me}))
    except UserError as exc:
        print(json.dumps({"refused": exc.message, "type": type(exc).__name__, "me": me}))
""")


@pytest.fixture
def staff(admin):
    """Accounts for the desks, so a refusal can name the person."""
    for n in (1, 2):
        auth.create_user(admin, f"desk{n}", f"前台员{n}", Role.RECEPTION, "long-enough-pw")


def _two_desks(url, what, row_id, tmp_path):
    folder = tmp_path / f"barrier-{what}"
    folder.mkdir()
    children = [subprocess.Popen([sys.executable, "-c", DESK, url, what, str(row_id), str(folder), str(n)],
                                 env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for n in (1, 2)]
    outcomes = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err.decode()
        outcomes.append(json.loads(out.decode().strip().splitlines()[-1]))
    winners = [o for o in outcomes if "ok" in o]
    refused = [o for o in outcomes if "refused" in o]
    assert len(winners) == 1 and len(refused) == 1, outcomes
    assert refused[0]["type"] == "StaleEditError", outcomes
    return winners[0]["ok"], refused[0]["refused"]


def _says_who(message, model, row_id):
    row = model.get_by_id(row_id)
    when = row.updated_at.astimezone().strftime("%H:%M")
    assert f"在{row.updated_desk}由{row.updated_by.replace('desk', '前台员')}于{when}修改" in message, message
    assert "本次未保存" in message and "仍保留" in message


def _cash(amount):
    return [PaymentInput(PaymentMethod.CASH, D(amount))]


def test_two_desks_saving_one_guest_the_second_is_refused_and_the_first_kept(fdb, staff, make_guest, tmp_path):
    guest = make_guest()
    winner, message = _two_desks(fdb, "guest", guest.id, tmp_path)
    row = m.Guest.get_by_id(guest.id)
    assert row.phone == f"1390000000{winner}"  # the first desk's change, not overwritten
    assert row.version == 2 and row.updated_desk == f"前台{winner}"
    _says_who(message, m.Guest, guest.id)


def test_two_desks_changing_one_visit_the_second_is_refused(fdb, staff, desk, make_guest, cat, tmp_path):
    guest = make_guest()
    visit = checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=cat.package("BASIC").id,
                                                  payments=_cash("298.00")), day=TODAY).visit
    winner, message = _two_desks(fdb, "visit", visit.id, tmp_path)
    _says_who(message, m.Visit, visit.id)
    assert m.Visit.get_by_id(visit.id).updated_desk == f"前台{winner}"
    assert m.AuditLog.select().where(m.AuditLog.action == "visit_item.done").count() == 1


def test_two_desks_moving_and_cancelling_one_booking_only_one_happens(fdb, staff, desk, make_guest, cat, tmp_path):
    from frontdesk import clock

    guest = make_guest()
    day = clock.today() + dt.timedelta(days=3)
    view = bookings.create_booking(desk, guest.id, day, package_id=cat.package("BASIC").id)
    winner, message = _two_desks(fdb, "booking", view.id, tmp_path)
    _says_who(message, m.Booking, view.id)
    row = m.Booking.get_by_id(view.id)
    if winner == "1":  # moved, and not cancelled on top
        assert row.status == BookingStatus.BOOKED.value and row.exam_date == day + dt.timedelta(days=1)
    else:  # cancelled where it was
        assert row.status == BookingStatus.CANCELLED.value and row.exam_date == day


def test_a_stale_guest_form_is_refused_in_english_with_desk_person_and_time(fdb, desk, make_guest, english):
    guest = make_guest()
    seen = guests.guest_view(guest.id)
    other = Session("other", "赵前台", Role.RECEPTION, "前台2")
    auth.create_user(Session("a", "a", Role.ADMIN, "x"), "other", "赵前台", Role.RECEPTION, "long-enough-pw")
    inp = guests.GuestInput(seen.name, seen.sex, seen.birth_date, seen.id_type, seen.id_number, "13911112222")
    guests.update(other, guest.id, inp, today=TODAY, version=seen.version)
    inp.phone = "13933334444"
    with pytest.raises(versioning.StaleEditError,
                       match=r"changed at desk 前台2 by 赵前台 at \d\d:\d\d; nothing was saved"):
        guests.update(desk, guest.id, inp, today=TODAY, version=seen.version)
    assert m.Guest.get_by_id(guest.id).phone == "13911112222"
    # Read again (as the form does after the message): the save goes through.
    guests.update(desk, guest.id, inp, today=TODAY, version=guests.guest_view(guest.id).version)
    assert m.Guest.get_by_id(guest.id).phone == "13933334444"


def test_a_stale_close_out_is_refused_and_leaves_the_visit_open(fdb, desk, make_guest, cat):
    guest = make_guest()
    visit = checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=cat.package("BASIC").id,
                                                  payments=_cash("298.00")), day=TODAY).visit
    seen = closeout.closeout_view(visit.id)
    closeout.mark_all_done(Session("s", "站点", Role.RECEPTION, "前台3"), visit.id)
    with pytest.raises(versioning.StaleEditError, match="在前台3由s于"):
        closeout.close_visit(desk, visit.id, version=seen.version)
    assert m.Visit.get_by_id(visit.id).status == "checked_in"
    # Read again, the version passes; what stops the close now is the visit itself (its tubes are not in).
    with pytest.raises(ConflictError, match="还不能交单"):
        closeout.close_visit(desk, visit.id, version=closeout.closeout_view(visit.id).version)


def test_a_stale_contract_edit_names_the_supervisor(fdb, supervisor, make_contract):
    contract = make_contract()
    view = contracts.contract(contract.id)
    contracts.set_contract_active(Session("boss2", "李主管", Role.SUPERVISOR, "前台9"), contract.id, False,
                                  version=view.version)
    with pytest.raises(ConflictError, match="在前台9由boss2于"):
        contracts.update_contract(supervisor, contract.id, view.terms(), version=view.version)
    assert m.Contract.get_by_id(contract.id).active is False


# --------------------------------------------------------------------------
# Live refresh: another process's change is heard within 2 s

LISTENER = textwrap.dedent("""
    import json, sys, time
    from frontdesk.services import changes, database

    url, = sys.argv[1:]
    database.open_database(url, upgrade=False)
    watcher = changes.ChangeWatcher(poll_seconds=0.2)
    first = watcher.wait(0.1)
    print(json.dumps({"ready": first.connected}), flush=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        notice = watcher.wait(0.5)
        if notice.topics:
            print(json.dumps({"heard": sorted(t.value for t in notice.topics), "at": time.time()}), flush=True)
            break
""")


def test_a_check_in_at_one_desk_is_heard_at_another_within_two_seconds(fdb, desk, make_guest, cat):
    guest = make_guest()
    child = subprocess.Popen([sys.executable, "-c", LISTENER, fdb], env=dict(os.environ), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert json.loads(child.stdout.readline()) == {"ready": True}, child.stderr.read()
        time.sleep(0.3)  # quiet: nothing heard without a change
        checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=cat.package("BASIC").id,
                                              payments=_cash("298.00")), day=TODAY)
        committed = time.time()
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    heard = json.loads(out.strip().splitlines()[-1])
    assert "heard" in heard, err
    assert {"queue", "closeout", "labels"} <= set(heard["heard"])
    assert heard["at"] - committed < 2.0


def test_a_rolled_back_change_is_not_announced(fdb, desk, make_guest):
    if not fdb.startswith("postgres"):
        pytest.skip("SQLite's data_version cannot say what changed; PostgreSQL notifies on commit only")
    guest = make_guest()
    watcher = ChangeWatcher()
    assert watcher.wait(0.1).connected
    seen = guests.guest_view(guest.id)
    inp = guests.GuestInput(seen.name, seen.sex, seen.birth_date, seen.id_type, seen.id_number, "13911112222")
    with pytest.raises(versioning.StaleEditError):
        guests.update(desk, guest.id, inp, today=TODAY, version=seen.version + 5)
    assert watcher.wait(0.5).topics == frozenset()
    guests.update(desk, guest.id, inp, today=TODAY, version=seen.version)
    assert Topic.QUEUE in watcher.wait(2.0).topics
    watcher.close()


# --------------------------------------------------------------------------
# Connection loss while saving and while reading


def _kill(pid):
    import psycopg2

    admin = psycopg2.connect(os.environ["FRONTDESK_TEST_PG_URL"])
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
    admin.close()


def _kill_main_connection():
    from frontdesk.storage.db import database

    _kill(database.execute_sql("SELECT pg_backend_pid()").fetchone()[0])


@pytest.fixture
def pg(fdb):
    if not fdb.startswith("postgres"):
        pytest.skip("connection loss is a server matter: PostgreSQL only")
    return fdb


def test_a_save_hit_by_a_lost_connection_is_not_applied_and_the_same_form_saves_once(pg, desk, make_guest):
    guest = make_guest()
    seen = guests.guest_view(guest.id)
    inp = guests.GuestInput(seen.name, seen.sex, seen.birth_date, seen.id_type, seen.id_number, "13911112222")
    _kill_main_connection()
    with pytest.raises(DatabaseError, match="连接中断"):
        guests.update(desk, guest.id, inp, today=TODAY, version=seen.version)
    assert m.Guest.get_by_id(guest.id).version == seen.version  # nothing applied; the read reconnected
    guests.update(desk, guest.id, inp, today=TODAY, version=seen.version)  # the form, as typed, saves now
    with pytest.raises(versioning.StaleEditError):  # and a second press cannot apply it twice
        guests.update(desk, guest.id, inp, today=TODAY, version=seen.version)
    row = m.Guest.get_by_id(guest.id)
    assert row.phone == "13911112222" and row.version == seen.version + 1


def test_a_read_hit_by_a_lost_connection_reports_then_reads(pg, make_guest):
    guest = make_guest()
    _kill_main_connection()
    with pytest.raises(DatabaseError, match="连接中断"):
        guests.guest_view(guest.id)
    assert guests.guest_view(guest.id).id == guest.id


def test_check_in_numbers_survive_a_lost_numbering_connection(pg, desk, make_guest, cat):
    from frontdesk.storage import numbers

    first = checkin.check_in(desk, CheckInRequest(guest_id=make_guest().id, package_id=cat.package("BASIC").id,
                                                  payments=_cash("298.00")), day=TODAY)
    _kill(numbers._local.conn.get_backend_pid())
    second = checkin.check_in(desk, CheckInRequest(guest_id=make_guest(name="李四").id,
                                                   package_id=cat.package("BASIC").id, payments=_cash("298.00")),
                              day=TODAY)
    assert second.visit.visit_no > first.visit.visit_no


def test_the_change_watcher_says_when_the_database_is_gone_and_comes_back(pg):
    watcher = ChangeWatcher()
    assert watcher.wait(0.1).connected
    _kill(watcher._feed.conn.get_backend_pid())
    notices = [watcher.wait(0.3) for _ in range(6)]  # the first read after the cut may still look fine
    lost = next(i for i, n in enumerate(notices) if not n.connected)
    back = next(n for n in notices[lost:] if n.connected)
    assert back.topics == frozenset(Topic)  # everything reloads once after a gap
    watcher.close()


def test_checking_a_booking_in_gives_it_a_new_version_so_an_open_move_form_is_refused(fdb, desk, make_guest, cat):
    guest = make_guest()
    # Made as the calendar had it on TODAY (a booking cannot be made for a past day through the service).
    booking = m.Booking.create(booking_no="B1", guest=guest, exam_date=TODAY, package=cat.package("BASIC"),
                               source="booking", status=BookingStatus.BOOKED.value)
    view = bookings.booking(booking.id)
    other = Session("desk2", "前台员2", Role.RECEPTION, "前台2")
    checkin.check_in(other, CheckInRequest(guest_id=guest.id, package_id=cat.package("BASIC").id,
                                           booking_id=view.id, payments=_cash("298.00")), day=TODAY)
    assert m.Booking.get_by_id(view.id).version == view.version + 1
    with pytest.raises(versioning.StaleEditError, match="在前台2由desk2于"):
        bookings.cancel_booking(desk, view.id, "客人来电取消", version=view.version)
    assert m.Booking.get_by_id(view.id).status == BookingStatus.CHECKED_IN.value


def test_merging_guests_gives_both_a_new_version(fdb, supervisor, make_guest):
    keep, drop = make_guest(), make_guest(name="张三", birth=dt.date(1990, 1, 2))
    seen = guests.guest_view(keep.id)
    guests.merge(supervisor, keep.id, drop.id)
    assert m.Guest.get_by_id(keep.id).version == seen.version + 1
    assert m.Guest.get_by_id(drop.id).version == 2
