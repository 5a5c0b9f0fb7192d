"""0005: close-out, deferred items (缓检) and make-up visits.

- ``visit_item.done_by``: who marked the item done from the returned guide sheet;
- ``visit_item.resolved_by`` / ``resolved_at``: who deferred or abandoned it, when;
- ``visit_item.guest_confirmed``: the guest confirmed giving up an abandoned item;
- ``visit_item.deferral_state``: '' for an item never deferred, else ``open`` (to be
  done on ``deferred_to``), ``used`` (done on a make-up visit) or ``cancelled``;
- ``visit_item.makeup_of_id``: on a make-up visit, the deferred item it makes up;
  unique, so one deferred item is made up at most once, whichever desk tries;
- ``visit.original_visit_id``: a make-up visit's link to the visit it completes.

Indexes serve the close-out list (a day's visits) and the capacity of a day
(open deferrals by date).
"""

SQLITE = [
    "ALTER TABLE visit_item ADD COLUMN done_by VARCHAR(64) NOT NULL DEFAULT ''",
    "ALTER TABLE visit_item ADD COLUMN resolved_by VARCHAR(64) NOT NULL DEFAULT ''",
    "ALTER TABLE visit_item ADD COLUMN resolved_at DATETIME",
    "ALTER TABLE visit_item ADD COLUMN guest_confirmed INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE visit_item ADD COLUMN deferral_state VARCHAR(16) NOT NULL DEFAULT ''",
    "ALTER TABLE visit_item ADD COLUMN makeup_of_id INTEGER REFERENCES visit_item (id)",
    "ALTER TABLE visit ADD COLUMN original_visit_id INTEGER REFERENCES visit (id)",
]

POSTGRESQL = [
    "ALTER TABLE visit_item ADD COLUMN done_by VARCHAR(64) NOT NULL DEFAULT ''",
    "ALTER TABLE visit_item ADD COLUMN resolved_by VARCHAR(64) NOT NULL DEFAULT ''",
    "ALTER TABLE visit_item ADD COLUMN resolved_at TIMESTAMP",
    "ALTER TABLE visit_item ADD COLUMN guest_confirmed BOOLEAN NOT NULL DEFAULT FALSE",
    "ALTER TABLE visit_item ADD COLUMN deferral_state VARCHAR(16) NOT NULL DEFAULT ''",
    "ALTER TABLE visit_item ADD COLUMN makeup_of_id INTEGER REFERENCES visit_item (id)",
    "ALTER TABLE visit ADD COLUMN original_visit_id INTEGER REFERENCES visit (id)",
]

COMMON = [
    "CREATE UNIQUE INDEX visit_item_makeup_of ON visit_item (makeup_of_id) WHERE makeup_of_id IS NOT NULL",
    "CREATE INDEX visit_item_open_deferral ON visit_item (deferred_to) WHERE deferral_state = 'open'",
    "CREATE INDEX visit_original_visit ON visit (original_visit_id) WHERE original_visit_id IS NOT NULL",
]


def upgrade(db, dialect):
    for statement in (SQLITE if dialect == "sqlite" else POSTGRESQL) + COMMON:
        db.execute_sql(statement)
