"""Bookings (客户预订、电话预订、体检排期): a person booked for a date and half-day.

A booking is made at the desk, by phone, or for a member of a group (a
contract's roster), with a package and/or single extra items.

- Eligibility is checked when the booking is made, with the same rules as at
  check-in (``services.eligibility``): a 27-year-old is not booked on the 50+
  package, a group booking needs the person on the contract's roster; the
  refusal says why.
- Capacity (``services.capacity``) is checked for every station the package
  and the extra items need, and for the whole centre: a full date is refused
  naming what is full and the nearest dates that fit
  (``capacity.CapacityFullError``).  A supervisor may book over the limit
  with a reason, which is kept on the booking and audited.  Every write that
  takes capacity first takes the capacity lock, so two desks cannot both
  take the last place.
- The number comes from the ``booking`` counter in the same transaction:
  no gaps, never shared.  A guest has at most one live booking a day.
- A booking is moved (same number; eligibility and capacity checked again for
  the new date), cancelled with a reason, and marked a no-show when its day
  has passed without a check-in (``mark_no_shows``, run when the app starts
  and when the bookings page opens); a supervisor can undo a no-show, and the
  end-of-day marking then leaves that booking alone.

Every function is one transaction and audited; callers get ``BookingView``
(frozen), never rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from frontdesk import clock
from frontdesk.domain.codes import make_booking_no
from frontdesk.domain.enums import BookingStatus, LabelledEnum, Role, VisitSource
from frontdesk.domain.idnumber import age_on
from frontdesk.domain.masking import mask_phone
from frontdesk.domain.text import normalize_input
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit, capacity, eligibility, preparation, versioning
from frontdesk.services.session import Session
from frontdesk.storage import booking_queries as bq
from frontdesk.storage import db, queries
from frontdesk.storage import models as m


class HalfDay(LabelledEnum):
    AM = "am"
    PM = "pm"

    @classmethod
    def _labels(cls):
        return {cls.AM: ("上午", "Morning"), cls.PM: ("下午", "Afternoon")}


class Channel(LabelledEnum):
    DESK = "desk"       # 现场预订
    PHONE = "phone"     # 电话预订
    ROSTER = "roster"   # a group's roster, booked in a batch

    @classmethod
    def _labels(cls):
        return {cls.DESK: ("现场", "At the desk"), cls.PHONE: ("电话", "By phone"),
                cls.ROSTER: ("团检名单", "Group roster")}


@dataclass(frozen=True)
class BookedItem:
    item_id: int
    code: str
    name: str
    station_id: int
    station_name: str
    station_location: str
    fasting: bool
    extra: bool               # booked on top of the package


@dataclass(frozen=True)
class BookingView:
    id: int
    booking_no: str
    guest_id: int
    guest_name: str
    guest_sex: str
    guest_age: int | None     # on the exam date
    guest_phone_masked: str
    exam_date: dt.date
    half_day: HalfDay
    package_id: int | None
    package_code: str
    package_name: str
    contract_id: int | None
    contract_name: str
    organisation_name: str
    roster_entry_id: int | None
    source: str               # VisitSource value: booking / group
    channel: Channel
    status: BookingStatus
    note: str
    extra_items: tuple[BookedItem, ...]
    created_at: dt.datetime
    created_by: str
    cancel_reason: str
    cancelled_by: str
    cancelled_at: dt.datetime | None
    no_show_by: str
    no_show_at: dt.datetime | None
    no_show_undone_by: str
    override_reason: str
    override_by: str
    version: int = 0  # the row's version when read: pass it back to move/cancel (services/versioning.py)

    @property
    def live(self) -> bool:
        return self.status == BookingStatus.BOOKED

    @property
    def extra_item_ids(self) -> tuple[int, ...]:
        return tuple(i.item_id for i in self.extra_items)


def _name(row) -> str:
    return tr(row.name, getattr(row, "name_en", "") or row.name)


def _items_of(booking_ids: Sequence[int]) -> dict[int, list[BookedItem]]:
    result: dict[int, list[BookedItem]] = {}
    for bi in bq.extra_items(booking_ids):
        item = bi.item
        result.setdefault(bi.booking_id, []).append(BookedItem(
            item.id, item.code, _name(item), item.station_id, _name(item.station), item.station.location,
            bool(item.fasting), True))
    return result


def _views(rows) -> list[BookingView]:
    rows = list(rows)
    extras = _items_of([b.id for b in rows])
    views = []
    for b in rows:
        guest = b.guest
        package = b.package if b.package_id else None
        contract = b.contract if b.contract_id else None
        exam_date = b.exam_date
        views.append(BookingView(
            id=b.id, booking_no=b.booking_no, guest_id=b.guest_id, guest_name=guest.name, guest_sex=guest.sex,
            guest_age=(age_on(guest.birth_date, exam_date) if guest.birth_date and guest.birth_date <= exam_date
                       else None),
            guest_phone_masked=mask_phone(guest.phone or ""), exam_date=exam_date, half_day=HalfDay(b.half_day),
            package_id=b.package_id, package_code=package.code if package else "",
            package_name=_name(package) if package else "", contract_id=b.contract_id,
            contract_name=contract.name if contract else "",
            organisation_name=bq.organisation_name(contract) if contract else "",
            roster_entry_id=b.roster_entry_id, source=b.source, channel=Channel(b.channel),
            status=BookingStatus(b.status), note=b.note, extra_items=tuple(extras.get(b.id, [])),
            created_at=b.created_at, created_by=b.created_by, cancel_reason=b.cancel_reason,
            cancelled_by=b.cancelled_by, cancelled_at=b.cancelled_at, no_show_by=b.no_show_by,
            no_show_at=b.no_show_at, no_show_undone_by=b.no_show_undone_by, override_reason=b.override_reason,
            override_by=b.override_by, version=b.version))
    return views


def booking(booking_id: int) -> BookingView:
    """One booking as the desk sees it."""
    rows = bq.bookings(ids=[booking_id])
    if not rows:
        raise NotFoundError(tr("找不到该预约", "Booking not found"))
    return _views(rows)[0]


def find_by_number(booking_no: str) -> BookingView | None:
    rows = bq.bookings(number=normalize_input(booking_no or "").strip())
    return _views(rows)[0] if rows else None


def bookings_on(day: dt.date, *, statuses: Sequence[BookingStatus] | None = None) -> list[BookingView]:
    """The day's bookings, morning first, then by number."""
    return _views(bq.bookings(day=day, statuses=[s.value for s in statuses] if statuses else None))


