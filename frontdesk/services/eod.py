"""End of day (日结): the day's figures, the money reconciliation, closing a day.

The report is a tree of frozen dataclasses (``EndOfDayReport``) built from
the database for one local date, for one desk or the whole site.  The PDF
(printing/eod_pdf.py), the CSV/XLSX exports and the 日结 screen all read the
same object, so every total they show is the same number.

Money is counted by *events*, each booked on the day it happens:

- a charge receipt counts in ``gross`` on the day it was issued, even if it
  is voided later;
- a void counts in ``voids`` on the day of the void (``voided_at``), with the
  supervisor who voided it; a same-day void therefore nets to zero, a void
  the next morning leaves the earlier day's figures as they were;
- a refund receipt counts in ``refunds`` on the day it was issued, with the
  supervisor who issued it.

``net = gross - refunds - voids``, per payment method, per cashier and per
organisation.  Expected cash in the drawer is the net of the cash method.

A supervisor closes a day after counting the drawer: the report as it was
then is kept as JSON (``day_close.figures``).  Re-running a closed day gives
those signed figures plus the corrections booked since (voids and refunds of
the day's receipts on later days, and money entered on the day after it was
closed).  The report of the day a correction happens lists it in its money
section with the closed day it refers to.

Names, ID numbers and phones are masked unless a supervisor asks for the
unmasked report, which is audited; so is every export.
"""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from dataclasses import dataclass, fields, is_dataclass, replace
from decimal import Decimal

from frontdesk import clock
from frontdesk.domain.enums import (BelongingStatus, BookingStatus, HandoutMethod, ItemStatus, PaymentMethod,
                                    ReceiptKind, Role, SpecimenStatus, VisitSource, VisitStatus)
from frontdesk.domain.masking import mask_id_number, mask_name, mask_phone
from frontdesk.domain.money import format_amount, to_cents
from frontdesk.errors import ConflictError, ValidationError
from frontdesk.i18n import language, tr
from frontdesk.services import audit, capacity, site_settings
from frontdesk.services.session import Session
from frontdesk.storage import db
from frontdesk.storage import eod_queries as q

ZERO = Decimal("0.00")

# Why a money event is listed as a correction of a closed day.
CORRECTION_VOID = "void"            # a receipt of the closed day voided later
CORRECTION_REFUND = "refund"        # a refund of a receipt of the closed day
CORRECTION_LATE = "late_entry"      # money entered on the closed day after it was closed


# --------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class DeferredCount:
    """Items deferred (缓检) on the day, grouped by the date they were deferred to."""

    deferred_to: dt.date
    items: int
    visits: int


@dataclass(frozen=True)
class AbandonedItem:
    """An item the guest gave up (弃检) on the day, with the reason given."""

    visit_no: str
    guest_name: str          # masked unless the report is unmasked
    item: str
    station: str
    reason: str
    resolved_by: str


@dataclass(frozen=True)
class DayInNumbers:
    booked: int              # bookings for the day that were not cancelled
    checked_in: int          # visits of the day (not cancelled)
    no_shows: int
    cancelled_bookings: int
    walk_ins: int
    booked_arrivals: int     # visits that came from a booking (individual)
    group: int               # visits under a contract (团检)
    individual: int          # walk-ins + individual bookings
    closed: int              # visits handed in (closed, report ready or handed out)
    still_open: int          # visits still checked in at the time of the report
    cancelled_visits: int
    makeup_visits: int       # make-up visits for deferred items (补检)
    items_planned: int
    items_done: int
    items_deferred: int
    items_abandoned: int
    items_refunded: int
    deferred: tuple[DeferredCount, ...]
    abandoned: tuple[AbandonedItem, ...]


@dataclass(frozen=True)
class PackageRow:
    code: str
    name: str                # in the report's language; "" code = visits without a package
    visits: int
    group_visits: int
    individual_visits: int
    items_planned: int
    items_done: int


@dataclass(frozen=True)
class OrganisationRow:
    name: str
    visits: int
    closed: int
    items_planned: int
    items_done: int


@dataclass(frozen=True)
class StationRow:
    code: str
    name: str
    planned: int             # items of the day's visits at this station (not refunded)
    done: int
    pending: int
    deferred: int
    abandoned: int
    capacity: int | None     # the station's limit that day; None = no limit set

    @property
    def done_share_of_planned(self) -> Decimal | None:
        return (Decimal(self.done) / self.planned).quantize(Decimal("0.001")) if self.planned else None

    @property
    def planned_share_of_capacity(self) -> Decimal | None:
        return (Decimal(self.planned) / self.capacity).quantize(Decimal("0.001")) if self.capacity else None


