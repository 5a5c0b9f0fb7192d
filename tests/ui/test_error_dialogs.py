import logging

from PySide6.QtWidgets import QMessageBox

from frontdesk import log as logsetup
from frontdesk import paths
from frontdesk.errors import ValidationError
from frontdesk.ui import error_dialogs


def test_bug_is_logged_and_shown_with_the_log_path(app, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    logsetup.setup()
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError as exc:
        error_dialogs.show_error(None, exc)
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "boom in a slot" in shown[0] and str(paths.log_path()) in shown[0]
    assert "Traceback" in paths.log_path().read_text(encoding="utf-8")


def test_user_error_is_a_plain_message_without_traceback(app, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: shown.append(text)))
    error_dialogs.show_error(None, ValidationError("手机号应为11位"))
    assert shown == ["手机号应为11位"]


def test_uncaught_exception_reaches_the_crash_listener(app, monkeypatch):
    seen = []
    logsetup.setup()
    logsetup.set_crash_listener(lambda path, exc: seen.append((path, str(exc))))
    try:
        try:
            raise KeyError("unexpected")
        except KeyError as exc:
            logsetup._excepthook(type(exc), exc, exc.__traceback__)
    finally:
        logsetup.set_crash_listener(None)
    assert seen and seen[0][0] == str(paths.log_path()) and "unexpected" in seen[0][1]
