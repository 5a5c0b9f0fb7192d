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
from frontdesk.services import audit, versioning
from frontdesk.services.session import Session
from frontdesk.storage import db
from frontdesk.storage import models as m
from frontdesk.storage.contract_queries import roster_counts


@dataclass(frozen=True)
class PackageRuleInput:
    """One line of a contract's package table: None / "" means any."""

    package_id: int
    sex: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    grade: str = ""


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
    rules: tuple[PackageRuleInput, ...] = ()   # packages by sex, age band and grade; most specific wins


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


def _checked_terms(terms: ContractTermsInput) -> tuple[str, list[PackageRuleInput]]:
    """The contract's name and its rule lines, cleaned; refused in words when they cannot stand."""
    name = normalize_input(terms.name or "").strip()
    if not name:
        raise ValidationError(tr("请输入合同名称", "Enter the contract's name"), field="name")
    if terms.start_date is None or terms.end_date is None:
        raise ValidationError(tr("请填写合同的开始和结束日期", "Enter the contract's start and end dates"),
                              field="start_date")
    if terms.end_date < terms.start_date:
        raise ValidationError(tr("合同结束日期早于开始日期", "The contract ends before it starts"), field="end_date")
    if terms.addon_allowance is None or terms.addon_allowance < 0:
        raise ValidationError(tr("加项额度不能为负数", "The add-on allowance cannot be negative"), field="addon_allowance")
    if terms.addon_allowance != terms.addon_allowance.quantize(Decimal("0.01")):
        raise ValidationError(tr("加项额度最多保留两位小数", "The add-on allowance has at most two decimals"),
                              field="addon_allowance")
    if terms.package_id is None and (terms.male_package_id is None or terms.female_package_id is None):
        raise ValidationError(tr("请为所有人或分别为男、女选择套餐", "Choose a package for everyone, or one for men and one "
                                 "for women"), field="package")
    rules: list[PackageRuleInput] = []
    seen: dict[tuple, int] = {}
    for n, rule in enumerate(terms.rules, start=1):
        sex = rule.sex or None
        grade = normalize_input(rule.grade or "").strip()[:32]
        if sex not in (None, "M", "F"):
            raise ValidationError(tr("第{n}条规则：性别无效", "Rule {n}: the sex is not valid", n=n), field="rules")
        for age in (rule.min_age, rule.max_age):
            if age is not None and not 0 <= age <= 150:
                raise ValidationError(tr("第{n}条规则：年龄应在0到150岁之间", "Rule {n}: ages run from 0 to 150", n=n),
                                      field="rules")
        if rule.min_age is not None and rule.max_age is not None and rule.min_age > rule.max_age:
            raise ValidationError(tr("第{n}条规则：最小年龄大于最大年龄", "Rule {n}: the lowest age is above the highest",
                                     n=n), field="rules")
        if rule.package_id is None:
            raise ValidationError(tr("第{n}条规则：请选择套餐", "Rule {n}: choose a package", n=n), field="rules")
        key = (sex, rule.min_age, rule.max_age, grade.casefold())
        if key in seen:
            raise ValidationError(tr("第{n}条规则与第{m}条的条件相同", "Rule {n} has the same conditions as rule {m}",
                                     n=n, m=seen[key]), field="rules")
        seen[key] = n
        rules.append(PackageRuleInput(rule.package_id, sex, rule.min_age, rule.max_age, grade))
    return name, rules


def _check_packages(terms: ContractTermsInput, rules: list[PackageRuleInput]) -> None:
    for pid, field in ((terms.package_id, "package"), (terms.male_package_id, "male_package"),
                       (terms.female_package_id, "female_package")):
        _package(pid, field)
    for n, rule in enumerate(rules, start=1):
        package = _package(rule.package_id, "rules")
        if package.sex_restriction and rule.sex and package.sex_restriction != rule.sex:
            raise ValidationError(tr("第{n}条规则：套餐“{p}”不适用于该性别", "Rule {n}: the package “{p}” is not for "
                                     "that sex", n=n, p=package.name), field="rules")


def _write_rules(contract_id: int, rules: list[PackageRuleInput]) -> None:
    m.ContractPackageRule.delete().where(m.ContractPackageRule.contract == contract_id).execute()
    for order, rule in enumerate(rules):
        m.ContractPackageRule.create(contract=contract_id, sex=rule.sex, min_age=rule.min_age, max_age=rule.max_age,
                                     grade=rule.grade or None, package=rule.package_id, sort_order=order)


