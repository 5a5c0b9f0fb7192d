"""Who is working at which desk: passed to every service that changes data."""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.domain.enums import Role
from frontdesk.errors import PermissionDeniedError
from frontdesk.i18n import tr


@dataclass(frozen=True)
class Session:
    username: str
    display_name: str
    role: Role
    desk: str

    def can(self, role: Role) -> bool:
        """True if this user's role is at least ``role``."""
        return self.role.rank() >= role.rank()

    def require(self, role: Role) -> None:
        if not self.can(role):
            raise PermissionDeniedError(tr("此操作需要{r}权限。", "This needs the {r} role.", r=role.label()))


# The identity of batch commands run from the command line (migrations, demo
# data): audited under its own name so they are never mistaken for a person.
SYSTEM = Session("system", "system", Role.ADMIN, "cli")
