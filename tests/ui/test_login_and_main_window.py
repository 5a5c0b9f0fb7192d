import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from frontdesk import config
from frontdesk.services import auth
from frontdesk.storage import models as m
from frontdesk.ui.first_admin_dialog import FirstAdminDialog
from frontdesk.ui.login_dialog import LoginDialog
from frontdesk.ui.main_window import MainWindow

from .conftest import settle


def test_first_admin_dialog_creates_the_administrator(app, qtbot, fdb):
    dialog = FirstAdminDialog("前台1")
    qtbot.addWidget(dialog)
    dialog.username.setText("boss")
    dialog.display_name.setText("老板")
    dialog.password.setText("s3cret-pass")
    dialog.repeat.setText("different")
    dialog.create()
    assert "不一致" in dialog.message.text() and not m.User.select().exists()
    dialog.repeat.setText("s3cret-pass")
    dialog.create()
    assert m.User.get().username == "boss" and m.User.get().role == "admin"


def test_login_dialog_with_keyboard(app, qtbot, demo_db):
    dialog = LoginDialog("前台1", "SQLite test")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "qiantai")
    qtbot.keyClicks(dialog.password, "wrong-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.session is None and "错误" in dialog.message.text()
    qtbot.keyClicks(dialog.password, "demo-desk-2026")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.session is not None and dialog.session.username == "qiantai"


def _window(qtbot, username, password):
    session = auth.login(username, password, "前台1")
    window = MainWindow(session, config.load(), "SQLite test")
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    return window


def test_main_window_status_bar_names_user_desk_and_database(app, qtbot, demo_db):
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    assert "李前台" in window.user_label.text() and "前台接待" in window.user_label.text()
    assert "前台1" in window.desk_label.text()
    assert "SQLite test" in window.db_label.text()


def test_reception_cannot_open_the_audit_log(app, qtbot, demo_db):
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    assert window.show_task("audit") is None
    item = window.nav.item(window._index("audit"))
    assert not item.flags() & Qt.ItemFlag.ItemIsEnabled


def test_supervisor_browses_the_audit_log(app, qtbot, demo_db):
    window = _window(qtbot, "zhuguan", "demo-super-2026")
    page = window.show_task("audit")
    settle(qtbot)
    model = page.model
    actions = {model.table.rows[r][3] for r in range(model.rowCount())}
    assert "login" in actions and "user.create" in actions
    page.action.setCurrentIndex(page.action.findData("login"))
    page.refresh()
    settle(qtbot)
    assert {page.model.table.rows[r][3] for r in range(page.model.rowCount())} == {"login"}


def test_ctrl_number_switches_task(app, qtbot, demo_db):
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert window.stack.currentWidget().objectName() == "page_closeout"
    assert window.stack.currentWidget().model.rowCount() == 20  # today's demo visits


@pytest.mark.parametrize("use_field", [True, False])
def test_scan_of_visit_number_opens_the_visit(app, qtbot, demo_db, use_field):
    visit = m.Visit.select().order_by(m.Visit.id).first()
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    if use_field:
        window.scan_field.setFocus()
        qtbot.keyClicks(window.scan_field, visit.visit_no)
        qtbot.keyClick(window.scan_field, Qt.Key.Key_Return)
    else:
        window.nav.setFocus()  # focus on a non-text widget: the scanner's keys are caught globally
        for ch in visit.visit_no:
            qtbot.keyClick(window.nav, ch)
        qtbot.keyClick(window.nav, Qt.Key.Key_Return)
    settle(qtbot)
    dialog = window.last_visit_dialog
    assert dialog.findChild(QLabel, "guestName").text() == visit.guest.name
    dialog.close()


def test_scan_of_mistyped_code_is_refused_clearly(app, qtbot, demo_db, monkeypatch):
    shown = []
    monkeypatch.setattr("frontdesk.ui.main_window.show_error", lambda parent, exc: shown.append(exc))
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    visit = m.Visit.select().first()
    wrong = visit.visit_no[:-1] + str((int(visit.visit_no[-1]) + 1) % 10)
    window.handle_scan(wrong)
    settle(qtbot)
    assert len(shown) == 1 and "校验位" in shown[0].message
    assert "校验位" in window.statusBar().currentMessage()


def test_scan_of_unknown_specimen_says_so(app, qtbot, demo_db, monkeypatch):
    from frontdesk.domain.codes import make_specimen_no
    import datetime as dt

    shown = []
    monkeypatch.setattr("frontdesk.ui.main_window.show_error", lambda parent, exc: shown.append(exc))
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    window.handle_scan(make_specimen_no(dt.date.today(), 99999))
    settle(qtbot)
    assert len(shown) == 1 and "不存在" in shown[0].message


def test_english_ui(app, qtbot, demo_db):
    from frontdesk import i18n

    i18n.set_language("en")
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    assert window.nav.item(0).text() == "Check-in"
    assert "Reception" in window.user_label.text()