def _rules_for_audit(rules: list[PackageRuleInput]) -> list[str]:
    return [f"{r.sex or '*'}/{r.min_age if r.min_age is not None else ''}-{r.max_age if r.max_age is not None else ''}"
            f"/{r.grade or '*'}->{r.package_id}" for r in rules]


def create_contract(session: Session, organisation_id: int, terms: ContractTermsInput) -> int:
    """A group contract of the organisation (supervisor), with its package table.  Returns its id."""
    session.require(Role.SUPERVISOR)
    name, rules = _checked_terms(terms)
    with db.transaction():
        if m.Organisation.get_or_none(m.Organisation.id == organisation_id) is None:
            raise NotFoundError(tr("单位不存在", "The organisation does not exist"), field="organisation")
        _check_packages(terms, rules)
        contract = m.Contract.create(
            organisation=organisation_id, name=name[:128], start_date=terms.start_date, end_date=terms.end_date,
            package=terms.package_id, male_package=terms.male_package_id, female_package=terms.female_package_id,
            org_pays_package=terms.org_pays_package, addon_allowance=terms.addon_allowance)
        _write_rules(contract.id, rules)
        audit.record(session, "contract.create", "contract", contract.id, organisation=organisation_id, name=name,
                     start=terms.start_date, end=terms.end_date, addon_allowance=terms.addon_allowance,
                     org_pays_package=terms.org_pays_package, rules=_rules_for_audit(rules))
    return contract.id


def _claim_contract(session: Session, contract_id: int, version: int) -> m.Contract:
    """The contract, bumped to the next version only if nobody changed it since ``version`` was read."""
    contract = m.Contract.get_or_none(m.Contract.id == contract_id)
    if contract is None:
        raise NotFoundError(tr("团检合同不存在", "The group contract does not exist"), field="contract")
    versioning.bump(m.Contract, contract_id, version, session)  # StaleEditError names who changed it
    return contract


def update_contract(session: Session, contract_id: int, terms: ContractTermsInput, *, version: int) -> None:
    """Change a contract's dates, packages, package table and who pays (supervisor), all or nothing.

    ``version`` is the one the editor read; a contract changed since then is
    refused (``ConflictError``) rather than overwritten.
    """
    session.require(Role.SUPERVISOR)
    name, rules = _checked_terms(terms)
    with db.transaction():
        before = _claim_contract(session, contract_id, version)
        _check_packages(terms, rules)
        (m.Contract.update(name=name[:128], start_date=terms.start_date, end_date=terms.end_date,
                           package=terms.package_id, male_package=terms.male_package_id,
                           female_package=terms.female_package_id, org_pays_package=terms.org_pays_package,
                           addon_allowance=terms.addon_allowance)
         .where(m.Contract.id == contract_id).execute())
        _write_rules(contract_id, rules)
        audit.record(session, "contract.update", "contract", contract_id, name=name,
                     start=terms.start_date, end=terms.end_date, addon_allowance=terms.addon_allowance,
                     org_pays_package=terms.org_pays_package, rules=_rules_for_audit(rules),
                     before=f"{before.start_date}..{before.end_date} {before.addon_allowance}")


def set_contract_active(session: Session, contract_id: int, active: bool, *, version: int) -> None:
    """Deactivate a contract (no more bookings or check-ins under it) or bring it back (supervisor)."""
    session.require(Role.SUPERVISOR)
    with db.transaction():
        _claim_contract(session, contract_id, version)
        m.Contract.update(active=bool(active)).where(m.Contract.id == contract_id).execute()
        audit.record(session, "contract.activate" if active else "contract.deactivate", "contract", contract_id)


def update_organisation(session: Session, organisation_id: int, name: str, contact_name: str = "",
                        contact_phone: str = "") -> None:
    """Rename an organisation or change its contact (supervisor); the name stays unique."""
    session.require(Role.SUPERVISOR)
    name = normalize_input(name or "").strip()
    if not name:
        raise ValidationError(tr("请输入单位名称", "Enter the organisation's name"), field="name")
    with db.transaction():
        if m.Organisation.get_or_none(m.Organisation.id == organisation_id) is None:
            raise NotFoundError(tr("单位不存在", "The organisation does not exist"), field="organisation")
        if m.Organisation.select().where(m.Organisation.name == name, m.Organisation.id != organisation_id).exists():
            raise ConflictError(tr("单位“{n}”已存在", "The organisation “{n}” exists already", n=name), field="name")
        (m.Organisation.update(name=name[:128], contact_name=normalize_input(contact_name or "")[:64],
                               contact_phone=normalize_input(contact_phone or "")[:32])
         .where(m.Organisation.id == organisation_id).execute())
        audit.record(session, "organisation.update", "organisation", organisation_id, name=name)


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



