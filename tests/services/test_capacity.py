"""Capacity (核实接待量): limits by weekday and date, the load from bookings, walk-ins and deferrals, refusals with
the nearest dates that fit, a supervisor's override, the calendar month."""

import datetime as dt

import pytest

from frontdesk import clock
from frontdesk.domain.enums import PaymentMethod
from frontdesk.errors import PermissionDeniedError, ValidationError
from frontdesk.services import bookings, capacity, checkin, closeout, deferrals
from frontdesk.services.capacity import CapacityFullError
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m
from frontdesk.storage.db import database

TODAY = dt.date(2026, 11, 23)          # a Monday
NOON = dt.datetime(2026, 11, 23, 12, 0).astimezone()
LATER = TODAY + dt.timedelta(days=7)    # the Monday after


@pytest.fixture(autouse=True)
def _at_noon():
    with clock.pinned(NOON):
        yield


def station(code):
    return m.Station.get(m.Station.code == code)


def limit_of(day, code):
    return capacity.day_load(day).station(station(code).id)


@pytest.fixture
def people(make_guest):
    names = iter("甲乙丙丁戊己庚辛壬癸")

    def make(n=1, **kw):
        return [make_guest(name=f"{next(names)}先生", **kw) for _ in range(n)]

    return make


def book(session, guest, day, *codes, package=None, cat=None, **kw):
    return bookings.create_booking(session, guest.id, day, package_id=package, item_ids=[cat.item_id(c) for c in codes],
                                   **kw)


# -- limits ------------------------------------------------------------------------------


def test_the_station_default_applies_without_rules(cat):
    day = limit_of(LATER, "BMD")
    assert (day.limit, day.source, day.load) == (80, "default", 0)
    assert limit_of(LATER, "GEN").limit is None and capacity.day_load(LATER).centre.limit is None


def test_a_weekday_rule_beats_the_default_on_its_weekday_only(supervisor, cat):
    capacity.set_weekday_limits(supervisor, station("BMD").id, [5, None, None, None, None, 0, None])
    assert (limit_of(LATER, "BMD").limit, limit_of(LATER, "BMD").source) == (5, "weekday")        # Monday
    assert limit_of(LATER + dt.timedelta(days=1), "BMD").limit == 80                                # Tuesday: default
    assert limit_of(LATER + dt.timedelta(days=5), "BMD").full                                      # Saturday: 0
    capacity.set_weekday_limits(supervisor, station("BMD").id, [None] * 7)
    assert limit_of(LATER, "BMD").limit == 80 and not m.CapacityRule.select().exists()


def test_a_date_exception_beats_the_weekday_rule_and_a_centre_closure_closes_every_station(supervisor, cat):
    capacity.set_weekday_limits(supervisor, station("BMD").id, [5] * 7)
    capacity.set_date_exception(supervisor, station("BMD").id, LATER, limit=2, note="设备检修")
    assert (limit_of(LATER, "BMD").limit, limit_of(LATER, "BMD").source, limit_of(LATER, "BMD").note) == (
        2, "exception", "设备检修")
    holiday = LATER + dt.timedelta(days=2)
    capacity.set_date_exception(supervisor, None, holiday, closed=True, note="元旦")
    day = capacity.day_load(holiday)
    assert day.closed and all(s.limit == 0 and s.closed for s in day.stations) and day.level == "red"
    assert limit_of(holiday + dt.timedelta(days=1), "BMD").limit == 5


def test_rules_and_exceptions_are_a_supervisors_and_audited(desk, supervisor, cat):
    with pytest.raises(PermissionDeniedError):
        capacity.set_weekday_limits(desk, None, [300] * 7)
    with pytest.raises(PermissionDeniedError):
        capacity.set_date_exception(desk, None, LATER, closed=True)
    with pytest.raises(ValidationError):
        capacity.set_weekday_limits(supervisor, None, [300, -1, 300, 300, 300, 300, 300])
    with pytest.raises(ValidationError):
        capacity.set_date_exception(supervisor, None, TODAY - dt.timedelta(days=1), closed=True)
    with pytest.raises(ValidationError):
        capacity.set_date_exception(supervisor, None, LATER)            # neither closed nor a limit
    assert not m.CapacityRule.select().exists() and not m.CapacityException.select().exists()
    capacity.set_weekday_limits(supervisor, None, [300] * 7)
    exc = capacity.set_date_exception(supervisor, None, LATER, limit=100)
    capacity.remove_date_exception(supervisor, exc.id)
    actions = [a.action for a in m.AuditLog.select().where(m.AuditLog.action.startswith("capacity"))
               .order_by(m.AuditLog.id)]
    assert actions == ["capacity.weekday", "capacity.exception", "capacity.exception_remove"]


