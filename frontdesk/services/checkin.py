"""Check-in (报到登记): the desk's main use case, and item changes until close-out.

``check_in`` does everything in one transaction: eligibility is checked again,
the visit gets its number, its items and prices, the payment and its receipt,
the booking is marked, the belongings tag is handed out and the specimens
get their barcodes.  If any step fails nothing is written, and the visit and
receipt numbers taken are given back (the counters roll back too).

Decisions:

- A guest has at most one live (not cancelled) visit a day: a second
  check-in the same day is refused and the desk adds items to the first one
  (protects against a double Enter at a busy desk).  The database holds the
  rule itself (partial unique indexes, migration 0004: one live visit per
  guest and day, one per booking), so two desks checking the same guest in
  at the same moment cannot both win; the other desk is told where, by whom
  and when the guest was checked in.
- A receipt is issued whenever the visit costs anything, also when the
  organisation pays it all: its share is an organisation-account (记账)
  payment on the receipt.  A visit that costs nothing has no receipt.
- A contract guest without a package chosen gets the contract's package.
- A booking prepared the day before (services/preparation.py) already has its
  visit (status ``prepared``: number, items, specimens, maybe printed guide
  sheet and labels).  Its check-in turns that SAME visit ``checked_in``, its
  items brought in line with the request (items dropped at the desk are
  removed, new ones added; specimens follow, a printed label whose tests
  changed becomes void), so the pre-printed documents stay valid and labels
  printed already are not printed again.
- An add-on partly paid by the organisation and partly by the guest is one
  visit item with ``payer`` guest; the receipt lines hold the split, and
  refunds follow the receipt lines.
- Removing an item after check-in refunds it and needs a supervisor, like
  every refund; the item must not be done.  A package item refunds its list
  price, capped by what is left of the package price (the pricing rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.domain import pricing
from frontdesk.domain.enums import (BookingStatus, ContainerKind, ItemStatus, Payer, PaymentMethod, ReceiptKind,
                                    ReceiptStatus, Role, VisitSource, VisitStatus)
from frontdesk.domain.codes import make_visit_no
from frontdesk.domain.idnumber import age_on
from frontdesk.domain.sex import Sex
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit, belongings, eligibility, payments, specimens, versioning
from frontdesk.services.eligibility import Eligibility
from frontdesk.services.payments import ChargeLine, PaymentInput, Tender
from frontdesk.services.session import Session
from frontdesk.services import site_settings
from frontdesk.services.site_settings import SiteSettings
from frontdesk.storage import db, numbers, queries
from frontdesk.storage import models as m

if TYPE_CHECKING:
    from frontdesk.printing.guide_sheet import GuideSheetData

ZERO = Decimal("0.00")
_REFUNDABLE = (ItemStatus.PENDING.value, ItemStatus.DEFERRED.value, ItemStatus.ABANDONED.value)


@dataclass
class CheckInRequest:
    guest_id: int
    package_id: int | None = None
    added_item_ids: list[int] = field(default_factory=list)
    removed_item_ids: list[int] = field(default_factory=list)
    contract_id: int | None = None
    booking_id: int | None = None
    payments: list[PaymentInput] = field(default_factory=list)
    locker_tag: str | None = None
    source: VisitSource = VisitSource.WALK_IN


@dataclass(frozen=True)
class CheckInResult:
    visit: m.Visit
    receipt: m.Receipt | None
    quote: pricing.Quote
    specimens: list[m.Specimen]
    eligibility: Eligibility | None = None
    # The visit was prepared the day before and its guide sheet printed then: do not print it again.
    guide_preprinted: bool = False


@dataclass(frozen=True)
class ItemsAdded:
    visit_items: list[m.VisitItem]
    receipt: m.Receipt | None
    quote: pricing.Quote
    specimens: list[m.Specimen]


@dataclass(frozen=True)
class RouteStep:
    station_name: str
    location: str
    waiting: int  # other guests checked in today and not yet done at the station
    reason: str
    order: int = 0  # the number the station has on the guide sheet


def _today(day: dt.date | None) -> dt.date:
    return day or clock.today()


def _name(row) -> str:
    return tr(row.name, row.name_en or row.name)


def _priced_package(package_id: int) -> pricing.PricedPackage:
    package = m.Package.get_or_none(m.Package.id == package_id)
    if package is None:
        raise NotFoundError(tr("套餐不存在", "The package does not exist"), field="package")
    items = (m.ExamItem.select().join(m.PackageItem, on=(m.PackageItem.item == m.ExamItem.id))
             .where(m.PackageItem.package == package.id).order_by(m.ExamItem.id))
    return pricing.PricedPackage(package.id, _name(package), package.price,
                                 tuple(pricing.PricedItem(i.id, _name(i), i.price) for i in items))


def _priced_items(item_ids: Sequence[int]) -> list[pricing.PricedItem]:
    rows = {i.id: i for i in m.ExamItem.select().where(m.ExamItem.id.in_(list(item_ids) or [0]))}
    missing = [i for i in item_ids if i not in rows]
    if missing:
        raise NotFoundError(tr("项目不存在", "An item does not exist"), field="added_items")
    return [pricing.PricedItem(rows[i].id, _name(rows[i]), rows[i].price) for i in item_ids]


def _terms(contract_id: int | None) -> pricing.ContractTerms | None:
    if contract_id is None:
        return None
    contract = m.Contract.get_or_none(m.Contract.id == contract_id)
    if contract is None:
        raise NotFoundError(tr("团检合同不存在", "The group contract does not exist"), field="contract")
    return pricing.ContractTerms(contract.org_pays_package, contract.addon_allowance)


def _package_for(request: CheckInRequest) -> int | None:
    if request.package_id is not None or request.contract_id is None:
        return request.package_id
    guest = m.Guest.get_or_none(m.Guest.id == request.guest_id)
    contract = m.Contract.get_or_none(m.Contract.id == request.contract_id)
    if guest is None or contract is None:
        return None
    entry = eligibility.roster_entry_for(guest, contract.id)
    return eligibility.contract_package_id(contract, entry, guest.sex, birth_date=guest.birth_date)


def quote(request: CheckInRequest, day: dt.date | None = None) -> pricing.Quote:
    """The price of the request as it stands (the live total at the desk)."""
    package_id = _package_for(request)
    package = _priced_package(package_id) if package_id is not None else None
    return pricing.quote(package, removed_item_ids=request.removed_item_ids,
                         addons=_priced_items(request.added_item_ids), terms=_terms(request.contract_id))


def draft_from_booking(booking_id: int) -> CheckInRequest:
    """A request filled from a booking: the returning guest's one-scan path."""
    booking = m.Booking.get_or_none(m.Booking.id == booking_id)
    if booking is None:
        raise NotFoundError(tr("找不到该预约", "Booking not found"))
    source = VisitSource.GROUP if booking.contract_id else VisitSource.BOOKING
    # The single items booked on top of the package (migration 0007) come along as add-ons.
    extra = [bi.item_id for bi in m.BookingItem.select(m.BookingItem.item).where(m.BookingItem.booking == booking.id)
             .order_by(m.BookingItem.id)]
    return CheckInRequest(guest_id=booking.guest_id, package_id=booking.package_id, added_item_ids=extra,
                          contract_id=booking.contract_id, booking_id=booking.id, source=source)