def bookings_of_guest(guest_id: int) -> list[BookingView]:
    return _views(bq.bookings(guest_id=guest_id))


# --------------------------------------------------------------------------
# Checks shared by create and move


def _check_date(exam_date: dt.date) -> None:
    if not isinstance(exam_date, dt.date) or isinstance(exam_date, dt.datetime):
        raise ValidationError(tr("请选择预约日期", "Choose the date"), field="exam_date")
    if exam_date < clock.today():
        raise ValidationError(tr("预约日期不能早于今天", "A booking cannot be for a past date"), field="exam_date")
    if exam_date > clock.today() + dt.timedelta(days=366):
        raise ValidationError(tr("预约日期不能超过一年以后", "A booking cannot be more than a year ahead"),
                              field="exam_date")


def _half_day(value) -> HalfDay:
    try:
        return HalfDay(value.value if isinstance(value, HalfDay) else value)
    except ValueError:
        raise ValidationError(tr("请选择上午或下午", "Choose morning or afternoon"), field="half_day") from None


def _override(session: Session, reason: str) -> str:
    reason = normalize_input(reason or "").strip()
    if reason:
        session.require(Role.SUPERVISOR)
    return reason[:255]


def _one_live_booking(guest_id: int, exam_date: dt.date, exclude_id: int | None = None) -> None:
    other = bq.live_booking_of(guest_id, exam_date, exclude_id)
    if other is not None:
        raise ConflictError(tr("该客人在{d}已有预约（{no}）", "The guest is booked on {d} already ({no})",
                               d=exam_date, no=other.booking_no), field="exam_date")


def _check_capacity(station_ids: frozenset[int], exam_date: dt.date, override_reason: str, *,
                    exclude_booking_id: int | None = None) -> tuple[capacity.StationDay, ...]:
    """Raises ``CapacityFullError`` unless there is room; with an override returns what was full."""
    capacity.lock()
    try:
        capacity.check(station_ids, exam_date, exclude_booking_id=exclude_booking_id)
    except capacity.CapacityFullError as full:
        if not override_reason:
            raise
        return full.full
    return ()


