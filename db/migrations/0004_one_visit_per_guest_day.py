"""0004: one live visit per guest a day, and one live visit per booking, in the database itself.

Two desks on PostgreSQL checking the same guest in at the same moment both
read "no visit today" and both wrote a visit (the guest was charged twice):
a SELECT before the INSERT cannot stop that, a unique index can.  Cancelled
visits (a voided check-in) are left out, so the guest can be checked in
again after a void, and so can the booking (the void sets it back to booked).
A later visit of the same guest (a make-up visit for deferred items, a
visit next year) is on another day and is not affected.

A database that already holds such duplicates (made by the race this
closes) cannot take the index: the upgrade stops, names the visits, and
changes nothing, so a supervisor can void the extra check-in first.
"""

import peewee

from frontdesk.i18n import tr

LIVE = "status <> 'cancelled'"

STATEMENTS = [
    f"CREATE UNIQUE INDEX visit_one_live_per_guest_day ON visit (guest_id, visit_date) WHERE {LIVE}",
    f"CREATE UNIQUE INDEX visit_one_live_per_booking ON visit (booking_id) WHERE booking_id IS NOT NULL AND {LIVE}",
]

DUPLICATES = [
    ("guest_id, visit_date", f"SELECT guest_id, visit_date FROM visit WHERE {LIVE} "
                             "GROUP BY guest_id, visit_date HAVING count(*) > 1"),
    ("booking_id", f"SELECT booking_id FROM visit WHERE booking_id IS NOT NULL AND {LIVE} "
                   "GROUP BY booking_id HAVING count(*) > 1"),
]


def _duplicates(db, dialect):
    found = []
    mark = "?" if dialect == "sqlite" else "%s"
    for columns, query in DUPLICATES:
        for key in db.execute_sql(query).fetchall():
            where = " AND ".join(f"{c.strip()} = {mark}" for c in columns.split(","))
            numbers = [r[0] for r in db.execute_sql(
                f"SELECT visit_no FROM visit WHERE {where} AND {LIVE} ORDER BY id", key).fetchall()]
            found.append(", ".join(numbers))
    return found


def upgrade(db, dialect):
    duplicates = _duplicates(db, dialect)
    if duplicates:
        raise peewee.IntegrityError(tr("以下体检重复报到，请先作废多余的报到再升级：{v}",
                                       "These visits were checked in twice; void the extra check-in, then upgrade "
                                       "again: {v}", v="; ".join(duplicates)))
    for statement in STATEMENTS:
        db.execute_sql(statement)