def _guest(guest_id: int) -> m.Guest:
    guest = m.Guest.get_or_none(m.Guest.id == guest_id)
    if guest is None:
        raise NotFoundError(tr("找不到该客人", "Guest not found"))
    if guest.merged_into_id is not None:
        raise ConflictError(tr("该客人记录已合并，请使用合并后的记录", "This guest record was merged; use the merged record"))
    return guest


def _live_visit_of(guest_id: int, day: dt.date) -> m.Visit | None:
    return (m.Visit.select().where(m.Visit.guest == guest_id, m.Visit.visit_date == day,
                                   m.Visit.status != VisitStatus.CANCELLED.value).first())


def _live_visit_of_booking(booking_id: int) -> m.Visit | None:
    return (m.Visit.select().where(m.Visit.booking == booking_id, m.Visit.status != VisitStatus.CANCELLED.value)
            .first())


def checked_in_already(visit: m.Visit, day: dt.date) -> ConflictError:
    """Where, by whom and when the guest was checked in: the second desk can find the first."""
    if visit.status == VisitStatus.PREPARED.value:
        booking = m.Booking.get_or_none(m.Booking.id == visit.booking_id) if visit.booking_id else None
        return ConflictError(tr("该客人{d}有已备单的预约（预约号{b}，体检号{no}），请扫描预订单或资料袋封面上的条码报到",
                                "The guest has a prepared booking on {d} (booking {b}, visit {no}); check in by "
                                "scanning the booking slip or the document bag's cover",
                                d=visit.visit_date, b=booking.booking_no if booking else "?", no=visit.visit_no))
    user = m.User.get_or_none(m.User.username == visit.checked_in_by)
    by = user.display_name if user is not None else visit.checked_in_by
    at = visit.checked_in_at.astimezone().strftime("%H:%M")
    if visit.visit_date == day:
        return ConflictError(tr("该客人今天已报到：{at}由{by}在{desk}办理（体检号{no}），如需加项请在原体检中添加",
                                "The guest is already checked in at desk {desk} (by {by} at {at}, visit {no}); "
                                "add items to that visit",
                                desk=visit.desk, by=by, at=at, no=visit.visit_no))
    return ConflictError(tr("该预约已于{d}报到：{at}由{by}在{desk}办理（体检号{no}）",
                            "The booking is already checked in on {d} at desk {desk} (by {by} at {at}, visit {no})",
                            d=visit.visit_date, desk=visit.desk, by=by, at=at, no=visit.visit_no))