@dataclass(frozen=True)
class MoneyEvent:
    """A refund or a void booked on the report's day."""

    kind: str                # "refund" or "void"
    receipt_no: str          # the refund receipt, or the voided receipt
    original_receipt_no: str  # what a refund refunds ("" when none); a void: the voided receipt again
    visit_no: str
    guest_name: str          # masked unless unmasked
    at: dt.datetime          # aware UTC
    amount: Decimal          # positive; leaves the takings
    methods: str             # e.g. "cash 50.00; org_account 30.00" in words of the report's language
    approved_by: str         # user name of the supervisor
    approved_by_name: str
    desk: str
    reason: str
    original_day: dt.date | None     # the day the original receipt was issued
    corrects_closed_day: dt.date | None  # set when that day was closed: a correction of it


@dataclass(frozen=True)
class MethodRow:
    method: str              # PaymentMethod value
    label: str
    charges: Decimal
    refunds: Decimal
    voids: Decimal
    net: Decimal


@dataclass(frozen=True)
class CashierRow:
    username: str
    display_name: str
    receipts: int            # charge receipts issued
    charges: Decimal
    refunds: Decimal
    voids: Decimal
    net: Decimal
    cash_net: Decimal        # what this cashier's work adds to the drawer


@dataclass(frozen=True)
class OrganisationCharges:
    """Organisation-account (单位记账) charges of one organisation."""

    name: str
    visits: int
    charges: Decimal
    refunds: Decimal
    voids: Decimal
    net: Decimal


@dataclass(frozen=True)
class AddonRow:
    item: str
    count: int
    amount: Decimal          # charged on the day's charge receipts (guest and organisation)


@dataclass(frozen=True)
class CashCount:
    expected: Decimal        # net cash of the day (charges - refunds - voids in cash)
    counted: Decimal | None  # entered at closing; None until the drawer is counted
    difference: Decimal | None  # counted - expected (negative = short)


@dataclass(frozen=True)
class Money:
    gross: Decimal           # all charge receipts issued on the day (every method)
    refunds: Decimal
    voids: Decimal
    net: Decimal             # gross - refunds - voids
    charge_receipts: int
    refund_receipts: int
    void_count: int
    refund_events: tuple[MoneyEvent, ...]
    void_events: tuple[MoneyEvent, ...]
    by_method: tuple[MethodRow, ...]
    by_cashier: tuple[CashierRow, ...]
    org_accounts: tuple[OrganisationCharges, ...]
    addons: tuple[AddonRow, ...]
    addons_total: Decimal
    cash: CashCount

    @property
    def corrections_of_closed_days(self) -> tuple[MoneyEvent, ...]:
        return tuple(e for e in self.refund_events + self.void_events if e.corrects_closed_day is not None)


@dataclass(frozen=True)
class Reprint:
    barcode: str
    visit_no: str
    tube: str
    at: dt.datetime
    by: str                  # user name
    by_name: str
    reprint_no: int          # the specimen's n-th reprint
    why: str                 # in words: within the desk's allowance / authorised by a supervisor


@dataclass(frozen=True)
class TubeCount:
    code: str
    tube: str
    count: int


@dataclass(frozen=True)
class Specimens:
    labels_printed: int      # label copies printed on the day (first prints, replacements, reprints)
    specimens: int           # specimens of the day's visits (not cancelled)
    collected: int           # collected or sent
    sent: int
    cancelled: int
    reprints: tuple[Reprint, ...]
    pending_by_tube: tuple[TubeCount, ...]  # neither collected nor sent nor cancelled

    @property
    def pending(self) -> int:
        return sum(t.count for t in self.pending_by_tube)


@dataclass(frozen=True)
class HandoutCount:
    method: str              # HandoutMethod value
    label: str
    count: int


@dataclass(frozen=True)
class UncollectedReport:
    visit_no: str
    guest_name: str          # masked unless unmasked
    id_number: str           # masked unless unmasked (110105********002X)
    phone: str               # masked unless unmasked (138****1234)
    visit_date: dt.date
    received_on: dt.date
    days_waiting: int


@dataclass(frozen=True)
class Reports:
    received: int            # reports that reached the desk on the day
    handed_out: tuple[HandoutCount, ...]
    uncollected_days: int    # the site's N
    uncollected: tuple[UncollectedReport, ...]  # waiting more than N days at the end of the day

    @property
    def handed_out_total(self) -> int:
        return sum(h.count for h in self.handed_out)


@dataclass(frozen=True)
class BelongingOut:
    tag_no: str
    visit_no: str
    guest_name: str          # masked unless unmasked
    description: str
    stored_at: dt.datetime
    stored_by: str


@dataclass(frozen=True)
class HalfHour:
    start: dt.time           # local time the half hour starts
    check_ins: int


@dataclass(frozen=True)
class StationItems:
    name: str
    done: int
    planned: int


