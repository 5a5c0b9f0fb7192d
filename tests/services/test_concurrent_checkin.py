"""One live visit per guest a day and one visit per booking hold in the database itself.

Several desk PROCESSES check the same guest (or the same booking) in at the
same moment. On PostgreSQL each one waits, inside its transaction, until all
of them have read "no visit today yet", then they all write: only a
constraint can stop the second visit (a SELECT before the INSERT cannot).
Exactly one desk wins; every other desk is told at which desk, by whom and
when the guest was checked in, and nothing of theirs is written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from decimal import Decimal as D

import pytest

from frontdesk.domain.codes import make_booking_no
from frontdesk.domain.enums import BookingStatus, PaymentMethod, ReceiptKind, Role, VisitStatus
from frontdesk.errors import ConflictError
from frontdesk.services import checkin, payments
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.services.session import Session
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)
DESKS = 4

CHILD = textwrap.dedent("""
    import json, sys, time
    from decimal import Decimal
    from pathlib import Path
    from frontdesk import i18n
    from frontdesk.domain.enums import PaymentMethod, Role
    from frontdesk.errors import UserError
    from frontdesk.services import checkin, database
    from frontdesk.services.checkin import CheckInRequest
    from frontdesk.services.payments import PaymentInput
    from frontdesk.services.session import Session
    import datetime as dt

    url, guest_id, package_id, price, booking_id, folder, desks, me, day, inside = sys.argv[1:]
    i18n.set_language("zh")
    database.open_database(url, upgrade=False)
    session = Session(f"desk{me}", f"前台员{me}", Role.RECEPTION, f"前台{me}")

    def all_here(stage):
        # A barrier across processes: each desk leaves a file and waits for the others.
        Path(folder, f"{stage}-{me}").touch()
        deadline = time.monotonic() + 60
        while len(list(Path(folder).glob(f"{stage}-*"))) < int(desks) and time.monotonic() < deadline:
            time.sleep(0.005)

    if inside == "1":
        # PostgreSQL: meet inside the transaction, after every desk has read
        # the guest's visits and found none.
        real = checkin.payments.validate_payments
        def validate_then_wait(*args, **kwargs):
            result = real(*args, **kwargs)
            all_here("inside")
            return result
        checkin.payments.validate_payments = validate_then_wait
    else:
        # SQLite: BEGIN IMMEDIATE lets one desk in at a time; meet just before.
        all_here("start")
    request = CheckInRequest(guest_id=int(guest_id), package_id=int(package_id),
                             booking_id=int(booking_id) if booking_id != "-" else None,
                             payments=[PaymentInput(PaymentMethod.CASH, Decimal(price))])
    try:
        result = checkin.check_in(session, request, day=dt.date.fromisoformat(day))
        print(json.dumps({"ok": result.visit.visit_no}))
    except UserError as exc:
        print(json.dumps({"refused": exc.message, "type": type(exc).__name__}))
""")


@pytest.fixture
def staff(admin):
    """The desk staff as accounts, so a refusal can name the person who checked the guest in."""
    from frontdesk.services import auth

    auth.create_user(admin, "qiantai", "李前台", Role.RECEPTION, "long-enough-pw")
    for n in range(1, DESKS + 1):
        auth.create_user(admin, f"desk{n}", f"前台员{n}", Role.RECEPTION, "long-enough-pw")


def _run_desks(url, guest, package, tmp_path, *, booking=None):
    inside = "1" if url.startswith("postgres") else "0"
    folder = tmp_path / "barrier"
    folder.mkdir()
    children = [subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(guest.id), str(package.id), str(package.price),
         str(booking.id) if booking else "-", str(folder), str(DESKS), str(n), TODAY.isoformat(), inside],
        env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE) for n in range(1, DESKS + 1)]
    outcomes = []
    for child in children:
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err.decode()
        outcomes.append(json.loads(out.decode().strip().splitlines()[-1]))
    return outcomes


def _assert_one_winner(outcomes, guest):
    winners = [o for o in outcomes if "ok" in o]
    refused = [o for o in outcomes if "refused" in o]
    assert len(winners) == 1, outcomes
    assert len(refused) == DESKS - 1, outcomes
    live = list(m.Visit.select().where(m.Visit.guest == guest.id, m.Visit.status != VisitStatus.CANCELLED.value))
    assert [v.visit_no for v in live] == [winners[0]["ok"]]
    visit = live[0]
    assert m.Receipt.select().where(m.Receipt.kind == ReceiptKind.CHARGE.value).count() == 1  # charged once
    when = visit.checked_in_at.astimezone().strftime("%H:%M")
    for o in refused:
        assert o["type"] == "ConflictError"
        assert "今天已报到" in o["refused"] and f"在{visit.desk}办理" in o["refused"], o
        assert f"前台员{visit.desk[-1]}" in o["refused"] and when in o["refused"], o


@pytest.mark.slow
def test_desks_checking_in_the_same_guest_at_once_make_one_visit(fdb, staff, desk, make_guest, cat, tmp_path):
    guest = make_guest()
    package = cat.package("BASIC")
    outcomes = _run_desks(fdb, guest, package, tmp_path)
    _assert_one_winner(outcomes, guest)


@pytest.mark.slow
def test_desks_checking_in_the_same_booking_at_once_make_one_visit(fdb, staff, desk, make_guest, cat, tmp_path):
    guest = make_guest()
    package = cat.package("BASIC")
    booking = m.Booking.create(booking_no=make_booking_no(7), guest=guest, exam_date=TODAY, package=package,
                               source="booking", status=BookingStatus.BOOKED.value)
    outcomes = _run_desks(fdb, guest, package, tmp_path, booking=booking)
    _assert_one_winner(outcomes, guest)
    assert m.Booking.get_by_id(booking.id).status == BookingStatus.CHECKED_IN.value


def _cash(amount):
    return [PaymentInput(PaymentMethod.CASH, D(amount))]


def test_the_database_refuses_a_second_visit_for_one_booking(staff, desk, make_guest, cat):
    """Even when the booking's status check is passed (a desk that read it a moment before)."""
    guest = make_guest()
    package = cat.package("BASIC")
    booking = m.Booking.create(booking_no=make_booking_no(8), guest=guest, exam_date=TODAY, package=package,
                               source="booking", status=BookingStatus.BOOKED.value)
    first = checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=package.id, booking_id=booking.id,
                                                  payments=_cash("298.00")), day=TODAY)
    m.Booking.update(status=BookingStatus.BOOKED.value).where(m.Booking.id == booking.id).execute()
    other_desk = Session("other", "赵前台", Role.RECEPTION, "前台2")
    with pytest.raises(ConflictError, match="已于2026-11-23报到：.*在前台1办理") as err:
        checkin.check_in(other_desk, CheckInRequest(guest_id=guest.id, package_id=package.id, booking_id=booking.id,
                                                    payments=_cash("298.00")), day=TODAY + dt.timedelta(days=1))
    assert first.visit.visit_no in err.value.message
    assert m.Visit.select().count() == 1 and m.Receipt.select().count() == 1