def _booking(request: CheckInRequest, day: dt.date) -> m.Booking | None:
    if request.booking_id is None:
        return None
    booking = m.Booking.get_or_none(m.Booking.id == request.booking_id)
    if booking is None:
        raise NotFoundError(tr("找不到该预约", "Booking not found"), field="booking")
    if booking.guest_id != request.guest_id:
        raise ValidationError(tr("该预约属于另一位客人", "The booking belongs to another guest"), field="booking")
    if booking.status == BookingStatus.CHECKED_IN.value:
        visit = _live_visit_of_booking(booking.id)
        if visit is not None:
            raise checked_in_already(visit, day)
    if booking.status != BookingStatus.BOOKED.value:
        raise ConflictError(tr("该预约的状态为“{s}”，不能再报到", "The booking is “{s}”; it cannot be checked in",
                               s=BookingStatus(booking.status).label()), field="booking")
    return booking


def _charge_lines(q: pricing.Quote, visit_items: dict[int, m.VisitItem]) -> list[ChargeLine]:
    lines = []
    for line in q.lines:
        vi = visit_items.get(line.item_id) if line.is_addon else None
        lines.append(ChargeLine(vi.id if vi else None, line.description, line.amount, line.payer))
    return lines


def _addon_payer(q: pricing.Quote, item_id: int) -> Payer:
    payers = {line.payer for line in q.lines_for(item_id)}
    return Payer.GUEST if Payer.GUEST in payers or not payers else Payer.ORGANISATION


