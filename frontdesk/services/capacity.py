"""Capacity (核实接待量): how many guests each station, and the whole centre, can take on a date.

The one place that answers "is there room?" for bookings and deferrals.

Load of a station on a date
    the distinct guests expected there: live bookings (their package's items
    and their extra items), the day's visits that are not cancelled (walk-ins,
    and booked guests once checked in), and open deferrals to the date.  The
    centre's load is the distinct guests of the day.  One person counts once
    however many of these hold them.

Limit of a station on a date
    a date exception for the station (a closure is 0) > a weekday rule for the
    station > the station's ``daily_capacity`` in the catalogue > no limit.
    The centre's limit: its date exception > its weekday rule > no limit.  A
    closure of the whole centre closes every station that day.

A demand (the stations a booking needs, and always the centre) fits a date
when every one of them has room for one more guest.  A booking that does not
fit is refused with what is full and the nearest dates that fit, looking both
ways from the date asked for but never before today.  Rules and exceptions
are a supervisor's, each change audited.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from frontdesk import clock
from frontdesk.domain.enums import Role
from frontdesk.domain.text import normalize_input
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit
from frontdesk.services.session import Session
from frontdesk.storage import capacity_queries as cq
from frontdesk.storage import db
from frontdesk.storage import models as m

#: How far the nearest-date search looks on each side of the date asked for.
HORIZON_DAYS = 60
#: A station this full (load / limit) shows amber; full shows red.
AMBER_FROM = 0.8
CENTRE = None  # the station id of the whole centre in rules and exceptions
MAX_LIMIT = 100000

WEEKDAYS = (("周一", "Mon"), ("周二", "Tue"), ("周三", "Wed"), ("周四", "Thu"), ("周五", "Fri"), ("周六", "Sat"),
            ("周日", "Sun"))


def weekday_name(weekday: int) -> str:
    return tr(*WEEKDAYS[weekday])


def centre_name() -> str:
    return tr("全中心", "Whole centre")


def _name(row) -> str:
    return tr(row.name, row.name_en or row.name)


class LimitSource:
    EXCEPTION = "exception"
    WEEKDAY = "weekday"
    DEFAULT = "default"     # the station's catalogue daily_capacity
    NONE = "none"           # no limit


@dataclass(frozen=True)
class StationDay:
    """One station's (``station_id`` None: the whole centre's) load against its limit on one date."""

    station_id: int | None
    name: str
    load: int
    limit: int | None       # None: no limit
    closed: bool = False
    source: str = LimitSource.NONE
    note: str = ""

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.load, 0)

    @property
    def full(self) -> bool:
        """No room for one more guest."""
        return self.limit is not None and self.load >= self.limit

    @property
    def level(self) -> str:
        """``none`` (no limit), ``green``, ``amber`` (from AMBER_FROM of the limit) or ``red`` (full, closed)."""
        if self.limit is None:
            return "none"
        if self.full:
            return "red"
        return "amber" if self.load >= AMBER_FROM * self.limit else "green"

    def text(self) -> str:
        if self.closed:
            return tr("{s}：停诊", "{s}: closed", s=self.name)
        if self.limit is None:
            return tr("{s}：{n}（不限）", "{s}: {n} (no limit)", s=self.name, n=self.load)
        return tr("{s}：{n}/{c}", "{s}: {n}/{c}", s=self.name, n=self.load, c=self.limit)


@dataclass(frozen=True)
class DayLoad:
    day: dt.date
    centre: StationDay
    stations: tuple[StationDay, ...]

    @property
    def closed(self) -> bool:
        return self.centre.closed

    def station(self, station_id: int | None) -> StationDay | None:
        if station_id is None:
            return self.centre
        for s in self.stations:
            if s.station_id == station_id:
                return s
        return None

    def full_for(self, station_ids: Iterable[int]) -> list[StationDay]:
        """What has no room for one more guest needing ``station_ids`` (the centre first)."""
        wanted = set(station_ids)
        full = [self.centre] if self.centre.full else []
        return full + [s for s in self.stations if s.station_id in wanted and s.full]

    def fits(self, station_ids: Iterable[int]) -> bool:
        return not self.full_for(station_ids)

    @property
    def level(self) -> str:
        """The worst level of the centre and its stations."""
        levels = [self.centre.level] + [s.level for s in self.stations]
        for level in ("red", "amber", "green"):
            if level in levels:
                return level
        return "none"

    def tightest(self) -> StationDay | None:
        """The limited station (or centre) with the highest load for its limit; None when nobody is expected."""
        limited = [s for s in (self.centre, *self.stations) if s.limit is not None and (s.load or s.full)]
        if not limited:
            return None
        return max(limited, key=lambda s: (s.load / s.limit if s.limit else float("inf"), s.load))


class CapacityFullError(ConflictError):
    """A date has no room: ``full`` names what is full, ``nearest`` the dates that fit."""

    def __init__(self, message: str, *, day: dt.date, full: Sequence[StationDay], nearest: Sequence[dt.date]) -> None:
        super().__init__(message, field="date")
        self.day = day
        self.full = tuple(full)
        self.nearest = tuple(nearest)


# --------------------------------------------------------------------------
# Loads and limits


class _Limits:
    """The limits of every station and the centre over a range of dates, from three small reads."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.stations = cq.stations()
        self.rules = {(r.station_id, r.weekday): r.daily_limit for r in cq.rules()}
        self.exceptions = {(e.station_id, e.day if isinstance(e.day, dt.date) else dt.date.fromisoformat(str(e.day))): e
                           for e in cq.exceptions(first, last)}

    def limit(self, station: m.Station | None, day: dt.date) -> tuple[int | None, bool, str, str]:
        """(limit, closed, source, note) of the station (None: the centre) on ``day``."""
        centre_exc = self.exceptions.get((None, day))
        if station is not None and centre_exc is not None and centre_exc.closed:
            return 0, True, LimitSource.EXCEPTION, centre_exc.note
        sid = station.id if station is not None else None
        exc = self.exceptions.get((sid, day))
        if exc is not None:
            if exc.closed:
                return 0, True, LimitSource.EXCEPTION, exc.note
            return exc.daily_limit, False, LimitSource.EXCEPTION, exc.note
        rule = self.rules.get((sid, day.weekday()))
        if rule is not None:
            return rule, False, LimitSource.WEEKDAY, ""
        if station is not None and station.daily_capacity is not None:
            return station.daily_capacity, False, LimitSource.DEFAULT, ""
        return None, False, LimitSource.NONE, ""


