"""The booking's life: made (desk, phone, group) with half-day and extra items, moved under the same number,
cancelled with a reason, marked a no-show after its day and undone by a supervisor; found by scanning its slip."""

import datetime as dt
from decimal import Decimal

import pytest

from frontdesk import clock
from frontdesk.domain.enums import BookingStatus, PaymentMethod
from frontdesk.errors import ConflictError, PermissionDeniedError, ValidationError
from frontdesk.services import bookings, capacity, checkin, contracts, search
from frontdesk.services.bookings import Channel, HalfDay
from frontdesk.services.capacity import CapacityFullError
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)
NOON = dt.datetime(2026, 11, 23, 12, 0).astimezone()
LATER = TODAY + dt.timedelta(days=7)


@pytest.fixture(autouse=True)
def _at_noon():
    with clock.pinned(NOON):
        yield


def test_a_phone_booking_keeps_half_day_channel_and_extra_items(desk, cat, make_guest):
    guest = make_guest(phone="13912345678")
    view = bookings.create_booking(desk, guest.id, LATER, package_id=cat.package("BASIC").id,
                                   item_ids=[cat.item_id("BMD"), cat.item_id("CBC"), cat.item_id("BMD")],
                                   half_day="pm", channel=Channel.PHONE, note="  客人要求下午 ")
    # CBC is in BASIC already: not booked twice; BMD once.
    assert [i.code for i in view.extra_items] == ["BMD"]
    assert (view.half_day, view.channel, view.status, view.note) == (HalfDay.PM, Channel.PHONE, BookingStatus.BOOKED,
                                                                      "客人要求下午")
    assert view.guest_phone_masked == "139****5678" and view.guest_age == 46
    assert [b.booking_no for b in bookings.bookings_on(LATER)] == [view.booking_no]
    contents = bookings.contents(view)
    assert contents.fasting and contents.items[-1].code == "BMD" and contents.items[-1].extra


def test_a_27_year_old_is_refused_the_50_plus_package_with_the_reason(desk, cat, make_guest):
    guest = make_guest(birth=dt.date(1999, 6, 1))
    with pytest.raises(ValidationError) as refused:
        bookings.create_booking(desk, guest.id, LATER, package_id=cat.package("SENIOR").id)
    assert refused.value.message == "不符合体检资格：套餐“中老年体检套餐”要求年满50岁，客人27岁"
    assert not m.Booking.select().exists()


def test_a_sex_restricted_extra_item_is_refused(desk, cat, make_guest):
    guest = make_guest(sex="M")
    with pytest.raises(ValidationError, match="TCT|宫颈"):
        bookings.create_booking(desk, guest.id, LATER, package_id=cat.package("BASIC").id,
                                item_ids=[cat.item_id("TCT")])
    assert not m.Booking.select().exists() and not m.BookingItem.select().exists()


def test_bad_dates_and_half_days_are_refused(desk, cat, make_guest):
    guest = make_guest()
    basic = cat.package("BASIC").id
    for day in (TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=400)):
        with pytest.raises(ValidationError):
            bookings.create_booking(desk, guest.id, day, package_id=basic)
    with pytest.raises(ValidationError, match="上午或下午"):
        bookings.create_booking(desk, guest.id, LATER, package_id=basic, half_day="evening")
    with pytest.raises(ValidationError, match="套餐或项目"):
        bookings.create_booking(desk, guest.id, LATER)
    assert not m.Booking.select().exists()


def test_a_group_member_is_booked_from_the_roster(supervisor, desk, cat, make_guest):
    org = contracts.create_organisation(supervisor, "星河科技有限公司")
    contract_id = contracts.create_contract(supervisor, org, contracts.ContractTermsInput(
        "2026年度员工体检", dt.date(2026, 1, 1), dt.date(2026, 12, 31), package_id=cat.package("GROUP").id))
    guest = make_guest()
    contracts.add_roster_entry(desk, contract_id, contracts.RosterPerson(guest.name, guest.id_number), today=TODAY)
    view = bookings.create_booking(desk, guest.id, LATER, contract_id=contract_id, channel="roster")
    assert (view.package_code, view.source, view.contract_name, view.organisation_name, view.channel) == (
        "GROUP", "group", "2026年度员工体检", "星河科技有限公司", Channel.ROSTER)


def test_moving_keeps_the_number_and_checks_capacity_again(desk, supervisor, cat, make_guest):
    a, b = make_guest(name="甲"), make_guest(name="乙")
    capacity.set_weekday_limits(supervisor, m.Station.get(m.Station.code == "BMD").id, [1] * 7)
    mine = bookings.create_booking(desk, a.id, LATER, item_ids=[cat.item_id("BMD")])
    other = bookings.create_booking(desk, b.id, LATER + dt.timedelta(days=1), item_ids=[cat.item_id("BMD")])
    with pytest.raises(CapacityFullError, match="骨密度室"):
        bookings.move_booking(desk, mine.id, other.exam_date)
    moved = bookings.move_booking(desk, mine.id, LATER, half_day="pm")      # its own place is not counted against it
    assert (moved.booking_no, moved.exam_date, moved.half_day) == (mine.booking_no, LATER, HalfDay.PM)
    moved = bookings.move_booking(desk, mine.id, LATER + dt.timedelta(days=2))
    assert moved.booking_no == mine.booking_no and capacity.day_load(LATER).centre.load == 0
    entry = m.AuditLog.select().where(m.AuditLog.action == "booking.move").order_by(m.AuditLog.id.desc()).first()
    assert "2026-11-30" in entry.details and "2026-12-02" in entry.details