def check_in(session: Session, request: CheckInRequest, *, day: dt.date | None = None) -> CheckInResult:
    """Check the guest in, take the payment and prepare the specimens, all or nothing."""
    day = _today(day)
    with db.transaction():
        guest = _guest(request.guest_id)
        booking = _booking(request, day)
        removed = list(dict.fromkeys(request.removed_item_ids))
        added = list(dict.fromkeys(request.added_item_ids))
        package_id = _package_for(request)
        if package_id is None and not added:
            raise ValidationError(tr("请选择套餐或项目", "Choose a package or items"), field="package")
        verdict = eligibility.check(guest, package_id=package_id, item_ids=added, contract_id=request.contract_id,
                                    day=day, removed_item_ids=removed)
        if not verdict.ok:
            raise ValidationError(verdict.banner(), field="eligibility")
        package = _priced_package(package_id) if package_id is not None else None
        q = pricing.quote(package, removed_item_ids=removed, addons=_priced_items(added),
                          terms=_terms(request.contract_id))
        tenders = payments.validate_payments(request.payments, guest_due=q.guest_total, org_due=q.org_total)
        if booking is not None:
            stale = _live_visit_of_booking(booking.id)
            if stale is not None and stale.status == VisitStatus.PREPARED.value and stale.visit_date != day:
                # Prepared for its exam date, checked in on another day: that visit's papers are of no use.
                from frontdesk.services import preparation

                preparation.cancel_prepared_visit(session, booking.id, reason="checked in on another day")
        already = _live_visit_of(guest.id, day)
        prepared = None
        if already is not None:
            if (already.status == VisitStatus.PREPARED.value and booking is not None
                    and already.booking_id == booking.id):
                prepared = already
            else:
                raise checked_in_already(already, day)
        if prepared is not None:
            # The one statement that claims the prepared visit: a second desk updates nothing.
            claimed = m.Visit.update(
                status=VisitStatus.CHECKED_IN.value, package=package_id, contract=request.contract_id,
                source=VisitSource(request.source).value, desk=session.desk, checked_in_by=session.username,
                checked_in_at=m.utcnow()).where(m.Visit.id == prepared.id,
                                                m.Visit.status == VisitStatus.PREPARED.value).execute()
            if claimed != 1:
                winner = _live_visit_of(guest.id, day)
                if winner is None:
                    raise ConflictError(tr("该预约的备单刚被其他工作站修改，请重试",
                                           "The prepared visit was just changed at another desk; try again"))
                raise checked_in_already(winner, day)
            versioning.bump(m.Visit, prepared.id, None, session)  # a visit window open on it learns of the change
            visit = m.Visit.get_by_id(prepared.id)
        else:
            visit_no = make_visit_no(day, numbers.next_number(f"visit:{day:%y%m%d}"))
            try:
                # The SELECT above is only the quick answer: two desks can pass it at the same moment.
                # The database's unique indexes (migration 0004) decide; the savepoint keeps this
                # transaction usable to name the desk that won.
                with db.transaction():
                    visit = m.Visit.create(
                        visit_no=visit_no, guest=guest.id, visit_date=day, package=package_id,
                        contract=request.contract_id, booking=booking.id if booking else None,
                        source=VisitSource(request.source).value, status=VisitStatus.CHECKED_IN.value,
                        desk=session.desk, checked_in_by=session.username)
            except queries.IntegrityError:
                winner = _live_visit_of(guest.id, day) or (_live_visit_of_booking(booking.id) if booking else None)
                if winner is None:
                    raise
                raise checked_in_already(winner, day) from None
        # A prepared visit's items were the booking's plan: kept where still wanted (their specimens and
        # printed labels stay valid), updated to the prices and payers of the check-in, the rest removed.
        planned = ({vi.item_id: vi for vi in m.VisitItem.select().where(m.VisitItem.visit == visit.id)}
                   if prepared is not None else {})

        new_items: list[dict] = []

        def visit_item(item_id: int, **values) -> m.VisitItem | None:
            row = planned.pop(item_id, None)
            if row is None:  # written below in one INSERT: a statement per item kept the desks waiting
                new_items.append(dict(visit=visit.id, item=item_id, **values))
                return None
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            return row
        package_payer = (Payer.ORGANISATION if q.lines and q.lines[0].item_id is None
                         and q.lines[0].payer is Payer.ORGANISATION else Payer.GUEST)
        rows: dict[int, m.VisitItem] = {}
        if package is not None:
            for item in package.items:
                if item.item_id not in removed:
                    rows[item.item_id] = visit_item(
                        item.item_id, status=ItemStatus.PENDING.value, is_addon=False,
                        price=item.price, payer=package_payer.value, added_by=session.username)
        for item in _priced_items(added):
            rows[item.item_id] = visit_item(
                item.item_id, status=ItemStatus.PENDING.value, is_addon=package is not None,
                price=item.price, payer=_addon_payer(q, item.item_id).value, added_by=session.username)
        if new_items:
            m.VisitItem.insert_many(new_items).execute()
            made = {vi.item_id: vi for vi in m.VisitItem.select().where(
                m.VisitItem.visit == visit.id, m.VisitItem.item.in_([r["item"] for r in new_items]))}
            rows = {item_id: row or made[item_id] for item_id, row in rows.items()}
        if planned:  # dropped at the desk: never paid, so removed rather than refunded
            m.VisitItem.delete().where(m.VisitItem.id.in_([vi.id for vi in planned.values()])).execute()
        if booking is not None:
            # Only the status, with a new version: a save() of the row read at the start would put back a
            # date another desk moved it to meanwhile, and the version with it.
            booking.status = BookingStatus.CHECKED_IN.value
            m.Booking.update(status=BookingStatus.CHECKED_IN.value).where(m.Booking.id == booking.id).execute()
            versioning.bump(m.Booking, booking.id, None, session)
        if request.locker_tag:
            belongings.store(session, visit.id, request.locker_tag)
        tubes = specimens.assign_specimens(session, visit, day=day)
        # The gapless receipt number last: its counter row is locked from here to COMMIT, and every
        # desk's check-in waits on it, so only the receipt's own rows and the audit entry come after it.
        receipt = None
        if q.total > 0:
            receipt = payments.issue_charge(session, visit, _charge_lines(q, rows), tenders)
        audit.record(session, "visit.check_in", "visit", visit.id, visit_no=visit.visit_no,
                     receipt_no=receipt.receipt_no if receipt else "", guest_total=q.guest_total,
                     org_total=q.org_total, methods=[t.method.value for t in tenders],
                     warnings=verdict.warnings, prepared=prepared is not None)
    return CheckInResult(visit, receipt, q, tubes, verdict,
                         guide_preprinted=prepared is not None and prepared.documents_printed_at is not None)