# -- load --------------------------------------------------------------------------------


def test_load_counts_package_and_extra_items_and_each_guest_once(desk, cat, people):
    a, b = people(2)
    book(desk, a, LATER, package=cat.package("BASIC").id, cat=cat)                  # BASIC has blood, no BMD
    book(desk, b, LATER, "BMD", "US_THY", package=cat.package("BASIC").id, cat=cat)  # extra BMD; US twice? one guest
    day = capacity.day_load(LATER)
    assert day.station(station("BMD").id).load == 1
    assert day.station(station("BLOOD").id).load == 2
    assert day.station(station("US").id).load == 2 and day.centre.load == 2


def test_cancelled_bookings_do_not_count_and_a_checked_in_booking_counts_once(desk, cat, people):
    a, b = people(2)
    gone = book(desk, a, TODAY, "BMD", cat=cat)
    came = book(desk, b, TODAY, "BMD", cat=cat)
    bookings.cancel_booking(desk, gone.id, "客人改期")
    request = checkin.draft_from_booking(came.id)
    due = checkin.quote(request, TODAY).guest_total
    checkin.check_in(desk, CheckInRequest(**{**request.__dict__, "payments": [PaymentInput(PaymentMethod.CASH, due)]}),
                     day=TODAY)
    assert capacity.day_load(TODAY).station(station("BMD").id).load == 1
    assert capacity.day_load(TODAY).centre.load == 1


def test_walk_ins_and_deferrals_count_against_the_day(desk, cat, people):
    a, b = people(2)
    pay = PaymentInput(PaymentMethod.CASH, cat.item("BMD").price + cat.item("ECG").price)
    walk_in = checkin.check_in(desk, CheckInRequest(guest_id=a.id, added_item_ids=[cat.item_id("BMD"),
                                                                                    cat.item_id("ECG")],
                                                    payments=[pay]), day=TODAY).visit
    assert capacity.day_load(TODAY).station(station("BMD").id).load == 1
    vi = next(i.visit_item_id for i in closeout.closeout_view(walk_in.id).items if i.item_code == "BMD")
    deferrals.defer_items(desk, walk_in.id, [vi], LATER, today=TODAY)
    assert capacity.day_load(TODAY).station(station("BMD").id).load == 0     # deferred away from today
    assert capacity.day_load(LATER).station(station("BMD").id).load == 1     # ... to the later date
    m.Station.update(daily_capacity=1).where(m.Station.code == "BMD").execute()
    with pytest.raises(CapacityFullError, match="骨密度室"):
        book(desk, b, LATER, "BMD", cat=cat)


def test_bookings_count_against_deferrals(desk, cat, people):
    a, b = people(2)
    m.Station.update(daily_capacity=1).where(m.Station.code == "BMD").execute()
    book(desk, a, LATER, "BMD", cat=cat)
    pay = PaymentInput(PaymentMethod.CASH, cat.item("BMD").price)
    visit = checkin.check_in(desk, CheckInRequest(guest_id=b.id, added_item_ids=[cat.item_id("BMD")], payments=[pay]),
                             day=TODAY).visit
    vi = closeout.closeout_view(visit.id).items[0].visit_item_id
    with pytest.raises(Exception, match="骨密度室"):
        deferrals.defer_items(desk, visit.id, [vi], LATER, today=TODAY)
    [day] = deferrals.capacity([station("BMD").id], LATER)
    assert (day.stations[0].capacity, day.stations[0].taken) == (1, 1)


# -- refusals, nearest dates, overrides ---------------------------------------------------


def test_a_full_station_refuses_naming_it_and_the_nearest_dates_both_ways(desk, supervisor, cat, people):
    guests = people(4)
    capacity.set_weekday_limits(supervisor, station("BMD").id, [1] * 7)
    full_day = TODAY + dt.timedelta(days=3)
    book(desk, guests[0], full_day, "BMD", cat=cat)
    book(desk, guests[1], full_day - dt.timedelta(days=1), "BMD", cat=cat)   # the day before is full too
    with pytest.raises(CapacityFullError) as refused:
        book(desk, guests[2], full_day, "BMD", cat=cat)
    assert refused.value.nearest == (TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=4),
                                     TODAY + dt.timedelta(days=5))
    assert [s.name for s in refused.value.full] == ["骨密度室"]
    assert "骨密度室（1/1）" in refused.value.message and "2026-11-27" in refused.value.message
    assert m.Booking.select().count() == 2


