"""Deferred items (缓检需求受理) and make-up visits (补检).

A deferral is the set of a visit's items deferred to one date: the items
carry ``deferred_to`` and ``deferral_state`` (open / used / cancelled).  The
slip printed for it carries the slip number (``make_deferral_no``: one per
original visit, so a slip still works after its date is moved) as its barcode.

Rules:

- A date is refused when it is not after the visit day and today, and when
  a station of the items is full that day: its daily capacity from the
  catalogue, less the guests already booked or deferred there that day
  (until bookings bring a calendar).  The refusal names the nearest dates
  that fit.
- The make-up visit is checked in from the slip (or by finding the guest):
  only the deferred items, linked to the original visit and items, no new
  charge (what was paid stays paid on the original visit), labels only for
  what those items need, the guide sheet for those stations.  The ID number
  presented must be the original guest's: another person cannot use a
  deferral.  Each deferred item is made up once (a unique index, and only
  open items are taken), whichever desk tries.
- A deferral can be moved to another date (the same capacity rule) or
  cancelled: without a refund the items count as abandoned; with a refund
  (supervisor) through ``checkin.remove_item`` on the original visit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.domain.codes import CodeKind, deferral_visit_id, looks_like_code, make_deferral_no, make_visit_no
from frontdesk.domain.enums import DeferralState, ItemStatus, PaymentMethod, Role, VisitStatus
from frontdesk.domain.idnumber import id_number_variants
from frontdesk.domain.masking import mask_id_number, mask_name
from frontdesk.domain.text import normalize_digits, normalize_input
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit, checkin, closeout, site_settings, specimens
from frontdesk.services import capacity as capacity_service
from frontdesk.services.session import Session
from frontdesk.storage import closeout_queries as cq
from frontdesk.storage import db, numbers
from frontdesk.storage import models as m

if TYPE_CHECKING:
    from frontdesk.printing.deferral_slip import DeferralSlipData

#: How far ahead the date picker and the "nearest dates" look.
HORIZON_DAYS = 60


def _name(row) -> str:
    return tr(row.name, row.name_en or row.name)


# --------------------------------------------------------------------------
# Capacity


@dataclass(frozen=True)
class StationCapacity:
    station_id: int
    station_name: str
    capacity: int | None      # None: no limit
    taken: int                # guests booked or deferred there that day

    @property
    def remaining(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.taken >= self.capacity

    def text(self) -> str:
        if self.capacity is None:
            return tr("{s}：不限", "{s}: no limit", s=self.station_name)
        return tr("{s}：余{r}/{c}", "{s}: {r}/{c} left", s=self.station_name, r=self.remaining, c=self.capacity)


@dataclass(frozen=True)
class DayCapacity:
    day: dt.date
    stations: tuple[StationCapacity, ...]

    @property
    def fits(self) -> bool:
        return not any(s.full for s in self.stations)


def capacity(station_ids: Sequence[int], first: dt.date, days: int = 1, *,
             exclude_visit_id: int | None = None) -> list[DayCapacity]:
    """Each day's remaining capacity at the stations, from ``first`` for ``days`` days.

    ``exclude_visit_id``: leave that visit's own open deferrals out (moving a deferral).
    """
    # The capacity service is the one source of limits (weekday rules, date exceptions, the catalogue's
    # default) and load (bookings, the day's visits, open deferrals); a centre limit shows as station 0.
    ids = set(station_ids)
    last = first + dt.timedelta(days=max(days, 1) - 1)
    result = []
    for load in capacity_service.day_loads(first, last, exclude_visit_id=exclude_visit_id):
        centre = [load.centre] if load.centre.limit is not None else []
        result.append(DayCapacity(load.day, tuple(
            StationCapacity(s.station_id or 0, s.name, s.limit, s.load)
            for s in centre + [s for s in load.stations if s.station_id in ids])))
    return result


def earliest_date(visit_date: dt.date, today: dt.date | None = None) -> dt.date:
    """The first day a deferral can go to: after the visit day and after today."""
    today = today or clock.today()
    return max(visit_date, today) + dt.timedelta(days=1)


def nearest_fitting(station_ids: Sequence[int], around: dt.date, earliest: dt.date, count: int = 3, *,
                    exclude_visit_id: int | None = None) -> list[dt.date]:
    """The ``count`` dates nearest to ``around`` (not before ``earliest``) with room at every station."""
    first = earliest
    days = capacity(station_ids, first, (max(around, first) - first).days + HORIZON_DAYS,
                    exclude_visit_id=exclude_visit_id)
    fitting = [d.day for d in days if d.fits]
    fitting.sort(key=lambda d: (abs((d - around).days), d))
    return sorted(fitting[:count])


def _check_date(to_date: dt.date, visit: m.Visit, station_ids: Sequence[int], today: dt.date,
                exclude_visit_id: int | None = None) -> None:
    earliest = earliest_date(visit.visit_date, today)
    if not isinstance(to_date, dt.date):
        raise ValidationError(tr("请选择缓检日期", "Choose the date"), field="date")

    def dates_text(around: dt.date) -> str:
        dates = nearest_fitting(station_ids, around, earliest, exclude_visit_id=exclude_visit_id)
        return tr("、", ", ").join(f"{d:%Y-%m-%d}" for d in dates) or tr("（未来{n}天内无空位）", "(none in the next {n} days)",
                                                              n=HORIZON_DAYS)

    if to_date < earliest:
        raise ValidationError(tr("缓检日期不能早于 {e}（今天或已过去的日期不行）。最近可约：{d}",
                                 "The date cannot be before {e} (not today or a past day). Nearest dates that fit: {d}",
                                 e=f"{earliest:%Y-%m-%d}", d=dates_text(earliest)), field="date")
    day = capacity(station_ids, to_date, 1, exclude_visit_id=exclude_visit_id)[0]
    if not day.fits:
        full = tr("、", ", ").join(s.station_name for s in day.stations if s.full)
        raise ConflictError(tr("{day} {s} 已约满。最近可约：{d}", "{day}: {s} is fully booked. Nearest dates that fit: {d}",
                               day=f"{to_date:%Y-%m-%d}", s=full, d=dates_text(to_date)), field="date")


# --------------------------------------------------------------------------
# Deferring, moving, cancelling


def defer_items(session: Session, visit_id: int, item_ids: Sequence[int], to_date: dt.date, *,
                today: dt.date | None = None) -> closeout.CloseoutView:
    """Defer pending items of a checked-in visit to ``to_date`` (缓检), capacity permitting."""
    today = today or clock.today()
    ids = closeout._ids(item_ids)
    with db.transaction():
        visit = closeout.claim_open_visit(visit_id)
        rows = closeout._check_items(visit.id, ids, (ItemStatus.PENDING.value,), tr("缓检", "deferred"))
        _check_date(to_date, visit, [vi.item.station_id for vi in rows], today)
        cq.set_items(ids, visit.id, (ItemStatus.PENDING.value,), status=ItemStatus.DEFERRED.value,
                     deferred_to=to_date, deferral_state=DeferralState.OPEN.value, resolved_by=session.username,
                     resolved_at=m.utcnow())
        audit.record(session, "visit_item.defer", "visit", visit.id, visit_no=visit.visit_no,
                     items=[vi.item.code for vi in rows], deferred_to=to_date)
    return closeout.closeout_view(visit_id)


def _open_items(visit_id: int, deferred_to: dt.date) -> list[m.VisitItem]:
    rows = cq.open_deferral_items(visit_ids=[visit_id], deferred_to=deferred_to)
    if not rows:
        raise NotFoundError(tr("该体检在 {d} 没有待补检的缓检项目", "The visit has no open deferral to {d}",
                               d=f"{deferred_to:%Y-%m-%d}"))
    return rows


def move_deferral(session: Session, visit_id: int, from_date: dt.date, to_date: dt.date, *,
                  today: dt.date | None = None) -> "Deferral":
    """Move an open deferral to another date (the same capacity rule)."""
    today = today or clock.today()
    with db.transaction():
        visit = m.Visit.get_or_none(m.Visit.id == visit_id)
        if visit is None:
            raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
        rows = _open_items(visit.id, from_date)
        if to_date == from_date:
            raise ValidationError(tr("新日期与原日期相同", "The new date is the same as the old one"), field="date")
        _check_date(to_date, visit, [vi.item.station_id for vi in rows], today, exclude_visit_id=visit.id)
        changed = m.VisitItem.update(deferred_to=to_date).where(
            m.VisitItem.id.in_([vi.id for vi in rows]),
            m.VisitItem.deferral_state == DeferralState.OPEN.value).execute()
        if changed != len(rows):
            raise ConflictError(tr("缓检刚被其他工作站修改，请刷新", "The deferral was just changed at another desk; refresh"))
        audit.record(session, "deferral.move", "visit", visit.id, visit_no=visit.visit_no, from_date=from_date,
                     to_date=to_date, items=[vi.item.code for vi in rows])
    return deferral(visit_id, to_date)


def cancel_deferral(session: Session, visit_id: int, deferred_to: dt.date, reason: str, *,
                    refund_method: PaymentMethod | None = None) -> list:
    """Cancel an open deferral: the items are abandoned, or refunded (supervisor) when ``refund_method`` is given.

    Returns the refund receipts issued (empty without a refund).
    """
    reason = normalize_input(reason or "").strip()
    if not reason:
        raise ValidationError(tr("请填写取消原因", "Enter the reason for cancelling"), field="reason")
    if refund_method is not None:
        session.require(Role.SUPERVISOR)
    receipts = []
    with db.transaction():
        visit = m.Visit.get_or_none(m.Visit.id == visit_id)
        if visit is None:
            raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
        rows = _open_items(visit.id, deferred_to)
        ids = [vi.id for vi in rows]
        changed = m.VisitItem.update(deferral_state=DeferralState.CANCELLED.value).where(
            m.VisitItem.id.in_(ids), m.VisitItem.deferral_state == DeferralState.OPEN.value).execute()
        if changed != len(ids):
            raise ConflictError(tr("缓检刚被其他工作站修改，请刷新", "The deferral was just changed at another desk; refresh"))
        if refund_method is None:
            m.VisitItem.update(status=ItemStatus.ABANDONED.value, reason=reason[:255], resolved_by=session.username,
                               resolved_at=m.utcnow()).where(m.VisitItem.id.in_(ids)).execute()
        else:
            for vi in rows:
                receipt = checkin.remove_item(session, vi.id, refund_method, reason, deferred_on_closed_visit=True)
                if receipt is not None:
                    receipts.append(receipt)
        audit.record(session, "deferral.cancel", "visit", visit.id, visit_no=visit.visit_no, deferred_to=deferred_to,
                     items=[vi.item.code for vi in rows], refund=refund_method.value if refund_method else "",
                     reason=reason)
    return receipts


# --------------------------------------------------------------------------
# Finding deferrals, the slip


@dataclass(frozen=True)
class DeferredItem:
    visit_item_id: int
    item_name: str
    station_name: str
    station_location: str
    fasting: bool
    station_id: int = 0


@dataclass(frozen=True)
class Deferral:
    """The items of one visit deferred to one date."""

    visit_id: int
    visit_no: str
    visit_date: dt.date
    guest_id: int
    guest_name: str
    guest_name_masked: str
    id_number_masked: str
    deferred_to: dt.date
    items: tuple[DeferredItem, ...]

    @property
    def fasting(self) -> bool:
        return any(i.fasting for i in self.items)

    @property
    def station_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i.station_name for i in self.items))


def _deferrals(rows) -> list[Deferral]:
    groups: dict[tuple[int, dt.date], list] = {}
    for vi in rows:
        groups.setdefault((vi.visit_id, vi.deferred_to), []).append(vi)
    guests = {g.id: g for g in m.Guest.select().where(m.Guest.id.in_([vis[0].visit.guest_id for vis in groups.values()]
                                                                       or [0]))}
    result = []
    for (visit_id, day), vis in groups.items():
        visit = vis[0].visit
        guest = guests[visit.guest_id]
        result.append(Deferral(visit_id, visit.visit_no, visit.visit_date, guest.id, guest.name, mask_name(guest.name),
                               mask_id_number(guest.id_number or ""), day, tuple(
                                   DeferredItem(vi.id, _name(vi.item), _name(vi.item.station), vi.item.station.location,
                                                vi.item.fasting, vi.item.station_id) for vi in vis)))
    return sorted(result, key=lambda d: (d.deferred_to, d.visit_no))


def deferral(visit_id: int, deferred_to: dt.date) -> Deferral:
    return _deferrals(_open_items(visit_id, deferred_to))[0]


def open_deferrals_of_visit(visit_id: int) -> list[Deferral]:
    return _deferrals(cq.open_deferral_items(visit_ids=[visit_id]))


def find_open_deferrals(text: str) -> list[Deferral]:
    """Open deferrals named by a scanned slip / visit number, or a guest's ID number."""
    digits = normalize_digits(normalize_input(text or "")).upper()
    if not digits:
        raise ValidationError(tr("请扫描缓检单或输入身份证号", "Scan the deferral slip or type the ID number"), field="code")
    kind = looks_like_code(digits)
    if kind in (CodeKind.VISIT, CodeKind.DEFERRAL):
        visit = (m.Visit.get_or_none(m.Visit.visit_no == digits) if kind is CodeKind.VISIT
                 else m.Visit.get_or_none(m.Visit.id == deferral_visit_id(digits)))
        if visit is None:
            raise NotFoundError(tr("体检号 {n} 不存在", "Visit number {n} does not exist", n=digits), field="code")
        digits = visit.visit_no
        found = open_deferrals_of_visit(visit.id)
        if not found:
            raise NotFoundError(tr("体检号 {n} 没有待补检的缓检项目", "Visit {n} has no open deferred items", n=digits),
                                field="code")
        return found
    guests = cq.guests_by_id_number(id_number_variants(digits))
    if not guests:
        raise NotFoundError(tr("找不到证件号为 {n} 的客人", "No guest with ID number {n}", n=mask_id_number(digits)),
                            field="code")
    found = _deferrals(cq.open_deferral_items(guest_ids=[g.id for g in guests]))
    if not found:
        raise NotFoundError(tr("该客人没有待补检的缓检项目", "The guest has no open deferred items"), field="code")
    return found


