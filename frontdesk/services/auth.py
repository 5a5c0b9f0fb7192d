"""Staff accounts, passwords and login.

Passwords are stored as salted scrypt hashes (hashlib, no extra dependency).
There is no built-in password: the first start asks for the administrator's.
Repeated failures lock the account for a growing time, so guessing is slow.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from frontdesk.domain.enums import Role
from frontdesk.errors import AuthenticationError, ConflictError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit
from frontdesk.services.session import Session
from frontdesk.storage import db
from frontdesk.storage import models as m

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 8
FREE_ATTEMPTS = 3           # failures allowed before the lock-out starts
LOCK_BASE_SECONDS = 15      # then 15 s, 30 s, 60 s ... up to LOCK_MAX_SECONDS
LOCK_MAX_SECONDS = 15 * 60
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,32}$")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return "scrypt${}${}${}${}${}".format(SCRYPT_N, SCRYPT_R, SCRYPT_P, base64.b64encode(salt).decode(),
                                         base64.b64encode(digest).decode())


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def validate_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(tr("密码至少需要 {n} 个字符。", "The password needs at least {n} characters.",
                                 n=MIN_PASSWORD_LENGTH), field="password")
    if password.isdigit() and len(set(password)) <= 2:
        raise ValidationError(tr("密码过于简单。", "The password is too simple."), field="password")


def has_users() -> bool:
    return m.User.select().exists()


def create_user(by: Session, username: str, display_name: str, role: Role, password: str) -> m.User:
    """Add a staff account; only an administrator may (or the first start, see ``create_first_admin``)."""
    by.require(Role.ADMIN)
    return _create_user(by, username, display_name, role, password)


def create_first_admin(username: str, display_name: str, password: str, desk: str) -> m.User:
    """The first account of a new database; refused once any account exists."""
    with db.transaction():
        if has_users():
            raise ConflictError(tr("已有用户，不能再创建初始管理员。", "Accounts exist already; no first administrator can be created."))
        session = Session(username, display_name or username, Role.ADMIN, desk)
        return _create_user(session, username, display_name, Role.ADMIN, password)


def _create_user(by: Session, username: str, display_name: str, role: Role, password: str) -> m.User:
    username = username.strip()
    if not _USERNAME.match(username):
        raise ValidationError(tr("用户名应为 2-32 个字母、数字或 _ . -", "A user name is 2-32 letters, digits or _ . -"),
                              field="username")
    validate_new_password(password)
    with db.transaction():
        if m.User.select().where(m.User.username == username).exists():
            raise ConflictError(tr("用户名 {u} 已存在。", "The user name {u} is taken.", u=username), field="username")
        user = m.User.create(username=username, display_name=display_name.strip() or username, role=role.value,
                             password_hash=hash_password(password))
        audit.record(by, "user.create", "user", user.id, username=username, role=role.value)
    return user


def login(username: str, password: str, desk: str, *, now: dt.datetime | None = None, purpose: str = "") -> Session:
    """Check the password and return the session, or raise ``AuthenticationError``.

    The attempt is counted as a failure *before* the password is checked, in
    one atomic UPDATE that also refuses a locked account: desks (or a script)
    guessing in parallel all pass through that row, so no more than
    ``FREE_ATTEMPTS + 1`` passwords are ever checked before the lock-out.
    A right password then clears the count.
    """
    now = now or m.utcnow()
    wrong = AuthenticationError(tr("用户名或密码错误。", "Wrong user name or password."))
    user = m.User.get_or_none(m.User.username == username.strip())
    if user is None or not user.active:
        # Same cost as a real check, so timing does not reveal which names exist.
        verify_password(password, _dummy_hash())
        raise wrong
    attempts = _count_attempt(user.id, now)
    if attempts is None:
        locked_until = m.User.get_by_id(user.id).locked_until or now
        seconds = max(int((locked_until - now).total_seconds()) + 1, 1)
        raise AuthenticationError(tr("登录失败次数过多，请在 {s} 秒后再试。",
                                     "Too many failed logins; try again in {s} seconds.", s=seconds))
    session = Session(user.username, user.display_name, Role(user.role), desk)
    ok = verify_password(password, user.password_hash)
    with db.transaction():
        if ok:
            m.User.update(failed_attempts=0, locked_until=None).where(m.User.id == user.id).execute()
        if ok and purpose:
            # A signature for one action at someone else's desk, not a sign-in: audited as what it is.
            action = "authorise" if session.can(Role.SUPERVISOR) else "authorise.refused"
            audit.record(session, action, "user", user.id, purpose=purpose)
        elif ok:
            audit.record(session, "login", "user", user.id)
        else:
            audit.record(session, "authorise.failed" if purpose else "login.failed", "user", user.id,
                         attempts=attempts, **({"purpose": purpose} if purpose else {}))
    if not ok:
        raise wrong
    return session


def supervisor_signature(username: str, password: str, desk: str, purpose: str) -> Session:
    """A supervisor's name and password typed at a desk to authorise one action (``purpose``).

    Counted against lock-out like a login; audited as ``authorise`` (or
    ``authorise.refused`` for an account that is no supervisor's), never as a sign-in.
    """
    session = login(username, password, desk, purpose=purpose or "-")
    session.require(Role.SUPERVISOR)
    return session


def _count_attempt(user_id: int, now: dt.datetime) -> int | None:
    """Count one more failed attempt unless the account is locked; the new count, or None if locked.

    Committed on its own before the password is checked, so neither a
    parallel guess nor a killed process gets a check the count does not show.
    """
    with db.transaction():
        counted = list(m.User.update(failed_attempts=m.User.failed_attempts + 1)
                       .where(m.User.id == user_id, m.User.locked_until.is_null() | (m.User.locked_until <= now))
                       .returning(m.User.failed_attempts).tuples().execute())
        if not counted:
            return None
        attempts = counted[0][0]
        extra = attempts - FREE_ATTEMPTS
        if extra > 0:
            # This attempt is the last one before the wait: the lock is in place before its check.
            wait = min(LOCK_BASE_SECONDS * 2 ** (extra - 1), LOCK_MAX_SECONDS)
            m.User.update(locked_until=now + dt.timedelta(seconds=wait)).where(m.User.id == user_id).execute()
    return attempts


def change_password(session: Session, old_password: str, new_password: str) -> None:
    with db.transaction():
        user = m.User.get(m.User.username == session.username)
        if not verify_password(old_password, user.password_hash):
            raise AuthenticationError(tr("原密码不正确。", "The current password is wrong."))
        validate_new_password(new_password)
        user.password_hash = hash_password(new_password)
        user.save()
        audit.record(session, "user.password", "user", user.id)


@dataclass(frozen=True)
class UserSummary:
    """What a list of staff accounts shows: never the password hash."""

    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    locked_until: dt.datetime | None


def list_users() -> list[UserSummary]:
    """The staff accounts by user name, as plain data for lists (settings screen, ``user list``)."""
    rows = (m.User.select(m.User.id, m.User.username, m.User.display_name, m.User.role, m.User.active,
                          m.User.locked_until).order_by(m.User.username))
    return [UserSummary(u.id, u.username, u.display_name, Role(u.role), bool(u.active), u.locked_until) for u in rows]


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(8))