def _live_visit(visit_id: int) -> m.Visit:
    visit = m.Visit.get_or_none(m.Visit.id == visit_id)
    if visit is None:
        raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
    if visit.status != VisitStatus.CHECKED_IN.value:
        raise ConflictError(tr("体检状态为“{s}”，不能再修改项目", "The visit is “{s}”; its items cannot change",
                               s=VisitStatus(visit.status).label()))
    return visit


def _line_sums(visit_id: int) -> list[tuple[str, str, int | None, bool | None, Decimal]]:
    """(receipt kind, payer, visit item id, item is add-on, amount) of the visit's live receipt lines."""
    return queries.live_receipt_lines(visit_id)


def _allowance_left(visit: m.Visit) -> Decimal:
    contract = m.Contract.get_by_id(visit.contract_id)
    used = ZERO
    for kind, payer, vi_id, is_addon, amount in _line_sums(visit.id):
        if payer == Payer.ORGANISATION.value and is_addon:
            used += amount if kind == ReceiptKind.CHARGE.value else -amount
    return max(contract.addon_allowance - used, ZERO)


def add_items(session: Session, visit_id: int, item_ids: Sequence[int], payments_in: Sequence[PaymentInput],
              day: dt.date | None = None) -> ItemsAdded:
    """Add items to a checked-in visit (增项): a new receipt, and tubes as needed."""
    day = _today(day)
    item_ids = list(dict.fromkeys(item_ids))
    if not item_ids:
        raise ValidationError(tr("请选择要添加的项目", "Choose the items to add"), field="added_items")
    with db.transaction():
        visit = _live_visit(visit_id)
        guest = m.Guest.get_by_id(visit.guest_id)
        present = {vi.item_id for vi in m.VisitItem.select().where(m.VisitItem.visit == visit.id,
                                                                   m.VisitItem.status != ItemStatus.REFUNDED.value)}
        items = _priced_items(item_ids)
        for item in items:
            if item.item_id in present:
                raise ValidationError(tr("“{name}”已在本次体检中", "“{name}” is on this visit already", name=item.name),
                                      field="added_items")
        verdict = eligibility.check(guest, package_id=None, item_ids=item_ids, contract_id=None, day=day)
        if not verdict.ok:
            raise ValidationError(verdict.banner(), field="added_items")
        terms = (pricing.ContractTerms(False, _allowance_left(visit)) if visit.contract_id else None)
        q = pricing.quote(None, addons=items, terms=terms)
        tenders = payments.validate_payments(payments_in, guest_due=q.guest_total, org_due=q.org_total)
        rows = {item.item_id: m.VisitItem.create(
            visit=visit.id, item=item.item_id, status=ItemStatus.PENDING.value, is_addon=True, price=item.price,
            payer=_addon_payer(q, item.item_id).value, added_by=session.username) for item in items}
        receipt = payments.issue_charge(session, visit, _charge_lines(q, rows), tenders) if q.total > 0 else None
        tubes = specimens.assign_specimens(session, visit, day=day)
        audit.record(session, "visit.add_items", "visit", visit.id, visit_no=visit.visit_no,
                     items=[i.item_id for i in items], receipt_no=receipt.receipt_no if receipt else "",
                     guest_total=q.guest_total, org_total=q.org_total)
    return ItemsAdded(list(rows.values()), receipt, q, tubes)


