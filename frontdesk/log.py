"""Logging to a rotating file in the data folder, and the last-resort crash handler."""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import sys
from collections.abc import Callable

from frontdesk import paths

_crash_listener: Callable[[str, BaseException], None] | None = None
_fault_file = None


def setup(level: int = logging.INFO, *, to_stderr: bool = False) -> None:
    """Log to the data folder's file (and stderr if asked); safe to call again.

    A second call replaces the handlers and the fault file of the first one
    and closes them, so nothing is left open and no message is written twice.
    """
    root = logging.getLogger()
    target = paths.log_path()
    for old in [h for h in root.handlers if getattr(h, "_frontdesk", False)]:
        root.removeHandler(old)  # the data folder may have changed (tests, --db elsewhere): log there instead
        old.close()
    handler = logging.handlers.RotatingFileHandler(target, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._frontdesk = True
    root.addHandler(handler)
    if to_stderr:
        stream = logging.StreamHandler()
        stream._frontdesk = True
        root.addHandler(stream)
    root.setLevel(level)
    global _fault_file
    # A hard crash inside Qt leaves no Python traceback; faulthandler writes one.
    old_fault = _fault_file
    _fault_file = open(target.with_name("faults.log"), "a", encoding="utf-8")  # noqa: SIM115
    faulthandler.enable(_fault_file)
    if old_fault is not None:
        old_fault.close()
    sys.excepthook = _excepthook


def set_crash_listener(listener: Callable[[str, BaseException], None] | None) -> None:
    """The GUI registers a function that shows the crash dialog."""
    global _crash_listener
    _crash_listener = listener


def _excepthook(exc_type, exc, tb) -> None:
    logging.getLogger("frontdesk.crash").critical("unexpected error", exc_info=(exc_type, exc, tb))
    if _crash_listener is not None and not issubclass(exc_type, KeyboardInterrupt):
        _crash_listener(str(paths.log_path()), exc)
    else:
        sys.__excepthook__(exc_type, exc, tb)
