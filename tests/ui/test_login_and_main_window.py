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
    assert page.model.rowCount() > 0
    for action in ("login", "user.create"):  # the demo day's log is long: filter for each
        page.action.setCurrentIndex(page.action.findData(action))
        page.refresh()
        settle(qtbot)
        shown = {page.model.table.rows[r][3] for r in range(page.model.rowCount())}
        assert len(shown) == 1  # only that action (shown in words)


def test_ctrl_number_switches_task(app, qtbot, demo_db):
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert window.stack.currentWidget().objectName() == "page_closeout"
    assert window.current_task() == "closeout"


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


def test_scan_of_a_guide_sheet_still_open_today_opens_its_close_out(app, qtbot, demo_db):
    # The guide sheet coming back to the counter: scanned on the check-in page it goes to close-out.
    from frontdesk import clock

    visit = (m.Visit.select().where((m.Visit.status == "checked_in") & (m.Visit.visit_date == clock.today()))
             .order_by(m.Visit.id).first())
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    assert window.current_task() == "checkin"
    window.nav.setFocus()
    for ch in visit.visit_no:
        qtbot.keyClick(window.nav, ch)
    qtbot.keyClick(window.nav, Qt.Key.Key_Return)
    settle(qtbot)
    assert window.current_task() == "closeout"
    page = window.pages["closeout"]
    qtbot.waitUntil(lambda: page.view is not None and page.view.visit_id == visit.id)
    assert getattr(window, "last_visit_dialog", None) is None


def test_a_guide_sheet_scanned_into_the_check_in_search_goes_to_its_close_out(app, qtbot, demo_db):
    # After login the focus is in the check-in search box: the scanner types there.
    from frontdesk import clock

    visit = (m.Visit.select().where((m.Visit.status == "checked_in") & (m.Visit.visit_date == clock.today()))
             .order_by(m.Visit.id).first())
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    checkin = window.pages["checkin"]
    checkin.search_box.setFocus()
    qtbot.keyClicks(checkin.search_box, visit.visit_no)
    qtbot.keyClick(checkin.search_box, Qt.Key.Key_Return)
    settle(qtbot)
    assert window.current_task() == "closeout"
    page = window.pages["closeout"]
    qtbot.waitUntil(lambda: page.view is not None and page.view.visit_id == visit.id)
    assert checkin.search_box.text() == ""  # the next scan at check-in starts afresh


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


# -- start-up, window place, status bar --------------------------------------------------------------------------

def test_start_up_shows_the_login_before_the_database_is_open_then_the_check_in_page(app, qtbot, demo_db):
    from frontdesk.app import Startup

    startup = Startup(config.load(), demo_db)
    shown = []
    startup.login_shown.connect(lambda: shown.append(startup.login_dialog.db_label.text()))
    startup.begin()
    dialog = startup.login_dialog
    assert dialog.isVisible() and shown and "正在打开" in shown[0]  # on screen before the database is open
    assert not dialog.ready
    dialog.username.setText("qiantai")
    dialog.password.setText("demo-desk-2026")
    dialog.try_login()  # Enter while the database opens: logs in as soon as it is open
    assert "请稍候" in dialog.message.text()
    with qtbot.waitSignal(startup.main_window_ready, timeout=20000) as ready:
        pass
    window = ready.args[0]
    qtbot.addWidget(window)
    assert window.current_task() == "checkin" and window.isVisible()
    assert window.pages["checkin"].session.username == "qiantai"  # the page built ahead got the session
    settle(qtbot)
    window.close()


def test_start_up_with_a_wrong_password_stays_at_the_login(app, qtbot, demo_db):
    from frontdesk.app import Startup

    startup = Startup(config.load(), demo_db)
    startup.begin()
    qtbot.waitUntil(lambda: startup.login_dialog.ready and startup.is_warm, timeout=20000)
    dialog = startup.login_dialog
    dialog.username.setText("qiantai")
    dialog.password.setText("not-the-password")
    dialog.try_login()
    assert startup.window is None and dialog.isVisible() and "错误" in dialog.message.text()
    dialog.password.setText("demo-desk-2026")
    dialog.try_login()
    assert startup.window is not None and startup.window.current_task() == "checkin"
    qtbot.addWidget(startup.window)
    settle(qtbot)
    startup.window.close()