@dataclass(frozen=True)
class Correction:
    """A change to a closed day's money booked after it was closed."""

    kind: str                # CORRECTION_VOID, CORRECTION_REFUND or CORRECTION_LATE
    booked_on: dt.date       # the day the change happened (its report lists it)
    at: dt.datetime
    receipt_no: str
    original_receipt_no: str
    visit_no: str
    amount: Decimal          # signed effect on the closed day's net (a void or refund is negative)
    cash_amount: Decimal     # signed effect on the closed day's cash
    by: str
    by_name: str
    reason: str


@dataclass(frozen=True)
class ClosingState:
    closed: bool
    scope: str               # "site" or "desk"
    desk: str                # the closed desk; "" when the site was closed as a whole
    closed_by: str
    closed_by_name: str
    closed_at: dt.datetime | None
    cash_expected: Decimal | None
    cash_counted: Decimal | None
    cash_difference: Decimal | None
    signed_figures: bool     # True: the figures shown are those kept when the day was closed
    corrections: tuple[Correction, ...]  # booked after closing, newest last

    @property
    def corrections_total(self) -> Decimal:
        return sum((c.amount for c in self.corrections), ZERO)


@dataclass(frozen=True)
class EndOfDayReport:
    site_name: str
    day: dt.date
    desk: str                # "" = the whole site
    desks: tuple[str, ...]   # the desks whose work is in the report
    generated_by: str        # user name
    generated_by_name: str
    generated_at: dt.datetime  # aware UTC
    masked: bool
    has_data: bool           # False: nothing happened that day (the report says so)
    language: str            # "zh" or "en": the language of the names in the report
    numbers: DayInNumbers
    packages: tuple[PackageRow, ...]
    organisations: tuple[OrganisationRow, ...]
    stations: tuple[StationRow, ...]
    money: Money
    specimens: Specimens
    reports: Reports
    belongings: tuple[BelongingOut, ...]  # stored on the day's visits and not returned
    check_ins_per_half_hour: tuple[HalfHour, ...]
    items_per_station: tuple[StationItems, ...]
    closing: ClosingState


# --------------------------------------------------------------------------
# JSON of the signed figures: every field by name, Decimal as a string


def to_json(value) -> str:
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True)


def _plain(value):
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def from_json(text: str, cls: type = EndOfDayReport):
    return _build(cls, json.loads(text))


_HINTS: dict[type, dict] = {}


def _hints(cls: type) -> dict:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _build(tp, raw):
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if raw is None:
            return None
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return _build(inner, raw)
    if origin is tuple:
        inner = typing.get_args(tp)[0]
        return tuple(_build(inner, r) for r in raw)
    if is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{f.name: _build(hints[f.name], raw[f.name]) for f in fields(tp)})
    if tp is Decimal:
        return Decimal(raw)
    if tp is dt.datetime:
        return dt.datetime.fromisoformat(raw)
    if tp is dt.date:
        return dt.date.fromisoformat(raw)
    if tp is dt.time:
        return dt.time.fromisoformat(raw)
    return raw




# --------------------------------------------------------------------------
# Building the report

UTC = dt.timezone.utc
SCOPE_SITE = "site"
SCOPE_DESK = "desk"
CLOSE_SCOPE_SETTING = "eod_close_scope"

_ACTIVE = ("checked_in", "closed", "report_ready", "report_handed_out")   # a visit that took place
_HANDED_IN = ("closed", "report_ready", "report_handed_out")
_LABEL_ACTIONS = ("label.print", "label.replace", "label.reprint")
# The check-in chart always covers the desk's usual opening hours, widened when guests came earlier or later.
_CHART_FROM, _CHART_TO = dt.time(7, 0), dt.time(17, 0)


def _midnight(day: dt.date) -> dt.datetime:
    """The start of the local day, as aware UTC (a naive datetime's astimezone() is local time)."""
    return dt.datetime.combine(day, dt.time(0)).astimezone().astimezone(UTC)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return _midnight(day), _midnight(day + dt.timedelta(days=1))


def _local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone().date()


def _name(zh: str, en: str) -> str:
    return tr(zh, en or zh)


def close_scope() -> str:
    """Whether a day is closed per desk or for the whole site (site setting ``eod_close_scope``)."""
    value = site_settings.get(CLOSE_SCOPE_SETTING).strip().lower()
    return SCOPE_DESK if value == SCOPE_DESK else SCOPE_SITE


def _check_day(day: dt.date) -> None:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError(tr("请选择日期", "Choose a date"), field="date")
    if day > clock.today():
        raise ValidationError(tr("{d} 还没有到，不能做日结", "{d} has not come yet: there is no end of day for it",
                                 d=day.isoformat()), field="date")


def _methods_text(payments: tuple[tuple[str, Decimal], ...]) -> str:
    totals: dict[str, Decimal] = {}
    for method, amount in payments:
        totals[method] = totals.get(method, ZERO) + amount
    return tr("；", "; ").join(f"{PaymentMethod(k).label()} {format_amount(v)}" for k, v in totals.items())


