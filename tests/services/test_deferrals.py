"""Deferred items (缓检): capacity, the slip, moving and cancelling, the make-up visit; two desks closing at once."""

import datetime as dt
import multiprocessing
from decimal import Decimal as D

import pytest

from frontdesk.domain.enums import DeferralState, ItemStatus, PaymentMethod, VisitStatus
from frontdesk.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from frontdesk.services import checkin, closeout, deferrals, specimens
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)
LATER = TODAY + dt.timedelta(days=7)


def cash(amount):
    return PaymentInput(PaymentMethod.CASH, D(amount))


@pytest.fixture
def visit_with(desk, make_guest, cat):
    def make(*codes, guest=None, name="张三丰", day=TODAY):
        guest = guest or make_guest(name=name)
        ids = [cat.item_id(c) for c in codes]
        total = sum((cat.item(c).price for c in codes), D("0"))
        return checkin.check_in(desk, CheckInRequest(guest_id=guest.id, added_item_ids=ids, payments=[cash(total)]),
                                day=day).visit

    return make


def item_id(visit_id, code):
    return next(i.visit_item_id for i in closeout.closeout_view(visit_id).items if i.item_code == code)


def defer(desk, visit, *codes, to=LATER):
    return deferrals.defer_items(desk, visit.id, [item_id(visit.id, c) for c in codes], to, today=TODAY)


def closed_with_deferral(desk, visit, *codes, to=LATER):
    """Defer the items, the rest done and their tubes handed in, the visit closed."""
    defer(desk, visit, *codes, to=to)
    view = closeout.mark_all_done(desk, visit.id)
    for blocker in view.blockers:
        barcode = next(i.specimen_barcode for i in view.items if i.visit_item_id == blocker.visit_item_ids[0])
        specimens.receive_specimen(desk, barcode)
    closeout.close_visit(desk, visit.id)


# -- deferring and capacity --------------------------------------------------------


def test_defer_records_date_state_and_who(desk, visit_with):
    visit = visit_with("GENERAL", "BMD")
    view = defer(desk, visit, "BMD")
    item = next(i for i in view.items if i.item_code == "BMD")
    assert item.status is ItemStatus.DEFERRED and item.deferred_to == LATER and item.deferral_state is DeferralState.OPEN
    assert m.VisitItem.get_by_id(item.visit_item_id).resolved_by == "qiantai"


@pytest.mark.parametrize("days", [0, -1])
def test_today_or_a_past_date_is_refused_with_dates_that_fit(desk, visit_with, days):
    visit = visit_with("BMD")
    with pytest.raises(ValidationError, match="最近可约：2026-11-24、2026-11-25、2026-11-26"):
        defer(desk, visit, "BMD", to=TODAY + dt.timedelta(days=days))
    assert m.VisitItem.get_by_id(item_id(visit.id, "BMD")).status == "pending"


def test_full_day_is_refused_naming_the_station_and_nearest_dates(desk, visit_with, cat):
    m.Station.update(daily_capacity=2).where(m.Station.code == "BMD").execute()
    for name in ("甲一", "乙二"):
        defer(desk, visit_with("BMD", name=name), "BMD")
    visit = visit_with("BMD", name="丙三")
    with pytest.raises(ConflictError, match=r"2026-11-30 骨密度室 已约满。最近可约：2026-11-28、2026-11-29、2026-12-01"):
        defer(desk, visit, "BMD")
    defer(desk, visit, "BMD", to=LATER + dt.timedelta(days=1))


def test_capacity_counts_open_bookings_of_the_day(desk, visit_with, make_guest, cat):
    m.Station.update(daily_capacity=1).where(m.Station.code == "ECG").execute()
    guest = make_guest(name="预约人")
    m.Booking.create(booking_no="8000000013", guest=guest, exam_date=LATER, package=cat.package("BASIC"),
                     source="booking", status="booked")
    ecg = m.Station.get(m.Station.code == "ECG")
    [day] = deferrals.capacity([ecg.id], LATER)
    assert (day.stations[0].capacity, day.stations[0].taken, day.stations[0].remaining, day.fits) == (1, 1, 0, False)
    with pytest.raises(ConflictError, match="心电图室 已约满"):
        defer(desk, visit_with("ECG"), "ECG")