def test_nearest_dates_never_go_into_the_past(desk, supervisor, cat, people):
    a, b = people(2)
    capacity.set_weekday_limits(supervisor, station("BMD").id, [1] * 7)
    book(desk, a, TODAY, "BMD", cat=cat)
    with pytest.raises(CapacityFullError) as refused:
        book(desk, b, TODAY, "BMD", cat=cat)
    assert min(refused.value.nearest) > TODAY


def test_the_whole_centre_limit_refuses_whatever_the_stations(desk, supervisor, cat, people):
    a, b = people(2)
    capacity.set_weekday_limits(supervisor, None, [1] * 7)
    book(desk, a, LATER, "GENERAL", cat=cat)
    with pytest.raises(CapacityFullError, match="全中心"):
        book(desk, b, LATER, "EYE", cat=cat)


def test_a_closed_day_is_refused(desk, supervisor, cat, people):
    [a] = people(1)
    capacity.set_date_exception(supervisor, None, LATER, closed=True, note="停电")
    with pytest.raises(CapacityFullError, match="停诊"):
        book(desk, a, LATER, "GENERAL", cat=cat)


def test_a_supervisor_books_over_the_limit_with_a_reason_and_it_is_audited(desk, supervisor, cat, people):
    a, b = people(2)
    m.Station.update(daily_capacity=1).where(m.Station.code == "BMD").execute()
    book(desk, a, LATER, "BMD", cat=cat)
    with pytest.raises(PermissionDeniedError):
        book(desk, b, LATER, "BMD", cat=cat, override_reason="院领导安排")
    over = book(supervisor, b, LATER, "BMD", cat=cat, override_reason="院领导安排")
    assert (over.override_reason, over.override_by) == ("院领导安排", "zhuguan")
    entry = m.AuditLog.get(m.AuditLog.action == "booking.capacity_override")
    assert "院领导安排" in entry.details and over.booking_no in entry.details and "骨密度室 1/1" in entry.details
    assert capacity.day_load(LATER).station(station("BMD").id).load == 2


def test_an_override_reason_on_a_day_with_room_is_not_recorded(supervisor, cat, people):
    [a] = people(1)
    view = book(supervisor, a, LATER, "BMD", cat=cat, override_reason="以防万一")
    assert view.override_reason == "" and not m.AuditLog.select().where(
        m.AuditLog.action == "booking.capacity_override").exists()


# -- the calendar -----------------------------------------------------------------------


def test_the_month_is_weeks_of_seven_from_monday_with_each_days_load(desk, supervisor, cat, people):
    [a] = people(1)
    capacity.set_weekday_limits(supervisor, station("BMD").id, [1] * 7)
    book(desk, a, LATER, "BMD", cat=cat)
    month = capacity.month(2026, 11)
    assert all(len(w) == 7 for w in month.weeks)
    assert month.weeks[0][:6] == (None,) * 6 and month.weeks[0][6].day == dt.date(2026, 11, 1)   # 1 Nov: Sunday
    cell = month.day(LATER)
    assert cell.station(station("BMD").id).level == "red" and cell.level == "red"
    assert month.day(LATER - dt.timedelta(days=1)).level == "green"
    assert month.stations[0] == (None, "全中心") and (station("BMD").id, "骨密度室") in month.stations


def test_levels_turn_amber_from_eighty_percent():
    assert capacity.StationDay(1, "x", 7, 10).level == "green"
    assert capacity.StationDay(1, "x", 8, 10).level == "amber"
    assert capacity.StationDay(1, "x", 10, 10).level == "red"
    assert capacity.StationDay(1, "x", 500, None).level == "none"


def test_a_long_range_costs_the_same_few_queries_as_a_day(cat, monkeypatch):
    counted = []
    real = database.obj.execute_sql

    def counting(sql, *args, **kwargs):
        counted.append(sql)
        return real(sql, *args, **kwargs)

    monkeypatch.setattr(database.obj, "execute_sql", counting)
    capacity.day_loads(LATER, LATER)
    one_day = len(counted)
    counted.clear()
    capacity.day_loads(LATER, LATER + dt.timedelta(days=90))
    assert len(counted) == one_day <= 6
