"""Queries for group contracts and their rosters."""

from __future__ import annotations

from collections.abc import Sequence

import peewee as pw

from frontdesk.storage import models as m


def roster_counts(contract_ids: Sequence[int]) -> dict[int, int]:
    """Contract id -> how many people its roster holds (contracts without anyone are left out)."""
    if not contract_ids:
        return {}
    return dict(m.RosterEntry.select(m.RosterEntry.contract, pw.fn.COUNT(m.RosterEntry.id))
                .where(m.RosterEntry.contract.in_(list(contract_ids))).group_by(m.RosterEntry.contract).tuples())
