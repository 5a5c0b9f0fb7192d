"""Organisations, group contracts and their rosters (团检单位、合同、名单).

The smallest complete set of operations a group exam needs: an organisation,
a contract with its dates, packages and who pays, and the people on its
roster, one line at a time (a spreadsheet import builds on ``add_roster_entry``).
Contracts and organisations are a supervisor's job; adding a person to a
roster is the desk's.  Each call is one transaction and audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from frontdesk.domain.enums import IdType, Role
from frontdesk.domain.idnumber import parse_resident_id
from frontdesk.domain.masking import mask_id_number
from frontdesk.domain.text import normalize_input, validate_person_name
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit
from frontdesk.services.session import Session
from frontdesk.storage import db
from frontdesk.storage import models as m


@dataclass(frozen=True)
class ContractTermsInput:
    name: str
    start_date: dt.date
    end_date: dt.date
    package_id: int | None = None          # for everyone without a more specific package
    male_package_id: int | None = None
    female_package_id: int | None = None
    org_pays_package: bool = True
    addon_allowance: Decimal = Decimal("0.00")


def create_organisation(session: Session, name: str, contact_name: str = "", contact_phone: str = "") -> int:
    """A new organisation (supervisor); its name must be new.  Returns its id."""
    session.require(Role.SUPERVISOR)
    name = normalize_input(name or "").strip()
    if not name:
        raise ValidationError(tr("请输入单位名称", "Enter the organisation's name"), field="name")
    with db.transaction():
        if m.Organisation.select().where(m.Organisation.name == name).exists():
            raise ConflictError(tr("单位“{n}”已存在", "The organisation “{n}” exists already", n=name), field="name")
        org = m.Organisation.create(name=name[:128], contact_name=normalize_input(contact_name or "")[:64],
                                    contact_phone=normalize_input(contact_phone or "")[:32])
        audit.record(session, "organisation.create", "organisation", org.id, name=name)
    return org.id


def _package(package_id: int | None, field: str) -> m.Package | None:
    if package_id is None:
        return None
    package = m.Package.get_or_none(m.Package.id == package_id)
    if package is None or not package.active:
        raise NotFoundError(tr("套餐不存在或已停用", "The package does not exist or is no longer offered"), field=field)
    return package


def create_contract(session: Session, organisation_id: int, terms: ContractTermsInput) -> int:
    """A group contract of the organisation (supervisor).  Returns its id."""
    session.require(Role.SUPERVISOR)
    name = normalize_input(terms.name or "").strip()
    if not name:
        raise ValidationError(tr("请输入合同名称", "Enter the contract's name"), field="name")
    if terms.end_date < terms.start_date:
        raise ValidationError(tr("合同结束日期早于开始日期", "The contract ends before it starts"), field="end_date")
    if terms.addon_allowance < 0:
        raise ValidationError(tr("加项额度不能为负数", "The add-on allowance cannot be negative"), field="addon_allowance")
    if terms.package_id is None and (terms.male_package_id is None or terms.female_package_id is None):
        raise ValidationError(tr("请为所有人或分别为男、女选择套餐", "Choose a package for everyone, or one for men and one "
                                 "for women"), field="package")
    with db.transaction():
        if m.Organisation.get_or_none(m.Organisation.id == organisation_id) is None:
            raise NotFoundError(tr("单位不存在", "The organisation does not exist"), field="organisation")
        for pid, field in ((terms.package_id, "package"), (terms.male_package_id, "male_package"),
                           (terms.female_package_id, "female_package")):
            _package(pid, field)
        contract = m.Contract.create(
            organisation=organisation_id, name=name[:128], start_date=terms.start_date, end_date=terms.end_date,
            package=terms.package_id, male_package=terms.male_package_id, female_package=terms.female_package_id,
            org_pays_package=terms.org_pays_package, addon_allowance=terms.addon_allowance)
        audit.record(session, "contract.create", "contract", contract.id, organisation=organisation_id, name=name,
                     start=terms.start_date, end=terms.end_date, addon_allowance=terms.addon_allowance)
    return contract.id


@dataclass(frozen=True)
class RosterPerson:
    name: str
    id_number: str
    phone: str = ""
    grade: str = ""
    department: str = ""
    package_id: int | None = None


def add_roster_entry(session: Session, contract_id: int, person: RosterPerson, *, today: dt.date) -> int:
    """Put one person on the contract's roster; sex and birth date come from the ID number.

    The same ID number twice on one roster is refused.  Returns the entry's id.
    """
    name = validate_person_name(person.name)
    resident = parse_resident_id(person.id_number, today=today)
    with db.transaction():
        contract = m.Contract.get_or_none(m.Contract.id == contract_id)
        if contract is None:
            raise NotFoundError(tr("团检合同不存在", "The group contract does not exist"), field="contract")
        _package(person.package_id, "package")
        if m.RosterEntry.select().where(m.RosterEntry.contract == contract_id,
                                        m.RosterEntry.id_number == resident.number).exists():
            raise ConflictError(tr("此人已在该合同的名单中", "This person is on the contract's roster already"),
                                field="id_number")
        guest = (m.Guest.select(m.Guest.id).where(m.Guest.id_type == IdType.RESIDENT_ID.value,
                                                  m.Guest.id_number == resident.number,
                                                  m.Guest.merged_into.is_null()).first())
        entry = m.RosterEntry.create(contract=contract_id, name=name, sex=resident.sex.value,
                                     birth_date=resident.birth_date, id_number=resident.number,
                                     phone=(person.phone or "")[:20] or None, grade=(person.grade or "")[:32],
                                     department=(person.department or "")[:64], package=person.package_id,
                                     guest=guest.id if guest else None)
        audit.record(session, "roster.add", "roster_entry", entry.id, contract=contract_id,
                     id_number=mask_id_number(resident.number))
    return entry.id

