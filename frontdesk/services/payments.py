"""Taking money (协调款项缴纳): payments, receipts, voids and refunds.

Rules:

- Every amount is more than zero and a whole number of cents.
- The guest's share is covered exactly by the guest's methods (cash, bank
  card, WeChat Pay, Alipay; several may be mixed).  Only cash may be handed
  over above its amount: the difference is change.  Card and app payments
  are exact.
- The organisation account (单位记账) pays only the organisation's share of a
  contract guest, exactly.  When the caller passes no organisation-account
  payment, one is added for the organisation's share, so a group guest's
  visit always has its charge on a receipt.
- Receipt numbers come from the ``receipt`` counter inside the transaction
  that issues the receipt, so a failed check-in gives its number back and the
  numbers have no gaps.
- A receipt stores positive amounts; its ``kind`` (charge or refund) says the
  direction.  A package removal line is negative on a charge receipt.
- Voiding a receipt and refunding need a supervisor and are audited.  Only
  charge receipts are voided (a refund is undone by charging again).  The
  money goes back by the methods it came in.  Voiding the visit's check-in
  receipt cancels the visit, and is refused once the visit has later
  activity: another live receipt (an add-on or a refund), an item done,
  deferred or abandoned, a specimen collected or sent, or the visit closed;
  then the desk refunds items one by one instead.  Voiding a later add-on
  receipt takes its add-ons off the visit, refused when one of them is no
  longer pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from frontdesk.domain.codes import make_receipt_no
from frontdesk.domain.enums import (BookingStatus, ItemStatus, Payer, PaymentMethod, ReceiptKind, ReceiptStatus,
                                    Role, SpecimenStatus, VisitStatus)
from frontdesk.domain.money import MAX_AMOUNT, format_amount, to_cents
from frontdesk.domain.sex import Sex
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit, specimens, versioning
from frontdesk.services.session import Session
from frontdesk.services import site_settings
from frontdesk.services.site_settings import SiteSettings
from frontdesk.storage import db, queries
from frontdesk.storage import models as m

if TYPE_CHECKING:
    from frontdesk.printing.receipt import ReceiptData

ZERO = Decimal("0.00")
GUEST_METHODS = (PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.WECHAT, PaymentMethod.ALIPAY)


@dataclass(frozen=True)
class PaymentInput:
    method: PaymentMethod
    amount: Decimal
    tendered: Decimal | None = None  # cash handed over; more than ``amount`` gives change


@dataclass(frozen=True)
class Tender:
    """A checked payment, ready to be stored."""

    method: PaymentMethod
    amount: Decimal
    tendered: Decimal | None
    change: Decimal


@dataclass(frozen=True)
class ChargeLine:
    visit_item_id: int | None
    description: str
    amount: Decimal
    payer: Payer


def _money(value, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise ValidationError(tr("{w}必须是数字金额", "{w} must be an amount of money", w=what), field="amount")
    try:
        to_cents(value)
    except ValueError:
        raise ValidationError(tr("{w}最多两位小数", "{w} has at most two decimals", w=what), field="amount") from None
    if value > MAX_AMOUNT:
        raise ValidationError(tr("{w}过大，请核对", "{w} is too large: please check it", w=what), field="amount")
    return value.quantize(ZERO)


def validate_payments(payments: Sequence[PaymentInput], *, guest_due: Decimal, org_due: Decimal) -> list[Tender]:
    """Check the payments against what is due; raise ``ValidationError`` saying what is wrong."""
    tenders: list[Tender] = []
    for payment in payments:
        method = PaymentMethod(payment.method)
        amount = _money(payment.amount, tr("金额", "The amount"))
        if amount <= 0:
            raise ValidationError(tr("付款金额必须大于零", "A payment must be more than zero"), field="amount")
        tendered, change = None, ZERO
        if payment.tendered is not None:
            tendered = _money(payment.tendered, tr("实收金额", "The amount tendered"))
            if method is PaymentMethod.CASH:
                if tendered < amount:
                    raise ValidationError(tr("实收现金{t}少于应付{a}", "Cash tendered {t} is less than the amount {a}",
                                             t=format_amount(tendered), a=format_amount(amount)), field="tendered")
                change = tendered - amount
            elif tendered != amount:
                raise ValidationError(tr("只有现金可以找零", "Only cash can be given change"), field="tendered")
        tenders.append(Tender(method, amount, tendered, change))
    org = sum((t.amount for t in tenders if t.method is PaymentMethod.ORG_ACCOUNT), ZERO)
    if org and not org_due:
        raise ValidationError(tr("单位记账只能用于团检客人由单位承担的部分",
                                 "The organisation account only pays a group guest's organisation share"),
                              field="payments")
    if org_due and not org:
        tenders.append(Tender(PaymentMethod.ORG_ACCOUNT, org_due, None, ZERO))
    elif org != org_due:
        raise ValidationError(tr("单位记账金额应为{d}，现在是{o}", "The organisation account pays {d}, not {o}",
                                 d=format_amount(org_due), o=format_amount(org)), field="payments")
    paid = sum((t.amount for t in tenders if t.method is not PaymentMethod.ORG_ACCOUNT), ZERO)
    if paid < guest_due:
        raise ValidationError(tr("付款不足：应付{d}，已付{p}，还差{s}", "Payment short: {d} due, {p} paid, {s} missing",
                                 d=format_amount(guest_due), p=format_amount(paid), s=format_amount(guest_due - paid)),
                              field="payments")
    if paid > guest_due:
        raise ValidationError(tr("付款超出应付金额{x}；现金找零请填写实收金额",
                                 "The payments are {x} more than due; for cash change enter the amount tendered",
                                 x=format_amount(paid - guest_due)), field="payments")
    return tenders


def _issue(session: Session, visit: m.Visit, kind: ReceiptKind, lines: Sequence[ChargeLine],
           tenders: Sequence[Tender], refund_of: int | None = None) -> m.Receipt:
    """Store a receipt with its lines and payments; call inside the caller's transaction."""
    assert db.database.in_transaction(), "receipts are only issued inside a transaction"
    total = sum((line.amount for line in lines), ZERO)
    receipt = m.Receipt.create(receipt_no=make_receipt_no(queries.next_counter("receipt")), visit=visit.id,
                               kind=kind.value, status=ReceiptStatus.ISSUED.value, total=total,
                               cashier=session.username, desk=session.desk, refund_of=refund_of)
    for line in lines:
        m.ReceiptLine.create(receipt=receipt.id, visit_item=line.visit_item_id, description=line.description[:128],
                             amount=line.amount, payer=line.payer.value)
    for tender in tenders:
        m.Payment.create(receipt=receipt.id, method=tender.method.value, amount=tender.amount,
                         tendered=tender.tendered, change=tender.change)
    return receipt