def day_loads(first: dt.date, last: dt.date, *, exclude_booking_id: int | None = None,
              exclude_visit_id: int | None = None) -> list[DayLoad]:
    """Every date from ``first`` to ``last``: the centre's and each station's load and limit.

    ``exclude_booking_id`` / ``exclude_visit_id`` leave a booking being moved
    (or a visit's deferrals being moved) out of the load.  Four reads for the
    whole range, whatever its length.
    """
    if last < first:
        return []
    limits = _Limits(first, last)
    stations_load = cq.station_load(first, last, exclude_booking_id=exclude_booking_id,
                                    exclude_visit_id=exclude_visit_id)
    centre_load = cq.centre_load(first, last, exclude_booking_id=exclude_booking_id,
                                 exclude_visit_id=exclude_visit_id)
    names = {s.id: _name(s) for s in limits.stations}
    result = []
    for offset in range((last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        limit, closed, source, note = limits.limit(None, day)
        centre = StationDay(None, centre_name(), centre_load.get(day, 0), limit, closed, source, note)
        stations = []
        for s in limits.stations:
            limit, closed, source, note = limits.limit(s, day)
            stations.append(StationDay(s.id, names[s.id], stations_load.get((day, s.id), 0), limit, closed, source,
                                       note))
        result.append(DayLoad(day, centre, tuple(stations)))
    return result


def day_load(day: dt.date, **exclude) -> DayLoad:
    return day_loads(day, day, **exclude)[0]


def demand(package_id: int | None, item_ids: Sequence[int] = ()) -> frozenset[int]:
    """The stations a booking of the package and the single items needs."""
    return frozenset(cq.stations_of_package(package_id) | cq.stations_of_items(list(item_ids)))


def nearest_dates(station_ids: Iterable[int], around: dt.date, *, earliest: dt.date | None = None, count: int = 3,
                  horizon: int = HORIZON_DAYS, exclude_booking_id: int | None = None,
                  exclude_visit_id: int | None = None) -> list[dt.date]:
    """The ``count`` dates nearest to ``around`` (before or after it, never before ``earliest``: today by
    default) where every station of the demand and the centre has room; in date order."""
    earliest = earliest or clock.today()
    wanted = set(station_ids)
    first = max(earliest, around - dt.timedelta(days=horizon))
    last = max(around, earliest) + dt.timedelta(days=horizon)
    loads = day_loads(first, last, exclude_booking_id=exclude_booking_id, exclude_visit_id=exclude_visit_id)
    fitting = [d.day for d in loads if d.day != around and d.fits(wanted)]
    fitting.sort(key=lambda d: (abs((d - around).days), d))
    return sorted(fitting[:count])


def dates_text(dates: Sequence[dt.date]) -> str:
    if not dates:
        return tr("（前后{n}天内都没有空位）", "(none within {n} days)", n=HORIZON_DAYS)
    return tr("、", ", ").join(f"{d:%Y-%m-%d} {weekday_name(d.weekday())}" for d in dates)


def check(station_ids: Iterable[int], day: dt.date, *, earliest: dt.date | None = None,
          exclude_booking_id: int | None = None, exclude_visit_id: int | None = None) -> DayLoad:
    """The day's load when one more guest needing ``station_ids`` fits; else ``CapacityFullError``
    naming what is full and the nearest dates that fit."""
    wanted = set(station_ids)
    load = day_load(day, exclude_booking_id=exclude_booking_id, exclude_visit_id=exclude_visit_id)
    full = load.full_for(wanted)
    if not full:
        return load
    nearest = nearest_dates(wanted, day, earliest=earliest, exclude_booking_id=exclude_booking_id,
                            exclude_visit_id=exclude_visit_id)
    if load.closed:
        what = tr("全中心停诊", "the centre is closed")
    else:
        what = tr("、", ", ").join(tr("{s}（{n}/{c}）", "{s} ({n}/{c})", s=s.name, n=s.load, c=s.limit)
                                   if not s.closed else tr("{s}（停诊）", "{s} (closed)", s=s.name) for s in full)
    raise CapacityFullError(tr("{d} 已约满：{w}。最近可约：{near}", "{d} is full: {w}. Nearest dates that fit: {near}",
                               d=f"{day:%Y-%m-%d}", w=what, near=dates_text(nearest)),
                            day=day, full=full, nearest=nearest)


# --------------------------------------------------------------------------
# The calendar


@dataclass(frozen=True)
class MonthCalendar:
    year: int
    month: int
    weeks: tuple[tuple[DayLoad | None, ...], ...]   # Monday first; None outside the month
    stations: tuple[tuple[int | None, str], ...]    # (id, name): the centre, then every station with a limit

    def day(self, day: dt.date) -> DayLoad | None:
        for week in self.weeks:
            for cell in week:
                if cell is not None and cell.day == day:
                    return cell
        return None


def month(year: int, month_no: int) -> MonthCalendar:
    """The month's days with their loads and limits, as weeks of seven (Monday first)."""
    if not 1 <= month_no <= 12:
        raise ValidationError(tr("月份无效", "Invalid month"), field="month")
    first = dt.date(year, month_no, 1)
    last = dt.date(year, month_no, _calendar.monthrange(year, month_no)[1])
    loads = {d.day: d for d in day_loads(first, last)}
    weeks = []
    for week in _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month_no):
        weeks.append(tuple(loads.get(d) if d.month == month_no else None for d in week))
    limited: dict[int | None, str] = {None: centre_name()}
    for d in loads.values():
        for s in d.stations:
            if s.limit is not None and s.station_id not in limited:
                limited[s.station_id] = s.name
    order = {s.station_id: n for n, s in enumerate(next(iter(loads.values())).stations)}
    stations = sorted(limited.items(), key=lambda kv: -1 if kv[0] is None else order.get(kv[0], 0))
    return MonthCalendar(year, month_no, tuple(weeks), tuple(stations))


# --------------------------------------------------------------------------
# Rules and exceptions (supervisor)


@dataclass(frozen=True)
class StationLimits:
    station_id: int | None
    name: str
    default: int | None                      # the catalogue's daily_capacity (None for the centre)
    weekdays: tuple[int | None, ...]          # 7 values, Monday first; None: no rule (the default applies)


@dataclass(frozen=True)
class DateException:
    id: int
    station_id: int | None
    station_name: str
    day: dt.date
    closed: bool
    limit: int | None
    note: str
    updated_by: str


def weekday_limits() -> list[StationLimits]:
    """The centre, then every station, with its default and weekday rules."""
    rules = {(r.station_id, r.weekday): r.daily_limit for r in cq.rules()}
    result = [StationLimits(None, centre_name(), None, tuple(rules.get((None, w)) for w in range(7)))]
    for s in cq.stations():
        result.append(StationLimits(s.id, _name(s), s.daily_capacity, tuple(rules.get((s.id, w)) for w in range(7))))
    return result


def date_exceptions(first: dt.date, last: dt.date) -> list[DateException]:
    names = {s.id: _name(s) for s in cq.stations()}
    return [DateException(e.id, e.station_id, names.get(e.station_id, centre_name()) if e.station_id else centre_name(),
                          e.day, bool(e.closed), e.daily_limit, e.note, e.updated_by)
            for e in cq.exceptions(first, last)]


def _limit_value(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(tr("限额必须是整数", "The limit must be a whole number"), field=field) from None
    if not 0 <= number <= MAX_LIMIT:
        raise ValidationError(tr("限额应在0到{n}之间", "The limit must be between 0 and {n}", n=MAX_LIMIT), field=field)
    return number


def _station(station_id: int | None) -> m.Station | None:
    if station_id is None:
        return None
    station = m.Station.get_or_none(m.Station.id == station_id)
    if station is None:
        raise NotFoundError(tr("科室不存在", "The station does not exist"), field="station")
    return station


def set_weekday_limits(session: Session, station_id: int | None, limits: Sequence[int | None]) -> StationLimits:
    """Set a station's (None: the centre's) limit for each weekday, Monday first (supervisor).

    ``None`` for a weekday removes its rule: the catalogue's daily capacity
    applies again (no limit for the centre).  All seven or none, audited.
    """
    session.require(Role.SUPERVISOR)
    if len(limits) != 7:
        raise ValidationError(tr("需要周一至周日七个限额", "Give seven limits, Monday to Sunday"), field="limits")
    values = [_limit_value(v, f"weekday{w}") for w, v in enumerate(limits)]
    with db.transaction():
        station = _station(station_id)
        before = {r.weekday: r.daily_limit for r in m.CapacityRule.select().where(
            m.CapacityRule.station.is_null() if station_id is None else m.CapacityRule.station == station_id)}
        for weekday, value in enumerate(values):
            where = ((m.CapacityRule.station.is_null() if station_id is None else m.CapacityRule.station == station_id)
                     & (m.CapacityRule.weekday == weekday))
            if value is None:
                m.CapacityRule.delete().where(where).execute()
            elif weekday in before:
                m.CapacityRule.update(daily_limit=value, updated_by=session.username,
                                      updated_at=m.utcnow()).where(where).execute()
            else:
                m.CapacityRule.create(station=station_id, weekday=weekday, daily_limit=value,
                                      updated_by=session.username)
        after = dict(enumerate(values))
        if {k: v for k, v in after.items() if v is not None} != before:
            audit.record(session, "capacity.weekday", "station", station_id or "centre",
                         station=station.code if station else "centre",
                         before=[before.get(w) for w in range(7)], after=values)
    return next(s for s in weekday_limits() if s.station_id == station_id)


def set_date_exception(session: Session, station_id: int | None, day: dt.date, *, closed: bool = False,
                       limit: int | None = None, note: str = "") -> DateException:
    """A date's own limit for a station or the centre (supervisor): closed, or a different limit.  Audited."""
    session.require(Role.SUPERVISOR)
    if not isinstance(day, dt.date):
        raise ValidationError(tr("请选择日期", "Choose the date"), field="day")
    if day < clock.today():
        raise ValidationError(tr("不能修改已过去日期的接待量", "A past date's capacity cannot be changed"), field="day")
    value = _limit_value(limit, "limit")
    if not closed and value is None:
        raise ValidationError(tr("请填写限额或选择停诊", "Enter a limit or mark the date closed"), field="limit")
    note = normalize_input(note or "").strip()[:128]
    with db.transaction():
        station = _station(station_id)
        where = ((m.CapacityException.station.is_null() if station_id is None
                  else m.CapacityException.station == station_id) & (m.CapacityException.day == day))
        existing = m.CapacityException.get_or_none(where)
        if existing is None:
            row = m.CapacityException.create(station=station_id, day=day, closed=closed,
                                              daily_limit=None if closed else value, note=note,
                                              updated_by=session.username)
        else:
            m.CapacityException.update(closed=closed, daily_limit=None if closed else value, note=note,
                                       updated_by=session.username, updated_at=m.utcnow()).where(where).execute()
            row = m.CapacityException.get(where)
        audit.record(session, "capacity.exception", "station", station_id or "centre",
                     station=station.code if station else "centre", day=day, closed=closed,
                     limit=None if closed else value, note=note)
    return next(e for e in date_exceptions(day, day) if e.id == row.id)


def remove_date_exception(session: Session, exception_id: int) -> None:
    """Remove a date exception (supervisor): the weekday rule or default applies again.  Audited."""
    session.require(Role.SUPERVISOR)
    with db.transaction():
        row = m.CapacityException.get_or_none(m.CapacityException.id == exception_id)
        if row is None:
            raise NotFoundError(tr("该例外日期已不存在", "The date exception no longer exists"))
        m.CapacityException.delete().where(m.CapacityException.id == row.id).execute()
        audit.record(session, "capacity.exception_remove", "station", row.station_id or "centre", day=row.day,
                     closed=bool(row.closed), limit=row.daily_limit, note=row.note)


def lock() -> None:
    """Inside a service's transaction: serialise writes that take capacity (see ``capacity_queries``)."""
    cq.lock_capacity()