def test_moving_checks_eligibility_on_the_new_date(desk, cat, make_guest):
    guest = make_guest(birth=dt.date(1976, 12, 5))                          # 50 on 2026-12-05
    view = bookings.create_booking(desk, guest.id, dt.date(2026, 12, 7), package_id=cat.package("SENIOR").id)
    with pytest.raises(ValidationError, match="年满50岁"):
        bookings.move_booking(desk, view.id, dt.date(2026, 12, 1))
    assert bookings.booking(view.id).exam_date == dt.date(2026, 12, 7)


def test_one_live_booking_a_day_and_cancelling_frees_the_place(desk, cat, make_guest):
    guest = make_guest()
    first = bookings.create_booking(desk, guest.id, LATER, item_ids=[cat.item_id("BMD")])
    with pytest.raises(ConflictError, match=first.booking_no):
        bookings.create_booking(desk, guest.id, LATER, item_ids=[cat.item_id("ECG")])
    with pytest.raises(ValidationError, match="取消原因"):
        bookings.cancel_booking(desk, first.id, "  ")
    cancelled = bookings.cancel_booking(desk, first.id, "客人出差")
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_by, cancelled.cancelled_at) == (
        BookingStatus.CANCELLED, "客人出差", "qiantai", NOON)
    with pytest.raises(ConflictError):
        bookings.move_booking(desk, first.id, LATER + dt.timedelta(days=1))
    assert capacity.day_load(LATER).centre.load == 0
    bookings.create_booking(desk, guest.id, LATER, item_ids=[cat.item_id("ECG")])


def test_no_show_marks_only_past_unarrived_bookings_and_a_supervisor_undoes_it(desk, supervisor, cat, make_guest):
    a, b, c = make_guest(name="甲"), make_guest(name="乙"), make_guest(name="丙")
    missed = bookings.create_booking(desk, a.id, TODAY, package_id=cat.package("BASIC").id)
    came = bookings.create_booking(desk, b.id, TODAY, package_id=cat.package("BASIC").id)
    tomorrow = bookings.create_booking(desk, c.id, TODAY + dt.timedelta(days=1), package_id=cat.package("BASIC").id)
    request = checkin.draft_from_booking(came.id)
    due = checkin.quote(request, TODAY).guest_total
    checkin.check_in(desk, CheckInRequest(**{**request.__dict__, "payments": [PaymentInput(PaymentMethod.CASH, due)]}),
                     day=TODAY)
    assert bookings.mark_no_shows(desk) == []                      # today is not over
    next_morning = NOON + dt.timedelta(days=1)
    with clock.pinned(next_morning):
        assert bookings.mark_no_shows(desk) == [missed.booking_no]
        assert bookings.booking(missed.id).status == BookingStatus.NO_SHOW
        assert bookings.booking(missed.id).no_show_at == next_morning
        assert bookings.booking(came.id).status == BookingStatus.CHECKED_IN
        assert bookings.booking(tomorrow.id).status == BookingStatus.BOOKED
        with pytest.raises(PermissionDeniedError):
            bookings.undo_no_show(desk, missed.id)
        undone = bookings.undo_no_show(supervisor, missed.id, "客人其实到了")
        assert (undone.status, undone.no_show_undone_by) == (BookingStatus.BOOKED, "zhuguan")
        assert bookings.mark_no_shows(desk) == []                  # not marked again
    with pytest.raises(ConflictError):
        bookings.undo_no_show(supervisor, came.id)


def test_a_scanned_booking_number_finds_the_booking_and_checks_in_with_its_extra_items(desk, cat, make_guest):
    guest = make_guest()
    view = bookings.create_booking(desk, guest.id, TODAY, package_id=cat.package("BASIC").id,
                                   item_ids=[cat.item_id("BMD")])
    [hit] = [h for h in search.search(view.booking_no, day=TODAY) if h.kind == "booking"]
    assert hit.booking_id == view.id
    request = checkin.draft_from_booking(hit.booking_id)
    assert request.added_item_ids == [cat.item_id("BMD")]
    due = checkin.quote(request, TODAY).guest_total
    assert due == cat.package("BASIC").price + cat.item("BMD").price
    result = checkin.check_in(desk, CheckInRequest(**{**request.__dict__,
                                                      "payments": [PaymentInput(PaymentMethod.CASH, due)]}), day=TODAY)
    assert result.visit.booking_id == view.id
    assert bookings.booking(view.id).status == BookingStatus.CHECKED_IN
    assert Decimal(due) > 0


def test_the_slip_of_a_booking_scans_to_its_number_and_lists_its_items_and_preparation(supervisor, desk, cat,
                                                                                        make_guest):
    import zxingcpp

    from frontdesk.printing.pdf_raster import pdf_pages_to_images
    from frontdesk.services import site_settings
    from tests.printing.conftest import page_texts

    site_settings.set_value(supervisor, "site_address", "健康路 88 号")
    guest = make_guest(sex="F", name="李娜")
    view = bookings.create_booking(desk, guest.id, LATER, package_id=cat.package("BASIC").id,
                                   item_ids=[cat.item_id("US_GYN")], half_day="pm")
    pdf = bookings.slip_pdf(view.id, issued_by="李前台")
    text = "".join(page_texts(pdf))
    for expected in ("李娜", "2026-11-30", "周一", "下午", "基础体检套餐", "子宫附件彩超（加项）", "憋尿", "空腹",
                     "健康路 88 号"):
        assert expected in text, expected
    [code] = zxingcpp.read_barcodes(pdf_pages_to_images(pdf, 200)[0], formats=zxingcpp.BarcodeFormat.Code128)
    assert code.text == view.booking_no
    assert [h.booking_id for h in search.search(code.text, day=LATER) if h.kind == "booking"] == [view.id]
