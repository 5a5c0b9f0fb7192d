import pytest

from frontdesk.ui import worker


@pytest.fixture
def app(qapp):
    from frontdesk.app import create_application

    return create_application()


@pytest.fixture
def demo_db(fdb):
    """A database with the catalogue, demo accounts and a few demo people."""
    import datetime as dt

    from frontdesk.services import demo

    demo.ensure_catalogue_and_accounts()
    demo.generate(guests=40, visits=40, days=2, seed=3, today=dt.date.today())
    return fdb


def settle(qtbot, timeout_ms: int = 5000):
    """Let background jobs finish and their results reach the widgets."""
    qtbot.wait(1)
    worker.wait_for_idle(timeout_ms)
    qtbot.wait(20)


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
