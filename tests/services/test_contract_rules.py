"""A contract's packages by sex, age band and grade (职级), who pays, and editing contracts (SQLite + PostgreSQL)."""

import datetime as dt
from decimal import Decimal

import pytest

from frontdesk import clock
from frontdesk.errors import ConflictError, PermissionDeniedError, ValidationError
from frontdesk.services import bookings, contracts, eligibility
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)
NOON = dt.datetime(2026, 11, 23, 12, 0).astimezone()


@pytest.fixture(autouse=True)
def _at_noon():
    with clock.pinned(NOON):
        yield


def _rule(cat, code, **conditions):
    return contracts.PackageRuleInput(cat.package(code).id, **conditions)


def _terms(cat, rules=(), **changes):
    values = dict(name="2026年度员工体检", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31),
                  package_id=cat.package("GROUP").id, addon_allowance=Decimal("200.00"), rules=tuple(rules))
    values.update(changes)
    return contracts.ContractTermsInput(**values)


def _contract(supervisor, cat, rules=(), **changes):
    org = contracts.create_organisation(supervisor, "星河科技有限公司", "周经理", "13911112222")
    return contracts.create_contract(supervisor, org, _terms(cat, rules, **changes))


def _on_roster(desk, contract_id, guest, grade=""):
    contracts.add_roster_entry(desk, contract_id, contracts.RosterPerson(guest.name, guest.id_number, guest.phone or "",
                                                                         grade=grade),
                               today=TODAY)


def _package_for(guest, contract_id, day=TODAY):
    verdict = eligibility.check(m.Guest.get_by_id(guest.id), package_id=None, contract_id=contract_id, day=day)
    return m.Package.get_by_id(verdict.package_id_suggested).code


def test_the_roster_lines_grade_decides_the_package(supervisor, desk, cat, make_guest):
    contract_id = _contract(supervisor, cat, [_rule(cat, "BASIC", grade="经理")])
    manager = make_guest(name="周经理", birth=dt.date(1980, 5, 17))
    clerk = make_guest(name="吴职员", birth=dt.date(1980, 5, 17))
    _on_roster(desk, contract_id, manager, grade="经理")
    _on_roster(desk, contract_id, clerk, grade="职员")
    assert _package_for(manager, contract_id) == "BASIC"
    assert _package_for(clerk, contract_id) == "GROUP"  # no rule fits: the contract's package for everyone
    booking = bookings.create_booking(desk, manager.id, TODAY + dt.timedelta(days=1), contract_id=contract_id)
    assert booking.package_code == "BASIC"


def test_a_grade_is_compared_without_case_width_or_spaces(supervisor, desk, cat, make_guest):
    contract_id = _contract(supervisor, cat, [_rule(cat, "BASIC", grade="M3")])
    guest = make_guest()
    _on_roster(desk, contract_id, guest, grade=" ｍ３ ")
    assert _package_for(guest, contract_id) == "BASIC"


def test_the_most_specific_rule_wins_then_the_first_in_the_table(supervisor, desk, cat, make_guest):
    contract_id = _contract(supervisor, cat, [
        _rule(cat, "COMP_M", sex="M"),
        _rule(cat, "SENIOR", sex="M", min_age=50),
        _rule(cat, "BASIC", grade="经理"),
    ])
    older_man = make_guest(name="赵大", sex="M", birth=dt.date(1970, 1, 1))          # 56: sex + age beats sex
    younger_manager = make_guest(name="钱二", sex="M", birth=dt.date(1990, 1, 1))    # 36: sex and grade tie
    woman_manager = make_guest(name="孙三", sex="F", birth=dt.date(1990, 1, 1))
    woman_clerk = make_guest(name="李四", sex="F", birth=dt.date(1990, 1, 1))
    _on_roster(desk, contract_id, older_man, grade="职员")
    _on_roster(desk, contract_id, younger_manager, grade="经理")
    _on_roster(desk, contract_id, woman_manager, grade="经理")
    _on_roster(desk, contract_id, woman_clerk, grade="职员")
    assert _package_for(older_man, contract_id) == "SENIOR"
    assert _package_for(younger_manager, contract_id) == "COMP_M"   # equally specific: the earlier line
    assert _package_for(woman_manager, contract_id) == "BASIC"
    assert _package_for(woman_clerk, contract_id) == "GROUP"


