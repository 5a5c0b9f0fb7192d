"""Belongings kept for guests (代客存衣物) under a numbered tag.

A tag is out to one guest at a time: checked here with a clear message, and
enforced by the database's partial unique index (migration 0002) when two
desks hand out the same tag at the same moment.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from frontdesk import clock
from frontdesk.domain.enums import BelongingStatus, VisitStatus
from frontdesk.domain.masking import mask_name
from frontdesk.domain.text import normalize_digits, normalize_input
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit
from frontdesk.services.session import Session
from frontdesk.storage import closeout_queries as cq
from frontdesk.storage import db, queries
from frontdesk.storage import models as m

_TAG = re.compile(r"[A-Z0-9]{1,8}")


def normalise_tag(text: str) -> str:
    """A tag number as printed: 1 to 8 letters or digits, upper case."""
    tag = normalize_digits(text or "").upper()
    if not tag:
        raise ValidationError(tr("请输入寄存牌号", "Enter the tag number"), field="locker_tag")
    if not _TAG.fullmatch(tag):
        raise ValidationError(tr("寄存牌号应为1至8位字母或数字", "A tag number has 1 to 8 letters or digits"),
                              field="locker_tag")
    return tag


def in_use(tag: str) -> m.Belonging | None:
    """The belongings currently stored under ``tag``, if any."""
    return (m.Belonging.select().where(m.Belonging.tag_no == normalise_tag(tag),
                                       m.Belonging.status == BelongingStatus.STORED.value).first())


def _tag_taken(tag: str) -> ConflictError:
    return ConflictError(tr("寄存牌 {t} 正在使用中，请换一个", "Tag {t} is in use; take another one", t=tag),
                         field="locker_tag")


def store(session: Session, visit_id: int, tag_no: str, description: str = "") -> m.Belonging:
    """Record belongings kept under ``tag_no`` for the visit's guest."""
    tag = normalise_tag(tag_no)
    description = normalize_input(description or "")[:128]
    with db.transaction():
        visit = m.Visit.get_or_none(m.Visit.id == visit_id)
        if visit is None:
            raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
        if visit.status != VisitStatus.CHECKED_IN.value:
            raise ConflictError(tr("该体检已结束，不能寄存物品", "This visit is over; nothing can be stored for it"))
        if in_use(tag) is not None:
            raise _tag_taken(tag)
        try:
            with db.transaction():  # a savepoint, so the index refusal does not poison the outer transaction
                belonging = m.Belonging.create(visit=visit.id, tag_no=tag, description=description,
                                               status=BelongingStatus.STORED.value, stored_by=session.username)
        except queries.IntegrityError:
            raise _tag_taken(tag) from None
        audit.record(session, "belonging.store", "belonging", belonging.id, visit_no=visit.visit_no, tag=tag)
    return belonging


def return_(session: Session, belonging_id: int) -> m.Belonging:
    """Hand the belongings back; the tag is free again."""
    with db.transaction():
        belonging = m.Belonging.get_or_none(m.Belonging.id == belonging_id)
        if belonging is None:
            raise NotFoundError(tr("找不到该寄存记录", "Stored belongings not found"))
        if belonging.status != BelongingStatus.STORED.value:
            raise ConflictError(tr("物品已归还", "These belongings were returned already"))
        belonging.status = BelongingStatus.RETURNED.value
        belonging.returned_at = m.utcnow()
        belonging.returned_by = session.username
        belonging.save()
        audit.record(session, "belonging.return", "belonging", belonging.id, tag=belonging.tag_no)
    return belonging


def stored_for_visit(visit_id: int) -> list[m.Belonging]:
    return list(m.Belonging.select().where(m.Belonging.visit == visit_id,
                                           m.Belonging.status == BelongingStatus.STORED.value))


# --------------------------------------------------------------------------
# Views for the close-out screen and the belongings list


@dataclass(frozen=True)
class BelongingView:
    belonging_id: int
    tag_no: str
    description: str
    status: BelongingStatus
    stored_at: dt.datetime
    stored_by: str
    returned_at: dt.datetime | None
    returned_by: str
    visit_id: int
    visit_no: str
    visit_date: dt.date
    guest_name_masked: str


def _view(b: m.Belonging) -> BelongingView:
    return BelongingView(b.id, b.tag_no, b.description, BelongingStatus(b.status), b.stored_at, b.stored_by,
                         b.returned_at, b.returned_by, b.visit.id, b.visit.visit_no, b.visit.visit_date,
                         mask_name(b.visit.guest.name))


def of_visit(visit_id: int, *, stored_only: bool = False) -> list[BelongingView]:
    """The visit's belongings (all, or only those still stored)."""
    return [_view(b) for b in cq.belongings(visit_id=visit_id, stored_only=stored_only)]


def not_returned(day: dt.date | None = None) -> list[BelongingView]:
    """Belongings still stored at the end of ``day``: that day's and any older ones never collected.

    One list for the desk and for the end-of-day summary.
    """
    day = day or clock.today()
    return [_view(b) for b in cq.belongings(stored_only=True, visits_up_to=day)]


def return_belonging(session: Session, belonging_id: int) -> BelongingView:
    """Hand the belongings back (who and when recorded); the view of the returned record."""
    return_(session, belonging_id)
    return _view(m.Belonging.select(m.Belonging, m.Visit, m.Guest).join(m.Visit).join(m.Guest)
                 .where(m.Belonging.id == belonging_id).get())
