"""Changes to a desk's own settings that others rely on: its name (on every receipt,
label and audit entry) and the database it works in.  Both need a supervisor and
are audited; the settings file itself is the UI's business (config.py)."""

from __future__ import annotations

from frontdesk.domain.enums import Role
from frontdesk.errors import ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit
from frontdesk.services.session import Session
from frontdesk.storage import db

DESK_NAME_MAX = 64  # the width of the desk columns (audit log, receipts)


def check_desk_name(name: str) -> str:
    """The desk name as it will be stored; ValidationError when empty or too long."""
    name = name.strip()
    if not name:
        raise ValidationError(tr("工作站名称不能为空。", "The desk needs a name."), field="desk_name")
    if len(name) > DESK_NAME_MAX:
        raise ValidationError(tr("工作站名称最多 {n} 个字。", "A desk name has at most {n} characters.",
                                 n=DESK_NAME_MAX), field="desk_name")
    return name


def check_db_url(url: str) -> str:
    """The database URL as it will be stored ("" for the local SQLite file); ValidationError if unreadable."""
    url = url.strip()
    if url:
        try:
            db.parse_url(url)
        except Exception as exc:  # noqa: BLE001 - parse_url's own message says what is wrong
            raise ValidationError(getattr(exc, "message", str(exc)), field="db_url") from None
    return url


def describe_db_url(url: str) -> str:
    """The URL as the audit log may show it: never a password."""
    if not url:
        return tr("本机 SQLite 数据库", "the local SQLite database")
    try:
        return db.parse_url(url).display()
    except Exception:  # noqa: BLE001 - a URL that does not parse is not stored either
        return "?"


def record_change(session: Session, desk: str, changes: dict[str, tuple[str, str]]) -> None:
    """Audit a change of the desk's name or database (``{field: (old, new)}``), made or signed by a supervisor."""
    session.require(Role.SUPERVISOR)
    shown = {key: {"old": describe_db_url(old) if key == "db_url" else old,
                   "new": describe_db_url(new) if key == "db_url" else new}
             for key, (old, new) in changes.items()}
    with db.transaction():
        audit.record(session, "workstation.change", "workstation", desk, **shown)