# --------------------------------------------------------------------------
# Reading: plain data for the screens


def _name(row) -> str:
    return tr(row.name, getattr(row, "name_en", "") or row.name)


@dataclass(frozen=True)
class OrganisationView:
    id: int
    name: str
    contact_name: str
    contact_phone: str
    contracts: int
    active_contracts: int


@dataclass(frozen=True)
class PackageOption:
    id: int
    code: str
    name: str
    sex_restriction: str | None
    min_age: int | None
    max_age: int | None

    @property
    def label(self) -> str:
        return f"{self.code} · {self.name}"


@dataclass(frozen=True)
class PackageRuleView:
    sex: str | None
    min_age: int | None
    max_age: int | None
    grade: str
    package_id: int
    package_label: str

    def as_input(self) -> PackageRuleInput:
        return PackageRuleInput(self.package_id, self.sex, self.min_age, self.max_age, self.grade)

    @property
    def conditions(self) -> str:
        """The rule's conditions in words: 男 · 40-59岁 · 经理."""
        parts = []
        if self.sex:
            parts.append(tr("男", "men") if self.sex == "M" else tr("女", "women"))
        if self.min_age is not None and self.max_age is not None:
            parts.append(tr("{a}-{b}岁", "aged {a}-{b}", a=self.min_age, b=self.max_age))
        elif self.min_age is not None:
            parts.append(tr("{a}岁及以上", "aged {a}+", a=self.min_age))
        elif self.max_age is not None:
            parts.append(tr("{b}岁及以下", "aged up to {b}", b=self.max_age))
        if self.grade:
            parts.append(self.grade)
        return " · ".join(parts) or tr("所有人", "everyone")


@dataclass(frozen=True)
class ContractView:
    id: int
    organisation_id: int
    organisation_name: str
    name: str
    start_date: dt.date
    end_date: dt.date
    package_id: int | None
    male_package_id: int | None
    female_package_id: int | None
    package_label: str          # the fallback packages in words
    org_pays_package: bool
    addon_allowance: Decimal
    active: bool
    version: int
    rules: tuple[PackageRuleView, ...]
    roster_count: int

    def terms(self) -> ContractTermsInput:
        return ContractTermsInput(self.name, self.start_date, self.end_date, self.package_id, self.male_package_id,
                                  self.female_package_id, self.org_pays_package, self.addon_allowance,
                                  tuple(r.as_input() for r in self.rules))

    def status_on(self, day: dt.date) -> str:
        if not self.active:
            return tr("已停用", "Inactive")
        if day < self.start_date:
            return tr("未开始", "Not started")
        if day > self.end_date:
            return tr("已到期", "Ended")
        return tr("有效", "Active")

    @property
    def payer_text(self) -> str:
        """Who pays what, in words."""
        package = tr("单位支付套餐", "the organisation pays the package") if self.org_pays_package else \
            tr("客人自付套餐", "the guest pays the package")
        if self.addon_allowance > 0:
            addons = tr("加项单位承担{a}元以内，超出部分客人自付", "add-ons up to {a} yuan paid by the organisation, the "
                        "rest by the guest", a=self.addon_allowance)
        else:
            addons = tr("加项客人自付", "add-ons paid by the guest")
        return tr("{a}；{b}", "{a}; {b}", a=package, b=addons)


def package_options() -> list[PackageOption]:
    """The packages a contract may give (the offered ones), by code."""
    return [PackageOption(p.id, p.code, _name(p), p.sex_restriction, p.min_age, p.max_age)
            for p in m.Package.select().where(m.Package.active == True).order_by(m.Package.code)]  # noqa: E712


def organisations(search: str = "") -> list[OrganisationView]:
    """Every organisation (filtered by a part of its name), with how many contracts it has."""
    counts: dict[int, list[int]] = {}
    for org_id, active in m.Contract.select(m.Contract.organisation, m.Contract.active).tuples():
        c = counts.setdefault(org_id, [0, 0])
        c[0] += 1
        c[1] += 1 if active else 0
    query = m.Organisation.select().order_by(m.Organisation.name)
    text = normalize_input(search or "").strip()
    if text:
        query = query.where(m.Organisation.name.contains(text))
    return [OrganisationView(o.id, o.name, o.contact_name, o.contact_phone, *counts.get(o.id, [0, 0]))
            for o in query]


def _package_labels() -> dict[int, str]:
    return {p.id: f"{p.code} · {_name(p)}" for p in m.Package.select()}


