"""0006: reports at the desk: arrival, the hand-out record, pickup appointments, calls.

- ``report_arrival``: a visit's report reached the desk (who, when, which
  shelf); one per visit, so two desks scanning the same report cannot both
  file it.
- ``report_handout`` gains what a hand-out needs: the proxy's relation and
  whether the guest's authorisation was seen, the courier company, the
  signature (PNG), the desk, and the supervisor who allowed a repeat.
- ``pickup_appointment``: a date and time slot to collect the report or for
  a consultation.
- ``report_call``: the desk called a guest whose report waits (who, when, note).
"""

COMMON = [
    'ALTER TABLE "report_handout" ADD COLUMN "proxy_relation" VARCHAR(32) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "report_handout" ADD COLUMN "courier_company" VARCHAR(64) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "report_handout" ADD COLUMN "desk" VARCHAR(64) NOT NULL DEFAULT \'\'',
    'ALTER TABLE "report_handout" ADD COLUMN "authorised_by" VARCHAR(64) NOT NULL DEFAULT \'\'',
]

SQLITE = COMMON + [
    'ALTER TABLE "report_handout" ADD COLUMN "authorisation_seen" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "report_handout" ADD COLUMN "repeat" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "report_handout" ADD COLUMN "signature_png" BLOB',
    """CREATE TABLE "report_arrival" ("id" INTEGER NOT NULL PRIMARY KEY, "visit_id" INTEGER NOT NULL,
       "received_at" DATETIME NOT NULL, "received_by" VARCHAR(64) NOT NULL, "desk" VARCHAR(64) NOT NULL,
       "shelf_no" VARCHAR(16) NOT NULL, FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"))""",
    """CREATE TABLE "pickup_appointment" ("id" INTEGER NOT NULL PRIMARY KEY, "visit_id" INTEGER NOT NULL,
       "guest_id" INTEGER NOT NULL, "day" DATE NOT NULL, "slot" VARCHAR(16) NOT NULL, "kind" VARCHAR(16) NOT NULL,
       "status" VARCHAR(16) NOT NULL, "note" VARCHAR(128) NOT NULL, "created_at" DATETIME NOT NULL,
       "created_by" VARCHAR(64) NOT NULL, FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"),
       FOREIGN KEY ("guest_id") REFERENCES "guest" ("id"))""",
    """CREATE TABLE "report_call" ("id" INTEGER NOT NULL PRIMARY KEY, "visit_id" INTEGER NOT NULL,
       "called_at" DATETIME NOT NULL, "called_by" VARCHAR(64) NOT NULL, "note" VARCHAR(255) NOT NULL,
       FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"))""",
]

POSTGRESQL = COMMON + [
    'ALTER TABLE "report_handout" ADD COLUMN "authorisation_seen" BOOLEAN NOT NULL DEFAULT FALSE',
    'ALTER TABLE "report_handout" ADD COLUMN "repeat" BOOLEAN NOT NULL DEFAULT FALSE',
    'ALTER TABLE "report_handout" ADD COLUMN "signature_png" BYTEA',
    """CREATE TABLE "report_arrival" ("id" SERIAL NOT NULL PRIMARY KEY, "visit_id" INTEGER NOT NULL,
       "received_at" TIMESTAMP NOT NULL, "received_by" VARCHAR(64) NOT NULL, "desk" VARCHAR(64) NOT NULL,
       "shelf_no" VARCHAR(16) NOT NULL, FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"))""",
    """CREATE TABLE "pickup_appointment" ("id" SERIAL NOT NULL PRIMARY KEY, "visit_id" INTEGER NOT NULL,
       "guest_id" INTEGER NOT NULL, "day" DATE NOT NULL, "slot" VARCHAR(16) NOT NULL, "kind" VARCHAR(16) NOT NULL,
       "status" VARCHAR(16) NOT NULL, "note" VARCHAR(128) NOT NULL, "created_at" TIMESTAMP NOT NULL,
       "created_by" VARCHAR(64) NOT NULL, FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"),
       FOREIGN KEY ("guest_id") REFERENCES "guest" ("id"))""",
    """CREATE TABLE "report_call" ("id" SERIAL NOT NULL PRIMARY KEY, "visit_id" INTEGER NOT NULL,
       "called_at" TIMESTAMP NOT NULL, "called_by" VARCHAR(64) NOT NULL, "note" VARCHAR(255) NOT NULL,
       FOREIGN KEY ("visit_id") REFERENCES "visit" ("id"))""",
]

INDEXES = [
    'CREATE UNIQUE INDEX "report_arrival_visit_id" ON "report_arrival" ("visit_id")',
    'CREATE INDEX "report_arrival_received_at" ON "report_arrival" ("received_at")',
    'CREATE INDEX "pickup_appointment_visit_id" ON "pickup_appointment" ("visit_id")',
    'CREATE INDEX "pickup_appointment_guest_id" ON "pickup_appointment" ("guest_id")',
    'CREATE INDEX "pickup_appointment_day_slot" ON "pickup_appointment" ("day", "slot")',
    'CREATE INDEX "report_call_visit_id" ON "report_call" ("visit_id")',
]


def upgrade(db, dialect):
    for statement in (SQLITE if dialect == "sqlite" else POSTGRESQL) + INDEXES:
        db.execute_sql(statement)