def test_station_without_capacity_never_fills(desk, visit_with):
    visit = visit_with("GENERAL")
    [day] = deferrals.capacity([m.Station.get(m.Station.code == "GEN").id], LATER)
    assert day.fits and day.stations[0].remaining is None and "不限" in day.stations[0].text()


# -- the make-up visit ----------------------------------------------------------------


def test_make_up_visit_has_only_the_deferred_items_and_links_to_the_original(desk, visit_with, make_guest):
    visit = visit_with("GENERAL", "ECG", "BMD", "LFT")
    closed_with_deferral(desk, visit, "BMD", "LFT")
    guest = m.Guest.get_by_id(visit.guest_id)
    result = deferrals.check_in_makeup(desk, visit.id, LATER, guest.id_number, day=LATER)
    makeup = m.Visit.get_by_id(result.visit_id)
    assert makeup.original_visit_id == visit.id and makeup.visit_date == LATER and makeup.status == "checked_in"
    codes = sorted(vi.item.code for vi in makeup.items)
    assert codes == ["BMD", "LFT"]
    originals = {vi.item.code: vi for vi in m.Visit.get_by_id(visit.id).items}
    assert {vi.makeup_of_id for vi in makeup.items} == {originals["BMD"].id, originals["LFT"].id}
    assert originals["BMD"].deferral_state == DeferralState.USED.value
    assert closeout.closeout_view(makeup.id).original_visit_no == visit.visit_no


def test_make_up_visit_charges_nothing_already_paid(desk, visit_with):
    visit = visit_with("GENERAL", "BMD")
    closed_with_deferral(desk, visit, "BMD")
    receipts_before = m.Receipt.select().count()
    guest = m.Guest.get_by_id(visit.guest_id)
    result = deferrals.check_in_makeup(desk, visit.id, LATER, guest.id_number, day=LATER)
    assert m.Receipt.select().count() == receipts_before
    assert m.Receipt.select().where(m.Receipt.visit == result.visit_id).count() == 0
    assert m.Payment.select().count() == 1


def test_make_up_visit_gets_labels_only_for_its_items(desk, visit_with):
    visit = visit_with("CBC", "LFT", "GENERAL")
    closed_with_deferral(desk, visit, "LFT")
    guest = m.Guest.get_by_id(visit.guest_id)
    result = deferrals.check_in_makeup(desk, visit.id, LATER, guest.id_number, day=LATER)
    tubes = specimens.specimens_of(result.visit_id)
    assert [s.tube_type.code for s in tubes] == ["SST"] and tubes[0].barcode.startswith("261130")
    sheet = checkin.guide_sheet_data(result.visit_id, site="测试中心")
    assert [s.station_name for s in sheet.stations] == ["采血室"] and sheet.stations[0].items == ("肝功能",)


def test_another_person_cannot_use_a_deferral(desk, visit_with, make_guest):
    visit = visit_with("BMD")
    closed_with_deferral(desk, visit, "BMD")
    stranger = make_guest(name="李四", birth=dt.date(1990, 1, 2))
    with pytest.raises(ConflictError, match="只能由本人补检"):
        deferrals.check_in_makeup(desk, visit.id, LATER, stranger.id_number, day=LATER)
    with pytest.raises(ValidationError, match="身份证号"):
        deferrals.check_in_makeup(desk, visit.id, LATER, "", day=LATER)
    assert m.Visit.select().where(m.Visit.original_visit == visit.id).count() == 0
    assert m.VisitItem.get_by_id(item_id(visit.id, "BMD")).deferral_state == "open"
    assert m.AuditLog.select().where(m.AuditLog.action == "makeup.refused").count() == 1


