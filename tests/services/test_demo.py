"""The demo day is made through the desk's services: its records are ones the desk could have made."""

import datetime as dt
from decimal import Decimal

import pytest

from frontdesk import clock
from frontdesk.domain.checkdigit import luhn_valid
from frontdesk.domain.enums import (BelongingStatus, BookingStatus, ReceiptKind, ReceiptStatus, SpecimenStatus,
                                    VisitSource, VisitStatus)
from frontdesk.domain.idnumber import parse_resident_id
from frontdesk.services import database, demo, demo_context, eligibility, guests, overview
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)
PAST = TODAY - dt.timedelta(days=1)
SMALL = {"today": TODAY, "days": 1, "scale": 0.4, "seed": 7}


@pytest.fixture
def built(demo_copy, tmp_path):
    return demo_copy(output_dir=tmp_path / "prints", **SMALL)


def _live_receipts(visit_id):
    return list(m.Receipt.select().where(m.Receipt.visit == visit_id, m.Receipt.status == ReceiptStatus.ISSUED.value))


def test_every_paid_visit_has_receipts_whose_lines_and_payments_match(built):
    # Visits prepared for tomorrow's group (已备单) are paid when the guest checks in; a visit cancelled by
    # voiding its check-in receipt (the end-of-day stage's next-morning correction) has no live receipt.
    visits = list(m.Visit.select().where(m.Visit.status != VisitStatus.PREPARED.value))
    assert len(visits) == built.visits > 10
    for visit in visits:
        if visit.status == VisitStatus.CANCELLED.value:
            continue
        charged = sum((vi.price for vi in visit.items), Decimal("0.00"))
        receipts = _live_receipts(visit.id)
        if visit.original_visit_id is not None:  # a make-up visit (补检): paid on its original visit
            assert not receipts, visit.visit_no
            continue
        assert charged > 0 and any(r.kind == ReceiptKind.CHARGE.value for r in receipts), visit.visit_no
        for receipt in receipts:
            assert sum(line.amount for line in receipt.lines) == receipt.total
            assert sum(p.amount for p in receipt.payments) == receipt.total, receipt.receipt_no


def test_takings_of_each_day_equal_its_receipts(built):
    for day in (PAST, TODAY):
        start = dt.datetime.combine(day, dt.time(0)).astimezone()
        receipts = m.Receipt.select().where(m.Receipt.issued_at >= start,
                                            m.Receipt.issued_at < start + dt.timedelta(days=1),
                                            m.Receipt.status == ReceiptStatus.ISSUED.value)
        expected = sum((-r.total if r.kind == ReceiptKind.REFUND.value else r.total for r in receipts),
                       Decimal("0.00"))
        assert expected > 0
        assert sum(overview.day_summary(day).money_by_method.values()) == expected
        # ... and each receipt belongs to a visit of that day: nothing is booked on another day.
        assert {r.visit.visit_date for r in receipts} == {day}


def test_the_demo_takes_money_every_way_and_refunds_with_a_supervisor(built):
    methods = {p.method for p in m.Payment.select()}
    assert methods == {"cash", "card", "wechat", "alipay", "org_account"}
    refunds = list(m.Receipt.select().where(m.Receipt.kind == ReceiptKind.REFUND.value))
    assert refunds and all(r.cashier == "zhuguan" for r in refunds)
    assert m.VisitItem.select().where(m.VisitItem.is_addon == True).exists()  # noqa: E712


def test_specimens_are_in_every_state_and_past_days_are_finished(built):
    today_ids = [v.id for v in m.Visit.select().where(m.Visit.visit_date == TODAY)]
    past_ids = [v.id for v in m.Visit.select().where(m.Visit.visit_date == PAST)]
    today_states = {s.status for s in m.Specimen.select().where(m.Specimen.visit.in_(today_ids))}
    assert {SpecimenStatus.CREATED.value, SpecimenStatus.LABEL_PRINTED.value, SpecimenStatus.COLLECTED.value,
            SpecimenStatus.SENT.value} <= today_states
    past_states = {s.status for s in m.Specimen.select().where(m.Specimen.visit.in_(past_ids))}
    assert past_states <= {SpecimenStatus.SENT.value, SpecimenStatus.CANCELLED.value} and past_states
    assert not m.Belonging.select().where(m.Belonging.visit.in_(past_ids),
                                          m.Belonging.status == BelongingStatus.STORED.value).exists()
    sent = m.Specimen.select().where(m.Specimen.status == SpecimenStatus.SENT.value)
    assert all(s.handover_no and s.print_count >= 1 and s.collected_at for s in sent)


