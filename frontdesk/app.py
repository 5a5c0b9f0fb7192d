"""Starting the GUI: the application, fonts, database, login, main window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from frontdesk import config, log as logsetup
from frontdesk.errors import DatabaseError
from frontdesk.i18n import language, tr

log = logging.getLogger(__name__)


def create_application(argv: list[str] | None = None) -> QApplication:
    from frontdesk.ui import qt_translations, theme

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("FrontDesk")
    app.setOrganizationName("FrontDesk")
    theme.install_fonts(app)
    qt_translations.install_qt_translations(app, language())
    theme.apply_style(app)
    return app


def open_database_interactively(settings: config.WorkstationSettings, url: str):
    """Open the database; on failure say why and offer retry, another location or quit."""
    from frontdesk.services import database

    while True:
        try:
            return database.open_database(url)
        except DatabaseError as exc:
            box = QMessageBox(QMessageBox.Icon.Critical, tr("无法打开数据库", "Cannot open the database"), exc.message)
            retry = box.addButton(tr("重试", "Retry"), QMessageBox.ButtonRole.AcceptRole)
            change = box.addButton(tr("更改数据库地址…", "Change database…"), QMessageBox.ButtonRole.ActionRole)
            box.addButton(tr("退出", "Quit"), QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is retry:
                continue
            if box.clickedButton() is not change:
                return None
            new_url, ok = QInputDialog.getText(None, tr("数据库地址", "Database URL"),
                                               tr("sqlite:///文件路径 或 postgresql://用户@主机:端口/库名",
                                                  "sqlite:///FILE or postgresql://user@host:port/db"),
                                               QLineEdit.EchoMode.Normal, url)
            if ok and new_url.strip():
                url = new_url.strip()
                settings.db_url = url
                config.save(settings)


def login(settings: config.WorkstationSettings, target):
    """First start: create the administrator; then the login dialog. Returns a session or None."""
    from frontdesk.services import auth
    from frontdesk.ui.first_admin_dialog import FirstAdminDialog
    from frontdesk.ui.login_dialog import LoginDialog

    if not auth.has_users() and not FirstAdminDialog(settings.desk_name).exec():
        return None
    dialog = LoginDialog(settings.desk_name, target.display())
    return dialog.session if dialog.exec() else None


def warm_up_in_background() -> None:
    """Load what the first registration and receipt need (pinyin tables, ReportLab) while the desk idles."""
    from frontdesk.ui.worker import run_in_background

    def load() -> None:
        from frontdesk.domain.pinyin import pinyin_initials
        from frontdesk.printing import receipt  # noqa: F401 - import is the work

        pinyin_initials("张三")

    run_in_background(load, lambda _: None)


def run_gui(settings: config.WorkstationSettings, url: str) -> int:
    from frontdesk.ui.error_dialogs import show_crash

    app = create_application()
    logsetup.set_crash_listener(lambda path, exc: show_crash(QApplication.activeWindow(), path, exc))
    target = open_database_interactively(settings, url)
    if target is None:
        return 1
    session = login(settings, target)
    if session is None:
        return 0
    from frontdesk.ui.main_window import MainWindow

    window = MainWindow(session, settings, target.display())
    window.show()
    warm_up_in_background()
    log.info("main window shown for %s at %s", session.username, session.desk)
    return app.exec()