def test_lower_case_x_and_full_width_digits_are_the_same_id(desk, visit_with):
    visit = visit_with("BMD")
    closed_with_deferral(desk, visit, "BMD")
    number = m.Guest.get_by_id(visit.guest_id).id_number
    typed = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch.lower() for ch in number)
    assert deferrals.check_in_makeup(desk, visit.id, LATER, typed, day=LATER).visit_no


def test_a_deferral_is_used_once(desk, visit_with):
    visit = visit_with("BMD")
    closed_with_deferral(desk, visit, "BMD")
    number = m.Guest.get_by_id(visit.guest_id).id_number
    first = deferrals.check_in_makeup(desk, visit.id, LATER, number, day=LATER)
    closeout.mark_all_done(desk, first.visit_id)
    closeout.close_visit(desk, first.visit_id)
    with pytest.raises(NotFoundError, match="没有待补检"):
        deferrals.check_in_makeup(desk, visit.id, LATER, number, day=LATER + dt.timedelta(days=1))


def test_a_check_in_at_another_desk_in_the_same_moment_is_named_not_a_crash(desk, visit_with, cat, monkeypatch):
    """The other desk checks the guest in between the make-up's look for a visit today and its insert: the
    database's one-visit-per-guest-day index refuses the make-up, and the desk is told where the guest is."""
    from frontdesk.services.session import Session
    from frontdesk.storage import closeout_queries as cq

    visit = visit_with("BMD")
    closed_with_deferral(desk, visit, "BMD")
    other_desk = Session("qiantai", "李前台", desk.role, "前台2")
    there = checkin.check_in(other_desk, CheckInRequest(guest_id=visit.guest_id, added_item_ids=[cat.item_id("ECG")],
                                                        payments=[cash(cat.item("ECG").price)]), day=LATER).visit
    real, looks = cq.live_visit_on, []

    def live_visit_on(guest_id, day):  # the first look sees no visit yet: the other desk had not committed
        looks.append(day)
        return None if len(looks) == 1 else real(guest_id, day)

    monkeypatch.setattr(cq, "live_visit_on", live_visit_on)
    number = m.Guest.get_by_id(visit.guest_id).id_number
    with pytest.raises(ConflictError, match="前台2") as refused:
        deferrals.check_in_makeup(desk, visit.id, LATER, number, day=LATER)
    assert there.visit_no in refused.value.message
    # Nothing of the make-up was kept: the deferral is still open for later.
    assert [d.deferred_to for d in deferrals.open_deferrals_of_visit(visit.id)] == [LATER]
    assert m.Visit.select().where(m.Visit.original_visit == visit.id).count() == 0


def test_find_by_slip_or_id_number(desk, visit_with):
    visit = visit_with("BMD", "ECG")
    defer(desk, visit, "BMD")
    defer(desk, visit, "ECG", to=LATER + dt.timedelta(days=1))
    by_slip = deferrals.find_open_deferrals(visit.visit_no)
    assert [(d.deferred_to, [i.item_name for i in d.items]) for d in by_slip] == [
        (LATER, ["骨密度"]), (LATER + dt.timedelta(days=1), ["十二导联心电图"])]
    number = m.Guest.get_by_id(visit.guest_id).id_number
    assert [d.visit_no for d in deferrals.find_open_deferrals(number)] == [visit.visit_no] * 2
    with pytest.raises(NotFoundError):
        deferrals.find_open_deferrals("110105199001020011")