def test_the_age_band_is_the_age_on_the_exam_day(supervisor, desk, cat, make_guest):
    contract_id = _contract(supervisor, cat, [_rule(cat, "SENIOR", min_age=50)])
    guest = make_guest(birth=dt.date(1976, 12, 1))
    _on_roster(desk, contract_id, guest)
    assert _package_for(guest, contract_id, TODAY) == "GROUP"                       # 49 today
    assert _package_for(guest, contract_id, dt.date(2026, 12, 2)) == "SENIOR"      # 50 by then


def test_the_roster_lines_own_package_beats_the_rules(supervisor, desk, cat, make_guest):
    contract_id = _contract(supervisor, cat, [_rule(cat, "BASIC", grade="经理")])
    guest = make_guest()
    contracts.add_roster_entry(desk, contract_id, contracts.RosterPerson(
        guest.name, guest.id_number, grade="经理", package_id=cat.package("ENTRY").id), today=TODAY)
    assert _package_for(guest, contract_id) == "ENTRY"


def test_sex_rules_without_grade_fall_back_to_the_contracts_sex_packages(supervisor, desk, cat, make_guest):
    contract_id = _contract(supervisor, cat, [_rule(cat, "SENIOR", min_age=50)], package_id=None,
                            male_package_id=cat.package("COMP_M").id, female_package_id=cat.package("COMP_F").id)
    woman = make_guest(name="王芳", sex="F", birth=dt.date(1990, 3, 3))
    _on_roster(desk, contract_id, woman)
    assert _package_for(woman, contract_id) == "COMP_F"


@pytest.mark.parametrize("rule, words", [
    (dict(code="BASIC", min_age=60, max_age=40), "最小年龄大于最大年龄"),
    (dict(code="COMP_F", sex="M"), "不适用于该性别"),
    (dict(code="BASIC", min_age=200), "0到150"),
])
def test_an_impossible_rule_is_refused_and_nothing_is_written(supervisor, cat, rule, words):
    rule = dict(rule)
    code = rule.pop("code")
    with pytest.raises(ValidationError) as exc:
        _contract(supervisor, cat, [_rule(cat, "BASIC", grade="经理"), _rule(cat, code, **rule)])
    assert words in exc.value.message and "第2条" in exc.value.message
    assert not m.Contract.select().exists() and not m.ContractPackageRule.select().exists()


def test_two_rules_with_the_same_conditions_are_refused(supervisor, cat):
    with pytest.raises(ValidationError) as exc:
        _contract(supervisor, cat, [_rule(cat, "BASIC", grade="经理"), _rule(cat, "ENTRY", grade="经理")])
    assert "第2条规则与第1条" in exc.value.message


def test_editing_replaces_the_rules_and_who_pays_and_is_audited(supervisor, desk, cat, make_guest):
    contract_id = _contract(supervisor, cat, [_rule(cat, "BASIC", grade="经理")])
    guest = make_guest()
    _on_roster(desk, contract_id, guest, grade="经理")
    view = contracts.contract(contract_id)
    contracts.update_contract(supervisor, contract_id, _terms(cat, [_rule(cat, "ENTRY", grade="经理")],
                                                              org_pays_package=False, addon_allowance=Decimal("0")),
                              version=view.version)
    after = contracts.contract(contract_id)
    assert [r.package_label.split(" · ")[0] for r in after.rules] == ["ENTRY"]
    assert (after.org_pays_package, after.addon_allowance, after.version) == (False, Decimal("0.00"), view.version + 1)
    assert _package_for(guest, contract_id) == "ENTRY"
    assert m.AuditLog.select().where(m.AuditLog.action == "contract.update").count() == 1


