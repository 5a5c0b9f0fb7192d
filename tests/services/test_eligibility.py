import datetime as dt

from frontdesk.services import eligibility
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


def test_roster_member_is_eligible_and_gets_the_contract_package(make_guest, make_contract, cat):
    guest = make_guest()
    contract = make_contract(roster=[guest])
    result = eligibility.check(guest, package_id=None, contract_id=contract.id, day=TODAY)
    assert result.ok, result.reasons
    assert result.roster_entry is not None and result.package_id_suggested == cat.package("GROUP").id


def test_roster_is_matched_by_name_and_birth_date_without_a_number(make_guest, make_contract):
    guest = make_guest()
    contract = make_contract()
    m.RosterEntry.create(contract=contract, name=guest.name, sex=guest.sex, birth_date=guest.birth_date)
    assert eligibility.check(guest, package_id=None, contract_id=contract.id, day=TODAY).ok


def test_guest_not_on_roster_is_refused(make_guest, make_contract):
    on, off = make_guest(), make_guest(name="李四", birth=dt.date(1985, 1, 2))
    contract = make_contract(roster=[on])
    result = eligibility.check(off, package_id=None, contract_id=contract.id, day=TODAY)
    assert not result.ok and any("名单" in r for r in result.reasons)


def test_inactive_contract_is_refused(make_guest, make_contract):
    guest = make_guest()
    contract = make_contract(roster=[guest], active=False)
    result = eligibility.check(guest, package_id=None, contract_id=contract.id, day=TODAY)
    assert not result.ok and any("停用" in r for r in result.reasons)


def test_day_outside_contract_dates_is_refused(make_guest, make_contract):
    guest = make_guest()
    contract = make_contract(roster=[guest], end=dt.date(2026, 6, 30))
    result = eligibility.check(guest, package_id=None, contract_id=contract.id, day=TODAY)
    assert not result.ok and any("有效期" in r for r in result.reasons)


def test_package_follows_the_contract_by_sex(make_guest, make_contract, cat):
    man, woman = make_guest(), make_guest(name="王芳", sex="F", birth=dt.date(1990, 3, 4))
    contract = make_contract(roster=[man, woman], male_package="COMP_M", female_package="COMP_F")
    assert eligibility.check(man, package_id=None, contract_id=contract.id,
                             day=TODAY).package_id_suggested == cat.package("COMP_M").id
    other = eligibility.check(woman, package_id=cat.package("BASIC").id, contract_id=contract.id, day=TODAY)
    assert not other.ok and any("按合同" in r for r in other.reasons)


def test_sex_restricted_item_is_refused_with_its_name(make_guest, cat):
    man = make_guest()
    result = eligibility.check(man, package_id=cat.package("BASIC").id, item_ids=[cat.item_id("GYN")],
                               contract_id=None, day=TODAY)
    assert not result.ok and any("妇科检查" in r and "仅限女" in r for r in result.reasons)


def test_package_for_the_other_sex_is_refused_once(make_guest, cat):
    man = make_guest()
    result = eligibility.check(man, package_id=cat.package("COMP_F").id, contract_id=None, day=TODAY)
    assert not result.ok and len(result.reasons) == 1 and "女士全面体检套餐" in result.reasons[0]


def test_package_age_limit_is_refused(make_guest, cat):
    young = make_guest(birth=dt.date(1995, 1, 1))
    result = eligibility.check(young, package_id=cat.package("SENIOR").id, contract_id=None, day=TODAY)
    assert not result.ok and any("50" in r for r in result.reasons)


def test_group_package_needs_a_contract(make_guest, cat):
    result = eligibility.check(make_guest(), package_id=cat.package("GROUP").id, contract_id=None, day=TODAY)
    assert not result.ok and len(result.reasons) == 1 and "仅供团检合同使用" in result.reasons[0]


def test_already_used_contract_is_a_warning(make_guest, make_contract, desk):
    from frontdesk.services import checkin

    guest = make_guest()
    contract = make_contract(roster=[guest])
    checkin.check_in(desk, checkin.CheckInRequest(guest_id=guest.id, contract_id=contract.id),
                     day=TODAY - dt.timedelta(days=30))
    result = eligibility.check(guest, package_id=None, contract_id=contract.id, day=TODAY)
    assert result.ok and any("已于" in w for w in result.warnings)


def test_active_contracts_for_lists_the_guests_current_contracts(make_guest, make_contract):
    guest = make_guest()
    current = make_contract(roster=[guest])
    make_contract(roster=[guest], start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    make_contract(roster=[])
    assert [c.id for c in eligibility.active_contracts_for(guest, TODAY)] == [current.id]
