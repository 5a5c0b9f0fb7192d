"""Slow work off the UI thread: one helper runs a function on a pool thread
and delivers its result (or its error) back on the UI thread, in one place."""

from __future__ import annotations

import logging
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], object]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - delivered to the UI thread, which decides
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


_running: set[_Job] = set()


def run_in_background(fn: Callable[[], object], on_done: Callable[[object], None],
                      on_error: Callable[[BaseException], None] | None = None, *, context: QObject | None = None) -> None:
    """Run ``fn()`` on a pool thread; call ``on_done(result)`` or ``on_error(exc)`` on the UI thread.

    ``context``: if that widget is gone by the time the job ends, the callbacks are dropped.
    """
    job = _Job(fn)
    _running.add(job)

    def finish(callback, value):
        _running.discard(job)
        if context is not None and not shiboken6.isValid(context):
            return  # the screen that asked was closed meanwhile
        callback(value)

    def fail(exc):
        from frontdesk.ui import live_refresh  # the status bar shows a lost database at once

        live_refresh.database_error_seen(exc)
        if on_error is not None:
            finish(on_error, exc)
        else:
            from frontdesk.ui.error_dialogs import show_error

            finish(lambda e: show_error(context, e), exc)

    queued = Qt.ConnectionType.QueuedConnection
    job.signals.done.connect(lambda result: finish(on_done, result), type=queued)
    job.signals.failed.connect(fail, type=queued)
    QThreadPool.globalInstance().start(job)


def wait_for_idle(timeout_ms: int = 10000) -> bool:
    """For tests and shutdown: wait until no background job is running."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
