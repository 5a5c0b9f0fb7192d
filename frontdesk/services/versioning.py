"""Optimistic locking for what two desks can edit: guests, visits, bookings, contracts.

A form remembers the ``version`` of the row it was read at.  Saving bumps
the row ``WHERE id = ? AND version = ?`` inside the save's transaction; when
no row matched, another desk saved in between and this save is refused with
``StaleEditError`` naming the desk, the person and the time of that change.
Nothing the other desk saved is overwritten, and the refused form keeps what
its user typed (the UI only shows the message).

Why not a row lock held while the form is open: a desk can leave a form open
for minutes (a guest looking for their ID card); a lock would stall every
other desk touching that guest.  The version check costs one indexed UPDATE.

A caller that did not read a version (a batch command, the demo, a service
acting on a row it has just locked) passes ``None``: the row is still bumped
and stamped, so a form open elsewhere learns about the change.
"""

from __future__ import annotations

from frontdesk import clock
from frontdesk.errors import ConflictError, NotFoundError
from frontdesk.i18n import tr
from frontdesk.services.session import Session
from frontdesk.storage import models as m

_WHAT = {
    m.Guest: ("客人资料", "guest record"),
    m.Visit: ("体检记录", "visit"),
    m.Booking: ("预约", "booking"),
    m.Contract: ("合同", "contract"),
}


class StaleEditError(ConflictError):
    """The row was changed at another desk since the form read it; nothing was saved."""


def bump(model, row_id: int, version: int | None, session: Session) -> int:
    """Claim ``row_id`` for this transaction's edit: its version +1, stamped with who and where.

    Returns the new version.  Raises ``StaleEditError`` when ``version`` is
    given and the row is no longer at it, ``NotFoundError`` when it is gone.
    """
    query = model.update(version=model.version + 1, updated_by=session.username, updated_desk=session.desk,
                         updated_at=clock.now()).where(model.id == row_id)
    if version is not None:
        query = query.where(model.version == int(version))
    if query.execute():
        return model.select(model.version).where(model.id == row_id).scalar()
    raise stale_error(model, row_id)


def stale_error(model, row_id: int) -> ConflictError:
    """Why the save was refused: who changed the row last, at which desk and when (local hh:mm)."""
    row = (model.select(model.updated_by, model.updated_desk, model.updated_at)
           .where(model.id == row_id).first())
    zh, en = _WHAT.get(model, ("记录", "record"))
    if row is None:
        return NotFoundError(tr("该{w}已不存在", "This {w} no longer exists", w=tr(zh, en)))
    user = m.User.get_or_none(m.User.username == row.updated_by) if row.updated_by else None
    by = user.display_name if user is not None else (row.updated_by or "?")
    at = row.updated_at.astimezone().strftime("%H:%M") if row.updated_at else "?"
    desk = row.updated_desk or "?"
    return StaleEditError(tr(
        "该{w}已在{desk}由{by}于{at}修改，本次未保存。您填写的内容仍保留，请核对对方的修改后再保存。",
        "This {w} was changed at desk {desk} by {by} at {at}; nothing was saved. What you typed is kept: "
        "check their change, then save again.", w=tr(zh, en), desk=desk, by=by, at=at))