def _cash_of(payments: tuple[tuple[str, Decimal], ...]) -> Decimal:
    return sum((a for method, a in payments if method == PaymentMethod.CASH.value), ZERO)


def _paid(row: q.ReceiptRow) -> Decimal:
    return sum((a for _, a in row.payments), ZERO)


class _Money:
    """The day's money events gathered into totals by method, cashier and organisation."""

    def __init__(self, day: dt.date, start: dt.datetime, end: dt.datetime, desk: str, names: dict[str, str]):
        self.day = day
        self.names = names
        self.charges = q.receipts_issued(start, end, ReceiptKind.CHARGE.value, desk)
        self.refunds = q.receipts_issued(start, end, ReceiptKind.REFUND.value, desk)
        self.voids = q.receipts_voided(start, end, desk)
        originals = q.receipts_by_id(r.refund_of_id for r in self.refunds if r.refund_of_id)
        self.reasons = q.refund_reasons(start, end) if self.refunds else {}
        # The day each refunded or voided receipt belongs to, and whether that day is closed.
        self.original: dict[int, tuple[str, dt.date, str]] = {}
        for r in self.refunds:
            if r.refund_of_id and r.refund_of_id in originals:
                no, at, where = originals[r.refund_of_id]
                self.original[r.id] = (no, _local_date(at), where)
        for r in self.voids:
            self.original[r.id] = (r.receipt_no, _local_date(r.issued_at), r.desk)
        self.closes = q.closes_on(d for _, d, _ in self.original.values() if d < day)

    def _closed_day(self, receipt_id: int) -> dt.date | None:
        if receipt_id not in self.original:
            return None
        _, original_day, where = self.original[receipt_id]
        if original_day < self.day and ((original_day, "") in self.closes or (original_day, where) in self.closes):
            return original_day
        return None

    def _event(self, kind: str, r: q.ReceiptRow) -> MoneyEvent:
        original_no, original_day, _ = self.original.get(r.id, ("", None, ""))
        reason = r.void_reason if kind == "void" else self.reasons.get(r.receipt_no, "")
        return MoneyEvent(kind=kind, receipt_no=r.receipt_no, original_receipt_no=original_no, visit_no=r.visit_no,
                          guest_name=r.guest_name, at=r.event_at, amount=_paid(r), methods=_methods_text(r.payments),
                          approved_by=r.event_by, approved_by_name=self.names.get(r.event_by, r.event_by),
                          desk=r.event_desk, reason=reason, original_day=original_day,
                          corrects_closed_day=self._closed_day(r.id))

    def build(self, counted: Decimal | None = None) -> Money:
        methods: dict[str, list[Decimal]] = {}
        cashiers: dict[str, list] = {}
        orgs: dict[str, list] = {}

        def add(bucket: dict, key: str, index: int, amount: Decimal, size: int) -> list:
            row = bucket.setdefault(key, [ZERO] * size)
            row[index] += amount
            return row

        for index, rows in ((0, self.charges), (1, self.refunds), (2, self.voids)):
            for r in rows:
                cashier = cashiers.setdefault(r.event_by, [ZERO, ZERO, ZERO, ZERO, 0])
                if index == 0:
                    cashier[4] += 1
                for method, amount in r.payments:
                    add(methods, method, index, amount, 3)
                    cashier[index] += amount
                    if method == PaymentMethod.CASH.value:
                        cashier[3] += amount if index == 0 else -amount
                    if method == PaymentMethod.ORG_ACCOUNT.value:
                        org = orgs.setdefault(r.organisation or tr("（未注明单位）", "(no organisation)"),
                                              [ZERO, ZERO, ZERO, set()])
                        org[index] += amount
                        if index == 0:
                            org[3].add(r.visit_id)
        order = [p.value for p in PaymentMethod]
        by_method = tuple(MethodRow(k, PaymentMethod(k).label(), v[0], v[1], v[2], v[0] - v[1] - v[2])
                          for k, v in sorted(methods.items(), key=lambda kv: order.index(kv[0])
                                             if kv[0] in order else len(order)))
        by_cashier = tuple(CashierRow(u, self.names.get(u, u), v[4], v[0], v[1], v[2], v[0] - v[1] - v[2], v[3])
                           for u, v in sorted(cashiers.items()))
        org_rows = tuple(OrganisationCharges(name, len(v[3]), v[0], v[1], v[2], v[0] - v[1] - v[2])
                         for name, v in sorted(orgs.items()))
        addons: dict[str, list] = {}
        for code, name, name_en, amount in q.addon_lines([r.id for r in self.charges]):
            row = addons.setdefault(code, [_name(name, name_en), 0, ZERO])
            row[1] += 1
            row[2] += amount
        addon_rows = tuple(AddonRow(v[0], v[1], v[2]) for _, v in sorted(addons.items()))
        gross = sum((_paid(r) for r in self.charges), ZERO)
        refunds = sum((_paid(r) for r in self.refunds), ZERO)
        voids = sum((_paid(r) for r in self.voids), ZERO)
        cash = methods.get(PaymentMethod.CASH.value, [ZERO, ZERO, ZERO])
        expected = cash[0] - cash[1] - cash[2]
        return Money(
            gross=gross, refunds=refunds, voids=voids, net=gross - refunds - voids,
            charge_receipts=len(self.charges), refund_receipts=len(self.refunds), void_count=len(self.voids),
            refund_events=tuple(self._event("refund", r) for r in self.refunds),
            void_events=tuple(self._event("void", r) for r in self.voids),
            by_method=by_method, by_cashier=by_cashier, org_accounts=org_rows, addons=addon_rows,
            addons_total=sum((a.amount for a in addon_rows), ZERO),
            cash=CashCount(expected, counted, None if counted is None else counted - expected))


