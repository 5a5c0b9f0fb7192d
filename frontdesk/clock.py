"""The clock the services record times with.

Every time a service stores (``checked_in_at``, ``issued_at``, ``collected_at``
...) and every "today" it assumes comes from here, not from
``datetime.now()`` / ``date.today()``.  Normally the clock is the wall clock.
The demo builds its past days by pinning the clock to a moment of that day
and advancing it as the day goes on, so a receipt issued "yesterday at 09:12"
carries that time, exactly as if the desk had issued it then; tests pin it to
get fixed times.

- ``now()``: the current moment, timezone-aware UTC.
- ``today()``: the current local date (the desk's day).
- ``local_now()``: the current moment in local time.
- ``pinned(moment)``: a context manager that pins the clock to ``moment``
  (an aware datetime, or a naive one taken as local time) and restores the
  previous state after; ``advance(delta)`` moves a pinned clock forward;
  ``pin(moment)`` / ``unpin()`` do the same without a ``with``.

The pin is process-wide (not per thread): the demo and tests that pin it run
one thing at a time.  No Qt, no peewee: the domain, storage and services may
all use it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

UTC = dt.timezone.utc

_lock = threading.Lock()
_pinned: dt.datetime | None = None


def _aware(moment: dt.datetime) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        raise TypeError(f"a datetime is needed, not {type(moment).__name__}")
    if moment.tzinfo is None:
        moment = moment.astimezone()  # naive: local time
    return moment.astimezone(UTC)


def now() -> dt.datetime:
    """The current moment (aware, UTC): the pinned one if the clock is pinned."""
    pinned = _pinned
    return pinned if pinned is not None else dt.datetime.now(UTC)


def local_now() -> dt.datetime:
    """The current moment in the local time zone (aware)."""
    return now().astimezone()


def today() -> dt.date:
    """The desk's current day: the local date of ``now()``."""
    return local_now().date()


def is_pinned() -> bool:
    return _pinned is not None


def pin(moment: dt.datetime) -> None:
    """Pin the clock to ``moment`` (a naive datetime is local time) until ``unpin``."""
    global _pinned
    value = _aware(moment)
    with _lock:
        _pinned = value


def unpin() -> None:
    """Back to the wall clock."""
    global _pinned
    with _lock:
        _pinned = None


def advance(delta: dt.timedelta) -> dt.datetime:
    """Move the pinned clock forward by ``delta``; returns the new moment."""
    global _pinned
    with _lock:
        if _pinned is None:
            raise RuntimeError("the clock is not pinned")
        _pinned = _pinned + delta
        return _pinned


@contextmanager
def pinned(moment: dt.datetime) -> Iterator[None]:
    """Run the block with the clock pinned at ``moment``; the previous state comes back after."""
    global _pinned
    previous = _pinned
    pin(moment)
    try:
        yield
    finally:
        with _lock:
            _pinned = previous
