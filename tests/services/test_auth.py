import datetime as dt

import pytest

from frontdesk.domain.enums import Role
from frontdesk.errors import AuthenticationError, ConflictError, PermissionDeniedError, ValidationError
from frontdesk.services import audit, auth
from frontdesk.services.session import Session
from frontdesk.storage import models as m


def test_password_hash_is_salted_and_verifies():
    one, two = auth.hash_password("correct horse"), auth.hash_password("correct horse")
    assert one != two and "correct" not in one
    assert auth.verify_password("correct horse", one)
    assert not auth.verify_password("wrong horse", one)
    assert not auth.verify_password("x", "garbage")


def test_first_admin_only_once(fdb):
    assert not auth.has_users()
    auth.create_first_admin("boss", "老板", "s3cret-pass", "前台1")
    assert m.User.get().role == "admin"
    with pytest.raises(ConflictError):
        auth.create_first_admin("boss2", "x", "s3cret-pass", "前台1")


def test_login_returns_session_and_audits(fdb):
    auth.create_first_admin("boss", "老板", "s3cret-pass", "前台2")
    session = auth.login("boss", "s3cret-pass", "前台2")
    assert session.role is Role.ADMIN and session.desk == "前台2"
    assert m.AuditLog.select().where(m.AuditLog.action == "login").count() == 1


def test_wrong_password_is_refused_without_saying_which_part(fdb):
    auth.create_first_admin("boss", "老板", "s3cret-pass", "d")
    with pytest.raises(AuthenticationError, match="用户名或密码错误"):
        auth.login("boss", "nope-nope", "d")
    with pytest.raises(AuthenticationError, match="用户名或密码错误"):
        auth.login("nobody", "nope-nope", "d")


def test_repeated_failures_lock_the_account_for_growing_time(fdb):
    auth.create_first_admin("boss", "老板", "s3cret-pass", "d")
    now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone.utc)
    for _ in range(auth.FREE_ATTEMPTS):
        with pytest.raises(AuthenticationError):
            auth.login("boss", "bad-password", "d", now=now)
    with pytest.raises(AuthenticationError):
        auth.login("boss", "bad-password", "d", now=now)  # this failure starts the lock
    with pytest.raises(AuthenticationError, match="秒后再试"):
        auth.login("boss", "s3cret-pass", "d", now=now + dt.timedelta(seconds=5))
    first_lock = m.User.get().locked_until
    later = first_lock + dt.timedelta(seconds=1)
    with pytest.raises(AuthenticationError):
        auth.login("boss", "bad-password", "d", now=later)
    assert m.User.get().locked_until - later > first_lock - now  # the wait grows
    assert auth.login("boss", "s3cret-pass", "d", now=later + dt.timedelta(hours=1)).username == "boss"
    assert m.User.get().failed_attempts == 0


def test_short_password_and_bad_username_are_refused(fdb, admin):
    with pytest.raises(ValidationError, match="至少"):
        auth.create_user(admin, "lisi", "李四", Role.RECEPTION, "short")
    with pytest.raises(ValidationError, match="用户名"):
        auth.create_user(admin, "李 四", "李四", Role.RECEPTION, "long-enough-pass")
    assert not m.User.select().exists()


def test_duplicate_username_is_refused(fdb, admin):
    auth.create_user(admin, "lisi", "李四", Role.RECEPTION, "long-enough-pass")
    with pytest.raises(ConflictError):
        auth.create_user(admin, "lisi", "李四", Role.RECEPTION, "long-enough-pass")


def test_reception_cannot_add_users_or_read_the_audit_log(fdb):
    desk = Session("lisi", "李四", Role.RECEPTION, "d")
    with pytest.raises(PermissionDeniedError):
        auth.create_user(desk, "x1", "x", Role.RECEPTION, "long-enough-pass")
    with pytest.raises(PermissionDeniedError):
        audit.browse(desk)


def test_supervisor_browses_and_filters_audit(fdb, admin):
    auth.create_user(admin, "lisi", "李四", Role.RECEPTION, "long-enough-pass")
    auth.create_user(admin, "wangwu", "王五", Role.SUPERVISOR, "long-enough-pass")
    sup = auth.login("wangwu", "long-enough-pass", "d")
    entries = audit.browse(sup)
    assert [e.action for e in entries][:1] == ["login"]
    created = audit.browse(sup, action="user.create")
    assert len(created) == 2 and all(e.username == "admin" for e in created)
    assert [e.record_id for e in audit.browse(sup, text="lisi")] and "lisi" in audit.browse(sup, text="lisi")[0].details


def test_change_password_needs_old_one(fdb):
    auth.create_first_admin("boss", "老板", "s3cret-pass", "d")
    session = auth.login("boss", "s3cret-pass", "d")
    with pytest.raises(AuthenticationError):
        auth.change_password(session, "wrong-old", "new-password-1")
    auth.change_password(session, "s3cret-pass", "new-password-1")
    assert auth.login("boss", "new-password-1", "d")
