"""0003: indexes that keep the search box and the day's lists on fast plans.

A desk's SQLite database has no table statistics (nobody runs ANALYZE), so
SQLite picks indexes by shape alone; these make the right choice the obvious
one (found with EXPLAIN QUERY PLAN on 500,000 guests / 1,000,000 visits):

- ``guest_merged_into_id`` indexed every guest, all NULL but the merged few.
  SQLite took ``merged_into_id IS NULL`` for a selective condition and
  answered "ID number = ? AND not merged" by walking the whole table along
  that index instead of using the ID number index.  Only merged rows are
  indexed now: "who was merged into this guest" still uses it.
- ``visit (guest_id, visit_date)`` and ``booking (guest_id, exam_date)``:
  "this guest's visits today" / "latest visit" used the one-column date or
  status index and read the whole day (or every open booking) per lookup.
- ``booking (exam_date, status)``: today's open bookings, without reading
  every open booking of every day.
"""

STATEMENTS = [
    "DROP INDEX guest_merged_into_id",
    "CREATE INDEX guest_merged_into_id ON guest (merged_into_id) WHERE merged_into_id IS NOT NULL",
    "CREATE INDEX visit_guest_date ON visit (guest_id, visit_date)",
    "CREATE INDEX booking_guest_date ON booking (guest_id, exam_date)",
    "CREATE INDEX booking_date_status ON booking (exam_date, status)",
]


def upgrade(db, dialect):
    for statement in STATEMENTS:
        db.execute_sql(statement)
