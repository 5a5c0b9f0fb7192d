"""The end-of-day part of the demo (issue 11): past demo days are counted and closed, as a supervisor would.

Runs last for every demo day (order 90), through the desk's own services:

- every past day is closed at 18:30 by the supervisor (王主管) after the cash
  count; the count matches the drawer, except on one day where the drawer is
  ¥2.00 short (the second-newest past day, or the newest when there is only
  one);
- on the newest past day a walk-in checks in and pays in cash at 17:50,
  then leaves before any exam; the day is closed with that money in the
  drawer, and the next morning the supervisor voids the receipt: the void is
  booked on the next day and listed under the closed day as a correction,
  whose signed figures do not change;
- today (a morning in progress) stays open: the desk counts and closes it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from frontdesk.domain.enums import PaymentMethod, VisitStatus
from frontdesk.services import checkin, eod, payments
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.demo_context import DemoContext, DemoVisit, register_stage
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

SHORT_BY = Decimal("2.00")
CLOSE_AT = (18, 30)
LATE_GUEST_AT = (17, 50)
LATE_PACKAGE = "ENTRY"
VOID_REASON = "客人昨日傍晚报到交费后未检查即离开，次日来电要求退款"
# Where the next morning's void is waiting: set on the closed day, done on the next demo day.
_PENDING_VOID = "_eod_void_next_morning"


def _past_days(ctx: DemoContext) -> list[dt.date]:
    return [d for d in ctx.days if d < ctx.today]


def _late_walk_in(ctx: DemoContext) -> int | None:
    """A walk-in who pays at 17:50 and leaves: the receipt voided next morning. Returns the receipt id."""
    busy = {v.guest_id for v in ctx.visits_on(ctx.day)}
    busy |= {gid for (gid,) in m.Visit.select(m.Visit.guest).where(m.Visit.visit_date == ctx.day).tuples()}
    guest = next((g for g in sorted(ctx.guests, key=lambda g: g.guest_id)
                  if g.guest_id not in busy and g.organisation_id is None), None)
    package = m.Package.get_or_none(m.Package.code == LATE_PACKAGE)
    if guest is None or package is None:
        return None
    with ctx.at(*LATE_GUEST_AT):
        result = checkin.check_in(ctx.desk, CheckInRequest(
            guest_id=guest.guest_id, package_id=package.id,
            payments=[PaymentInput(PaymentMethod.CASH, package.price, package.price)]), day=ctx.day)
    # One of the demo's visits like any other (the summary counts it); it is cancelled by the void.
    ctx.visits.append(DemoVisit(result.visit.id, result.visit.visit_no, guest.guest_id, ctx.day, ctx.desk.desk,
                                "arrived"))
    return result.receipt.id if result.receipt is not None else None


def _close(ctx: DemoContext, short: bool) -> None:
    with ctx.at(*CLOSE_AT):
        expected = eod.build_report(ctx.supervisor, ctx.day).money.cash.expected
        counted = max(expected - (SHORT_BY if short else Decimal("0.00")), Decimal("0.00"))
        eod.close_day(ctx.supervisor, ctx.day, counted)


def _void_next_morning(ctx: DemoContext, receipt_id: int) -> None:
    receipt = m.Receipt.get_or_none(m.Receipt.id == receipt_id)
    if receipt is None or m.Visit.get_by_id(receipt.visit_id).status != VisitStatus.CHECKED_IN.value:
        return
    # Today's morning is built up to now_limit by the stages before this one: the void comes after them.
    when = ctx.now_limit if ctx.is_today else dt.time(9, 15)
    with ctx.at(when.hour, when.minute):
        payments.void_receipt(ctx.supervisor, receipt_id, VOID_REASON)
    ctx.notes.append(f"日结：{receipt.issued_at.astimezone().date().isoformat()} 已日结后，次日作废收据 "
                     f"{receipt.receipt_no}（更正）")


@register_stage(order=90, name="end of day")
def end_of_day(ctx: DemoContext) -> None:
    pending = getattr(ctx, _PENDING_VOID, None)
    if pending is not None:
        setattr(ctx, _PENDING_VOID, None)
        _void_next_morning(ctx, pending)
    past = _past_days(ctx)
    if ctx.is_today or ctx.day not in past:
        return
    newest = past[-1]
    short_day = past[-2] if len(past) > 1 else newest
    if ctx.day == newest:
        receipt_id = _late_walk_in(ctx)
        if receipt_id is not None:
            setattr(ctx, _PENDING_VOID, receipt_id)
    _close(ctx, short=ctx.day == short_day)
    if ctx.day == short_day:
        ctx.notes.append(f"日结：{ctx.day.isoformat()} 点钞短款 ¥{SHORT_BY}")
