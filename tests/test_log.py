"""log.setup() may run more than once in a process (the GUI, then a command; every test's data folder):
each call replaces what the previous one opened instead of leaking it."""

import gc
import logging
import sys
import warnings

import pytest

from frontdesk import log as logsetup
from frontdesk import paths


def _ours():
    return [h for h in logging.getLogger().handlers if getattr(h, "_frontdesk", False)]


@pytest.fixture(autouse=True)
def _restore_logging():
    root = logging.getLogger()
    before, level, hook = list(root.handlers), root.level, sys.excepthook
    yield
    for handler in _ours():
        root.removeHandler(handler)
        handler.close()
    for handler in before:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)
    sys.excepthook = hook


def test_setup_again_closes_the_previous_log_and_fault_files():
    logsetup.setup()
    first_handler, first_fault = _ours()[0], logsetup._fault_file
    logsetup.setup()
    logsetup.setup()
    assert first_fault.closed
    assert first_handler.stream is None  # FileHandler.close() drops its stream
    assert len(_ours()) == 1 and not logsetup._fault_file.closed


def test_setup_called_repeatedly_leaves_no_unclosed_file_behind(monkeypatch):
    leaked = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: leaked.append(unraisable))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)  # an unclosed file's finaliser then raises
        for _ in range(3):
            logsetup.setup()
        gc.collect()
    assert [str(u.exc_value) for u in leaked] == []


def test_setup_with_stderr_twice_writes_each_message_once(capsys):
    logsetup.setup(to_stderr=True)
    logsetup.setup(to_stderr=True)
    logging.getLogger("frontdesk.test").warning("only once please")
    assert capsys.readouterr().err.count("only once please") == 1
    for handler in _ours():
        handler.flush()
    assert paths.log_path().read_text(encoding="utf-8").count("only once please") == 1


def test_log_follows_a_new_data_folder(tmp_path, monkeypatch):
    logsetup.setup()
    first = paths.log_path()
    monkeypatch.setenv("FRONTDESK_HOME", str(tmp_path / "elsewhere"))
    logsetup.setup()
    logging.getLogger("frontdesk.test").warning("moved")
    for handler in _ours():
        handler.flush()
    assert "moved" in paths.log_path().read_text(encoding="utf-8") and paths.log_path() != first
    assert "moved" not in first.read_text(encoding="utf-8")