def slip_data(visit_id: int, deferred_to: dt.date, *, issued_by: str = "", site=None) -> DeferralSlipData:
    """What the deferral slip (缓检单) shows."""
    from frontdesk.domain.sex import Sex
    from frontdesk.printing.deferral_slip import DeferralSlipData  # ReportLab: not at start-up

    d = deferral(visit_id, deferred_to)
    guest = m.Guest.get_by_id(d.guest_id)
    items = tuple((i.item_name, tr("{s}（{w}）", "{s} ({w})", s=i.station_name, w=i.station_location)
                   if i.station_location else i.station_name)
                  for i in d.items)
    instructions = []
    if d.fasting:
        instructions.append(tr("当天请空腹（前一晚 22 点后禁食禁水），上午 10 点前到前台报到。",
                               "Come fasting that day (nothing to eat or drink after 22:00 the night before) and "
                               "check in at the desk before 10:00."))
    else:
        instructions.append(tr("当天请于上午 8:00–11:00 到前台报到。", "Check in at the desk between 8:00 and 11:00 that day."))
    instructions.append(tr("请携带本单和本人身份证件（须与原体检为同一人），已缴费用无需再缴。",
                           "Bring this slip and your own ID document (the same person as the original visit); what "
                           "was paid is not charged again."))
    instructions.append(tr("如需改期或取消，请提前致电前台。", "To change the date or cancel, call the desk beforehand."))
    site_name = site_settings.display_name(site)
    return DeferralSlipData(site_name, d.visit_no, guest.name, Sex(guest.sex).label() if guest.sex else "", d.visit_date,
                            d.deferred_to, items, d.fasting, tuple(instructions), issued_by,
                            make_deferral_no(visit_id))