def _numbers_and_work(day: dt.date, desk: str, names: dict[str, str]):
    visits = q.visits_on(day, desk)
    live = {v.id: v for v in visits if v.status in _ACTIVE}
    bookings = q.booking_counts(day)
    station_rows = q.stations()
    station_name = {sid: _name(name, name_en) for sid, _, name, name_en, _ in station_rows}
    # The items in a few grouped reads: a 2,000-visit day has some 40,000 of them.
    counts = q.item_counts(day, _ACTIVE, desk)
    contract_org = {v.contract_id: v.organisation for v in live.values() if v.contract_id and v.organisation}
    by_status: dict[str, int] = {}
    for _, _, _, status, n in counts:
        by_status[status] = by_status.get(status, 0) + n
    refunded = ItemStatus.REFUNDED.value
    abandoned = tuple(AbandonedItem(live[i.visit_id].visit_no, live[i.visit_id].guest_name,
                                    _name(i.item_name, i.item_name_en), station_name.get(i.station_id, ""), i.reason,
                                    names.get(i.resolved_by, i.resolved_by))
                      for i in q.items_with_status(day, _ACTIVE, ItemStatus.ABANDONED.value, desk)
                      if i.visit_id in live)

    group = {v.id for v in live.values() if v.contract_id is not None or v.source == VisitSource.GROUP.value}
    numbers = DayInNumbers(
        booked=sum(bookings.values()) - bookings.get(BookingStatus.CANCELLED.value, 0),
        checked_in=len(live), no_shows=bookings.get(BookingStatus.NO_SHOW.value, 0),
        cancelled_bookings=bookings.get(BookingStatus.CANCELLED.value, 0),
        walk_ins=sum(1 for v in live.values() if v.source == VisitSource.WALK_IN.value),
        booked_arrivals=sum(1 for v in live.values() if v.source == VisitSource.BOOKING.value),
        group=len(group), individual=len(live) - len(group),
        closed=sum(1 for v in live.values() if v.status in _HANDED_IN),
        still_open=sum(1 for v in live.values() if v.status == VisitStatus.CHECKED_IN.value),
        cancelled_visits=sum(1 for v in visits if v.status == VisitStatus.CANCELLED.value),
        makeup_visits=sum(1 for v in live.values() if v.original_visit_id),
        items_planned=sum(n for status, n in by_status.items() if status != refunded),
        items_done=by_status.get(ItemStatus.DONE.value, 0),
        items_deferred=by_status.get(ItemStatus.DEFERRED.value, 0),
        items_abandoned=by_status.get(ItemStatus.ABANDONED.value, 0),
        items_refunded=by_status.get(refunded, 0),
        deferred=tuple(DeferredCount(to, n, v) for to, n, v in
                       q.deferred_counts(day, _ACTIVE, ItemStatus.DEFERRED.value, desk)),
        abandoned=abandoned)

    package_names = q.packages()
    by_package: dict[int | None, list] = {}
    for v in live.values():
        row = by_package.setdefault(v.package_id, [0, 0, 0, 0, 0])
        row[0] += 1
        row[1 if v.id in group else 2] += 1
    by_org: dict[str, list] = {}
    for v in live.values():
        if v.organisation:
            row = by_org.setdefault(v.organisation, [0, 0, 0, 0])
            row[0] += 1
            row[1] += v.status in _HANDED_IN
    per_station: dict[int, list[int]] = {}
    column = {ItemStatus.DONE.value: 1, ItemStatus.PENDING.value: 2, ItemStatus.DEFERRED.value: 3,
              ItemStatus.ABANDONED.value: 4}
    for package_id, contract_id, station_id, status, n in counts:
        if status == refunded:
            continue
        done = n if status == ItemStatus.DONE.value else 0
        if package_id in by_package:
            by_package[package_id][3] += n
            by_package[package_id][4] += done
        org = contract_org.get(contract_id)
        if org in by_org:
            by_org[org][2] += n
            by_org[org][3] += done
        row = per_station.setdefault(station_id, [0, 0, 0, 0, 0])
        row[0] += n
        if status in column:
            row[column[status]] += n
    packages = []
    for pid, (n, g, ind, planned_n, done_n) in by_package.items():
        code, name, name_en = package_names.get(pid, ("", tr("无套餐（单项）", "No package (items only)"), ""))
        packages.append(PackageRow(code, _name(name, name_en), n, g, ind, planned_n, done_n))
    packages.sort(key=lambda p: (-p.visits, p.code))
    organisations = tuple(OrganisationRow(name, *v) for name, v in sorted(by_org.items(), key=lambda kv: (-kv[1][0],
                                                                                                      kv[0])))
    load = capacity.day_load(day) if per_station else None
    stations = []
    for sid, code, name, name_en, _ in station_rows:
        if sid in per_station:
            limit = load.station(sid).limit if load is not None and load.station(sid) is not None else None
            stations.append(StationRow(code, _name(name, name_en), *per_station[sid], capacity=limit))

    checkins = sorted(v.checked_in_at.astimezone() for v in live.values())
    half_hours: tuple[HalfHour, ...] = ()
    if checkins:
        counts: dict[dt.time, int] = {}
        for moment in checkins:
            slot = dt.time(moment.hour, 30 if moment.minute >= 30 else 0)
            counts[slot] = counts.get(slot, 0) + 1
        first = min(_CHART_FROM, min(counts))
        last = max(dt.time(_CHART_TO.hour - 1, 30), max(counts))
        slots, t = [], dt.datetime.combine(day, first)
        while t.time() <= last and t.date() == day:
            slots.append(HalfHour(t.time(), counts.get(t.time(), 0)))
            t += dt.timedelta(minutes=30)
        half_hours = tuple(slots)
    return visits, numbers, tuple(packages), organisations, tuple(stations), half_hours