def _views(rows: list[m.Contract]) -> list[ContractView]:
    if not rows:
        return []
    labels = _package_labels()
    ids = [c.id for c in rows]
    rules: dict[int, list[PackageRuleView]] = {}
    for r in (m.ContractPackageRule.select().where(m.ContractPackageRule.contract.in_(ids))
              .order_by(m.ContractPackageRule.sort_order, m.ContractPackageRule.id)):
        rules.setdefault(r.contract_id, []).append(PackageRuleView(r.sex, r.min_age, r.max_age, r.grade or "",
                                                                   r.package_id, labels.get(r.package_id, "?")))
    counts = roster_counts(ids)
    orgs = {o.id: o.name for o in m.Organisation.select().where(
        m.Organisation.id.in_(list({c.organisation_id for c in rows})))}
    views = []
    for c in rows:
        if c.package_id:
            fallback = labels.get(c.package_id, "?")
            if c.male_package_id or c.female_package_id:
                fallback += tr("（男：{m}；女：{f}）", " (men: {m}; women: {f})",
                               m=labels.get(c.male_package_id, "-"), f=labels.get(c.female_package_id, "-"))
        else:
            fallback = tr("男：{m}；女：{f}", "men: {m}; women: {f}", m=labels.get(c.male_package_id, "-"),
                          f=labels.get(c.female_package_id, "-"))
        views.append(ContractView(c.id, c.organisation_id, orgs.get(c.organisation_id, ""), c.name, c.start_date,
                                  c.end_date, c.package_id, c.male_package_id, c.female_package_id, fallback,
                                  c.org_pays_package, c.addon_allowance, c.active, c.version,
                                  tuple(rules.get(c.id, ())), counts.get(c.id, 0)))
    return views


def contracts_of(organisation_id: int) -> list[ContractView]:
    """The organisation's contracts, the latest first."""
    return _views(list(m.Contract.select().where(m.Contract.organisation == organisation_id)
                       .order_by(m.Contract.start_date.desc(), m.Contract.id.desc())))


def contract(contract_id: int) -> ContractView:
    views = _views(list(m.Contract.select().where(m.Contract.id == contract_id)))
    if not views:
        raise NotFoundError(tr("团检合同不存在", "The group contract does not exist"), field="contract")
    return views[0]


@dataclass(frozen=True)
class RosterLine:
    id: int
    name: str
    sex: str
    birth_date: dt.date | None
    age: int | None
    id_number_masked: str
    phone_masked: str
    department: str
    grade: str
    package_label: str      # the package the contract gives this person (rules applied)
    guest_id: int | None


@dataclass(frozen=True)
class RosterPage:
    total: int              # everyone on the roster
    matching: int           # those the search finds
    lines: tuple[RosterLine, ...]


def roster(contract_id: int, search: str = "", *, day: dt.date | None = None, limit: int = 500) -> RosterPage:
    """The contract's roster (masked), searched by name, ID number's end, phone's end, department or grade.

    Each line shows the package the contract gives the person on ``day``
    (the roster line's own, else the package table, else the fallback).
    """
    from frontdesk import clock
    from frontdesk.domain.idnumber import age_on
    from frontdesk.domain.masking import mask_phone
    from frontdesk.services import eligibility

    day = day or clock.today()
    row = m.Contract.get_or_none(m.Contract.id == contract_id)
    if row is None:
        raise NotFoundError(tr("团检合同不存在", "The group contract does not exist"), field="contract")
    base = m.RosterEntry.select().where(m.RosterEntry.contract == contract_id)
    total = base.count()
    text = normalize_input(search or "").strip()
    query = base
    if text:
        query = base.where(m.RosterEntry.name.contains(text) | m.RosterEntry.department.contains(text)
                           | m.RosterEntry.grade.contains(text) | m.RosterEntry.id_number.endswith(text.upper())
                           | m.RosterEntry.phone.endswith(text))
    matching = query.count() if text else total
    rules = eligibility.package_rules_of(contract_id)
    labels = _package_labels()
    lines = []
    for e in query.order_by(m.RosterEntry.id).limit(limit):
        age = age_on(e.birth_date, day) if e.birth_date and e.birth_date <= day else None
        if e.package_id:
            package_id = e.package_id
        else:
            rule = eligibility.match_package_rule(rules, e.sex, age, e.grade)
            package_id = rule.package_id if rule else (
                row.male_package_id if e.sex == "M" and row.male_package_id else
                row.female_package_id if e.sex == "F" and row.female_package_id else row.package_id)
        lines.append(RosterLine(e.id, e.name, e.sex, e.birth_date, age, mask_id_number(e.id_number or ""),
                                mask_phone(e.phone) if e.phone else "", e.department, e.grade,
                                labels.get(package_id, "") if package_id else "", e.guest_id))
    return RosterPage(total, matching, tuple(lines))
