"""storage.db.transaction(): all or nothing, also when the COMMIT itself is refused."""

import pytest

from frontdesk.storage import db
from frontdesk.storage import models as m
from frontdesk.storage.db import database
from frontdesk.storage.queries import IntegrityError


def test_a_commit_refused_by_a_deferred_constraint_leaves_nothing_and_no_open_transaction(fdb):
    if not fdb.startswith("sqlite"):
        pytest.skip("deferred foreign keys by pragma: SQLite")
    with pytest.raises(IntegrityError):
        with db.transaction():
            database.execute_sql("PRAGMA defer_foreign_keys = ON")
            m.User.create(username="kept-out", display_name="x", role="reception", password_hash="x")
            database.execute_sql("INSERT INTO visit_item (visit_id, item_id, status, is_addon, price, payer, added_at, "
                                 "added_by, reason) VALUES (999999, 999999, 'pending', 0, 0, 'guest', "
                                 "'2026-01-01', '', '')")
    assert not database.in_transaction()
    with db.transaction():  # the next service call starts cleanly
        m.User.create(username="next-one", display_name="y", role="reception", password_hash="y")
    assert [u.username for u in m.User.select()] == ["next-one"]


def test_nested_transaction_failure_rolls_back_only_the_inner_part(fdb):
    with db.transaction():
        m.User.create(username="outer", display_name="x", role="reception", password_hash="x")
        with pytest.raises(IntegrityError):
            with db.transaction():
                m.User.create(username="inner", display_name="x", role="reception", password_hash="x")
                m.User.create(username="outer", display_name="dup", role="reception", password_hash="x")
    assert [u.username for u in m.User.select()] == ["outer"]