# --------------------------------------------------------------------------
# Create, move, cancel, no-show


def create_booking(session: Session, guest_id: int, exam_date: dt.date, *, package_id: int | None = None,
                   contract_id: int | None = None, item_ids: Sequence[int] = (), half_day: HalfDay | str = HalfDay.AM,
                   channel: Channel | str = Channel.DESK, note: str = "", override_reason: str = "") -> BookingView:
    """Book the guest for ``exam_date`` and the half-day, all or nothing.

    Refused with the reason when not eligible (``ValidationError``), when the
    guest has a live booking that day (``ConflictError``), and when a station
    or the centre is full (``capacity.CapacityFullError`` with the nearest
    dates) unless a supervisor gives ``override_reason``.  A group booking
    (``contract_id``) takes the contract's package for the person when none is
    given and links the roster line.
    """
    _check_date(exam_date)
    half = _half_day(half_day)
    try:
        how = Channel(channel.value if isinstance(channel, Channel) else channel)
    except ValueError:
        raise ValidationError(tr("预约方式无效", "Unknown booking channel"), field="channel") from None
    override_reason = _override(session, override_reason)
    extra = list(dict.fromkeys(int(i) for i in item_ids))
    with db.transaction():
        guest = m.Guest.get_or_none(m.Guest.id == guest_id)
        if guest is None:
            raise NotFoundError(tr("找不到该客人", "Guest not found"))
        if package_id is None and contract_id is None and not extra:
            raise ValidationError(tr("请选择套餐或项目", "Choose a package or items"), field="package")
        verdict = eligibility.check(guest, package_id=package_id, item_ids=extra, contract_id=contract_id,
                                    day=exam_date)
        if not verdict.ok:
            raise ValidationError(verdict.banner(), field="eligibility")
        if package_id is None and contract_id is not None:
            package_id = verdict.package_id_suggested
        included = bq.package_item_ids(package_id)
        extra = [i for i in extra if i not in included]
        _one_live_booking(guest.id, exam_date)
        full = _check_capacity(capacity.demand(package_id, extra), exam_date, override_reason)
        row = m.Booking.create(
            booking_no=make_booking_no(queries.next_counter("booking")), guest=guest.id, exam_date=exam_date,
            half_day=half.value, package=package_id, contract=contract_id,
            roster_entry=verdict.roster_entry.id if verdict.roster_entry is not None else None,
            source=(VisitSource.GROUP if contract_id else VisitSource.BOOKING).value, channel=how.value,
            status=BookingStatus.BOOKED.value, note=normalize_input(note or "").strip()[:500],
            created_by=session.username, override_reason=override_reason if full else "",
            override_by=session.username if full else "")
        for item_id in extra:
            m.BookingItem.create(booking=row.id, item=item_id)
        audit.record(session, "booking.create", "booking", row.id, booking_no=row.booking_no, guest=guest.id,
                     exam_date=exam_date, half_day=half.value, package=package_id or "", items=extra,
                     contract=contract_id or "", channel=how.value)
        if full:
            audit.record(session, "booking.capacity_override", "booking", row.id, booking_no=row.booking_no,
                         exam_date=exam_date, full=[f"{s.name} {s.load}/{s.limit}" for s in full],
                         reason=override_reason)
        return booking(row.id)


def _claim(booking_id: int, status: BookingStatus) -> m.Booking:
    row = m.Booking.get_or_none(m.Booking.id == booking_id)
    if row is None:
        raise NotFoundError(tr("找不到该预约", "Booking not found"))
    if row.status != status.value:
        raise ConflictError(tr("该预约的状态为“{s}”，不能进行此操作", "The booking is “{s}”; this cannot be done",
                               s=BookingStatus(row.status).label()))
    return row


def _set(row: m.Booking, from_status: BookingStatus, **values) -> None:
    """The change only if nobody changed the status meanwhile (another desk checking the guest in)."""
    changed = m.Booking.update(**values).where(m.Booking.id == row.id, m.Booking.status == from_status.value).execute()
    if changed != 1:
        raise ConflictError(tr("该预约刚被其他工作站修改，请刷新", "The booking was just changed at another desk; refresh"))