def _specimens(day: dt.date, start: dt.datetime, end: dt.datetime, desk: str, names: dict[str, str]) -> Specimens:
    tubes: dict[str, list] = {}
    totals = {s.value: 0 for s in SpecimenStatus}
    for code, name, name_en, status, n in q.specimen_counts(day, desk):
        totals[status] = totals.get(status, 0) + n
        if status in (SpecimenStatus.CREATED.value, SpecimenStatus.LABEL_PRINTED.value):
            tubes.setdefault(code, [_name(name, name_en), 0])[1] += n
    events = q.label_events(start, end, _LABEL_ACTIONS, desk)
    reprint_events = [e for e in events if e.action == "label.reprint"]
    tube_names = q.tube_names_of_specimens(e.specimen_id for e in reprint_events)
    free = site_settings.load().label_free_reprints
    reprints = []
    for e in reprint_events:
        if e.reprint_no > free:
            why = tr("第{n}次补打，超出前台可补打的{f}次，由主管补打", "reprint {n}, over the desk's {f}: by a supervisor",
                     n=e.reprint_no, f=free)
        else:
            why = tr("第{n}次补打，在前台可补打的{f}次以内", "reprint {n}, within the desk's {f}", n=e.reprint_no, f=free)
        tube = tube_names.get(e.specimen_id, ("", ""))
        reprints.append(Reprint(e.barcode, e.visit_no, _name(*tube), e.at, e.username,
                                names.get(e.username, e.username), e.reprint_no, why))
    cancelled = totals.get(SpecimenStatus.CANCELLED.value, 0)
    return Specimens(
        labels_printed=sum(e.copies for e in events),
        specimens=sum(totals.values()) - cancelled,
        collected=totals.get(SpecimenStatus.COLLECTED.value, 0) + totals.get(SpecimenStatus.SENT.value, 0),
        sent=totals.get(SpecimenStatus.SENT.value, 0), cancelled=cancelled, reprints=tuple(reprints),
        pending_by_tube=tuple(TubeCount(code, v[0], v[1]) for code, v in tubes.items()))


def _reports(day: dt.date, start: dt.datetime, end: dt.datetime, desk: str) -> Reports:
    from frontdesk.services import reports as report_service

    counts = q.handouts_by_method(start, end, desk)
    handed = tuple(HandoutCount(h.value, h.label(), counts[h.value]) for h in HandoutMethod if counts.get(h.value))
    days = report_service.uncollected_days()
    # As the call list counts: received on or before the day N days back.
    cutoff = _midnight(day - dt.timedelta(days=max(days, 1) - 1)) if days else end
    waiting = tuple(UncollectedReport(no, name, id_number, phone, visit_date, _local_date(at),
                                      (day - _local_date(at)).days)
                    for no, name, id_number, phone, visit_date, at in
                    q.reports_waiting_since(min(cutoff, end), VisitStatus.REPORT_READY.value))
    return Reports(q.reports_received(start, end, desk), handed, days, waiting)


