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
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal

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
    phone: str               # masked unless unmasked
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


