"""0009: pre-exam reminders and the next day prepared in one batch (issue 10, "before the exam").

- ``booking.reminded_by``: who ticked the guest as reminded (``reminded_at``
  existed already); cleared together when the tick is taken back.
- ``visit.prepared_at`` / ``visit.prepared_by``: a visit made the day before
  from a booking (status ``prepared``, 已备单) so its guide sheet and labels
  can be printed ahead; check-in of the booking turns the same visit
  ``checked_in``.  The one-live-visit-per-guest-and-day index of 0004 counts
  a prepared visit as live, which is what keeps a second visit from being
  made for the same guest and day.
- ``visit.documents_printed_at``: when the batch printed the guest's document
  bag (cover sheet and guide sheet), so check-in does not print the guide
  sheet again.  Labels keep their own print state on the specimens.
"""

STATEMENTS = [
    """ALTER TABLE "booking" ADD COLUMN "reminded_by" VARCHAR(64) NOT NULL DEFAULT ''""",
    """ALTER TABLE "visit" ADD COLUMN "prepared_by" VARCHAR(64) NOT NULL DEFAULT ''""",
]

TIMESTAMPS = ["prepared_at", "documents_printed_at"]


def upgrade(db, dialect):
    stamp = "DATETIME" if dialect == "sqlite" else "TIMESTAMP"
    for statement in STATEMENTS:
        db.execute_sql(statement)
    for column in TIMESTAMPS:
        db.execute_sql(f'ALTER TABLE "visit" ADD COLUMN "{column}" {stamp}')
