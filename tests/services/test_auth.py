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


GUESSER = """
import json, sys, time
from pathlib import Path
from frontdesk.errors import AuthenticationError
from frontdesk.services import auth, database

url, folder, guessers, me, tries = sys.argv[1:]
database.open_database(url, upgrade=False)
auth.LOCK_BASE_SECONDS = 600  # the lock outlasts the test however slow the machine is
checked = []
real = auth.verify_password

def counting(password, stored):
    checked.append(password)
    return real(password, stored)

auth.verify_password = counting
Path(folder, f"ready-{me}").touch()  # a barrier across processes: all start guessing together
deadline = time.monotonic() + 60
while len(list(Path(folder).glob("ready-*"))) < int(guessers) and time.monotonic() < deadline:
    time.sleep(0.005)
answers = []
for n in range(int(tries)):
    try:
        auth.login("boss", f"guess-{me}-{n}", "attacker")
        answers.append("in")
    except AuthenticationError as exc:
        answers.append("locked" if "秒后再试" in exc.message else "wrong")
print(json.dumps({"answers": answers, "checked": len(checked)}))
"""


@pytest.mark.slow
def test_parallel_guessing_gets_no_more_password_checks_than_allowed(fdb, tmp_path):
    """8 desk processes guessing at once: the failures are counted before the hash is checked,
    atomically, so the lock-out starts after FREE_ATTEMPTS + 1 checks however many guess in parallel."""
    import json
    import os
    import subprocess
    import sys

    auth.create_first_admin("boss", "老板", "s3cret-pass", "d")
    folder = tmp_path / "barrier"
    folder.mkdir()
    guessers, tries = 8, 3
    children = [subprocess.Popen([sys.executable, "-c", GUESSER, fdb, str(folder), str(guessers), str(n), str(tries)],
                                 env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for n in range(guessers)]
    results = []
    for child in children:
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err.decode()
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    answers = [a for r in results for a in r["answers"]]
    allowed = auth.FREE_ATTEMPTS + 1
    assert sum(r["checked"] for r in results) == allowed, results  # password hashes actually checked
    assert answers.count("wrong") == allowed and answers.count("locked") == guessers * tries - allowed
    user = m.User.get(m.User.username == "boss")
    assert user.failed_attempts == allowed and user.locked_until is not None
    assert m.AuditLog.select().where(m.AuditLog.action == "login.failed").count() == allowed


def test_a_locked_account_is_refused_before_the_password_is_checked(fdb, monkeypatch):
    auth.create_first_admin("boss", "老板", "s3cret-pass", "d")
    now = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone.utc)
    for _ in range(auth.FREE_ATTEMPTS + 1):
        with pytest.raises(AuthenticationError, match="用户名或密码错误"):
            auth.login("boss", "bad-password", "d", now=now)
    checks = []
    monkeypatch.setattr(auth, "verify_password", lambda *a: checks.append(a) or True)
    with pytest.raises(AuthenticationError, match="秒后再试"):
        auth.login("boss", "s3cret-pass", "d", now=now + dt.timedelta(seconds=1))
    assert checks == [] and m.User.get().failed_attempts == auth.FREE_ATTEMPTS + 1


def test_a_good_password_clears_the_count(fdb):
    auth.create_first_admin("boss", "老板", "s3cret-pass", "d")
    for _ in range(auth.FREE_ATTEMPTS):
        with pytest.raises(AuthenticationError):
            auth.login("boss", "bad-password", "d")
    auth.login("boss", "s3cret-pass", "d")
    user = m.User.get()
    assert user.failed_attempts == 0 and user.locked_until is None


def test_list_users_gives_what_a_user_list_needs_and_no_password_hash(fdb, admin):
    import dataclasses

    auth.create_user(admin, "lisi", "李四", Role.RECEPTION, "long-enough-pass")
    auth.create_user(admin, "wangwu", "王五", Role.SUPERVISOR, "long-enough-pass")
    users = auth.list_users()
    assert [(u.username, u.display_name, u.role, u.active) for u in users] == [
        ("lisi", "李四", Role.RECEPTION, True), ("wangwu", "王五", Role.SUPERVISOR, True)]
    for user in users:
        assert dataclasses.is_dataclass(user) and not isinstance(user, m.User)
        fields = {f.name for f in dataclasses.fields(user)}
        assert not any("password" in name or "hash" in name for name in fields)
        assert not any(str(value).startswith("scrypt$") for value in dataclasses.asdict(user).values())
        with pytest.raises(dataclasses.FrozenInstanceError):
            user.role = Role.ADMIN


def test_a_supervisor_signature_is_audited_as_an_authorisation_not_a_sign_in(admin, fdb):
    auth.create_user(admin, "zhu", "主管", Role.SUPERVISOR, "Passw0rd!x")
    auth.create_user(admin, "qian", "前台", Role.RECEPTION, "Passw0rd!x")
    signed = auth.supervisor_signature("zhu", "Passw0rd!x", "前台2", "作废收据")
    assert signed.username == "zhu" and signed.desk == "前台2"
    with pytest.raises(PermissionDeniedError):
        auth.supervisor_signature("qian", "Passw0rd!x", "前台2", "作废收据")
    with pytest.raises(AuthenticationError):
        auth.supervisor_signature("zhu", "wrong-password", "前台2", "作废收据")
    actions = [(e.username, e.action) for e in m.AuditLog.select().where(m.AuditLog.record_type == "user")
               .order_by(m.AuditLog.id) if e.action != "user.create"]
    assert actions == [("zhu", "authorise"), ("qian", "authorise.refused"), ("zhu", "authorise.failed")]