def _corrections(day: dt.date, close: q.DayCloseRow, names: dict[str, str]) -> tuple[Correction, ...]:
    """Money changes to a closed day after it was closed: late entries on the day, later voids and refunds."""
    start, end = day_bounds(day)
    desk = close.desk
    after = close.closed_at
    found: list[Correction] = []

    def add(kind: str, r: q.ReceiptRow, sign: int, original_no: str, reason: str) -> None:
        found.append(Correction(kind, _local_date(r.event_at), r.event_at, r.receipt_no, original_no, r.visit_no,
                                sign * _paid(r) + ZERO, sign * _cash_of(r.payments) + ZERO, r.event_by,  # no -0.00
                                names.get(r.event_by, r.event_by), reason))

    reasons = q.refund_reasons(after)
    for r in q.receipts_issued(after, end, ReceiptKind.CHARGE.value, desk) if after < end else ():
        add(CORRECTION_LATE, r, 1, "", "")
    late_refunds = q.receipts_issued(after, end, ReceiptKind.REFUND.value, desk) if after < end else []
    later_refunds = q.refunds_of_receipts_issued(start, end, max(after, end), desk)
    originals = q.receipts_by_id(r.refund_of_id for r in late_refunds + later_refunds if r.refund_of_id)
    for r in late_refunds + later_refunds:
        no, at, _ = originals.get(r.refund_of_id, ("", None, ""))
        kind = CORRECTION_REFUND if at is not None and _local_date(at) == day else CORRECTION_LATE
        add(kind, r, -1, no, reasons.get(r.receipt_no, ""))
    for r in q.receipts_voided(after, end, desk) if after < end else ():
        kind = CORRECTION_VOID if _local_date(r.issued_at) == day else CORRECTION_LATE
        add(kind, r, -1, r.receipt_no, r.void_reason)
    for r in q.voids_of_receipts_issued(start, end, max(after, end), desk):
        add(CORRECTION_VOID, r, -1, r.receipt_no, r.void_reason)
    return tuple(sorted(found, key=lambda c: (c.at, c.receipt_no)))


def _closing(day: dt.date, desk: str, close: q.DayCloseRow | None, names: dict[str, str],
             signed: bool) -> ClosingState:
    if close is None:
        return ClosingState(False, close_scope(), desk, "", "", None, None, None, None, False, ())
    return ClosingState(True, close.scope, close.desk, close.closed_by, names.get(close.closed_by, close.closed_by),
                        close.closed_at, close.cash_expected, close.cash_counted, close.cash_difference, signed,
                        _corrections(day, close, names))


def _live_report(session: Session, day: dt.date, desk: str, names: dict[str, str], *,
                 counted: Decimal | None = None, money_until: dt.datetime | None = None) -> EndOfDayReport:
    start, end = day_bounds(day)
    visits, numbers, packages, organisations, stations, half_hours = _numbers_and_work(day, desk, names)
    # Closing signs the money up to the moment of closing; what is stamped later is a correction (_corrections),
    # even a receipt already in the database from a desk whose clock runs ahead: never counted in both.
    money_end = min(end, money_until) if money_until is not None else end
    money = _Money(day, start, money_end, desk, names).build(counted)
    specimens = _specimens(day, start, end, desk, names)
    reports = _reports(day, start, end, desk)
    belongings = tuple(BelongingOut(tag, no, name, description, at, names.get(by, by))
                       for tag, no, name, description, at, by in
                       q.belongings_not_returned(day, BelongingStatus.STORED.value, desk))
    has_data = bool(visits or numbers.booked or numbers.no_shows or money.charge_receipts or money.refund_receipts
                    or money.void_count or specimens.labels_printed or reports.received or reports.handed_out)
    return EndOfDayReport(
        site_name=site_settings.display_name(), day=day, desk=desk,
        desks=(desk,) if desk else tuple(q.desks_with_activity(start, end, day)),
        generated_by=session.username, generated_by_name=session.display_name, generated_at=clock.now(),
        masked=False, has_data=has_data, language=language(), numbers=numbers, packages=packages,
        organisations=organisations, stations=stations, money=money, specimens=specimens, reports=reports,
        belongings=belongings, check_ins_per_half_hour=half_hours,
        items_per_station=tuple(StationItems(s.name, s.done, s.planned) for s in stations),
        closing=_closing(day, desk, None, names, False))


def mask_report(report: EndOfDayReport) -> EndOfDayReport:
    """The report with guests' names, ID numbers and phones masked (staff names stay: they sign)."""
    if report.masked:
        return report
    numbers = replace(report.numbers, abandoned=tuple(replace(a, guest_name=mask_name(a.guest_name))
                                                      for a in report.numbers.abandoned))
    money = replace(report.money,
                    refund_events=tuple(replace(e, guest_name=mask_name(e.guest_name))
                                        for e in report.money.refund_events),
                    void_events=tuple(replace(e, guest_name=mask_name(e.guest_name))
                                      for e in report.money.void_events))
    reports = replace(report.reports, uncollected=tuple(
        replace(u, guest_name=mask_name(u.guest_name), id_number=mask_id_number(u.id_number),
                phone=mask_phone(u.phone)) for u in report.reports.uncollected))
    belongings = tuple(replace(b, guest_name=mask_name(b.guest_name)) for b in report.belongings)
    return replace(report, masked=True, numbers=numbers, money=money, reports=reports, belongings=belongings)