def test_move_deferral_to_another_date(desk, visit_with):
    visit = visit_with("BMD")
    closed_with_deferral(desk, visit, "BMD")
    moved = deferrals.move_deferral(desk, visit.id, LATER, LATER + dt.timedelta(days=3), today=TODAY)
    assert moved.deferred_to == LATER + dt.timedelta(days=3)
    assert m.VisitItem.get_by_id(item_id(visit.id, "BMD")).deferred_to == LATER + dt.timedelta(days=3)
    with pytest.raises(ValidationError, match="不能早于"):
        deferrals.move_deferral(desk, visit.id, LATER + dt.timedelta(days=3), TODAY, today=TODAY)


def test_move_to_a_full_day_is_refused(desk, visit_with):
    m.Station.update(daily_capacity=1).where(m.Station.code == "BMD").execute()
    defer(desk, visit_with("BMD", name="甲一"), "BMD", to=LATER + dt.timedelta(days=1))
    visit = visit_with("BMD")
    defer(desk, visit, "BMD")
    with pytest.raises(ConflictError, match="已约满"):
        deferrals.move_deferral(desk, visit.id, LATER, LATER + dt.timedelta(days=1), today=TODAY)


def test_cancel_without_refund_abandons(desk, visit_with):
    visit = visit_with("BMD")
    closed_with_deferral(desk, visit, "BMD")
    assert deferrals.cancel_deferral(desk, visit.id, LATER, "客人不来了") == []
    row = m.VisitItem.get_by_id(item_id(visit.id, "BMD"))
    assert (row.status, row.deferral_state, row.reason) == ("abandoned", "cancelled", "客人不来了")


def test_cancel_with_refund_needs_a_supervisor_and_refunds_on_the_original(desk, supervisor, visit_with):
    visit = visit_with("GENERAL", "BMD")
    closed_with_deferral(desk, visit, "BMD")
    with pytest.raises(PermissionDeniedError):
        deferrals.cancel_deferral(desk, visit.id, LATER, "客人要求退费", refund_method=PaymentMethod.CASH)
    [receipt] = deferrals.cancel_deferral(supervisor, visit.id, LATER, "客人要求退费", refund_method=PaymentMethod.CASH)
    assert receipt.kind == "refund" and receipt.total == D("80.00") and receipt.visit_id == visit.id
    row = m.VisitItem.get_by_id(item_id(visit.id, "BMD"))
    assert (row.status, row.deferral_state) == ("refunded", "cancelled")
    assert m.Visit.get_by_id(visit.id).status == "closed"
    with pytest.raises(NotFoundError):
        deferrals.check_in_makeup(desk, visit.id, LATER, m.Guest.get_by_id(visit.guest_id).id_number, day=LATER)


def test_refund_on_a_closed_visit_is_only_for_deferred_items(supervisor, desk, visit_with):
    visit = visit_with("GENERAL")
    closeout.mark_all_done(desk, visit.id)
    closeout.close_visit(desk, visit.id)
    with pytest.raises(ConflictError):
        checkin.remove_item(supervisor, item_id(visit.id, "GENERAL"), PaymentMethod.CASH, "x",
                            deferred_on_closed_visit=True)


def test_reset_of_a_deferral_frees_its_capacity(desk, visit_with):
    m.Station.update(daily_capacity=1).where(m.Station.code == "BMD").execute()
    first = visit_with("BMD", name="甲一")
    defer(desk, first, "BMD")
    closeout.reset_items(desk, first.id, [item_id(first.id, "BMD")])
    defer(desk, visit_with("BMD"), "BMD")


# -- the slip ----------------------------------------------------------------------


def test_slip_data_has_items_date_fasting_and_visit_number(desk, visit_with):
    visit = visit_with("GENERAL", "LFT", "BMD")
    defer(desk, visit, "LFT", "BMD")
    data = deferrals.slip_data(visit.id, LATER, issued_by="李前台", site="测试体检中心")
    assert data.visit_no == visit.visit_no and data.deferred_to == LATER and data.fasting
    assert [i for i, _ in data.items] == ["肝功能", "骨密度"]
    assert "空腹" in data.instructions[0]


# -- two desks closing the same visit: two processes on PostgreSQL -----------------------