def move_booking(session: Session, booking_id: int, new_date: dt.date, *, half_day: HalfDay | str | None = None,
                 override_reason: str = "", version: int | None = None) -> BookingView:
    """Move a live booking to another date and/or half-day, keeping its number.

    Eligibility (the age on the new date, the contract's dates) and capacity
    are checked again for the new date, without counting the booking itself.
    ``version``: the one the dialog read (``BookingView.version``); a booking
    changed at another desk since then is refused (``StaleEditError``).
    """
    _check_date(new_date)
    override_reason = _override(session, override_reason)
    with db.transaction():
        versioning.bump(m.Booking, booking_id, version, session)
        row = _claim(booking_id, BookingStatus.BOOKED)
        half = _half_day(half_day if half_day is not None else row.half_day)
        if new_date == row.exam_date and half.value == row.half_day:
            raise ValidationError(tr("新日期与原日期相同", "The new date is the same as the old one"), field="exam_date")
        guest = m.Guest.get_by_id(row.guest_id)
        extra = [bi.item_id for bi in bq.extra_items([row.id])]
        verdict = eligibility.check(guest, package_id=row.package_id, item_ids=extra, contract_id=row.contract_id,
                                    day=new_date)
        if not verdict.ok:
            raise ValidationError(verdict.banner(), field="eligibility")
        _one_live_booking(guest.id, new_date, exclude_id=row.id)
        full = ()
        if new_date != row.exam_date:
            full = _check_capacity(capacity.demand(row.package_id, extra), new_date, override_reason,
                                   exclude_booking_id=row.id)
        _set(row, BookingStatus.BOOKED, exam_date=new_date, half_day=half.value,
             override_reason=override_reason if full else "", override_by=session.username if full else "")
        if new_date != row.exam_date:  # the visit prepared for the old day (its papers) is void
            preparation.cancel_prepared_visit(session, row.id, reason="booking moved")
        audit.record(session, "booking.move", "booking", row.id, booking_no=row.booking_no,
                     from_date=row.exam_date, from_half_day=row.half_day, to_date=new_date, to_half_day=half.value)
        if full:
            audit.record(session, "booking.capacity_override", "booking", row.id, booking_no=row.booking_no,
                         exam_date=new_date, full=[f"{s.name} {s.load}/{s.limit}" for s in full],
                         reason=override_reason)
        return booking(row.id)


def cancel_booking(session: Session, booking_id: int, reason: str, *, version: int | None = None) -> BookingView:
    """Cancel a live booking with a reason (who, when and why are kept).

    ``version``: as for ``move_booking``, a booking changed meanwhile is refused.
    """
    reason = normalize_input(reason or "").strip()
    if not reason:
        raise ValidationError(tr("请填写取消原因", "Enter the reason for cancelling"), field="reason")
    with db.transaction():
        versioning.bump(m.Booking, booking_id, version, session)
        row = _claim(booking_id, BookingStatus.BOOKED)
        _set(row, BookingStatus.BOOKED, status=BookingStatus.CANCELLED.value, cancel_reason=reason[:255],
             cancelled_by=session.username, cancelled_at=m.utcnow())
        preparation.cancel_prepared_visit(session, row.id, reason=reason)
        audit.record(session, "booking.cancel", "booking", row.id, booking_no=row.booking_no,
                     exam_date=row.exam_date, reason=reason)
        return booking(row.id)


def mark_no_shows(session: Session, *, before: dt.date | None = None) -> list[str]:
    """Mark every live booking of a day before ``before`` (today) that was not checked in a no-show.

    Run when the app starts and when the bookings page opens; bookings whose
    no-show a supervisor undid are left alone.  Returns the numbers marked.
    """
    before = before or clock.today()
    with db.transaction():
        rows = bq.unarrived_before(before)
        if not rows:
            return []
        numbers = [r.booking_no for r in rows]
        m.Booking.update(status=BookingStatus.NO_SHOW.value, no_show_by=session.username, no_show_at=m.utcnow()).where(
            m.Booking.id.in_([r.id for r in rows]), m.Booking.status == BookingStatus.BOOKED.value).execute()
        for r in rows:  # a no-show's prepared visit is no longer live (the guest may come another day)
            preparation.cancel_prepared_visit(session, r.id, reason="no-show")
        audit.record(session, "booking.no_show", "booking", "", before=before, count=len(numbers),
                     bookings=numbers[:200])
    return numbers


