"""Lists that refresh by themselves when another desk changes something, and the connection light.

One watcher thread per desk (a plain Python thread, never the UI thread)
blocks in ``services.changes.ChangeWatcher.wait`` and hands what it heard to
the ``hub()`` on the UI thread through queued signals.  Screens subscribe
with ``subscribe(widget, topics, reload)``: the reload runs (debounced, only
while the widget is visible) on the UI thread, and it is the screen's own
reload, which already fetches off the UI thread (``run_in_background``).  A
hidden screen reloads when it is shown, as before.

The hub also carries whether the database answers: the watcher's connection
tells within a second or so, and a ``DatabaseError`` from a background job
says so at once; the main window shows it in the status bar.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from frontdesk.services.changes import ChangeWatcher, Topic

log = logging.getLogger(__name__)

DEBOUNCE_MS = 250


class Hub(QObject):
    changed = Signal(object)             # frozenset[Topic]
    connection_changed = Signal(bool)    # True: the database answers
    _heard = Signal(object, bool)        # from the watcher thread (queued onto the UI thread)

    def __init__(self) -> None:
        super().__init__()
        self.connected: bool | None = None
        self._heard.connect(self._on_heard, Qt.ConnectionType.QueuedConnection)

    def _on_heard(self, topics, connected: bool) -> None:
        self.set_connected(connected)
        if topics:
            self.changed.emit(frozenset(topics))

    def set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self.connection_changed.emit(connected)


_hub: Hub | None = None


def hub() -> Hub:
    global _hub
    if _hub is None:
        _hub = Hub()
    return _hub


def subscribe(widget: QWidget, topics: Iterable[Topic], reload: Callable[[], None]) -> None:
    """Call ``reload()`` when another desk changes one of ``topics`` while ``widget`` is shown."""
    wanted = frozenset(topics)
    timer = QTimer(widget, singleShot=True, interval=DEBOUNCE_MS)

    def fire() -> None:
        if widget.isVisible():
            reload()

    timer.timeout.connect(fire)

    def heard(topics) -> None:
        if wanted & topics and widget.isVisible():
            timer.start()

    hub().changed.connect(heard)
    # The connection goes when the widget does (a hub signal must not call into a deleted screen).
    widget.destroyed.connect(lambda *_: _disconnect(heard))


def _disconnect(slot) -> None:
    try:
        hub().changed.disconnect(slot)
    except (RuntimeError, TypeError):
        pass


class Watching:
    """The watcher thread; ``stop()`` ends it (the window closing, the database switched)."""

    def __init__(self, *, interval: float = 1.0, watcher: ChangeWatcher | None = None) -> None:
        from frontdesk.storage.db import database

        self.interval = interval
        self.watcher = watcher or ChangeWatcher()
        self._owner = database.obj  # the database this desk opened: a new one (tests, a switch) ends us
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-refresh", daemon=True)
        self._hub = hub()

    def start(self) -> Watching:
        self._thread.start()
        return self

    def _run(self) -> None:
        from frontdesk.storage.db import database

        try:
            while not self._stop.is_set() and database.obj is self._owner:
                notice = self.watcher.wait(self.interval)
                if self._stop.is_set():
                    break
                self._hub._heard.emit(notice.topics, notice.connected)
        except Exception:  # a bug here must not kill the desk, only the live refresh
            log.exception("live refresh stopped")
        finally:
            self.watcher.close()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        self._thread.join(timeout)


def database_error_seen(exc: BaseException) -> None:
    """A background job failed on the database: show the desk as cut off until the watcher hears it again."""
    from frontdesk.errors import DatabaseError

    if isinstance(exc, DatabaseError) and _is_connection_message(exc.message):
        hub().set_connected(False)


def _is_connection_message(text: str) -> bool:
    return any(word in text for word in ("连接", "connection", "reach"))
