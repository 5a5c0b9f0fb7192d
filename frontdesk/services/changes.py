"""What changed at other desks, for lists that refresh by themselves (no Qt here).

``ChangeWatcher.wait(timeout)`` blocks (on a thread of the caller's choosing,
never the UI thread) until a change commits anywhere on the database, and
returns the topics it touches: the lists that should reload.  PostgreSQL
names the tables (LISTEN/NOTIFY, migration 0011); SQLite only says that
something changed (``PRAGMA data_version``), which then means every topic.

The watcher keeps its own connection and opens a new one by itself when it
is lost; ``connected`` says whether the database answers, which the desk's
status bar shows (a desk learns of a lost server within seconds, not at its
next save).
"""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass

from frontdesk.storage import change_feed

log = logging.getLogger(__name__)


class Topic(enum.Enum):
    QUEUE = "queue"          # today's arrivals and check-ins (check-in page, visits in progress)
    CLOSEOUT = "closeout"    # the close-out list
    REPORTS = "reports"      # the report shelf, pick-up appointments, calls
    LABELS = "labels"        # the labels page and the day's specimens
    BOOKINGS = "bookings"    # bookings and preparation


_TOPICS_OF_TABLE = {
    "guest": {Topic.QUEUE, Topic.CLOSEOUT, Topic.REPORTS, Topic.LABELS, Topic.BOOKINGS},
    "visit": {Topic.QUEUE, Topic.CLOSEOUT, Topic.REPORTS, Topic.LABELS, Topic.BOOKINGS},
    "visit_item": {Topic.QUEUE, Topic.CLOSEOUT, Topic.LABELS},
    "receipt": {Topic.QUEUE, Topic.CLOSEOUT},
    "specimen": {Topic.CLOSEOUT, Topic.LABELS},
    "belonging": {Topic.CLOSEOUT},
    "booking": {Topic.QUEUE, Topic.BOOKINGS},
    "report_arrival": {Topic.REPORTS},
    "report_handout": {Topic.REPORTS},
    "report_call": {Topic.REPORTS},
    "pickup_appointment": {Topic.REPORTS},
    "contract": {Topic.BOOKINGS},
    "day_close": {Topic.QUEUE},
}
ALL_TOPICS = frozenset(Topic)


def topics_of(tables: set[str]) -> frozenset[Topic]:
    """The lists touched by changes to ``tables`` (``*``: unknown, so all of them)."""
    if change_feed.ANYTHING in tables:
        return ALL_TOPICS
    found: set[Topic] = set()
    for table in tables:
        found |= _TOPICS_OF_TABLE.get(table, set())
    return frozenset(found)


@dataclass(frozen=True)
class ChangeNotice:
    topics: frozenset[Topic]
    connected: bool


class ChangeWatcher:
    """Waits for other desks' changes; survives a lost connection (it reconnects by itself).

    ``settle``: after the first change, wait this long for more so a burst
    (a check-in writes many tables) is one reload, not ten.
    """

    PING_EVERY = 5.0

    def __init__(self, *, poll_seconds: float = 0.5, settle: float = 0.15) -> None:
        self.poll_seconds = poll_seconds
        self.settle = settle
        self.connected = False
        self._feed = None
        self._last_ping = 0.0

    def _ensure_feed(self):
        if self._feed is None:
            self._feed = change_feed.open_feed(self.poll_seconds)
            self._last_ping = time.monotonic()
        return self._feed

    def wait(self, timeout: float = 1.0) -> ChangeNotice:
        """The topics changed within ``timeout`` seconds (maybe none), and whether the database answers.

        After a reconnect every topic is reported: what changed while the
        desk was cut off is unknown.
        """
        was_connected = self.connected
        try:
            feed = self._ensure_feed()
            tables = feed.wait(timeout)
            if tables and self.settle:
                tables |= feed.wait(self.settle)
            if time.monotonic() - self._last_ping > self.PING_EVERY:
                feed.ping()
                self._last_ping = time.monotonic()
        except change_feed.FeedLost as exc:
            if self.connected:
                log.warning("change feed lost: %s", exc)
            self.connected = False
            self._drop()
            time.sleep(min(timeout, 1.0))  # retry at the next call, not in a tight loop
            return ChangeNotice(frozenset(), False)
        self.connected = True
        if not was_connected and self._feed is not None and _seen_before(self):
            return ChangeNotice(ALL_TOPICS, True)
        return ChangeNotice(topics_of(tables), True)

    def _drop(self) -> None:
        if self._feed is not None:
            self._feed.close()
            self._feed = None
        self._lost_once = True

    def close(self) -> None:
        self._drop()
        self.connected = False


def _seen_before(watcher: ChangeWatcher) -> bool:
    """True after a reconnect (not at the first connect): the lists reload once to catch up."""
    return getattr(watcher, "_lost_once", False)
