"""Belongings kept for guests (代客存衣物) under a numbered tag.

A tag is out to one guest at a time: checked here with a clear message, and
enforced by the database's partial unique index (migration 0002) when two
desks hand out the same tag at the same moment.
"""

from __future__ import annotations

import re

from frontdesk.domain.enums import BelongingStatus, VisitStatus
from frontdesk.domain.text import normalize_digits, normalize_input
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit
from frontdesk.services.session import Session
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