def slip_pdf(visit_id: int, deferred_to: dt.date, *, issued_by: str = "", site=None) -> bytes:
    from frontdesk.printing.deferral_slip import render_deferral_slip  # ReportLab: lazily

    return render_deferral_slip(slip_data(visit_id, deferred_to, issued_by=issued_by, site=site))


# --------------------------------------------------------------------------
# Make-up visit


@dataclass(frozen=True)
class MakeupResult:
    visit_id: int
    visit_no: str
    original_visit_no: str
    items: tuple[str, ...]
    specimen_barcodes: tuple[str, ...]


def _same_person(guest: m.Guest, presented: str) -> bool:
    number = normalize_digits(normalize_input(presented or "")).upper()
    if not number or not guest.id_number:
        return False
    mine = {v.upper() for v in id_number_variants(guest.id_number.upper())}
    return bool(mine & {v.upper() for v in id_number_variants(number)})


def check_in_makeup(session: Session, visit_id: int, deferred_to: dt.date, id_number: str, *,
                    day: dt.date | None = None) -> MakeupResult:
    """Check in the make-up visit (补检) of an open deferral: only its items, nothing charged again.

    ``id_number``: the document the person at the desk presents; it must be
    the original guest's.  A guest registered without an ID number needs a
    supervisor to vouch (``id_number`` left empty).
    """
    day = day or clock.today()
    original = m.Visit.get_or_none(m.Visit.id == visit_id)
    if original is None:
        raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
    guest = m.Guest.get_by_id(original.guest_id)
    if guest.id_number:
        if not normalize_input(id_number or "").strip():
            raise ValidationError(tr("请读取或输入补检人的身份证号", "Read or type the ID number of the person"),
                                  field="id_number")
        if not _same_person(guest, id_number):
            with db.transaction():  # the attempt is kept in the audit log, the refusal changes nothing else
                audit.record(session, "makeup.refused", "visit", original.id, visit_no=original.visit_no,
                             presented=mask_id_number(normalize_digits(id_number or "").upper()))
            raise ConflictError(tr("证件号与原体检客人不符：缓检项目只能由本人补检。",
                                   "The ID number is not the original guest's: only the guest can use this "
                                   "deferral."), field="id_number")
    with db.transaction():
        if not guest.id_number and not session.can(Role.SUPERVISOR):
            raise ConflictError(tr("原体检客人没有登记证件号，需主管核对身份后办理补检。",
                                   "The original guest has no ID number on file: a supervisor must check the person's "
                                   "identity."), field="id_number")
        rows = _open_items(original.id, deferred_to)
        if day < original.visit_date + dt.timedelta(days=1):
            raise ValidationError(tr("补检须在原体检之后的日期办理", "A make-up visit is on a later day than the visit"),
                                  field="date")
        other = cq.live_visit_on(guest.id, day)
        if other is not None and other.status == VisitStatus.PREPARED.value:
            raise ConflictError(tr("该客人今天有已备单的预约（体检号{no}），请先扫描预订单为其报到，再在该体检中加项",
                                   "The guest has a prepared booking today (visit {no}): check the booking in first, "
                                   "then add the items to that visit", no=other.visit_no))
        if other is not None:
            raise ConflictError(tr("该客人今天已报到（体检号{no}），请在该体检中加项，或先取消该体检",
                                   "The guest is checked in today already (visit {no}); add the items to it or cancel "
                                   "that visit first", no=other.visit_no))
        if cq.mark_deferrals_used([vi.id for vi in rows]) != len(rows):
            raise ConflictError(tr("这些缓检项目刚在其他工作站补检报到", "These deferred items were just checked in at "
                                   "another desk"))
        try:
            # As at check-in: another desk may check the guest in between the look above and this insert;
            # the one-live-visit-per-guest-day index decides, and the savepoint lets us name that desk.
            with db.transaction():
                visit = m.Visit.create(
                    visit_no=make_visit_no(day, numbers.next_number(f"visit:{day:%y%m%d}")), guest=guest.id,
                    visit_date=day, package=None, contract=original.contract_id, booking=None,
                    source=original.source, status=VisitStatus.CHECKED_IN.value, desk=session.desk,
                    checked_in_by=session.username, original_visit=original.id)
        except cq.IntegrityError:
            winner = cq.live_visit_on(guest.id, day)
            if winner is None:
                raise
            raise checkin.checked_in_already(winner, day) from None
        for vi in rows:
            try:
                with db.transaction():
                    m.VisitItem.create(visit=visit.id, item=vi.item_id, status=ItemStatus.PENDING.value,
                                       is_addon=vi.is_addon, price=vi.price, payer=vi.payer,
                                       added_by=session.username, makeup_of=vi.id)
            except cq.IntegrityError:
                raise ConflictError(tr("这些缓检项目已补检过", "These deferred items were made up already")) from None
        tubes = specimens.assign_specimens(session, visit, day=day)
        audit.record(session, "visit.check_in_makeup", "visit", visit.id, visit_no=visit.visit_no,
                     original_visit_no=original.visit_no, deferred_to=deferred_to,
                     items=[vi.item.code for vi in rows])
        return MakeupResult(visit.id, visit.visit_no, original.visit_no, tuple(_name(vi.item) for vi in rows),
                            tuple(s.barcode for s in tubes))
