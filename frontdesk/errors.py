"""Expected errors: each carries a message meant for the person at the desk.

Anything that is not a ``UserError`` is a bug: it is logged with its
traceback and shown in the crash dialog.
"""

from __future__ import annotations


class UserError(Exception):
    """An error the user can act on; ``message`` is already translated."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(UserError):
    """A value typed or scanned at the desk is not acceptable."""


class NotFoundError(UserError):
    """The record asked for does not exist."""


class ConflictError(UserError):
    """The change clashes with the current state (e.g. a tag already in use)."""


class PermissionDeniedError(UserError):
    """The logged-in role may not do this."""


class AuthenticationError(UserError):
    """Wrong user name or password, or too many attempts."""


class DatabaseError(UserError):
    """The database cannot be opened or used (missing, locked, corrupt, unreachable)."""


class SchemaTooNewError(DatabaseError):
    """The database was written by a newer FrontDesk than this one."""


class PrintError(UserError):
    """A print did not happen (printer offline, refused, timed out)."""


class DuplicateGuestError(UserError):
    """The person being registered looks like someone already on file.

    ``candidates`` are the existing guests (model rows) the desk can use or
    merge with instead of creating the person twice.
    """

    def __init__(self, message: str, candidates: list, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.candidates = list(candidates)
