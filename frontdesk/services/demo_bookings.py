"""The bookings and capacity part of the demo day (issue 10, stage order 10).

Runs for every demo day after the core, through the desk's own services with the clock at the moments a
desk would act (past days from 17:00, today in the minutes before ``ctx.now_limit``):

- before the first day the supervisor sets the capacity: the whole centre's limit per weekday (fewer on
  the weekend), bone density and the breath test per weekday, a date when the whole centre is closed and
  a date with fewer ultrasound places; and the site's address and phone for the booking slip;
- every day the desk books people for the coming days (after today, so the core's arrivals are not
  disturbed), by phone and at the desk, a morning or an afternoon, each on a package the person is
  eligible for, some with extra items; a date that is full is refused and the guest takes the nearest
  date that fits, as the desk offers;
- a booking is moved (same number) and one is cancelled with a reason;
- at the end of each past day the unarrived bookings of the day are marked no-shows;
- today: ultrasound on a coming day is made tight, a booking there is refused and goes to a nearest
  date, and the supervisor books one guest over the limit with a reason (audited).

Every booking is within capacity except that one override, and eligible for its package.
"""

from __future__ import annotations

import datetime as dt

from frontdesk import clock
from frontdesk.domain.enums import BookingStatus, IdType
from frontdesk.domain.idnumber import age_on
from frontdesk.errors import ConflictError, DuplicateGuestError, ValidationError
from frontdesk.services import bookings, capacity, guests, site_settings
from frontdesk.services.capacity import CapacityFullError
from frontdesk.services.demo_context import DemoContext, register_stage
from frontdesk.storage import models as m

#: How far ahead the demo desk books.
AHEAD_DAYS = 14
_EXTRAS = ("BMD", "C13", "US_THY", "US_CAROTID", "ECHO", "HBA1C")
_NOTES_PHONE = ("客人来电预约", "电话预约，已告知空腹", "家属代为电话预约")
_NOTES_DESK = ("现场预约", "体检后为家人预约", "")
_CANCEL_REASONS = ("客人出差", "身体不适，改日再约", "单位临时安排")


def _codes() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    packages = {p.code: p.id for p in m.Package.select().where(m.Package.active == True)}  # noqa: E712
    items = {i.code: i.id for i in m.ExamItem.select().where(m.ExamItem.active == True)}  # noqa: E712
    stations = {s.code: s.id for s in m.Station.select()}
    return packages, items, stations


def _package_for(rng, sex: str, birth: dt.date, day: dt.date) -> str:
    age = age_on(birth, day)
    comp = "COMP_M" if sex == "M" else "COMP_F"
    if age >= 50:
        return rng.choice(("SENIOR", "SENIOR", comp, "BASIC"))
    if age < 30:
        return rng.choice(("ENTRY", "BASIC", "BASIC"))
    return rng.choice(("BASIC", comp, comp, "ENTRY"))


def _extras(rng, sex: str) -> list[str]:
    chosen = [code for code in _EXTRAS if rng.random() < 0.12]
    if rng.random() < 0.1:
        chosen.append("PSA" if sex == "M" else "TCT")
    return chosen


def _setup(ctx: DemoContext) -> None:
    """Before the first day's evening: the supervisor sets the capacity and the slip's address."""
    _, _, stations = _codes()
    sup = ctx.supervisor
    capacity.set_weekday_limits(sup, None, [300, 300, 300, 300, 300, 120, 60])
    ctx.tick(1)
    capacity.set_weekday_limits(sup, stations["BMD"], [40, 40, 40, 40, 40, 20, 10])
    ctx.tick(1)
    capacity.set_weekday_limits(sup, stations["C13"], [60, 60, 60, 60, 60, 30, 20])
    ctx.tick(1)
    closed = ctx.today + dt.timedelta(days=12)
    capacity.set_date_exception(sup, None, closed, closed=True, note="院内设备年检，全天停诊")
    ctx.tick(1)
    capacity.set_date_exception(sup, stations["US"], ctx.today + dt.timedelta(days=5), limit=60,
                                note="两名超声医生外出培训")
    ctx.tick(1)
    site_settings.set_value(sup, "site_address", "健康路88号 健康体检中心一楼前台")
    site_settings.set_value(sup, "site_phone", "010-8888 6666")


class _Counts:
    def __init__(self) -> None:
        self.booked = self.phone = self.desk = self.redirected = self.moved = self.cancelled = self.no_show = 0


def _register(ctx: DemoContext) -> tuple[int, str, dt.date] | None:
    from frontdesk.services.demo import _person  # the demo's people (names, valid ID numbers)

    name, sex, birth, id_number, phone = _person(ctx.rng, ctx.today, min_age=20, max_age=74)
    try:
        guest = guests.register(ctx.desk, guests.GuestInput(name, sex, birth, IdType.RESIDENT_ID, id_number, phone,
                                                            None), today=clock.today())
    except DuplicateGuestError:
        return None
    return guest.id, sex, birth


