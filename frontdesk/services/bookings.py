"""Bookings (客户预订): a person booked for a date, at the desk or by phone, or as a group member.

Eligibility is checked when the booking is made, with the same rules as at
check-in (``services.eligibility``): a 27-year-old is not booked on the 50+
package, a group booking needs the person on the contract's roster.  A
booking gets its number from the ``booking`` counter in the same
transaction, so numbers have no gaps and two desks never share one.
"""

from __future__ import annotations

import datetime as dt

from frontdesk import clock
from frontdesk.domain.codes import make_booking_no
from frontdesk.domain.enums import BookingStatus, VisitSource
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit, eligibility
from frontdesk.services.session import Session
from frontdesk.storage import db, queries
from frontdesk.storage import models as m


def create_booking(session: Session, guest_id: int, exam_date: dt.date, *, package_id: int | None = None,
                   contract_id: int | None = None, note: str = "") -> m.Booking:
    """Book the guest for ``exam_date``; refused (``ValidationError`` with the reason) when not eligible.

    A group booking (``contract_id``) takes the contract's package for the
    person when none is given and links the roster line.
    """
    if exam_date < clock.today():
        raise ValidationError(tr("预约日期不能早于今天", "A booking cannot be for a past date"), field="exam_date")
    with db.transaction():
        guest = m.Guest.get_or_none(m.Guest.id == guest_id)
        if guest is None:
            raise NotFoundError(tr("找不到该客人", "Guest not found"))
        if package_id is None and contract_id is None:
            raise ValidationError(tr("请选择套餐", "Choose a package"), field="package")
        verdict = eligibility.check(guest, package_id=package_id, contract_id=contract_id, day=exam_date)
        if not verdict.ok:
            raise ValidationError(verdict.banner(), field="eligibility")
        if package_id is None:
            package_id = verdict.package_id_suggested
        if (m.Booking.select().where(m.Booking.guest == guest.id, m.Booking.exam_date == exam_date,
                                     m.Booking.status == BookingStatus.BOOKED.value).exists()):
            raise ConflictError(tr("该客人在{d}已有预约", "The guest is booked on {d} already", d=exam_date))
        booking = m.Booking.create(
            booking_no=make_booking_no(queries.next_counter("booking")), guest=guest.id, exam_date=exam_date,
            package=package_id, contract=contract_id,
            roster_entry=verdict.roster_entry.id if verdict.roster_entry is not None else None,
            source=(VisitSource.GROUP if contract_id else VisitSource.BOOKING).value,
            status=BookingStatus.BOOKED.value, note=(note or "")[:500], created_by=session.username)
        audit.record(session, "booking.create", "booking", booking.id, booking_no=booking.booking_no,
                     exam_date=exam_date, package=package_id, contract=contract_id or "")
    return booking
