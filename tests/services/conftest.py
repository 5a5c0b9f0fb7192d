"""Fixtures for the desk's use cases: sessions, guests and contracts built through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from frontdesk.domain.enums import IdType, Role
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.services.session import Session

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def desk(fdb):
    return Session("qiantai", "李前台", Role.RECEPTION, "前台1")


@pytest.fixture
def supervisor(fdb):
    return Session("zhuguan", "王主管", Role.SUPERVISOR, "前台1")


@pytest.fixture
def today():
    return TODAY


class Catalogue:
    """Look-ups by code in the seeded catalogue."""

    def item(self, code: str):
        from frontdesk.storage import models as m

        return m.ExamItem.get(m.ExamItem.code == code)

    def item_id(self, code: str) -> int:
        return self.item(code).id

    def package(self, code: str):
        from frontdesk.storage import models as m

        return m.Package.get(m.Package.code == code)


@pytest.fixture
def cat(catalogue):
    return Catalogue()


_phones = itertools.count(13800000001)


@pytest.fixture
def make_guest(desk):
    """Register a guest through the service; a valid resident ID from sex and birth date."""
    from frontdesk.services import guests

    sequence = itertools.count(11)

    def make(name="张三丰", sex="M", birth=dt.date(1980, 5, 17), phone=None, region="110105", **changes):
        seq = next(sequence) * 2 + (1 if sex == "M" else 0)
        number = make_resident_id(region, birth, seq % 1000)
        inp = guests.GuestInput(name=name, sex=sex, birth_date=birth, id_type=IdType.RESIDENT_ID, id_number=number,
                                phone=phone or str(next(_phones)), organisation_id=None)
        for key, value in changes.items():
            setattr(inp, key, value)
        return guests.register(desk, inp, today=TODAY)

    return make


@pytest.fixture
def make_contract(admin, cat):
    """An organisation with an active contract for this year and a roster."""
    from frontdesk.storage import models as m

    counter = itertools.count(1)

    def make(*, roster=(), package="GROUP", male_package=None, female_package=None, org_pays_package=True,
             addon_allowance="0", active=True, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)):
        org = m.Organisation.create(name=f"测试单位{next(counter)}")
        contract = m.Contract.create(
            organisation=org, name="2026年度员工体检", start_date=start, end_date=end,
            package=cat.package(package) if package else None,
            male_package=cat.package(male_package) if male_package else None,
            female_package=cat.package(female_package) if female_package else None,
            org_pays_package=org_pays_package, addon_allowance=Decimal(addon_allowance), active=active)
        for guest in roster:
            m.RosterEntry.create(contract=contract, name=guest.name, sex=guest.sex, birth_date=guest.birth_date,
                                 id_number=guest.id_number, phone=guest.phone)
        return contract

    return make
