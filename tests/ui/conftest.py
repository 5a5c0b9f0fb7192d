import os
from pathlib import Path

import pytest

from frontdesk.ui import worker

# Offscreen Qt's screen is 800 x 600 unless told otherwise: the widget tests run on the desk's
# 1366 x 768 monitor instead (set before the test session creates its QApplication).
if os.environ.get("QT_QPA_PLATFORM") == "offscreen" and os.name != "nt":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={Path(__file__).with_name('offscreen-1366x768.json')}"


@pytest.fixture
def app(qapp):
    from frontdesk.app import create_application

    return create_application()


@pytest.fixture
def demo_db(fdb, demo_copy):
    """A small demo day: catalogue, demo accounts, yesterday finished and this morning in progress."""
    import datetime as dt

    demo_copy(days=1, scale=0.4, seed=3, today=dt.date.today())
    return fdb


def settle(qtbot, timeout_ms: int = 10000):
    """Let background jobs finish and their results reach the widgets, including
    jobs that those results started (e.g. a retry after a supervisor signed)."""
    qtbot.wait(1)
    worker.wait_for_idle(timeout_ms)
    qtbot.wait(20)
    qtbot.waitUntil(lambda: not worker._running, timeout=timeout_ms)
    qtbot.wait(20)


@pytest.fixture
def print_to_pdf(tmp_path, monkeypatch):
    """Printing goes through Qt into PDF files instead of a device.

    Call it with the printer resolution; it returns the list the files are added to.
    """
    from PySide6.QtPrintSupport import QPrinter

    from frontdesk.ui import document_preview_dialog

    def install(dpi: int) -> list:
        files = []

        def factory(name):
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setResolution(dpi)
            path = tmp_path / f"printed-{len(files)}.pdf"
            printer.setOutputFileName(str(path))
            files.append(path)
            return printer

        monkeypatch.setattr(document_preview_dialog, "printer_factory", factory)
        monkeypatch.setattr(document_preview_dialog, "printer_problem", lambda name: None)  # a printer is there
        return files

    return install


class UnexpectedDialog(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    """A modal message box would hang an offscreen test: fail with its text instead.

    Tests that expect a dialog patch the QMessageBox function they expect.
    """
    from PySide6.QtWidgets import QMessageBox

    def refuse(*args, **kwargs):
        texts = [a for a in args if isinstance(a, str)]
        raise UnexpectedDialog(f"unexpected modal dialog: {texts}")

    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(refuse))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: refuse(self.text()))