def test_second_check_in_names_the_desk_the_person_and_the_time(staff, desk, make_guest, cat):
    guest = make_guest()
    package = cat.package("BASIC")
    first = checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=package.id,
                                                  payments=_cash("298.00")), day=TODAY)
    when = m.Visit.get_by_id(first.visit.id).checked_in_at.astimezone().strftime("%H:%M")
    with pytest.raises(ConflictError) as err:
        checkin.check_in(Session("other", "赵前台", Role.RECEPTION, "前台2"),
                         CheckInRequest(guest_id=guest.id, package_id=package.id, payments=_cash("298.00")), day=TODAY)
    assert "在前台1办理" in err.value.message and "李前台" in err.value.message and when in err.value.message


def test_second_check_in_message_in_english(staff, desk, make_guest, cat, english):
    guest = make_guest()
    package = cat.package("BASIC")
    checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=package.id, payments=_cash("298.00")),
                     day=TODAY)
    with pytest.raises(ConflictError, match="already checked in at desk 前台1 \\(by 李前台 at \\d\\d:\\d\\d"):
        checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=package.id, payments=_cash("298.00")),
                         day=TODAY)


def test_a_cancelled_visit_does_not_block_checking_in_again(desk, supervisor, make_guest, cat):
    guest = make_guest()
    package = cat.package("BASIC")
    booking = m.Booking.create(booking_no=make_booking_no(9), guest=guest, exam_date=TODAY, package=package,
                               source="booking", status=BookingStatus.BOOKED.value)
    request = CheckInRequest(guest_id=guest.id, package_id=package.id, booking_id=booking.id, payments=_cash("298.00"))
    first = checkin.check_in(desk, request, day=TODAY)
    payments.void_receipt(supervisor, first.receipt.id, "报到选错套餐")
    again = checkin.check_in(desk, request, day=TODAY)
    assert m.Visit.get_by_id(first.visit.id).status == VisitStatus.CANCELLED.value
    assert m.Visit.get_by_id(again.visit.id).booking_id == booking.id


def test_the_same_guest_comes_back_on_another_day(staff, desk, make_guest, cat):
    """A later visit (e.g. a make-up visit for deferred items) is a visit of another day: allowed."""
    guest = make_guest()
    package = cat.package("BASIC")
    checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=package.id, payments=_cash("298.00")),
                     day=TODAY)
    later = checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=package.id, payments=_cash("298.00")),
                             day=TODAY + dt.timedelta(days=14))
    assert later.visit.visit_date == TODAY + dt.timedelta(days=14)


def test_the_database_refuses_a_second_live_visit_for_a_guest_on_one_day(staff, desk, make_guest, cat):
    """The rule holds below the service too: a direct insert is refused by the index."""
    from frontdesk.storage.db import database
    from frontdesk.storage.queries import IntegrityError

    guest = make_guest()
    package = cat.package("BASIC")
    first = checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=package.id, payments=_cash("298.00")),
                             day=TODAY).visit
    with pytest.raises(IntegrityError):
        with database.atomic():
            m.Visit.create(visit_no="99999999999", guest=guest.id, visit_date=TODAY, source="walk_in",
                           status=VisitStatus.CHECKED_IN.value, desk="x")
    with database.atomic():  # a cancelled one beside it is fine
        m.Visit.create(visit_no="99999999998", guest=guest.id, visit_date=TODAY, source="walk_in",
                       status=VisitStatus.CANCELLED.value, desk="x")
    assert m.Visit.select().where(m.Visit.guest == guest.id).count() == 2 and first.id