def test_a_save_over_someone_elses_change_is_refused(supervisor, cat):
    contract_id = _contract(supervisor, cat)
    opened = contracts.contract(contract_id)
    contracts.update_contract(supervisor, contract_id, _terms(cat, end_date=dt.date(2026, 12, 30)),
                              version=opened.version)
    with pytest.raises(ConflictError):
        contracts.update_contract(supervisor, contract_id, _terms(cat, [_rule(cat, "BASIC", grade="经理")]),
                                  version=opened.version)
    after = contracts.contract(contract_id)
    assert after.end_date == dt.date(2026, 12, 30) and after.rules == ()


def test_reception_reads_contracts_but_cannot_edit_or_deactivate_them(supervisor, desk, cat):
    contract_id = _contract(supervisor, cat)
    view = contracts.contract(contract_id)
    with pytest.raises(PermissionDeniedError):
        contracts.update_contract(desk, contract_id, _terms(cat, name="改名"), version=view.version)
    with pytest.raises(PermissionDeniedError):
        contracts.set_contract_active(desk, contract_id, False, version=view.version)
    with pytest.raises(PermissionDeniedError):
        contracts.update_organisation(desk, view.organisation_id, "改名单位")
    assert contracts.contract(contract_id).name == "2026年度员工体检" and contracts.contract(contract_id).active


def test_a_deactivated_contract_admits_nobody_until_it_is_active_again(supervisor, desk, cat, make_guest):
    contract_id = _contract(supervisor, cat)
    guest = make_guest()
    _on_roster(desk, contract_id, guest)
    contracts.set_contract_active(supervisor, contract_id, False, version=contracts.contract(contract_id).version)
    verdict = eligibility.check(m.Guest.get_by_id(guest.id), package_id=None, contract_id=contract_id, day=TODAY)
    assert not verdict.ok and "停用" in verdict.banner()
    contracts.set_contract_active(supervisor, contract_id, True, version=contracts.contract(contract_id).version)
    assert eligibility.check(m.Guest.get_by_id(guest.id), package_id=None, contract_id=contract_id, day=TODAY).ok


def test_lists_give_organisations_contracts_and_a_searchable_masked_roster(supervisor, desk, cat, make_guest):
    contract_id = _contract(supervisor, cat, [_rule(cat, "BASIC", grade="经理")])
    org_id = contracts.contract(contract_id).organisation_id
    contracts.create_organisation(supervisor, "东方物流集团")
    for n, grade in enumerate(("经理", "职员", "职员")):
        guest = make_guest(name=("周一", "吴二", "郑三")[n], phone=f"1391234000{n}")
        _on_roster(desk, contract_id, guest, grade=grade)
    orgs = contracts.organisations()
    assert [(o.name, o.contracts) for o in orgs] == [("东方物流集团", 0), ("星河科技有限公司", 1)]
    assert [o.name for o in contracts.organisations("星河")] == ["星河科技有限公司"]
    assert [c.roster_count for c in contracts.contracts_of(org_id)] == [3]
    page = contracts.roster(contract_id, "职员")
    assert (page.total, page.matching) == (3, 2)
    assert [line.name for line in page.lines] == ["吴二", "郑三"]
    full = contracts.roster(contract_id)
    assert full.lines[0].package_label.startswith("BASIC") and full.lines[1].package_label.startswith("GROUP")
    assert "*" in full.lines[0].id_number_masked and full.lines[0].phone_masked == "139****0000"
    assert contracts.roster(contract_id, "0001").matching == 1   # the end of a phone number


def test_renaming_an_organisation_keeps_names_unique(supervisor, cat):
    first = contracts.create_organisation(supervisor, "星河科技有限公司")
    contracts.create_organisation(supervisor, "东方物流集团")
    with pytest.raises(ConflictError):
        contracts.update_organisation(supervisor, first, "东方物流集团")
    contracts.update_organisation(supervisor, first, "星河科技集团", "周经理", "13911112222")
    assert [o.name for o in contracts.organisations()] == ["东方物流集团", "星河科技集团"]


def test_who_pays_is_said_in_words(supervisor, cat):
    view = contracts.contract(_contract(supervisor, cat))
    assert "单位支付套餐" in view.payer_text and "200.00" in view.payer_text
