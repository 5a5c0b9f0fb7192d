"""Organisations, contracts and roster lines; bookings checked for eligibility when they are made."""

import datetime as dt
from decimal import Decimal

import pytest

from frontdesk import clock
from frontdesk.errors import ConflictError, PermissionDeniedError, ValidationError
from frontdesk.services import bookings, contracts
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)
NOON = dt.datetime(2026, 11, 23, 12, 0).astimezone()


@pytest.fixture(autouse=True)
def _at_noon():
    with clock.pinned(NOON):
        yield


def _contract(supervisor, cat, **terms):
    org = contracts.create_organisation(supervisor, "星河科技有限公司", "周经理", "13911112222")
    values = dict(name="2026年度员工体检", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31),
                  package_id=cat.package("GROUP").id, addon_allowance=Decimal("200.00"))
    values.update(terms)
    return contracts.create_contract(supervisor, org, contracts.ContractTermsInput(**values))


def test_contracts_are_a_supervisors_job(desk, cat):
    with pytest.raises(PermissionDeniedError):
        contracts.create_organisation(desk, "星河科技有限公司")
    assert not m.Organisation.select().exists()


def test_a_contract_needs_a_package_for_everyone_or_for_each_sex(supervisor, cat):
    org = contracts.create_organisation(supervisor, "东方物流集团")
    with pytest.raises(ValidationError):
        contracts.create_contract(supervisor, org, contracts.ContractTermsInput(
            "2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), male_package_id=cat.package("COMP_M").id))
    with pytest.raises(ValidationError):
        contracts.create_contract(supervisor, org, contracts.ContractTermsInput(
            "2026", dt.date(2026, 12, 31), dt.date(2026, 1, 1), package_id=cat.package("GROUP").id))
    assert not m.Contract.select().exists()


def test_roster_line_takes_sex_and_birth_from_the_id_number_and_is_not_added_twice(supervisor, desk, cat):
    contract_id = _contract(supervisor, cat)
    person = contracts.RosterPerson("李娜", "110105198503150027", "13800138000", "主管", "财务部")
    entry = m.RosterEntry.get_by_id(contracts.add_roster_entry(desk, contract_id, person, today=TODAY))
    assert (entry.sex, entry.birth_date, entry.grade) == ("F", dt.date(1985, 3, 15), "主管")
    with pytest.raises(ConflictError):
        contracts.add_roster_entry(desk, contract_id, person, today=TODAY)
    assert m.RosterEntry.select().count() == 1


def test_a_27_year_old_is_not_booked_on_the_50_plus_package(desk, cat, make_guest):
    guest = make_guest(birth=dt.date(1999, 6, 1))
    with pytest.raises(ValidationError) as exc:
        bookings.create_booking(desk, guest.id, TODAY + dt.timedelta(days=1), package_id=cat.package("SENIOR").id)
    assert "50" in exc.value.message and "27" in exc.value.message
    assert not m.Booking.select().exists()


def test_a_booking_is_numbered_and_a_past_date_is_refused(desk, cat, make_guest):
    guest = make_guest()
    first = bookings.create_booking(desk, guest.id, TODAY, package_id=cat.package("BASIC").id)
    second = bookings.create_booking(desk, make_guest(name="王芳", sex="F").id, TODAY,
                                     package_id=cat.package("BASIC").id)
    assert first.booking_no != second.booking_no and first.created_at == NOON
    with pytest.raises(ValidationError):
        bookings.create_booking(desk, guest.id, TODAY - dt.timedelta(days=1), package_id=cat.package("BASIC").id)
    with pytest.raises(ConflictError):
        bookings.create_booking(desk, guest.id, TODAY, package_id=cat.package("BASIC").id)


def test_a_group_booking_needs_the_person_on_the_roster_and_takes_the_contracts_package(supervisor, desk, cat,
                                                                                      make_guest):
    contract_id = _contract(supervisor, cat)
    guest = make_guest()
    with pytest.raises(ValidationError):
        bookings.create_booking(desk, guest.id, TODAY, contract_id=contract_id)
    contracts.add_roster_entry(desk, contract_id, contracts.RosterPerson(guest.name, guest.id_number), today=TODAY)
    booking = bookings.create_booking(desk, guest.id, TODAY, contract_id=contract_id)
    assert booking.package_id == cat.package("GROUP").id and booking.source == "group"
    assert booking.roster_entry_id is not None
