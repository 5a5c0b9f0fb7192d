"""Site settings are shared by every desk: only a supervisor (or the administrator) changes them, audited."""

import pytest

from frontdesk.errors import PermissionDeniedError
from frontdesk.services import site_settings
from frontdesk.storage import models as m


def test_reception_cannot_change_a_site_setting(desk):
    before, rows = site_settings.load(), sorted(m.Setting.select(m.Setting.key, m.Setting.value).tuples())
    for key, value in (("site_name", "冒名体检中心"), ("label_free_reprints", "99")):
        with pytest.raises(PermissionDeniedError, match="主管"):
            site_settings.set_value(desk, key, value)
    assert site_settings.load() == before
    assert sorted(m.Setting.select(m.Setting.key, m.Setting.value).tuples()) == rows
    assert not m.AuditLog.select().where(m.AuditLog.action == "setting.change").exists()


def test_supervisor_changes_a_site_setting_and_it_is_audited(supervisor):
    site_settings.set_value(supervisor, "label_free_reprints", "5")
    assert site_settings.load().label_free_reprints == 5
    entry = m.AuditLog.get(m.AuditLog.action == "setting.change")
    assert (entry.username, entry.record_id) == ("zhuguan", "label_free_reprints")


def test_administrator_may_change_a_site_setting(admin):
    site_settings.set_value(admin, "site_name", "滨江健康体检中心")
    assert site_settings.load().site_name == "滨江健康体检中心"
