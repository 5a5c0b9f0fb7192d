"""Site-wide settings kept in the database, shared by every desk."""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.domain.enums import Role
from frontdesk.i18n import tr
from frontdesk.services import audit
from frontdesk.services.session import Session
from frontdesk.storage import db
from frontdesk.storage import models as m

DEFAULTS = {
    "site_name": "健康体检中心",
    "site_name_en": "Health Examination Centre",
    # Printed on the booking slip (services.bookings) when set: where to come, whom to call.
    "site_address": "",
    "site_phone": "",
    "label_free_reprints": "2",   # reprints a reception user may make per specimen
    # Reports (services.reports): a proxy needs the guest's authorisation ("1"/"0"); reports
    # not collected after this many days go on the call list; pickup slots and guests per slot.
    "report_proxy_needs_authorisation": "1",
    "report_uncollected_days": "14",
    "report_pickup_slots": "09:00-10:00,10:00-11:00,11:00-12:00,14:00-15:00,15:00-16:00,16:00-17:00",
    "report_pickup_slot_limit": "6",
    # End of day (services.eod): a day is closed for the whole "site" at once or per "desk".
    "eod_close_scope": "site",
}


@dataclass(frozen=True)
class SiteSettings:
    site_name: str
    site_name_en: str
    label_free_reprints: int


def get(key: str) -> str:
    row = m.Setting.get_or_none(m.Setting.key == key)
    return row.value if row is not None else DEFAULTS[key]


def load() -> SiteSettings:
    return SiteSettings(site_name=get("site_name"), site_name_en=get("site_name_en"),
                        label_free_reprints=int(get("label_free_reprints")))


def set_value(session: Session, key: str, value: str) -> None:
    session.require(Role.SUPERVISOR)
    if key not in DEFAULTS:
        raise KeyError(key)
    with db.transaction():
        old = get(key)
        m.Setting.insert(key=key, value=value).on_conflict(conflict_target=[m.Setting.key],
                                                           update={m.Setting.value: value}).execute()
        audit.record(session, "setting.change", "setting", key, old=old, new=value)


def set_values(session: Session, values: dict[str, str]) -> None:
    """Several settings saved together (one transaction): the ones that differ are written and audited."""
    session.require(Role.SUPERVISOR)
    with db.transaction():
        for key, value in values.items():
            if get(key) != value:
                set_value(session, key, value)


def display_name(site: "SiteSettings | str | None" = None) -> str:
    """The site's name as printed, in the desk's language; ``site`` may be settings, a name, or None (load)."""
    if site is None:
        site = load()
    if isinstance(site, SiteSettings):
        return tr(site.site_name, site.site_name_en or site.site_name)
    return str(site)