def test_label_files_hold_the_printed_labels_of_their_visit(built):
    import zxingcpp
    from PIL import Image

    files = sorted((built.output_dir / "labels").glob("*.png"))
    printed = list(m.Specimen.select().where(m.Specimen.print_count > 0))
    assert printed and len(files) == sum(s.print_count for s in printed)
    visit_of = {s.barcode: s.visit.visit_no for s in printed}
    decoded = set()
    for path in files:
        (code,) = [r.text for r in zxingcpp.read_barcodes(Image.open(path).convert("L"))]
        assert path.name.startswith(f"labels-{visit_of[code]}-")  # the label of the visit it was printed for
        decoded.add(code)
    assert decoded == set(visit_of)


def test_every_booking_and_visit_is_eligible_for_its_package(built):
    bookings = list(m.Booking.select())
    assert bookings
    for booking in bookings:
        verdict = eligibility.check(booking.guest, package_id=booking.package_id, contract_id=booking.contract_id,
                                    day=booking.exam_date)
        assert verdict.ok, (booking.booking_no, verdict.reasons)
    for visit in m.Visit.select():
        verdict = eligibility.check(visit.guest, package_id=visit.package_id, contract_id=visit.contract_id,
                                    day=visit.visit_date)
        assert verdict.ok, (visit.visit_no, verdict.reasons)


def test_group_contracts_have_rosters_and_group_guests_are_on_them(built):
    contracts = list(m.Contract.select())
    assert len(contracts) == 4  # three set up before the demo days, one with its roster imported today (rosters)
    for contract in contracts:
        assert m.RosterEntry.select().where(m.RosterEntry.contract == contract.id).count() >= 3
    group = list(m.Visit.select().where(m.Visit.source == VisitSource.GROUP.value))
    assert group
    for visit in group:
        assert eligibility.roster_entry_for(visit.guest, visit.contract_id) is not None


def test_today_is_a_morning_in_progress(built):
    waiting = m.Booking.select().where(m.Booking.exam_date == TODAY, m.Booking.status == BookingStatus.BOOKED.value)
    assert waiting.count() == built.bookings_waiting >= 1
    today = list(m.Visit.select().where(m.Visit.visit_date == TODAY))
    assert today
    latest = max(v.checked_in_at for v in today).astimezone()
    assert latest.date() == TODAY and latest.time() <= dt.time(10, 30)
    # Mid-way and done guests: some with every container in, some still waiting for some.
    open_by_visit = {v.id: m.Specimen.select().where(m.Specimen.visit == v.id, m.Specimen.status.in_(
        [SpecimenStatus.CREATED.value, SpecimenStatus.LABEL_PRINTED.value])).count() for v in today}
    assert any(n == 0 for n in open_by_visit.values()) and any(n > 0 for n in open_by_visit.values())
    states = {b.status for b in m.Belonging.select().join(m.Visit).where(m.Visit.visit_date == TODAY)}
    assert BelongingStatus.STORED.value in states


def test_records_carry_the_times_of_the_day_they_happened(built):
    # A visit prepared for tomorrow (已备单) is made today, the day before its date.
    for visit in m.Visit.select().where(m.Visit.status != VisitStatus.PREPARED.value):
        assert visit.checked_in_at.astimezone().date() == visit.visit_date
    for receipt in m.Receipt.select():
        assert receipt.issued_at.astimezone().date() == receipt.visit.visit_date
    for specimen in m.Specimen.select().where(m.Specimen.collected_at.is_null(False)):
        assert specimen.collected_at >= specimen.visit.checked_in_at
    assert not clock.is_pinned()


def test_demo_people_are_valid(built):
    for guest in m.Guest.select():
        resident = parse_resident_id(guest.id_number, today=TODAY)
        assert resident.birth_date == guest.birth_date and resident.sex == guest.sex
        assert len(guest.phone) == 11 and guest.pinyin_initials.isascii()
    assert all(luhn_valid(v.visit_no) for v in m.Visit.select())


def _counts():
    return {model.__name__: model.select().count() for model in m.ALL_MODELS}


