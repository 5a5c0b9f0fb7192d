"""0008: a group contract's packages by sex, age band and grade (职级).

``contract_package_rule``: one line of a contract's package table.  Each of
``sex`` (``M``/``F``), the age band (``min_age``..``max_age``, either end
open) and ``grade`` may be left empty (= any).  The most specific matching
line decides (the one that names the most of sex, age band and grade; among
equally specific lines the lowest ``sort_order``); the contract's own
package / male / female fields remain the fallback.  Rules go with their
contract (ON DELETE CASCADE); a rule's package must exist.

``contract.version`` counts the edits of a contract, so a supervisor saving
a contract another supervisor changed since it was opened is told, not
silently overwritten.
"""

SQLITE = [
    'ALTER TABLE "contract" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    """CREATE TABLE "contract_package_rule" ("id" INTEGER NOT NULL PRIMARY KEY, "contract_id" INTEGER NOT NULL,
       "sex" VARCHAR(1), "min_age" INTEGER, "max_age" INTEGER, "grade" VARCHAR(32), "package_id" INTEGER NOT NULL,
       "sort_order" INTEGER NOT NULL DEFAULT 0,
       FOREIGN KEY ("contract_id") REFERENCES "contract" ("id") ON DELETE CASCADE,
       FOREIGN KEY ("package_id") REFERENCES "package" ("id"),
       CHECK ("sex" IS NULL OR "sex" IN ('M', 'F')),
       CHECK ("min_age" IS NULL OR "min_age" >= 0), CHECK ("max_age" IS NULL OR "max_age" >= 0),
       CHECK ("min_age" IS NULL OR "max_age" IS NULL OR "min_age" <= "max_age"))""",
]

POSTGRESQL = [
    'ALTER TABLE "contract" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1',
    """CREATE TABLE "contract_package_rule" ("id" SERIAL NOT NULL PRIMARY KEY, "contract_id" INTEGER NOT NULL,
       "sex" VARCHAR(1), "min_age" INTEGER, "max_age" INTEGER, "grade" VARCHAR(32), "package_id" INTEGER NOT NULL,
       "sort_order" INTEGER NOT NULL DEFAULT 0,
       FOREIGN KEY ("contract_id") REFERENCES "contract" ("id") ON DELETE CASCADE,
       FOREIGN KEY ("package_id") REFERENCES "package" ("id"),
       CHECK ("sex" IS NULL OR "sex" IN ('M', 'F')),
       CHECK ("min_age" IS NULL OR "min_age" >= 0), CHECK ("max_age" IS NULL OR "max_age" >= 0),
       CHECK ("min_age" IS NULL OR "max_age" IS NULL OR "min_age" <= "max_age"))""",
]

INDEXES = [
    'CREATE INDEX "contract_package_rule_contract_id" ON "contract_package_rule" ("contract_id", "sort_order")',
    'CREATE INDEX "contract_package_rule_package_id" ON "contract_package_rule" ("package_id")',
]


def upgrade(db, dialect):
    for statement in (SQLITE if dialect == "sqlite" else POSTGRESQL) + INDEXES:
        db.execute_sql(statement)
