"""0002: rules the model classes cannot express, and prefix-search indexes.

- the audit log is append-only: UPDATE and DELETE are refused by triggers;
- a belongings tag can be out to one guest at a time (partial unique index);
- prefix search on name and pinyin initials uses an index on PostgreSQL too.
"""

SQLITE = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE UNIQUE INDEX belonging_tag_in_use ON belonging (tag_no) WHERE status = 'stored'""",
    """CREATE INDEX guest_name ON guest (name)""",
]

POSTGRESQL = [
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE UNIQUE INDEX belonging_tag_in_use ON belonging (tag_no) WHERE status = 'stored'""",
    """CREATE INDEX guest_name_prefix ON guest (name varchar_pattern_ops)""",
    """CREATE INDEX guest_pinyin_prefix ON guest (pinyin_initials varchar_pattern_ops)""",
]


def upgrade(db, dialect):
    for statement in SQLITE if dialect == "sqlite" else POSTGRESQL:
        db.execute_sql(statement)