def undo_no_show(session: Session, booking_id: int, reason: str = "") -> BookingView:
    """A supervisor undoes a no-show: the booking is live again and is not marked again."""
    session.require(Role.SUPERVISOR)
    with db.transaction():
        versioning.bump(m.Booking, booking_id, None, session)
        row = _claim(booking_id, BookingStatus.NO_SHOW)
        _set(row, BookingStatus.NO_SHOW, status=BookingStatus.BOOKED.value, no_show_undone_by=session.username)
        audit.record(session, "booking.no_show_undo", "booking", row.id, booking_no=row.booking_no,
                     exam_date=row.exam_date, marked_by=row.no_show_by,
                     reason=normalize_input(reason or "").strip()[:255])
        return booking(row.id)


# --------------------------------------------------------------------------
# What the booking holds (for the dialog, the slip and check-in)


@dataclass(frozen=True)
class BookingContents:
    items: tuple[BookedItem, ...]      # the package's items, then the extra items
    fasting: bool


def contents(view: BookingView, packages: dict | None = None) -> BookingContents:
    """The booking's items; ``packages`` (package id -> its items) saves a look-up per booking in a list."""
    if packages is None:
        packages = {}
    if view.package_id not in packages:
        packages[view.package_id] = tuple(
            BookedItem(row.id, row.code, _name(row), row.station_id, _name(row.station), row.station.location,
                       bool(row.fasting), False) for row in bq.package_items(view.package_id))
    items = list(packages[view.package_id])
    items += list(view.extra_items)
    return BookingContents(tuple(items), any(i.fasting for i in items))


def preparation_notes(items: Sequence[BookedItem]) -> tuple[str, ...]:
    """What the guest should know before coming, most important first."""
    codes = {i.code for i in items}
    lines = []
    if any(i.fasting for i in items):
        lines.append(tr("检查当天请空腹：前一晚 20:00 后禁食，可少量饮水；采血、腹部彩超、碳13呼气试验完成后再进食。",
                        "Come fasting: nothing to eat after 20:00 the evening before (a little water is fine); "
                        "eat only after the blood draw, abdominal ultrasound and breath test."))
    lines.append(tr("前一天清淡饮食，不要饮酒，避免剧烈运动，保证睡眠。",
                    "The day before: light meals, no alcohol, no hard exercise, a good night's sleep."))
    if codes & {"US_GYN", "US_PROS"}:
        lines.append(tr("子宫附件/前列腺彩超需憋尿：检查前1小时饮水500毫升，不要排尿。",
                        "Pelvic / prostate ultrasound needs a full bladder: drink 500 ml an hour before, do not "
                        "pass water."))
    if codes & {"GYN", "TCT", "HPV"}:
        lines.append(tr("妇科检查请避开月经期，检查前3天不要冲洗阴道；未婚者不做妇科检查。",
                        "Gynaecology: not during your period, no douching for 3 days before; not for guests who "
                        "have never been sexually active."))
    if codes & {"DR_CHEST", "CT_CHEST", "DR_CSPINE"}:
        lines.append(tr("放射检查：怀孕或可能怀孕请提前告知，勿穿带金属的衣物。",
                        "X-ray / CT: tell us if you are or may be pregnant; wear clothes without metal."))
    if "C13" in codes:
        lines.append(tr("碳13呼气试验前1个月内停用抗生素和胃药。",
                        "Breath test: no antibiotics or stomach medicine in the month before."))
    lines.append(tr("请携带本人身份证和本预订单，按预约时段到前台报到。",
                    "Bring your ID card and this slip, and check in at the front desk in your half-day."))
    return tuple(lines)


# --------------------------------------------------------------------------
# The booking slip (预订单)


def slip_data(booking_id: int, *, issued_by: str = ""):
    """What the booking slip shows, in the desk's language."""
    from frontdesk.domain.sex import Sex
    from frontdesk.printing.booking_slip import BookingSlipData
    from frontdesk.services import site_settings

    view = booking(booking_id)
    held = contents(view)
    return BookingSlipData(
        site_name=site_settings.display_name(), site_address=site_settings.get("site_address"),
        site_phone=site_settings.get("site_phone"), booking_no=view.booking_no, guest_name=view.guest_name,
        sex_label=Sex(view.guest_sex).label() if view.guest_sex else "", exam_date=view.exam_date,
        weekday=capacity.weekday_name(view.exam_date.weekday()), half_day=view.half_day.label(),
        package=view.package_name, organisation=view.organisation_name,
        items=tuple((i.name, f"{i.station_name} {i.station_location}".strip(), i.extra) for i in held.items),
        fasting=held.fasting, instructions=preparation_notes(held.items), issued_by=issued_by)