def _charge_receipt_of(visit_id: int, visit_item_id: int | None) -> m.Receipt | None:
    query = (m.Receipt.select().join(m.ReceiptLine)
             .where(m.Receipt.visit == visit_id, m.Receipt.kind == ReceiptKind.CHARGE.value,
                    m.Receipt.status == ReceiptStatus.ISSUED.value))
    if visit_item_id is None:
        query = query.where(m.ReceiptLine.visit_item.is_null())
    else:
        query = query.where(m.ReceiptLine.visit_item == visit_item_id)
    return query.order_by(m.Receipt.id).first()


def refund_shares(vi: m.VisitItem, taken: dict[Payer, Decimal] | None = None) -> dict[Payer, Decimal]:
    """What the guest and the organisation paid for one visit item, as refundable now.

    ``taken``: what other package items refunded in the same go already take
    from the package price (services/refunds.py refunds several at once).
    """
    shares = {Payer.GUEST: ZERO, Payer.ORGANISATION: ZERO}
    lines = _line_sums(vi.visit_id)
    if vi.is_addon or not vi.visit.package_id:
        for kind, payer, item_id, _, amount in lines:
            if item_id == vi.id and kind == ReceiptKind.CHARGE.value:
                shares[Payer(payer)] += amount
        return shares
    # A package item: its list price, capped by what is left of the package price.
    left = {Payer.GUEST: ZERO, Payer.ORGANISATION: ZERO}
    for kind, payer, item_id, is_addon, amount in lines:
        if kind == ReceiptKind.CHARGE.value and item_id is None:
            left[Payer(payer)] += amount
        elif kind == ReceiptKind.REFUND.value and item_id is not None and not is_addon:
            left[Payer(payer)] -= amount
    payer = Payer(vi.payer)
    shares[payer] = max(min(vi.price, left[payer] - (taken or {}).get(payer, ZERO)), ZERO)
    return shares


def remove_item(session: Session, visit_item_id: int, refund_method: PaymentMethod, reason: str, *,
                deferred_on_closed_visit: bool = False) -> m.Receipt | None:
    """Take an item that is not done off the visit (退项) and refund it (supervisor).

    Returns the refund receipt, or None when nothing was paid for the item.
    ``deferred_on_closed_visit``: a deferred item of a closed visit (a
    cancelled deferral, services/deferrals.py) may be refunded too.
    """
    session.require(Role.SUPERVISOR)
    refund_method = PaymentMethod(refund_method)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(tr("请填写退项原因", "Enter the reason for the refund"), field="reason")
    with db.transaction():
        vi = (m.VisitItem.select(m.VisitItem, m.ExamItem).join(m.ExamItem)
              .where(m.VisitItem.id == visit_item_id).first())
        if vi is None:
            raise NotFoundError(tr("找不到该项目", "Item not found"))
        if deferred_on_closed_visit and vi.status == ItemStatus.DEFERRED.value:
            visit = m.Visit.get_by_id(vi.visit_id)
        else:
            visit = _live_visit(vi.visit_id)
        if vi.status == ItemStatus.REFUNDED.value:
            raise ConflictError(tr("该项目已退", "This item was refunded already"))
        if vi.status not in _REFUNDABLE:
            raise ConflictError(tr("“{i}”已检查，不能退项", "“{i}” has been done; it cannot be refunded", i=_name(vi.item)))
        shares = refund_shares(vi)
        guest_part, org_part = shares[Payer.GUEST], shares[Payer.ORGANISATION]
        if guest_part and refund_method is PaymentMethod.ORG_ACCOUNT:
            raise ValidationError(tr("个人支付的部分不能退到单位账户", "The guest's share cannot go back to the organisation "
                                     "account"), field="refund_method")
        description = tr("退项：{name}", "Refund: {name}", name=_name(vi.item))
        lines, tenders = [], []
        if guest_part:
            lines.append(ChargeLine(vi.id, description, guest_part, Payer.GUEST))
            tenders.append(Tender(refund_method, guest_part, None, ZERO))
        if org_part:
            lines.append(ChargeLine(vi.id, description, org_part, Payer.ORGANISATION))
            tenders.append(Tender(PaymentMethod.ORG_ACCOUNT, org_part, None, ZERO))
        receipt = None
        if lines:
            original = _charge_receipt_of(visit.id, vi.id if vi.is_addon else None)
            receipt = payments.issue_refund(session, visit, original, lines, tenders)
        vi.status = ItemStatus.REFUNDED.value
        vi.reason = reason[:255]
        vi.save()
        if visit.status == VisitStatus.CHECKED_IN.value:
            specimens.assign_specimens(session, visit)
        audit.record(session, "visit_item.refund", "visit_item", vi.id, visit_no=visit.visit_no,
                     item=vi.item.code, guest_refund=guest_part, org_refund=org_part,
                     method=refund_method.value, receipt_no=receipt.receipt_no if receipt else "", reason=reason)
    return receipt


