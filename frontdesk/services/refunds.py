"""Refunding several items of a visit at once (退项), as the desk's one refund dialog does it.

The desk ticks the items, sees what goes back to whom before anything is
written, and a supervisor signs.  Everything is one transaction: all the
ticked items are refunded or none.  One refund voucher is issued per charge
receipt the money came from (the check-in receipt, an add-on's receipt), so
each voucher names the receipt it refunds.  Package items are refunded at
their list price, capped by what is left of the package price, counting the
items refunded in the same go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from frontdesk.domain.enums import ItemStatus, Payer, PaymentMethod, Role
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit, checkin, payments, specimens
from frontdesk.services.payments import ChargeLine, Tender
from frontdesk.services.session import Session
from frontdesk.storage import db
from frontdesk.storage import models as m

ZERO = Decimal("0.00")
_REFUNDABLE = (ItemStatus.PENDING.value, ItemStatus.DEFERRED.value, ItemStatus.ABANDONED.value)


@dataclass(frozen=True)
class RefundLine:
    visit_item_id: int
    name: str
    guest_part: Decimal
    org_part: Decimal
    refunds_receipt_no: str  # the charge receipt the money came from, "" if none

    @property
    def amount(self) -> Decimal:
        return self.guest_part + self.org_part


@dataclass(frozen=True)
class RefundQuote:
    lines: tuple[RefundLine, ...]

    @property
    def guest_total(self) -> Decimal:
        return sum((line.guest_part for line in self.lines), ZERO)

    @property
    def org_total(self) -> Decimal:
        return sum((line.org_part for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.guest_total + self.org_total


def _plan(visit_item_ids: Sequence[int]) -> tuple[m.Visit, list[tuple[m.VisitItem, RefundLine, m.Receipt | None]]]:
    ids = list(dict.fromkeys(visit_item_ids))
    if not ids:
        raise ValidationError(tr("请勾选要退的项目", "Tick the items to refund"), field="items")
    rows = list(m.VisitItem.select(m.VisitItem, m.ExamItem).join(m.ExamItem)
                .where(m.VisitItem.id.in_(ids)).order_by(m.VisitItem.id))
    if len(rows) != len(ids):
        raise NotFoundError(tr("找不到该项目", "Item not found"))
    if len({vi.visit_id for vi in rows}) != 1:
        raise ValidationError(tr("一次只能退同一体检的项目", "Refund items of one visit at a time"), field="items")
    visit = checkin._live_visit(rows[0].visit_id)
    taken = {Payer.GUEST: ZERO, Payer.ORGANISATION: ZERO}
    plan = []
    for vi in rows:
        name = checkin._name(vi.item)
        if vi.status == ItemStatus.REFUNDED.value:
            raise ConflictError(tr("“{i}”已退", "“{i}” was refunded already", i=name))
        if vi.status not in _REFUNDABLE:
            raise ConflictError(tr("“{i}”已检查，不能退项", "“{i}” has been done; it cannot be refunded", i=name))
        shares = checkin.refund_shares(vi, taken)
        if not vi.is_addon and visit.package_id:
            for payer, amount in shares.items():
                taken[payer] += amount
        original = checkin._charge_receipt_of(visit.id, vi.id if vi.is_addon else None)
        line = RefundLine(vi.id, name, shares[Payer.GUEST], shares[Payer.ORGANISATION],
                          original.receipt_no if original is not None else "")
        plan.append((vi, line, original))
    return visit, plan


def quote(visit_item_ids: Sequence[int]) -> RefundQuote:
    """What refunding these items would pay back, and to whom; writes nothing."""
    _, plan = _plan(visit_item_ids)
    return RefundQuote(tuple(line for _, line, _ in plan))


def refund_items(session: Session, visit_item_ids: Sequence[int], refund_method: PaymentMethod,
                 reason: str) -> list[m.Receipt]:
    """Refund the items (supervisor) in one transaction; returns the refund vouchers issued.

    The guest's share goes back by ``refund_method``; the organisation's share
    goes back to its account.  Items paid by nobody are only taken off.
    """
    session.require(Role.SUPERVISOR)
    refund_method = PaymentMethod(refund_method)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(tr("请填写退项原因", "Enter the reason for the refund"), field="reason")
    with db.transaction():
        visit, plan = _plan(visit_item_ids)
        if refund_method is PaymentMethod.ORG_ACCOUNT and any(line.guest_part for _, line, _ in plan):
            raise ValidationError(tr("个人支付的部分不能退到单位账户", "The guest's share cannot go back to the organisation "
                                     "account"), field="refund_method")
        by_receipt: dict[int | None, tuple[m.Receipt | None, list[ChargeLine]]] = {}
        for vi, line, original in plan:
            lines = by_receipt.setdefault(original.id if original else None, (original, []))[1]
            description = tr("退项：{name}", "Refund: {name}", name=line.name)
            if line.guest_part:
                lines.append(ChargeLine(vi.id, description, line.guest_part, Payer.GUEST))
            if line.org_part:
                lines.append(ChargeLine(vi.id, description, line.org_part, Payer.ORGANISATION))
        vouchers: dict[int, m.Receipt] = {}
        receipts = []
        for original, lines in by_receipt.values():
            if not lines:
                continue
            guest = sum((cl.amount for cl in lines if cl.payer is Payer.GUEST), ZERO)
            org = sum((cl.amount for cl in lines if cl.payer is Payer.ORGANISATION), ZERO)
            tenders = []
            if guest:
                tenders.append(Tender(refund_method, guest, None, ZERO))
            if org:
                tenders.append(Tender(PaymentMethod.ORG_ACCOUNT, org, None, ZERO))
            receipt = payments.issue_refund(session, visit, original, lines, tenders)
            receipts.append(receipt)
            for cl in lines:
                vouchers[cl.visit_item_id] = receipt
        for vi, line, _ in plan:
            vi.status = ItemStatus.REFUNDED.value
            vi.reason = reason[:255]
            vi.save()
            voucher = vouchers.get(vi.id)
            audit.record(session, "visit_item.refund", "visit_item", vi.id, visit_no=visit.visit_no,
                         item=vi.item.code, guest_refund=line.guest_part, org_refund=line.org_part,
                         method=refund_method.value, receipt_no=voucher.receipt_no if voucher else "",
                         refunds_receipt_no=line.refunds_receipt_no, reason=reason)
        specimens.assign_specimens(session, visit)
    return receipts