def issue_charge(session: Session, visit: m.Visit, lines: Sequence[ChargeLine],
                 tenders: Sequence[Tender]) -> m.Receipt:
    """A charge receipt (inside the caller's transaction; the caller audits)."""
    return _issue(session, visit, ReceiptKind.CHARGE, lines, tenders)


def issue_refund(session: Session, visit: m.Visit, refund_of: m.Receipt | None, lines: Sequence[ChargeLine],
                 tenders: Sequence[Tender]) -> m.Receipt:
    """A refund receipt (inside the caller's transaction); needs a supervisor."""
    session.require(Role.SUPERVISOR)
    receipt = _issue(session, visit, ReceiptKind.REFUND, lines, tenders,
                     refund_of=refund_of.id if refund_of is not None else None)
    if refund_of is not None:
        _note_closed_day_correction(session, "refund", receipt, refund_of)
    return receipt


def _note_closed_day_correction(session: Session, kind: str, receipt: m.Receipt, original: m.Receipt) -> None:
    """A void or refund of a closed day's receipt: its money is booked today; the audit says which day it corrects.

    Both already need a supervisor; the end-of-day report lists them under
    the closed day as corrections (services/eod.py).
    """
    from frontdesk.services import eod  # late: eod reads these tables, payments need not load it at start-up

    closed = eod.closed_day_of(original.issued_at, original.desk)
    if closed is not None:
        audit.record(session, "eod.correction", "receipt", receipt.id, kind=kind, receipt_no=receipt.receipt_no,
                     original_receipt_no=original.receipt_no, closed_day=closed.isoformat(), amount=receipt.total)