def _close_in_process(url, visit_id, username, display, barrier, results):
    from frontdesk.domain.enums import Role
    from frontdesk.errors import UserError
    from frontdesk.services import closeout as co
    from frontdesk.services import database
    from frontdesk.services.session import Session

    database.open_database(url)
    session = Session(username, display, Role.RECEPTION, username)
    barrier.wait(timeout=30)
    # Hold the claimed row a moment so the other desk's close really waits on it.
    co._after_claim_hook = lambda: __import__("time").sleep(0.5)
    try:
        co.close_visit(session, visit_id)
        results.put((username, "closed", ""))
    except UserError as exc:
        results.put((username, "refused", exc.message))
    finally:
        database.close()


@pytest.mark.pg
def test_two_desks_closing_at_once_one_wins_the_other_is_told_who(fdb, desk, admin, visit_with):
    if not fdb.startswith("postgresql"):
        pytest.skip("two processes sharing one database: the PostgreSQL case")
    from frontdesk.domain.enums import Role
    from frontdesk.services import auth

    for user, name in (("desk_a", "甲前台"), ("desk_b", "乙前台")):
        auth.create_user(admin, user, name, Role.RECEPTION, "Passw0rd!x")
    visit = visit_with("GENERAL", "ECG")
    closeout.mark_all_done(desk, visit.id)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_close_in_process, args=(fdb, visit.id, user, name, barrier, results))
             for user, name in (("desk_a", "甲前台"), ("desk_b", "乙前台"))]
    for p in procs:
        p.start()
    outcome = sorted(results.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert sorted(kind for _, kind, _ in outcome) == ["closed", "refused"]
    winner = next(user for user, kind, _ in outcome if kind == "closed")
    loser_message = next(msg for _, kind, msg in outcome if kind == "refused")
    assert ("甲前台" if winner == "desk_a" else "乙前台") in loser_message
    row = m.Visit.get_by_id(visit.id)
    assert row.status == VisitStatus.CLOSED.value and row.closed_by == winner
    assert m.AuditLog.select().where(m.AuditLog.action == "visit.close").count() == 1
    assert {vi.status for vi in row.items} == {"done"}


def _change_then_close(url, visit_id, item_ids, role, barrier, results):
    from frontdesk.domain.enums import Role
    from frontdesk.errors import UserError
    from frontdesk.services import closeout as co
    from frontdesk.services import database
    from frontdesk.services.session import Session

    database.open_database(url)
    session = Session(role, role, Role.RECEPTION, role)
    barrier.wait(timeout=30)
    co._after_claim_hook = lambda: __import__("time").sleep(0.5)
    try:
        if role == "closer":
            co.close_visit(session, visit_id)
        else:
            co.reset_items(session, visit_id, item_ids)
        results.put((role, "ok"))
    except UserError as exc:
        results.put((role, exc.message))
    finally:
        database.close()


@pytest.mark.pg
def test_an_item_change_racing_the_close_is_not_lost(fdb, desk, visit_with):
    if not fdb.startswith("postgresql"):
        pytest.skip("two processes sharing one database: the PostgreSQL case")
    visit = visit_with("GENERAL", "ECG")
    closeout.mark_all_done(desk, visit.id)
    ecg = item_id(visit.id, "ECG")
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_change_then_close, args=(fdb, visit.id, [ecg], role, barrier, results))
             for role in ("closer", "changer")]
    for p in procs:
        p.start()
    outcome = dict(results.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    row = m.Visit.get_by_id(visit.id)
    ecg_status = m.VisitItem.get_by_id(ecg).status
    # Either the close went first (the reset is refused) or the reset did (the close is refused): never a
    # closed visit with a pending item.
    if row.status == "closed":
        assert outcome["changer"] != "ok" and ecg_status == "done"
    else:
        assert outcome["closer"] != "ok" and ecg_status == "pending"
