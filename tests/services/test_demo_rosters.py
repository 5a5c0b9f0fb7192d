"""The demo day's roster: imported from a messy workbook through roster_import, with rejected rows and grade rules."""

import datetime as dt

import openpyxl
import pytest

from frontdesk.services import demo, demo_rosters, eligibility
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def built(demo_copy, tmp_path):
    return demo_copy(days=1, scale=0.4, seed=5, today=TODAY, output_dir=tmp_path / "prints")


def test_the_demo_imports_a_messy_roster_and_keeps_the_rejected_rows_for_hr(built, tmp_path):
    org = m.Organisation.get(m.Organisation.name == demo_rosters.ORGANISATION[0])
    contract = m.Contract.get(m.Contract.organisation == org)
    entries = m.RosterEntry.select().where(m.RosterEntry.contract == contract.id)
    assert entries.count() >= 10
    audit = m.AuditLog.get(m.AuditLog.action == "roster.import")
    assert audit.record_id == str(contract.id)
    book = openpyxl.load_workbook(tmp_path / "prints" / "rosters" / f"{org.name}-错误清单.xlsx")
    reasons = [row[-1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert len(reasons) == 4
    assert any("存成了数字" in r for r in reasons) and any("缺少姓名" in r for r in reasons)
    assert any("同一人" in r for r in reasons) and any("校验位" in r for r in reasons)
    assert any(n.startswith(org.name) for n in built.notes)


def test_the_demo_contract_gives_packages_by_grade_and_age_and_its_bookings_follow_them(built):
    org = m.Organisation.get(m.Organisation.name == demo_rosters.ORGANISATION[0])
    contract = m.Contract.get(m.Contract.organisation == org)
    assert m.ContractPackageRule.select().where(m.ContractPackageRule.contract == contract.id,
                                                m.ContractPackageRule.grade == "经理").count() == 2
    booked = list(m.Booking.select().where(m.Booking.contract == contract.id))
    assert booked and all(b.exam_date > TODAY and b.channel == "roster" for b in booked)
    for b in booked:
        entry = m.RosterEntry.get_by_id(b.roster_entry_id)
        expected = eligibility.contract_package_id(contract, entry, entry.sex, birth_date=entry.birth_date,
                                                   day=b.exam_date)
        assert b.package_id == expected
        assert eligibility.check(b.guest, package_id=b.package_id, contract_id=contract.id, day=b.exam_date).ok