def _book_one(ctx: DemoContext, counts: _Counts, guest_id: int, sex: str, birth: dt.date, day: dt.date,
              codes) -> bookings.BookingView | None:
    packages, items, _ = codes
    rng = ctx.rng
    phone = rng.random() < 0.6
    package = packages[_package_for(rng, sex, birth, day)]
    extra = [items[c] for c in _extras(rng, sex) if c in items]
    request = dict(package_id=package, item_ids=extra, half_day="am" if rng.random() < 0.7 else "pm",
                   channel="phone" if phone else "desk",
                   note=rng.choice(_NOTES_PHONE if phone else _NOTES_DESK))
    try:
        try:
            view = bookings.create_booking(ctx.desk, guest_id, day, **request)
        except CapacityFullError as full:
            if not full.nearest:
                return None
            # The desk offers the nearest dates; the guest takes the first.
            view = bookings.create_booking(ctx.desk, guest_id, full.nearest[0], **request)
            counts.redirected += 1
    except (ConflictError, ValidationError):
        return None      # booked that day already, or (rarely) not eligible on the date the desk offered
    counts.booked += 1
    counts.phone += phone
    counts.desk += not phone
    return view


def _coming_day(ctx: DemoContext) -> dt.date:
    return ctx.today + dt.timedelta(days=ctx.rng.randint(1, AHEAD_DAYS))


def _day_of_bookings(ctx: DemoContext, counts: _Counts, codes) -> list[bookings.BookingView]:
    made = []
    regulars = sorted(ctx.guests, key=lambda g: g.guest_id)
    for n in range(ctx.count(8, minimum=3)):
        if n % 3 == 2 and regulars:
            g = ctx.rng.choice(regulars)       # a guest on file books again
            person = (g.guest_id, g.sex, g.birth_date)
        else:
            person = _register(ctx)
            if person is None:
                continue
        view = _book_one(ctx, counts, *person, _coming_day(ctx), codes)
        if view is not None:
            made.append(view)
        ctx.tick(ctx.rng.uniform(0.2, 0.6) if ctx.is_today else ctx.rng.uniform(2, 6))
    return made


def _move_and_cancel(ctx: DemoContext, counts: _Counts, made: list[bookings.BookingView]) -> None:
    live = [b for b in made if b.status == BookingStatus.BOOKED]
    if len(live) >= 2:
        moving, cancelling = live[0], live[-1]
        for _ in range(5):
            to = _coming_day(ctx)
            if to == moving.exam_date:
                continue
            try:
                bookings.move_booking(ctx.desk, moving.id, to, half_day="pm")
            except (CapacityFullError, ConflictError, ValidationError):
                continue
            counts.moved += 1
            break
        ctx.tick(0.5 if ctx.is_today else 3)
        bookings.cancel_booking(ctx.desk, cancelling.id, ctx.rng.choice(_CANCEL_REASONS))
        counts.cancelled += 1


def _today_extras(ctx: DemoContext, counts: _Counts, codes) -> None:
    """Today: ultrasound on a coming day is full; a booking there goes to a nearest date; one override."""
    _, items, stations = codes
    tight = ctx.today + dt.timedelta(days=2)
    load = capacity.day_load(tight).station(stations["US"])
    capacity.set_date_exception(ctx.supervisor, stations["US"], tight, limit=max(load.load, 1),
                                note="超声设备检修，仅开放一台")
    ctx.tick(0.3)
    for attempt in range(2):
        person = _register(ctx)
        if person is None:
            continue
        guest_id = person[0]
        request = dict(package_id=codes[0]["BASIC"], item_ids=[items["US_THY"]], half_day="am", channel="phone",
                       note="客人指定日期")
        try:
            bookings.create_booking(ctx.desk, guest_id, tight, **request)
        except CapacityFullError as full:
            if attempt == 0 and full.nearest:
                bookings.create_booking(ctx.desk, guest_id, full.nearest[0], **request)   # the desk offers it
                counts.redirected += 1
            else:
                bookings.create_booking(ctx.supervisor, guest_id, tight, override_reason="院长特批，客人次日出国",
                                        **request)
        counts.booked += 1
        counts.phone += 1
        ctx.tick(0.3)


@register_stage(order=10, name="bookings")
def bookings_day(ctx: DemoContext) -> None:
    codes = _codes()
    counts = _Counts()
    if ctx.is_today:
        limit = dt.datetime.combine(ctx.day, ctx.now_limit) - dt.timedelta(minutes=9)
        start = (limit.hour, limit.minute)
    else:
        start = (17, 0)
    with ctx.at(*start):
        if ctx.day == ctx.days[0]:
            _setup(ctx)
        made = _day_of_bookings(ctx, counts, codes)
        _move_and_cancel(ctx, counts, made)
        if ctx.is_today:
            _today_extras(ctx, counts, codes)
        else:
            # The end of the day: whoever was booked and did not come is a no-show.
            ctx.tick(5)
            counts.no_show = len(bookings.mark_no_shows(ctx.desk, before=ctx.day + dt.timedelta(days=1)))
    if ctx.is_today:
        ahead = (m.Booking.select().where(m.Booking.exam_date > ctx.today,
                                          m.Booking.status == BookingStatus.BOOKED.value).count())
        ctx.notes.append(f"预约：今后{AHEAD_DAYS}天内已约 {ahead} 人（电话与现场），超额 1 人经主管批准；接待量按周与例外日期设置")
