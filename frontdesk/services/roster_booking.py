"""Booking the people of a group's roster (团检排期) for a range of dates, within capacity.

After a roster import the desk may book everyone just added: each person is
found among the guests by ID number (or registered from the roster line, with
the organisation), then booked through the bookings service on the first
date of the range, from the first, that still has room for the package the
contract gives them (the same eligibility and capacity rules as a booking at
the desk; nobody is booked over a limit).  The whole batch is one
transaction; who could not be booked, and why, is reported, not dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from frontdesk import clock
from frontdesk.domain.enums import BookingStatus, IdType, Role
from frontdesk.errors import DuplicateGuestError, UserError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit, bookings, capacity, eligibility, guests
from frontdesk.services.session import Session
from frontdesk.storage import db
from frontdesk.storage import models as m


@dataclass(frozen=True)
class NotBooked:
    roster_entry_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class GroupBookingResult:
    booked: int
    already_booked: int
    by_date: tuple[tuple[dt.date, int], ...]   # date -> people booked on it, in date order
    not_booked: tuple[NotBooked, ...]
    booking_ids: tuple[int, ...]

    def summary(self) -> str:
        text = tr("已预约{n}人", "{n} booked", n=self.booked)
        if self.by_date:
            days = tr("，", ", ").join(tr("{d} {n}人", "{d}: {n}", d=f"{d:%m-%d}", n=n) for d, n in self.by_date)
            text += tr("（{days}）", " ({days})", days=days)
        if self.already_booked:
            text += tr("；{n}人已有预约", "; {n} had a booking already", n=self.already_booked)
        if self.not_booked:
            text += tr("；{n}人未能预约", "; {n} could not be booked", n=len(self.not_booked))
        return text


def _guest_for(session: Session, entry: m.RosterEntry, organisation_id: int, today: dt.date) -> int:
    """The guest the roster line is: linked already, found by ID number, or registered from the line."""
    if entry.guest_id:
        return entry.guest_id
    found = (m.Guest.select(m.Guest.id).where(m.Guest.id_type == IdType.RESIDENT_ID.value,
                                              m.Guest.id_number == entry.id_number,
                                              m.Guest.merged_into.is_null()).first()) if entry.id_number else None
    if found is not None:
        guest_id = found.id
    elif not entry.phone:
        raise ValidationError(tr("名单中没有手机号，无法建立客人档案：请补充手机号后再预约",
                                 "The roster line has no phone, so no guest record can be made: add the phone, "
                                 "then book"), field="phone")
    else:
        guest_id = guests.register(session, guests.GuestInput(
            entry.name, entry.sex, entry.birth_date, IdType.RESIDENT_ID, entry.id_number or "", entry.phone or "",
            organisation_id), today=today).id
    m.RosterEntry.update(guest=guest_id).where(m.RosterEntry.id == entry.id).execute()
    return guest_id


def book_roster(session: Session, contract_id: int, entry_ids: Sequence[int], first: dt.date, last: dt.date, *,
                half_day: bookings.HalfDay | str = bookings.HalfDay.AM, per_day: int | None = None,
                progress: Callable[[int, int], None] | None = None) -> GroupBookingResult:
    """Book the roster lines ``entry_ids`` of the contract between ``first`` and ``last`` (both included).

    Each person goes on the earliest date with room (capacity of the centre
    and every station the package needs, and at most ``per_day`` of this
    batch a day); people with a live booking in the range are left as they
    are.  Bad dates are refused before anything is written.
    """
    session.require(Role.RECEPTION)
    today = clock.today()
    if first is None or last is None or last < first:
        raise ValidationError(tr("请选择有效的日期范围", "Choose a valid range of dates"), field="first")
    if first < today:
        raise ValidationError(tr("预约日期不能早于今天", "A booking cannot be for a past date"), field="first")
    if (last - first).days > 92:
        raise ValidationError(tr("日期范围最长三个月", "The range can span three months at most"), field="last")
    if per_day is not None and per_day < 1:
        raise ValidationError(tr("每天人数至少为1", "At least one person a day"), field="per_day")
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    booked_ids: list[int] = []
    counts: dict[dt.date, int] = {}
    not_booked: list[NotBooked] = []
    already = 0
    with db.transaction():
        contract = m.Contract.get_or_none(m.Contract.id == contract_id)
        if contract is None:
            raise ValidationError(tr("团检合同不存在", "The group contract does not exist"), field="contract")
        entries = list(m.RosterEntry.select().where(m.RosterEntry.contract == contract_id,
                                                    m.RosterEntry.id.in_(list(entry_ids) or [0]))
                       .order_by(m.RosterEntry.id))
        full: set[tuple[dt.date, int | None]] = set()   # (date, package) known to have no room left
        for n, entry in enumerate(entries, start=1):
            if progress is not None:
                progress(n - 1, len(entries))
            try:
                with db.transaction():
                    guest_id = _guest_for(session, entry, contract.organisation_id, today)
            except DuplicateGuestError:
                not_booked.append(NotBooked(entry.id, entry.name, tr(
                    "客人档案中有同名同生日但证件号不同的人，请在前台核对后单独预约",
                    "A guest on file has the same name and birth date but another ID number: check at the desk "
                    "and book this person alone")))
                continue
            except UserError as exc:
                not_booked.append(NotBooked(entry.id, entry.name, exc.message))
                continue
            if (m.Booking.select().where(m.Booking.guest == guest_id, m.Booking.exam_date.between(first, last),
                                         m.Booking.status == BookingStatus.BOOKED.value).exists()):
                already += 1
                continue
            reason = tr("{a}至{b}之间没有空余接待量", "No room between {a} and {b}", a=first, b=last)
            booked_on = None
            for day in days:
                if per_day is not None and counts.get(day, 0) >= per_day:
                    continue
                package_id = eligibility.contract_package_id(contract, entry, entry.sex, birth_date=entry.birth_date,
                                                             day=day)
                if (day, package_id) in full:
                    continue
                try:
                    with db.transaction():
                        view = bookings.create_booking(session, guest_id, day, contract_id=contract_id,
                                                       half_day=half_day, channel=bookings.Channel.ROSTER,
                                                       note=tr("团检名单预约", "Booked from the group roster"))
                except capacity.CapacityFullError:
                    full.add((day, package_id))
                    continue
                except UserError as exc:
                    reason = exc.message  # not eligible, or booked that day already: the same on every date
                    break
                booked_ids.append(view.id)
                booked_on = day
                break
            if booked_on is None:
                not_booked.append(NotBooked(entry.id, entry.name, reason))
            else:
                counts[booked_on] = counts.get(booked_on, 0) + 1
        audit.record(session, "roster.book", "contract", contract_id, first=first, last=last, booked=len(booked_ids),
                     already=already, not_booked=len(not_booked), per_day=per_day or "")
    if progress is not None:
        progress(len(entries), len(entries))
    return GroupBookingResult(len(booked_ids), already, tuple(sorted(counts.items())), tuple(not_booked),
                              tuple(booked_ids))
