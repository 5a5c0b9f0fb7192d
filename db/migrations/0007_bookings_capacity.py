"""0007: bookings with half-days, extra items, cancel/no-show/override records; the capacity calendar.

- ``booking`` gains the half-day (``am``/``pm``), how it was made (``channel``:
  desk, phone, roster), who cancelled it, when and why, who marked it a no-show
  and when (and the supervisor who undid that: the end-of-day marking then
  leaves it alone), and the supervisor and reason when it was made or moved
  over a full station.
- ``booking_item``: single items booked on top of (or instead of) a package;
  they count against their station's capacity like the package's items.
- ``capacity_rule``: a station's limit on one weekday (0 Monday .. 6 Sunday);
  ``station_id`` NULL is the whole centre (guests a day).
- ``capacity_exception``: a date's own limit for a station or the whole
  centre (holiday, closure: ``closed``).  A date exception wins over the
  weekday rule, which wins over the station's catalogue ``daily_capacity``.
  The unique indexes hold one rule per station and weekday and one exception
  per station and date; the partial ones do the same for the centre (NULL).
"""

COMMON = [
    'ALTER TABLE "booking" ADD COLUMN "half_day" VARCHAR(2) NOT NULL DEFAULT \'am\'',
    'ALTER TABLE "booking" ADD COLUMN "cancel_reason" VARCHAR(255) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "booking" ADD COLUMN "cancelled_by" VARCHAR(64) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "booking" ADD COLUMN "no_show_by" VARCHAR(64) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "booking" ADD COLUMN "override_reason" VARCHAR(255) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "booking" ADD COLUMN "override_by" VARCHAR(64) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "booking" ADD COLUMN "channel" VARCHAR(16) NOT NULL DEFAULT \'desk\'',
    'ALTER TABLE "booking" ADD COLUMN "no_show_undone_by" VARCHAR(64) NOT NULL DEFAULT \'\'',
]

SQLITE = COMMON + [
    'ALTER TABLE "booking" ADD COLUMN "cancelled_at" DATETIME',
    'ALTER TABLE "booking" ADD COLUMN "no_show_at" DATETIME',
    """CREATE TABLE "booking_item" ("id" INTEGER NOT NULL PRIMARY KEY, "booking_id" INTEGER NOT NULL,
       "item_id" INTEGER NOT NULL, FOREIGN KEY ("booking_id") REFERENCES "booking" ("id") ON DELETE CASCADE,
       FOREIGN KEY ("item_id") REFERENCES "exam_item" ("id"))""",
    """CREATE TABLE "capacity_rule" ("id" INTEGER NOT NULL PRIMARY KEY, "station_id" INTEGER,
       "weekday" INTEGER NOT NULL, "daily_limit" INTEGER NOT NULL, "updated_by" VARCHAR(64) NOT NULL,
       "updated_at" DATETIME NOT NULL, FOREIGN KEY ("station_id") REFERENCES "station" ("id"),
       CHECK ("weekday" BETWEEN 0 AND 6), CHECK ("daily_limit" >= 0))""",
    """CREATE TABLE "capacity_exception" ("id" INTEGER NOT NULL PRIMARY KEY, "station_id" INTEGER,
       "day" DATE NOT NULL, "closed" INTEGER NOT NULL DEFAULT 0, "daily_limit" INTEGER,
       "note" VARCHAR(128) NOT NULL, "updated_by" VARCHAR(64) NOT NULL, "updated_at" DATETIME NOT NULL,
       FOREIGN KEY ("station_id") REFERENCES "station" ("id"), CHECK ("daily_limit" >= 0))""",
]

POSTGRESQL = COMMON + [
    'ALTER TABLE "booking" ADD COLUMN "cancelled_at" TIMESTAMP',
    'ALTER TABLE "booking" ADD COLUMN "no_show_at" TIMESTAMP',
    """CREATE TABLE "booking_item" ("id" SERIAL NOT NULL PRIMARY KEY, "booking_id" INTEGER NOT NULL,
       "item_id" INTEGER NOT NULL, FOREIGN KEY ("booking_id") REFERENCES "booking" ("id") ON DELETE CASCADE,
       FOREIGN KEY ("item_id") REFERENCES "exam_item" ("id"))""",
    """CREATE TABLE "capacity_rule" ("id" SERIAL NOT NULL PRIMARY KEY, "station_id" INTEGER,
       "weekday" INTEGER NOT NULL, "daily_limit" INTEGER NOT NULL, "updated_by" VARCHAR(64) NOT NULL,
       "updated_at" TIMESTAMP NOT NULL, FOREIGN KEY ("station_id") REFERENCES "station" ("id"),
       CHECK ("weekday" BETWEEN 0 AND 6), CHECK ("daily_limit" >= 0))""",
    """CREATE TABLE "capacity_exception" ("id" SERIAL NOT NULL PRIMARY KEY, "station_id" INTEGER,
       "day" DATE NOT NULL, "closed" BOOLEAN NOT NULL DEFAULT FALSE, "daily_limit" INTEGER,
       "note" VARCHAR(128) NOT NULL, "updated_by" VARCHAR(64) NOT NULL, "updated_at" TIMESTAMP NOT NULL,
       FOREIGN KEY ("station_id") REFERENCES "station" ("id"), CHECK ("daily_limit" >= 0))""",
]

INDEXES = [
    'CREATE UNIQUE INDEX "booking_item_booking_item" ON "booking_item" ("booking_id", "item_id")',
    'CREATE INDEX "booking_item_item_id" ON "booking_item" ("item_id")',
    'CREATE INDEX "booking_exam_date_status" ON "booking" ("exam_date", "status")',
    'CREATE UNIQUE INDEX "capacity_rule_station_weekday" ON "capacity_rule" ("station_id", "weekday")',
    'CREATE UNIQUE INDEX "capacity_rule_centre_weekday" ON "capacity_rule" ("weekday") WHERE "station_id" IS NULL',
    'CREATE UNIQUE INDEX "capacity_exception_station_day" ON "capacity_exception" ("station_id", "day")',
    'CREATE UNIQUE INDEX "capacity_exception_centre_day" ON "capacity_exception" ("day") WHERE "station_id" IS NULL',
    'CREATE INDEX "capacity_exception_day" ON "capacity_exception" ("day")',
]


def upgrade(db, dialect):
    for statement in (SQLITE if dialect == "sqlite" else POSTGRESQL) + INDEXES:
        db.execute_sql(statement)