# --------------------------------------------------------------------------
# Guide sheet and routing


@dataclass(frozen=True)
class _StationGroup:
    station: m.Station
    items: list[m.ExamItem]
    pending: int
    fasting: bool


def _station_groups(visit_id: int) -> list[_StationGroup]:
    """The visit's live items by station: fasting stations first, then the route order."""
    rows = (m.VisitItem.select(m.VisitItem, m.ExamItem, m.Station).join(m.ExamItem).join(m.Station)
            .where(m.VisitItem.visit == visit_id, m.VisitItem.status != ItemStatus.REFUNDED.value)
            .order_by(m.ExamItem.id))
    by_station: dict[int, list] = {}
    for vi in rows:
        by_station.setdefault(vi.item.station_id, []).append(vi)
    groups = []
    for vis in by_station.values():
        station = vis[0].item.station
        groups.append(_StationGroup(station, [vi.item for vi in vis],
                                    sum(vi.status == ItemStatus.PENDING.value for vi in vis),
                                    any(vi.item.fasting for vi in vis)))
    # Fasting first (blood draw, breath test, fasting ultrasound), so breakfast can come early.
    return sorted(groups, key=lambda g: (not g.fasting, g.station.route_order, g.station.code))


def _specimen_instructions(visit_id: int) -> tuple[str, ...]:
    tubes = specimens.specimens_of(visit_id)
    blood = [s for s in tubes if s.tube_type.container_kind == ContainerKind.BLOOD.value]
    texts = []
    if blood:
        caps = "、".join(tr(s.tube_type.cap_colour, s.tube_type.cap_colour_en) for s in blood)
        texts.append(tr("采血：共{n}管（{caps}），请到采血室采血，按压针孔5分钟。",
                        "Blood: {n} tube(s) ({caps}); go to the blood-draw room and press the puncture for 5 minutes.",
                        n=len(blood), caps=caps))
    for s in tubes:
        kind = s.tube_type.container_kind
        place = _container_place(s)
        if kind == ContainerKind.URINE.value:
            texts.append(tr("尿液：请在前台领取尿杯，留取中段尿约半杯，交到{place}。",
                            "Urine: take a cup from the desk, fill it half with midstream urine and hand it in at {place}.",
                            place=place))
        elif kind == ContainerKind.STOOL.value:
            texts.append(tr("粪便：请在前台领取采便器，留取蚕豆大小的粪便，交到{place}。",
                            "Stool: take a container from the desk, collect a bean-sized sample and hand it in at {place}.",
                            place=place))
        elif kind == ContainerKind.OTHER.value:
            texts.append(tr("{tube}：由{place}采集，无需自备。", "{tube}: collected at {place}; nothing to bring.",
                            tube=tr(s.tube_type.name, s.tube_type.name_en), place=place))
    return tuple(texts)


def _container_place(specimen: m.Specimen) -> str:
    vi = (m.VisitItem.select(m.VisitItem, m.ExamItem, m.Station).join(m.ExamItem).join(m.Station)
          .where(m.VisitItem.specimen == specimen.id).first())
    if vi is None:
        return tr("前台", "the front desk")
    station = vi.item.station
    return f"{_name(station)}（{station.location}）" if station.location else _name(station)


@dataclass(frozen=True)
class _RouteStop:
    order: int
    group: _StationGroup
    waiting: int


def _route(visit: m.Visit) -> list[_RouteStop]:
    """The one order of the visit's stations: the route shown after check-in and the printed guide sheet.

    Fasting stations first (blood draw, breath test, fasting ultrasound) so
    breakfast can come early, then the shortest queues on the visit's day,
    then the building's route order.  Both the screen and the sheet take this
    list, so the guest is never told two different orders.
    """
    waiting = queries.waiting_guests_by_station(visit.visit_date, exclude_visit_id=visit.id)
    groups = _station_groups(visit.id)
    ordered = sorted(groups, key=lambda g: (not g.fasting, 0 if g.fasting else waiting.get(g.station.id, 0),
                                            g.station.route_order, g.station.code))
    return [_RouteStop(n, g, waiting.get(g.station.id, 0)) for n, g in enumerate(ordered, start=1)]