def _get_receipt(receipt_id: int) -> m.Receipt:
    receipt = m.Receipt.get_or_none(m.Receipt.id == receipt_id)
    if receipt is None:
        raise NotFoundError(tr("找不到该收据", "Receipt not found"))
    return receipt


def _later_activity(visit: m.Visit, receipt: m.Receipt) -> str | None:
    """Why the visit's check-in receipt can no longer be voided, or None."""
    if visit.status != VisitStatus.CHECKED_IN.value:
        return tr("体检已{s}", "the visit is {s}", s=VisitStatus(visit.status).label())
    others = (m.Receipt.select().where(m.Receipt.visit == visit.id, m.Receipt.id != receipt.id,
                                       m.Receipt.status == ReceiptStatus.ISSUED.value))
    if others.exists():
        return tr("之后还有其他收费或退费收据", "later charge or refund receipts exist")
    if (m.VisitItem.select().where(m.VisitItem.visit == visit.id,
                                   m.VisitItem.status.in_([ItemStatus.DONE.value, ItemStatus.DEFERRED.value,
                                                           ItemStatus.ABANDONED.value])).exists()):
        return tr("已有项目完成、缓检或弃检", "items have been done, deferred or abandoned")
    if (m.Specimen.select().where(m.Specimen.visit == visit.id,
                                  m.Specimen.status.in_([SpecimenStatus.COLLECTED.value, SpecimenStatus.SENT.value]))
            .exists()):
        return tr("标本已采集", "specimens have been collected")
    return None


def void_receipt(session: Session, receipt_id: int, reason: str) -> m.Receipt:
    """Void a charge receipt (supervisor); see the module notes for what it undoes."""
    session.require(Role.SUPERVISOR)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(tr("请填写作废原因", "Enter the reason for voiding"), field="reason")
    with db.transaction():
        receipt = _get_receipt(receipt_id)
        if receipt.status != ReceiptStatus.ISSUED.value:
            raise ConflictError(tr("该收据已作废", "This receipt is void already"))
        if receipt.kind != ReceiptKind.CHARGE.value:
            raise ConflictError(tr("退费收据不能作废", "A refund receipt cannot be voided"))
        visit = m.Visit.get_by_id(receipt.visit_id)
        first_charge = (m.Receipt.select(m.Receipt.id).where(m.Receipt.visit == visit.id,
                                                              m.Receipt.kind == ReceiptKind.CHARGE.value)
                        .order_by(m.Receipt.id).scalar())
        refunds = m.Receipt.select().where(m.Receipt.refund_of == receipt.id,
                                           m.Receipt.status == ReceiptStatus.ISSUED.value)
        if refunds.exists():
            raise ConflictError(tr("该收据已有退费，不能作废", "Part of this receipt was refunded; it cannot be voided"))
        now = m.utcnow()
        if receipt.id == first_charge:
            why = _later_activity(visit, receipt)
            if why:
                raise ConflictError(tr("不能作废报到收据：{w}。请逐项退费。",
                                       "The check-in receipt cannot be voided: {w}. Refund items one by one instead.",
                                       w=why))
            items = m.VisitItem.select().where(m.VisitItem.visit == visit.id)
            visit.status = VisitStatus.CANCELLED.value
            # Only the status (a save() of the row read earlier would write its old version back) and a new
            # version, so a close-out form still open on this visit is refused rather than applied.
            m.Visit.update(status=VisitStatus.CANCELLED.value).where(m.Visit.id == visit.id).execute()
            versioning.bump(m.Visit, visit.id, None, session)
            if visit.booking_id:
                m.Booking.update(status=BookingStatus.BOOKED.value).where(m.Booking.id == visit.booking_id).execute()
        else:
            item_ids = [line.visit_item_id for line in receipt.lines if line.visit_item_id]
            items = m.VisitItem.select().where(m.VisitItem.id.in_(item_ids or [0]))
            if any(vi.status != ItemStatus.PENDING.value for vi in items):
                raise ConflictError(tr("收据中的项目已不是待检状态，不能作废，请逐项退费",
                                       "Items on this receipt are no longer pending; refund them one by one instead"))
        for vi in items:
            if vi.status != ItemStatus.REFUNDED.value:
                vi.status = ItemStatus.REFUNDED.value
                vi.reason = reason[:255]
                vi.save()
        receipt.status = ReceiptStatus.VOID.value
        receipt.voided_at = now
        receipt.voided_by = session.username
        receipt.void_reason = reason[:255]
        receipt.save()
        specimens.assign_specimens(session, visit)
        _note_closed_day_correction(session, "void", receipt, receipt)
        audit.record(session, "receipt.void", "receipt", receipt.id, receipt_no=receipt.receipt_no,
                     visit_no=visit.visit_no, total=receipt.total, reason=reason,
                     visit_cancelled=visit.status == VisitStatus.CANCELLED.value)
    return receipt


