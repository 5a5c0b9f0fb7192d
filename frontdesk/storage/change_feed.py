"""Hearing about other desks' changes, on a connection of its own (never the one the services use).

PostgreSQL: ``LISTEN frontdesk_changes``; migration 0011's statement
triggers send ``<schema>.<table>`` when a change commits.  ``wait`` blocks in
``select()`` on the socket, so a desk costs the server nothing while idle.

SQLite: no channel between processes.  ``PRAGMA data_version`` on a
connection of our own changes whenever ANOTHER connection commits to the
file (one integer read, no table touched), so it is polled every
``poll_seconds``; it says that something changed, not what.
"""

from __future__ import annotations

import select
import sqlite3
import time

import psycopg2

from frontdesk.storage.db import database, dialect

CHANNEL = "frontdesk_changes"
ANYTHING = "*"  # SQLite: something changed, the feed cannot say what


class FeedLost(Exception):
    """The feed's connection failed (server gone, network down); open a new feed later."""


class PostgresFeed:
    def __init__(self, dbname: str, params: dict) -> None:
        try:
            self.conn = psycopg2.connect(database=dbname, **params)
            self.conn.autocommit = True
            with self.conn.cursor() as cur:
                cur.execute("SELECT current_schema()")
                self.schema = cur.fetchone()[0]
                cur.execute(f"LISTEN {CHANNEL}")
        except psycopg2.Error as exc:
            raise FeedLost(str(exc)) from exc

    def wait(self, timeout: float) -> set[str]:
        """The tables changed since the last call (empty after ``timeout`` seconds of quiet)."""
        try:
            if not self.conn.notifies:
                readable, _, _ = select.select([self.conn], [], [], timeout)
                if readable:
                    self.conn.poll()
            else:
                self.conn.poll()
            # A server that went away makes the socket readable and poll() raise or close the
            # connection; a half-open network link is caught by the watcher's periodic ping.
        except (psycopg2.Error, OSError, ValueError) as exc:
            raise FeedLost(str(exc)) from exc
        if self.conn.closed:
            raise FeedLost("connection closed")
        tables = set()
        while self.conn.notifies:
            note = self.conn.notifies.pop(0)
            schema, _, table = note.payload.partition(".")
            if schema == self.schema:
                tables.add(table)
        return tables

    def ping(self) -> None:
        try:
            with self.conn.cursor() as cur:
                cur.execute("SELECT 1")
        except psycopg2.Error as exc:
            raise FeedLost(str(exc)) from exc

    def close(self) -> None:
        try:
            self.conn.close()
        except psycopg2.Error:
            pass


class SqliteFeed:
    def __init__(self, path: str, poll_seconds: float = 0.5) -> None:
        self.poll_seconds = poll_seconds
        try:
            self.conn = sqlite3.connect(path, check_same_thread=False, timeout=1)
            self.version = self._data_version()
        except sqlite3.Error as exc:
            raise FeedLost(str(exc)) from exc

    def _data_version(self) -> int:
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def wait(self, timeout: float) -> set[str]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                now = self._data_version()
            except sqlite3.Error as exc:
                raise FeedLost(str(exc)) from exc
            if now != self.version:
                self.version = now
                return {ANYTHING}
            left = deadline - time.monotonic()
            if left <= 0:
                return set()
            time.sleep(min(self.poll_seconds, left))

    def ping(self) -> None:
        try:
            self._data_version()
        except sqlite3.Error as exc:
            raise FeedLost(str(exc)) from exc

    def close(self) -> None:
        self.conn.close()


def open_feed(poll_seconds: float = 0.5):
    """A feed on the database the desk has open (call after ``db.connect``)."""
    obj = database.obj
    if obj is None:
        raise FeedLost("no database open")
    if dialect() == "postgresql":
        return PostgresFeed(obj.database, dict(obj.connect_params))
    return SqliteFeed(obj.database, poll_seconds)
