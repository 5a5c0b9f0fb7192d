"""The append-only audit log: who did what, when, at which desk, to which record."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from frontdesk.domain.enums import Role
from frontdesk.services.session import Session
from frontdesk.storage import models as m
from frontdesk.storage import queries


def record(session: Session, action: str, record_type: str = "", record_id: object = "", **details) -> None:
    """Append one entry; call it inside the transaction of the change it describes."""
    m.AuditLog.create(
        username=session.username, desk=session.desk, action=action, record_type=record_type,
        record_id=str(record_id), details=json.dumps(details, ensure_ascii=False, default=str, sort_keys=True),
    )


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    username: str
    desk: str
    action: str
    record_type: str
    record_id: str
    details: str


def browse(session: Session, *, username: str = "", action: str = "", text: str = "",
           since: dt.datetime | None = None, until: dt.datetime | None = None, limit: int = 500) -> list[AuditEntry]:
    """Newest first; only supervisors and admins may read the log."""
    session.require(Role.SUPERVISOR)
    rows = queries.audit_entries(username=username, action=action, text=text, since=since, until=until, limit=limit)
    return [AuditEntry(r.at, r.username, r.desk, r.action, r.record_type, r.record_id, r.details) for r in rows]


def actions() -> list[str]:
    return queries.audit_actions()