def receipt_data(receipt_id: int, site: SiteSettings | str | None = None) -> ReceiptData:
    """What the receipt printout shows; ``site`` is the settings or the site's name."""
    from frontdesk.printing.receipt import ReceiptData, ReceiptLine, ReceiptPayment  # ReportLab: not at start-up

    receipt = _get_receipt(receipt_id)
    visit = m.Visit.get_by_id(receipt.visit_id)
    guest = m.Guest.get_by_id(visit.guest_id)
    organisation = None
    if visit.contract_id:
        organisation = m.Organisation.get_by_id(m.Contract.get_by_id(visit.contract_id).organisation_id).name
    lines = tuple(ReceiptLine(line.description, line.amount, Payer(line.payer).label())
                  for line in receipt.lines.order_by(m.ReceiptLine.id))
    payments = list(receipt.payments.order_by(m.Payment.id))
    shown = tuple(ReceiptPayment(PaymentMethod(p.method).label(), p.tendered if p.tendered is not None else p.amount)
                  for p in payments)
    paid = sum((p.tendered if p.tendered is not None else p.amount for p in payments
                if p.method != PaymentMethod.ORG_ACCOUNT.value), ZERO)
    cashier = m.User.get_or_none(m.User.username == receipt.cashier)
    cashier_name = cashier.display_name if cashier else receipt.cashier
    refund_of_no = ""
    if receipt.refund_of_id:
        refund_of_no = m.Receipt.get_by_id(receipt.refund_of_id).receipt_no
    is_refund = receipt.kind == ReceiptKind.REFUND.value
    return ReceiptData(
        site_name=site_settings.display_name(site), receipt_no=receipt.receipt_no, visit_no=visit.visit_no, guest_name=guest.name,
        guest_sex=Sex(guest.sex).label() if guest.sex else "", organisation=organisation, lines=lines,
        payments=shown, total=receipt.total, paid=paid, change=sum((p.change for p in payments), ZERO),
        cashier=cashier_name, desk=receipt.desk, issued_at=receipt.issued_at,
        is_void=receipt.status == ReceiptStatus.VOID.value, is_refund=is_refund,
        # A refund is issued under the supervisor's session: its cashier is the approver.
        refund_of_no=refund_of_no, approved_by=cashier_name if is_refund else "")