def test_a_database_with_a_real_user_is_refused_and_nothing_written(fdb, tmp_path):
    from frontdesk.services import auth

    auth.create_first_admin("boss", "老板", "a-long-password", "前台1")
    before = _counts()
    with pytest.raises(demo.NotADemoDatabaseError) as exc:
        demo.build(output_dir=tmp_path / "prints", **SMALL)
    assert "boss" in exc.value.message
    assert _counts() == before and not (tmp_path / "prints").exists()


def test_a_database_with_real_guests_is_refused_and_nothing_written(fdb, admin, catalogue, tmp_path):
    guests.register(admin, guests.GuestInput("张三", "", None, "resident_id", "11010519491231002X", "13800138000"),
                    today=TODAY)
    before = _counts()
    with pytest.raises(demo.NotADemoDatabaseError):
        demo.build(output_dir=tmp_path / "prints", **SMALL)
    assert _counts() == before


def test_a_demo_database_is_left_as_it_is(built, tmp_path):
    before = _counts()
    with pytest.raises(demo.DemoExistsError):
        demo.build(output_dir=tmp_path / "again", **SMALL)
    assert _counts() == before
    mark = demo.demo_mark()
    assert mark["today"] == TODAY.isoformat() and mark["seed"] == SMALL["seed"] and mark["history_visits"] == 0


def _fingerprint():
    return ([(g.name, g.id_number) for g in m.Guest.select().order_by(m.Guest.id)],
            [(v.visit_no, v.checked_in_at, v.package_id) for v in m.Visit.select().order_by(m.Visit.visit_no)],
            [(r.receipt_no, r.total, r.issued_at) for r in m.Receipt.select().order_by(m.Receipt.receipt_no)],
            [(s.barcode, s.status) for s in m.Specimen.select().order_by(m.Specimen.barcode)])


def test_the_same_seed_gives_the_same_demo(fdb, tmp_path):
    # Built for real on both databases (the other tests here work on copies of one SQLite build).
    demo.build(output_dir=tmp_path / "first", **SMALL)
    first = _fingerprint()
    database.open_database(f"sqlite:///{tmp_path / 'second.sqlite3'}", create=True)
    demo.build(output_dir=tmp_path / "second", **SMALL)
    assert _fingerprint() == first
    database.open_database(f"sqlite:///{tmp_path / 'third.sqlite3'}", create=True)
    demo.build(output_dir=tmp_path / "third", **{**SMALL, "seed": 8})
    assert _fingerprint()[0] != first[0]


def test_later_stages_run_once_a_day_after_the_core_with_the_clock_on_that_day(fdb, tmp_path, monkeypatch):
    seen = []

    def stage(ctx):
        with ctx.at(17, 0):
            visits = m.Visit.select().where(m.Visit.visit_date == ctx.day).count()
            seen.append((ctx.day, ctx.is_today, clock.today(), visits, len(ctx.visits_on(ctx.day))))

    monkeypatch.setattr(demo_context, "_STAGES", [])
    monkeypatch.setattr(demo_context, "STAGE_MODULES", [])
    demo_context.register_stage(50, "probe")(stage)
    demo.build(output_dir=tmp_path / "prints", **SMALL)
    assert [(day, is_today, on) for day, is_today, on, _, _ in seen] == [(PAST, False, PAST), (TODAY, True, TODAY)]
    assert all(visits == recorded > 0 for _, _, _, visits, recorded in seen)


def test_catalogue_is_realistic(fdb, catalogue):
    assert m.ExamItem.select().count() >= 40
    assert m.Station.select().count() >= 10
    assert m.Package.select().count() >= 6
    caps = {t.code: t.cap_colour for t in m.TubeType.select()}
    assert caps["EDTA"] == "紫色" and caps["FLUORIDE"] == "灰色" and caps["CITRATE"] == "浅蓝色"
    assert {t.container_kind for t in m.TubeType.select()} >= {"blood", "urine", "stool"}
    assert m.ExamItem.get(m.ExamItem.code == "GYN").sex_restriction == "F"
    assert m.Package.get(m.Package.code == "GROUP").for_groups


def test_seeding_twice_does_not_duplicate(fdb, catalogue, admin):
    before = m.PackageItem.select().count()
    catalogue.load_seed_catalogue(admin)
    assert m.PackageItem.select().count() == before


def test_demo_accounts_can_log_in(built):
    from frontdesk.services import auth

    for username, _, role, password in demo.DEMO_ACCOUNTS:
        assert auth.login(username, password, "d").role is role
