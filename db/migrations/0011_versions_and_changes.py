"""0011: edits that two desks can make are versioned, and changes are announced.

``version`` (+1 on every edit), ``updated_by``, ``updated_desk`` and
``updated_at`` on ``guest``, ``visit`` and ``booking`` (``contract`` has had
its ``version`` since 0008 and gets the three others): an edit saves only
``WHERE id = ? AND version = ?`` (the version the form was read at); a save
that finds another version is refused and names the desk, the person and
the time of the change it would have overwritten (services/versioning.py).

PostgreSQL only: a statement trigger on the tables the desks' lists show
sends ``NOTIFY frontdesk_changes, '<schema>.<table>'`` (the channel is
server-wide; a desk listens for its own schema's tables only).  PostgreSQL delivers it when
the writing transaction commits (never for a rolled-back one) and folds
repeats within one transaction into one, so the other desks' lists refresh
within a moment of a change without polling (services/changes.py).  SQLite
has no such channel: a desk there polls ``PRAGMA data_version``.
"""

VERSIONED = ("guest", "visit", "booking")
WHO = ("guest", "visit", "booking", "contract")

# The tables whose rows the live lists show (queue, close-out, report shelf, labels, bookings).
NOTIFIED = ("guest", "visit", "visit_item", "booking", "receipt", "specimen", "belonging", "report_arrival",
            "report_handout", "report_call", "pickup_appointment", "contract", "day_close")

CHANNEL = "frontdesk_changes"


def _columns(dialect):
    stamp = "DATETIME" if dialect == "sqlite" else "TIMESTAMP"
    statements = [f'ALTER TABLE "{t}" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1' for t in VERSIONED]
    for table in WHO:
        statements += [
            f'ALTER TABLE "{table}" ADD COLUMN "updated_by" VARCHAR(64) NOT NULL DEFAULT \'\'',
            f'ALTER TABLE "{table}" ADD COLUMN "updated_desk" VARCHAR(64) NOT NULL DEFAULT \'\'',
            f'ALTER TABLE "{table}" ADD COLUMN "updated_at" {stamp}',
        ]
    return statements


NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION frontdesk_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
    RETURN NULL;
END
$$"""


def upgrade(db, dialect):
    for statement in _columns(dialect):
        db.execute_sql(statement)
    if dialect != "postgresql":
        return
    # The function lives in the schema of the tables (search_path), so each site's schema has its own.
    db.execute_sql(NOTIFY_FUNCTION)
    for table in NOTIFIED:
        db.execute_sql(f'CREATE TRIGGER "{table}_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                       f'FOR EACH STATEMENT EXECUTE FUNCTION frontdesk_notify_change()')