def build_report(session: Session, day: dt.date, *, desk: str | None = None,
                 unmasked: bool = False) -> EndOfDayReport:
    """The end-of-day report of ``day`` (local date) for ``desk`` (None or "": the whole site).

    A closed day gives the figures as they were signed plus the corrections
    booked since.  ``unmasked`` (names, ID numbers and phones in full) needs a
    supervisor and is audited.  A future day is refused; a day without any
    activity gives a valid report whose ``has_data`` is False.
    """
    _check_day(day)
    desk = (desk or "").strip()
    if unmasked:
        session.require(Role.SUPERVISOR)
    names = q.users()
    close = q.day_close(day, desk)
    if close is not None:
        signed = from_json(close.figures)
        report = replace(signed, generated_by=session.username, generated_by_name=session.display_name,
                         generated_at=clock.now(), closing=_closing(day, desk, close, names, True))
    else:
        report = _live_report(session, day, desk, names)
        site_close = q.day_close(day, "") if desk else None
        if site_close is not None:
            report = replace(report, closing=_closing(day, "", site_close, names, False))
    if unmasked:
        with db.transaction():
            audit.record(session, "eod.view_unmasked", "day", day.isoformat(), desk=desk)
        return report
    return mask_report(report)


def close_day(session: Session, day: dt.date, counted_cash: Decimal, *, desk: str | None = None) -> EndOfDayReport:
    """Close ``day`` after the cash count (supervisor): the report as it is now is kept as signed.

    ``desk`` is the desk being closed when the site closes per desk (site
    setting ``eod_close_scope`` = "desk"); when the site closes as a whole no
    desk is given.  Refused for a future day, a day closed already, or a
    count that is not an amount of money.  Returns the signed report, masked.
    """
    session.require(Role.SUPERVISOR)
    _check_day(day)
    if not isinstance(counted_cash, Decimal) or not counted_cash.is_finite():
        raise ValidationError(tr("请输入点钞金额", "Enter the cash counted"), field="counted")
    if counted_cash < 0:
        raise ValidationError(tr("点钞金额不能为负数", "The cash counted cannot be negative"), field="counted")
    try:
        to_cents(counted_cash)
    except ValueError:
        raise ValidationError(tr("点钞金额最多两位小数", "The cash counted has at most two decimals"),
                              field="counted") from None
    counted_cash = counted_cash.quantize(ZERO)
    scope = close_scope()
    desk = (desk or "").strip()
    if scope == SCOPE_DESK and not desk:
        raise ValidationError(tr("本中心按前台分别日结：请选择要日结的前台", "This site closes each desk on its own: "
                                 "choose the desk to close"), field="desk")
    if scope == SCOPE_SITE and desk:
        raise ValidationError(tr("本中心全院统一日结，不按前台分别日结", "This site closes the whole day at once, "
                                 "not desk by desk"), field="desk")
    names = q.users()
    with db.transaction():
        if q.day_close(day, desk) is not None:
            raise ConflictError(_closed_already(day, desk))
        now = clock.now()
        report = _live_report(session, day, desk, names, counted=counted_cash, money_until=now)
        cash = report.money.cash
        closing = ClosingState(True, scope, desk, session.username, session.display_name, now, cash.expected,
                               counted_cash, cash.difference, True, ())
        report = replace(report, closing=closing)
        if not q.insert_day_close(day, desk, scope, session.username, now, cash.expected, counted_cash,
                                  cash.difference, to_json(report)):
            raise ConflictError(_closed_already(day, desk))
        audit.record(session, "eod.close", "day", day.isoformat(), desk=desk, scope=scope, expected=cash.expected,
                     counted=counted_cash, difference=cash.difference, net=report.money.net)
    return mask_report(report)  # kept in full in the database; shown masked (build_report for the full view)


def _closed_already(day: dt.date, desk: str) -> str:
    if desk:
        return tr("{d} {k} 已日结", "{d} is closed already at {k}", d=day.isoformat(), k=desk)
    return tr("{d} 已日结", "{d} is closed already", d=day.isoformat())


def closed_day_of(receipt_issued_at: dt.datetime, desk: str) -> dt.date | None:
    """The closed day a receipt issued at ``receipt_issued_at`` (at ``desk``) belongs to, or None.

    Voids and refunds call this to say in their audit entry that they correct
    a closed day; their money is booked on the day they happen.
    """
    day = _local_date(receipt_issued_at)
    if q.day_close(day, "") is not None or (desk and q.day_close(day, desk) is not None):
        return day
    return None
