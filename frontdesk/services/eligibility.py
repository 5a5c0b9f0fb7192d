"""Eligibility (服务享受资格验证): may this guest have this exam today?

For a group guest (one with a contract) the person must be on the contract's
roster, matched by identity number or else by name and birth date; the
contract must be active and today within its dates; the package follows the
contract (the roster entry's own package, else the contract's package table by
sex, age band and grade, else its package for the person's sex, else its
package for everyone).  Having used the contract
already is a warning, not a refusal: a make-up visit is legitimate, the desk
decides.  For everyone, a package or item that does not fit the guest's sex
or a package's age limits is refused with a reason that names it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from frontdesk import clock
from frontdesk.domain.enums import VisitStatus
from frontdesk.domain.idnumber import age_on
from frontdesk.domain.sex import Sex
from frontdesk.domain.text import normalize_input
from frontdesk.i18n import tr
from frontdesk.storage import models as m


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reasons: list[str] = field(default_factory=list)  # why not: each one stops the check-in
    warnings: list[str] = field(default_factory=list)  # for the desk to confirm
    contract: m.Contract | None = None
    roster_entry: m.RosterEntry | None = None
    package_id_suggested: int | None = None

    def banner(self) -> str:
        """One line for the banner at the desk."""
        if self.ok:
            text = tr("符合体检资格", "Eligible")
            return text + ("：" + "；".join(self.warnings) if self.warnings else "")
        return tr("不符合体检资格：", "Not eligible: ") + "；".join(self.reasons)


def _name(row) -> str:
    return tr(row.name, getattr(row, "name_en", "") or row.name)


def roster_entry_for(guest: m.Guest, contract_id: int) -> m.RosterEntry | None:
    """The guest's line on the contract's roster: by identity number, else name + birth date."""
    if guest.id_number:
        entry = (m.RosterEntry.select().where(m.RosterEntry.contract == contract_id,
                                              m.RosterEntry.id_number == guest.id_number).first())
        if entry is not None:
            return entry
    entry = m.RosterEntry.select().where(m.RosterEntry.contract == contract_id,
                                         m.RosterEntry.guest == guest.id).first()
    if entry is not None:
        return entry
    if guest.birth_date is not None:
        # Only roster lines without a number of their own: a different number is a different person.
        return (m.RosterEntry.select().where(m.RosterEntry.contract == contract_id, m.RosterEntry.name == guest.name,
                                             m.RosterEntry.birth_date == guest.birth_date,
                                             (m.RosterEntry.id_number.is_null()) | (m.RosterEntry.id_number == ""))
                .first())
    return None


def _grade_key(grade: str | None) -> str:
    return normalize_input(grade or "").strip().casefold()


@dataclass(frozen=True)
class PackageRuleTerms:
    """One line of a contract's package table (None = any), as the matcher needs it."""

    sex: str | None
    min_age: int | None
    max_age: int | None
    grade: str | None
    package_id: int
    sort_order: int = 0

    @property
    def specificity(self) -> int:
        """How many of sex, age band and grade the line names: the more, the more specific."""
        return ((self.sex is not None) + (self.min_age is not None or self.max_age is not None)
                + bool(_grade_key(self.grade)))

    def matches(self, sex: str, age: int | None, grade: str) -> bool:
        if self.sex is not None and self.sex != sex:
            return False
        if self.min_age is not None or self.max_age is not None:
            if age is None:
                return False  # an age band cannot be checked without a birth date
            if self.min_age is not None and age < self.min_age:
                return False
            if self.max_age is not None and age > self.max_age:
                return False
        return not _grade_key(self.grade) or _grade_key(self.grade) == _grade_key(grade)


def match_package_rule(rules: Iterable[PackageRuleTerms], sex: str, age: int | None,
                       grade: str) -> PackageRuleTerms | None:
    """The most specific line that fits the person; among equally specific lines the first in the table."""
    fitting = [r for r in rules if r.matches(sex, age, grade)]
    if not fitting:
        return None
    return min(fitting, key=lambda r: (-r.specificity, r.sort_order))


def package_rules_of(contract_id: int) -> list[PackageRuleTerms]:
    return [PackageRuleTerms(r.sex, r.min_age, r.max_age, r.grade, r.package_id, r.sort_order)
            for r in m.ContractPackageRule.select().where(m.ContractPackageRule.contract == contract_id)
            .order_by(m.ContractPackageRule.sort_order, m.ContractPackageRule.id)]


def contract_package_id(contract: m.Contract, entry: m.RosterEntry | None, sex: str, *,
                        birth_date: dt.date | None = None, day: dt.date | None = None) -> int | None:
    """The package the contract gives this person on ``day``.

    The roster line's own package first; then the contract's package table
    (sex, age band on ``day``, the roster line's grade; the most specific
    line wins); then the contract's package for the person's sex, else for
    everyone.
    """
    if entry is not None and entry.package_id:
        return entry.package_id
    rules = package_rules_of(contract.id)
    if rules:
        birth = birth_date or (entry.birth_date if entry is not None else None)
        day = day or clock.today()
        age = age_on(birth, day) if birth is not None and birth <= day else None
        rule = match_package_rule(rules, sex, age, entry.grade if entry is not None else "")
        if rule is not None:
            return rule.package_id
    if sex == Sex.MALE and contract.male_package_id:
        return contract.male_package_id
    if sex == Sex.FEMALE and contract.female_package_id:
        return contract.female_package_id
    return contract.package_id


def active_contracts_for(guest: m.Guest, day: dt.date) -> list[m.Contract]:
    """Contracts active on ``day`` whose roster holds this guest."""
    found = []
    query = m.Contract.select().where(m.Contract.active == True, m.Contract.start_date <= day,  # noqa: E712
                                      m.Contract.end_date >= day).order_by(m.Contract.start_date, m.Contract.id)
    for contract in query:
        if roster_entry_for(guest, contract.id) is not None:
            found.append(contract)
    return found