def slip_pdf(booking_id: int, *, issued_by: str = "") -> bytes:
    """The booking slip as PDF bytes (A5), its barcode the booking number."""
    from frontdesk.printing.booking_slip import render_booking_slip  # ReportLab: lazily

    return render_booking_slip(slip_data(booking_id, issued_by=issued_by))


# --------------------------------------------------------------------------
# For the booking dialog: choices and a live preview (reads only)


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class GuestSummary:
    id: int
    name: str
    sex: str
    birth_date: dt.date | None
    phone_masked: str
    id_number_masked: str

    def text(self, day: dt.date) -> str:
        from frontdesk.domain.sex import Sex

        age = (tr("{a}岁", "age {a}", a=age_on(self.birth_date, day)) if self.birth_date and self.birth_date <= day
               else "")
        sex = Sex(self.sex).label() if self.sex else ""
        return "  ".join(x for x in (self.name, sex, age, self.phone_masked, self.id_number_masked) if x)


def guest_summary(guest_id: int) -> GuestSummary:
    from frontdesk.domain.masking import mask_id_number

    guest = m.Guest.get_or_none(m.Guest.id == guest_id)
    if guest is None:
        raise NotFoundError(tr("找不到该客人", "Guest not found"))
    return GuestSummary(guest.id, guest.name, guest.sex, guest.birth_date, mask_phone(guest.phone or ""),
                        mask_id_number(guest.id_number or ""))


def package_choices() -> list[Choice]:
    from frontdesk.services import catalogue

    return [Choice(p.id, f"{_name(p)}  ¥{p.price}") for p in catalogue.active_packages()]


def item_choices() -> list[Choice]:
    from frontdesk.services import catalogue

    return [Choice(i.id, tr("{i}（{s}）", "{i} ({s})", i=_name(i), s=_name(i.station)))
            for i in catalogue.active_items()]


def contract_choices(guest_id: int, day: dt.date) -> list[Choice]:
    """Contracts active on ``day`` whose roster holds the guest."""
    guest = m.Guest.get_or_none(m.Guest.id == guest_id)
    if guest is None:
        return []
    return [Choice(c.id, f"{bq.organisation_name(c)} · {c.name}") for c in eligibility.active_contracts_for(guest, day)]


@dataclass(frozen=True)
class BookingPreview:
    eligible: bool
    banner: str                                   # eligibility in words (the reason when refused)
    package_id: int | None                        # a group's package when none was chosen
    needed: tuple[capacity.StationDay, ...]       # the centre and each station the booking needs, that day
    full: tuple[capacity.StationDay, ...]
    nearest: tuple[dt.date, ...]                  # when full: the nearest dates that fit

    @property
    def fits(self) -> bool:
        return not self.full


def preview(guest_id: int, exam_date: dt.date, *, package_id: int | None = None, item_ids: Sequence[int] = (),
            contract_id: int | None = None, exclude_booking_id: int | None = None) -> BookingPreview:
    """What booking this would say: eligibility with its reason, the day's load where it is needed, and
    the nearest dates that fit when the day is full.  Writes nothing."""
    guest = m.Guest.get_or_none(m.Guest.id == guest_id)
    if guest is None:
        raise NotFoundError(tr("找不到该客人", "Guest not found"))
    verdict = eligibility.check(guest, package_id=package_id, item_ids=list(item_ids), contract_id=contract_id,
                                day=exam_date)
    chosen = package_id if package_id is not None else verdict.package_id_suggested
    wanted = capacity.demand(chosen, list(item_ids))
    load = capacity.day_load(exam_date, exclude_booking_id=exclude_booking_id)
    needed = (load.centre, *(s for s in load.stations if s.station_id in wanted))
    full = tuple(load.full_for(wanted))
    nearest = ()
    if full:
        nearest = tuple(capacity.nearest_dates(wanted, exam_date, exclude_booking_id=exclude_booking_id))
    return BookingPreview(verdict.ok, verdict.banner(), chosen, needed, full, nearest)