def _maximised_on_first_start(qtbot):
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    window.hide()
    window.show_in_place()
    return window


def test_main_window_opens_maximised_first_then_where_it_was_left(app, qtbot, demo_db):
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QGuiApplication

    first = _maximised_on_first_start(qtbot)
    assert first.isMaximized()
    first.showNormal()
    area = QGuiApplication.primaryScreen().availableGeometry()
    place = QRect(area.x() + 40, area.y() + 40, 1120, 660)  # a 1366 x 768 screen (tests/ui/conftest.py)
    first.setGeometry(place)
    first.close()  # remembers its place

    second = _window(qtbot, "qiantai", "demo-desk-2026")
    second.hide()
    second.show_in_place()
    assert not second.isMaximized() and second.geometry() == place
    second.showMaximized()
    second.close()

    third = _window(qtbot, "qiantai", "demo-desk-2026")
    third.hide()
    third.show_in_place()
    assert third.isMaximized()  # it was closed maximised
    third.close()


def test_a_remembered_place_on_a_screen_that_is_gone_opens_maximised(app, qtbot, demo_db):
    from frontdesk.ui import screen_fit

    store = screen_fit._window_settings()
    store.setValue("main/geometry", [5000, 4000, 900, 600])  # a second monitor since unplugged
    store.setValue("main/maximized", False)
    store.sync()
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    window.hide()
    assert screen_fit.restore_window_place(window) is False
    assert window.isMaximized()
    window.close()


def test_long_status_messages_end_before_the_user_desk_and_database_labels(app, qtbot, demo_db):
    window = _window(qtbot, "qiantai", "demo-desk-2026")
    window.resize(1280, 700)
    settle(qtbot)
    message = "标签没有打印：" + "打印机没有响应，请检查电源和网线。" * 12
    window.statusBar().showMessage(message)
    bar = window.statusBar()
    shown = bar.shown_message()
    assert shown != message and shown.endswith("…")
    assert bar.message_rect().right() < window.user_label.x()
    assert bar.fontMetrics().horizontalAdvance(shown) <= bar.message_rect().width()
    assert bar.toolTip() == message  # the whole text is there on hovering
    window.statusBar().showMessage("已保存")
    assert bar.shown_message() == "已保存"


def test_a_long_database_name_does_not_widen_the_main_window(app, qtbot, demo_db):
    session = auth.login("qiantai", "demo-desk-2026", "前台1")
    window = MainWindow(session, config.load(), "SQLite /" + "/very-long-folder-name" * 20 + "/frontdesk.sqlite3")
    qtbot.addWidget(window)
    assert window.minimumSizeHint().width() <= 1280
    assert window.db_label.text().endswith("frontdesk.sqlite3") and "…" in window.db_label.text_shown()


def test_start_up_on_a_new_database_asks_for_the_administrator_first(app, qtbot, fdb, monkeypatch):
    from frontdesk.app import Startup
    from frontdesk.ui import first_admin_dialog

    asked = []

    def create_admin(dialog):
        asked.append(startup.login_dialog.isVisible())
        dialog.username.setText("boss")
        dialog.password.setText("s3cret-pass")
        dialog.repeat.setText("s3cret-pass")
        dialog.create()
        return dialog.result()

    monkeypatch.setattr(first_admin_dialog.FirstAdminDialog, "exec", create_admin)
    startup = Startup(config.load(), fdb)
    startup.begin()
    qtbot.waitUntil(lambda: startup.login_dialog.ready, timeout=20000)
    assert asked == [False]  # the login window stepped aside while the administrator was made
    dialog = startup.login_dialog
    assert dialog.isVisible()
    dialog.username.setText("boss")
    dialog.password.setText("s3cret-pass")
    dialog.try_login()
    assert startup.window is not None and startup.window.session.username == "boss"
    qtbot.addWidget(startup.window)
    settle(qtbot)
    startup.window.close()