def _sex_refusal(what: str, restriction: str | None, sex: str) -> str | None:
    if not restriction or restriction == sex:
        return None
    return tr("“{what}”仅限{allowed}，与客人性别（{sex}）不符", "“{what}” is for {allowed} guests only; the guest is {sex}",
              what=what, allowed=Sex(restriction).label(), sex=Sex(sex).label() if sex else "?")


def check(guest: m.Guest, *, package_id: int | None, item_ids: Iterable[int] = (), contract_id: int | None,
          day: dt.date, removed_item_ids: Sequence[int] = ()) -> Eligibility:
    """Check a planned visit; ``item_ids`` are the single items added to (or instead of) a package."""
    reasons: list[str] = []
    warnings: list[str] = []
    contract = entry = None
    suggested = package_id
    if guest.merged_into_id is not None:
        reasons.append(tr("该客人记录已合并，请使用合并后的记录", "This guest record was merged; use the merged record"))
    if contract_id is not None:
        contract = m.Contract.get_or_none(m.Contract.id == contract_id)
        if contract is None:
            reasons.append(tr("团检合同不存在", "The group contract does not exist"))
        else:
            if not contract.active:
                reasons.append(tr("团检合同“{c}”已停用", "The group contract “{c}” is not active", c=contract.name))
            elif not contract.start_date <= day <= contract.end_date:
                reasons.append(tr("团检合同“{c}”的有效期为{a}至{b}，今天不在有效期内",
                                  "The group contract “{c}” runs from {a} to {b}, not on this day",
                                  c=contract.name, a=contract.start_date, b=contract.end_date))
            entry = roster_entry_for(guest, contract.id)
            if entry is None:
                reasons.append(tr("客人不在“{c}”的团检名单中", "The guest is not on the roster of “{c}”", c=contract.name))
            suggested = contract_package_id(contract, entry, guest.sex, birth_date=guest.birth_date, day=day)
            if package_id is not None and suggested is not None and package_id != suggested:
                package = m.Package.get_or_none(m.Package.id == suggested)
                reasons.append(tr("按合同应为套餐“{p}”", "The contract gives the package “{p}”",
                                  p=_name(package) if package else suggested))
            if entry is not None:
                people = {guest.id} | ({entry.guest_id} if entry.guest_id else set())
                # A prepared visit (已备单) is the booking's own, not a use of the contract yet.
                used = (m.Visit.select().where(m.Visit.contract == contract.id, m.Visit.guest.in_(list(people)),
                                               m.Visit.status.not_in([VisitStatus.CANCELLED.value,
                                                                      VisitStatus.PREPARED.value]))
                        .order_by(m.Visit.visit_date.desc()).first())
                if used is not None:
                    warnings.append(tr("该客人已于{d}使用过此合同的体检（体检号{no}）",
                                       "The guest already used this contract on {d} (visit {no})",
                                       d=used.visit_date, no=used.visit_no))
    chosen = package_id if package_id is not None else (suggested if contract is not None else None)
    item_rows: list[m.ExamItem] = []
    if chosen is not None:
        package = m.Package.get_or_none(m.Package.id == chosen)
        if package is None:
            reasons.append(tr("套餐不存在", "The package does not exist"))
        else:
            name = _name(package)
            if not package.active:
                reasons.append(tr("套餐“{p}”已停用", "The package “{p}” is no longer offered", p=name))
            if package.for_groups and contract is None:
                reasons.append(tr("套餐“{p}”仅供团检合同使用", "The package “{p}” is for group contracts only", p=name))
            package_refused = _sex_refusal(name, package.sex_restriction, guest.sex)
            if package_refused:
                reasons.append(package_refused)
            if guest.birth_date is None:
                if package.min_age is not None or package.max_age is not None:
                    warnings.append(tr("客人出生日期未知，无法核对套餐年龄要求", "The guest's birth date is unknown: "
                                       "the package's age limits cannot be checked"))
            elif guest.birth_date <= day:
                age = age_on(guest.birth_date, day)
                if package.min_age is not None and age < package.min_age:
                    reasons.append(tr("套餐“{p}”要求年满{n}岁，客人{a}岁", "The package “{p}” needs an age of at least {n}; "
                                      "the guest is {a}", p=name, n=package.min_age, a=age))
                if package.max_age is not None and age > package.max_age:
                    reasons.append(tr("套餐“{p}”限{n}岁及以下，客人{a}岁", "The package “{p}” is for ages up to {n}; "
                                      "the guest is {a}", p=name, n=package.max_age, a=age))
            removed = set(removed_item_ids)
            # A package refused for the sex is not refused again item by item.
            item_rows += [] if package_refused else [pi.item for pi in m.PackageItem.select(m.PackageItem, m.ExamItem).join(m.ExamItem)
                          .where(m.PackageItem.package == package.id) if pi.item_id not in removed]
    added = list(dict.fromkeys(item_ids))
    if added:
        rows = {i.id: i for i in m.ExamItem.select().where(m.ExamItem.id.in_(added))}
        for item_id in added:
            item = rows.get(item_id)
            if item is None:
                reasons.append(tr("项目不存在", "An item does not exist"))
                continue
            if not item.active:
                reasons.append(tr("项目“{i}”已停用", "The item “{i}” is no longer offered", i=_name(item)))
            item_rows.append(item)
    for item in item_rows:
        if refusal := _sex_refusal(_name(item), item.sex_restriction, guest.sex):
            reasons.append(refusal)
    return Eligibility(ok=not reasons, reasons=reasons, warnings=warnings, contract=contract, roster_entry=entry,
                       package_id_suggested=suggested)
