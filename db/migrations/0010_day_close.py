"""0010: closing a day (日结) after the cash count.

``day_close``: one row per local date and desk ("" = the whole site, when
the site setting ``eod_close_scope`` is "site"): who closed it and when, the
cash expected, counted and the difference (integer cents), and the report as
it was signed (``figures``, JSON).  The unique index on (day, desk) keeps two
desks from closing the same day twice.
"""

SQLITE = [
    """CREATE TABLE "day_close" ("id" INTEGER NOT NULL PRIMARY KEY, "day" DATE NOT NULL,
       "desk" VARCHAR(64) NOT NULL, "scope" VARCHAR(8) NOT NULL, "closed_by" VARCHAR(64) NOT NULL,
       "closed_at" DATETIME NOT NULL, "cash_expected" INTEGER NOT NULL, "cash_counted" INTEGER NOT NULL,
       "cash_difference" INTEGER NOT NULL, "figures" TEXT NOT NULL)""",
]

POSTGRESQL = [
    """CREATE TABLE "day_close" ("id" SERIAL NOT NULL PRIMARY KEY, "day" DATE NOT NULL,
       "desk" VARCHAR(64) NOT NULL, "scope" VARCHAR(8) NOT NULL, "closed_by" VARCHAR(64) NOT NULL,
       "closed_at" TIMESTAMP NOT NULL, "cash_expected" BIGINT NOT NULL, "cash_counted" BIGINT NOT NULL,
       "cash_difference" BIGINT NOT NULL, "figures" TEXT NOT NULL)""",
]

INDEXES = [
    'CREATE UNIQUE INDEX "day_close_day_desk" ON "day_close" ("day", "desk")',
    # The void and refund reports look receipts up by when they were voided.
    'CREATE INDEX "receipt_voided_at" ON "receipt" ("voided_at")',
]


def upgrade(db, dialect):
    for statement in (SQLITE if dialect == "sqlite" else POSTGRESQL) + INDEXES:
        db.execute_sql(statement)
