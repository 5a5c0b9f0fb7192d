"""Booking a group's roster for a range of dates within capacity (SQLite + PostgreSQL)."""

import datetime as dt
from decimal import Decimal

import pytest

from frontdesk import clock
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.errors import ValidationError
from frontdesk.services import capacity, contracts, roster_booking
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _at_noon():
    with clock.pinned(dt.datetime(2026, 11, 23, 12, 0).astimezone()):
        yield


@pytest.fixture
def group(supervisor, desk, cat):
    """A contract with five people on its roster (none registered as guests yet, the last without a phone) and
    room for two a day."""
    org = contracts.create_organisation(supervisor, "星河科技有限公司")
    contract_id = contracts.create_contract(supervisor, org, contracts.ContractTermsInput(
        "2026年度员工体检", dt.date(2026, 1, 1), dt.date(2026, 12, 31), package_id=cat.package("GROUP").id,
        addon_allowance=Decimal("0"), rules=(contracts.PackageRuleInput(cat.package("BASIC").id, grade="经理"),)))
    ids = []
    for n, (name, sex) in enumerate((("周一", "M"), ("吴二", "F"), ("郑三", "M"), ("王四", "F"), ("冯五", "M"))):
        number = make_resident_id("110105", dt.date(1985, 1, n + 1), 100 + n * 2 + (1 if sex == "M" else 0))
        ids.append(contracts.add_roster_entry(desk, contract_id, contracts.RosterPerson(
            name, number, f"1390000000{n}" if n < 4 else "", grade="经理" if n == 0 else "职员"), today=TODAY))
    capacity.set_weekday_limits(supervisor, None, [2] * 7)
    return contract_id, ids


def test_the_roster_is_booked_from_the_first_day_within_capacity(desk, group):
    contract_id, ids = group
    result = roster_booking.book_roster(desk, contract_id, ids, TODAY + dt.timedelta(days=1),
                                        TODAY + dt.timedelta(days=3))
    assert result.booked == 4 and [n.name for n in result.not_booked] == ["冯五"]
    assert "没有手机号" in result.not_booked[0].reason
    assert [n for _, n in result.by_date] == [2, 2]
    booked = list(m.Booking.select().order_by(m.Booking.id))
    assert {b.channel for b in booked} == {"roster"} and {b.contract_id for b in booked} == {contract_id}
    assert all(e.guest_id for e in m.RosterEntry.select().where(m.RosterEntry.id != ids[4]))  # registered, linked
    first = m.RosterEntry.get_by_id(ids[0])
    assert m.Booking.get(m.Booking.guest == first.guest_id).package.code == "BASIC"  # the grade rule
    assert "已预约4人" in result.summary() and "1人未能预约" in result.summary()


def test_booking_the_roster_again_books_nobody_twice(desk, group):
    contract_id, ids = group
    first, last = TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=5)
    roster_booking.book_roster(desk, contract_id, ids, first, last)
    again = roster_booking.book_roster(desk, contract_id, ids, first, last)
    assert (again.booked, again.already_booked) == (0, 4)
    assert m.Booking.select().count() == 4


def test_who_does_not_fit_the_range_is_reported_with_the_reason(desk, group):
    contract_id, ids = group
    day = TODAY + dt.timedelta(days=1)
    result = roster_booking.book_roster(desk, contract_id, ids, day, day)
    assert result.booked == 2 and len(result.not_booked) == 3
    assert sum("没有空余接待量" in n.reason for n in result.not_booked) == 2
    assert m.Booking.select().where(m.Booking.exam_date == day).count() == 2   # never over the limit


def test_at_most_per_day_of_the_group_a_day(desk, group):
    contract_id, ids = group
    result = roster_booking.book_roster(desk, contract_id, ids, TODAY + dt.timedelta(days=1),
                                        TODAY + dt.timedelta(days=5), per_day=1)
    assert [n for _, n in result.by_date] == [1, 1, 1, 1]


def test_a_past_or_reversed_range_is_refused_before_anything_is_written(desk, group):
    contract_id, ids = group
    with pytest.raises(ValidationError):
        roster_booking.book_roster(desk, contract_id, ids, TODAY - dt.timedelta(days=1), TODAY)
    with pytest.raises(ValidationError):
        roster_booking.book_roster(desk, contract_id, ids, TODAY + dt.timedelta(days=3), TODAY + dt.timedelta(days=1))
    assert not m.Booking.select().exists() and not m.Guest.select().exists()