def guide_sheet_data(visit_id: int, site: SiteSettings | str | None = None) -> GuideSheetData:
    """What the guide sheet (导检单) shows, stations in the order to visit them (as ``routing``)."""
    from frontdesk.printing.guide_sheet import GuideSheetData, GuideStation  # ReportLab: not at start-up

    visit = m.Visit.get_or_none(m.Visit.id == visit_id)
    if visit is None:
        raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
    guest = m.Guest.get_by_id(visit.guest_id)
    route = _route(visit)
    groups = [stop.group for stop in route]
    stations = []
    for order, group in enumerate(groups, start=1):
        note = ""
        if group.fasting:
            note = tr("空腹项目，请先检查", "Fasting: do this first")
        stations.append(GuideStation(order=order, station_name=_name(group.station), location=group.station.location,
                                     items=tuple(_name(i) for i in group.items), note=note))
    organisation = None
    if visit.contract_id:
        organisation = m.Organisation.get_by_id(m.Contract.get_by_id(visit.contract_id).organisation_id).name
    elif guest.organisation_id:
        organisation = m.Organisation.get_by_id(guest.organisation_id).name
    package = m.Package.get_or_none(m.Package.id == visit.package_id) if visit.package_id else None
    tags = belongings.stored_for_visit(visit.id)
    age = age_on(guest.birth_date, visit.visit_date) if guest.birth_date and guest.birth_date <= visit.visit_date else None
    return GuideSheetData(
        site_name=site_settings.display_name(site), visit_no=visit.visit_no, guest_name=guest.name,
        sex_label=Sex(guest.sex).label() if guest.sex else "", age=age,
        package_name=_name(package) if package else tr("自选项目", "Individual items"), organisation=organisation,
        visit_date=visit.visit_date, fasting_required=any(g.fasting for g in groups), stations=tuple(stations),
        specimen_instructions=_specimen_instructions(visit.id), locker_tag=tags[0].tag_no if tags else None)


def queue_text(waiting: int) -> str:
    """The queue figure in words that say what it counts."""
    return tr("排队 {n} 人（已报到未完成）", "{n} waiting (checked in, not done)", n=waiting)


def routing(visit_id: int, day: dt.date | None = None) -> list[RouteStep]:
    """Where the guest goes: the guide sheet's stations, in its order, that still have items pending.

    ``waiting`` counts the other guests checked in on the visit's day who
    still have an item pending at the station (people, not items).  ``day``
    is kept for callers; the queue is always the visit's own day's.
    """
    visit = m.Visit.get_or_none(m.Visit.id == visit_id)
    if visit is None:
        raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
    steps = []
    for stop in _route(visit):
        if not stop.group.pending:
            continue
        station = stop.group.station
        reason = tr("空腹项目，早餐前完成", "Fasting item: before breakfast") if stop.group.fasting else (
            queue_text(stop.waiting) if stop.waiting else tr("无需排队", "No queue"))
        steps.append(RouteStep(_name(station), station.location, stop.waiting, reason, stop.order))
    return steps


def addon_candidates(visit_id: int) -> list[m.ExamItem]:
    """Catalogue items that may be added to the visit: active ones it does not already have (live)."""
    have = {vi.item_id for vi in m.VisitItem.select(m.VisitItem.item)
            .where(m.VisitItem.visit == visit_id, m.VisitItem.status != ItemStatus.REFUNDED.value)}
    from frontdesk.services import catalogue

    return [item for item in catalogue.active_items() if item.id not in have]


def quote_addons(visit_id: int, item_ids: Sequence[int]) -> pricing.Quote:
    """What adding ``item_ids`` to a checked-in visit would cost, and who pays (for the desk's live total)."""
    visit = _live_visit(visit_id)
    terms = pricing.ContractTerms(False, _allowance_left(visit)) if visit.contract_id else None
    return pricing.quote(None, addons=_priced_items(list(dict.fromkeys(item_ids))), terms=terms)
