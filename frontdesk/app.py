"""Starting the GUI: the login window first, everything else behind it.

The login window is on screen about as fast as a bare Qt window: only Qt, the
fonts and the login dialog itself are loaded before it shows. While the desk
types the password, a background thread opens the database (schema check and
upgrade included) and imports the services and the main window's modules.
After the password only the main window and its check-in page are built; the
other task pages are built when first opened.
"""

from __future__ import annotations

import importlib
import logging
import sys

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from frontdesk import config, log as logsetup
from frontdesk.i18n import language, tr

log = logging.getLogger(__name__)

# What the first minutes at the desk need, imported while the login window waits for the password.
WARM_UP_MODULES = (
    "frontdesk.services.auth",
    "frontdesk.ui.first_admin_dialog",
    "frontdesk.ui.main_window",
    "frontdesk.ui.checkin_screen",
    "frontdesk.ui.labels_screen",
    "frontdesk.ui.visit_dialog",
)


def create_application(argv: list[str] | None = None) -> QApplication:
    from frontdesk.ui import qt_translations, theme

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("FrontDesk")
    app.setOrganizationName("FrontDesk")
    theme.install_fonts(app)
    qt_translations.install_qt_translations(app, language())
    theme.apply_style(app)
    return app


def open_database_interactively(settings: config.WorkstationSettings, url: str,
                                first_error: BaseException | None = None):
    """Open the database; on failure say why and offer retry, another location or quit.

    ``first_error``: the failure of an attempt already made (in the background). Returns the target or None.
    """
    from frontdesk.errors import DatabaseError
    from frontdesk.services import database

    error = first_error
    while True:
        if error is None:
            try:
                return database.open_database(url)
            except DatabaseError as exc:
                error = exc
        box = QMessageBox(QMessageBox.Icon.Critical, tr("无法打开数据库", "Cannot open the database"), error.message)
        error = None
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


def _open_and_check(url: str, backup_keep: int = 7):
    """Background part of start-up: the database opened and upgraded, and whether it has any accounts yet.

    The day's automatic backup (the first start of a day) then runs on a thread of its own: it never
    delays the desk, and a failure is only logged.
    """
    import threading

    from frontdesk.services import auth, database

    target = database.open_database(url)
    threading.Thread(target=database.daily_backup, args=(url, backup_keep), name="daily-backup",
                     daemon=True).start()
    return target, auth.has_users()


def _warm_up() -> None:
    """Import what the desk needs next and fill the caches the first registration and receipt use."""
    for name in WARM_UP_MODULES:
        importlib.import_module(name)
    from frontdesk.domain.pinyin import pinyin_initials
    from frontdesk.printing import receipt  # noqa: F401 - the import is the work

    pinyin_initials("张三")


class Startup(QObject):
    """From the login window to the main window with its check-in page ready.

    Signals let a caller (the start-up benchmark, tests) follow the steps.
    """

    login_shown = Signal()
    database_opened = Signal(object)  # DatabaseTarget
    warmed_up = Signal()
    main_window_ready = Signal(object)  # MainWindow, check-in page built and focused
    finished = Signal(int)  # start-up ended without a main window (quit at login, no database): exit code

    def __init__(self, settings: config.WorkstationSettings, url: str) -> None:
        super().__init__()
        self.settings = settings
        self.url = url
        self.target = None
        self.window = None
        self.login_dialog = None
        self.is_warm = False

    def begin(self) -> None:
        from frontdesk.ui.login_dialog import LoginDialog

        app = QApplication.instance()
        # Between the login window closing and the main window opening no window is visible: not a reason to quit.
        app.setQuitOnLastWindowClosed(False)
        self.login_dialog = LoginDialog(self.settings.desk_name, None)
        self.prebuilt: dict = {}
        self.login_dialog.accepted.connect(self._logged_in)
        self.login_dialog.rejected.connect(lambda: self._end(0))
        self.login_dialog.show()
        self.login_dialog.username.setFocus()
        self.login_shown.emit()
        # After the first paint: the background work must not hold up the login window.
        QTimer.singleShot(0, self._open_database)

    def _open_database(self) -> None:
        from frontdesk.ui.worker import run_in_background

        run_in_background(lambda: _open_and_check(self.url, self.settings.backup_keep), self._database_opened,
                          self._database_failed)

    def _database_failed(self, exc: BaseException) -> None:
        from frontdesk.errors import DatabaseError
        from frontdesk.ui.error_dialogs import show_error

        self.login_dialog.hide()
        if not isinstance(exc, DatabaseError):
            show_error(None, exc)  # a bug: logged, shown with the log's path
            self._end(1)
            return
        target = open_database_interactively(self.settings, self.url, first_error=exc)
        if target is None:
            self._end(1)
            return
        from frontdesk.services import auth

        self._database_opened((target, auth.has_users()))

    def _database_opened(self, result) -> None:
        from frontdesk.ui.worker import run_in_background

        self.target, has_users = result
        log.info("database open: %s", self.target.display())
        self.database_opened.emit(self.target)
        if not has_users:
            from frontdesk.ui.first_admin_dialog import FirstAdminDialog

            # A new database: the administrator first, then the ordinary login.
            self.login_dialog.hide()
            self.login_dialog._waiting_to_log_in = False
            if not FirstAdminDialog(self.settings.desk_name).exec():
                self._end(0)
                return
        self.login_dialog.show()
        self.login_dialog.set_database(self.target.display())
        run_in_background(_warm_up, self._warmed_up, self._warm_up_failed)

    def _warmed_up(self, _result) -> None:
        # The check-in page is built now, while the desk types (it needs no session to be built): after the
        # password only the window around it is left to build. PySide6 makes each Qt enum type on its first
        # use, a third of the page's building time, so this also gets those out of the way.
        if self.window is None:
            self._prepare_main_window()
        self.is_warm = True
        self.warmed_up.emit()

    def _warm_up_failed(self, exc: BaseException) -> None:
        # Only a head start is lost: the same imports happen again where they are needed, and fail there visibly.
        log.warning("warm-up failed: %r", exc)
        self._warmed_up(None)

    def _prepare_main_window(self) -> None:
        from frontdesk.ui.checkin_screen import CheckInScreen

        try:
            page = CheckInScreen(None, self.settings)
            # Painted once off screen: the first paint's own first-use costs (style, PySide6 event and enum
            # types) are paid now too, not after the password.
            page.resize(1140, 620)
            page.grab()
            self.prebuilt["checkin"] = page
        except Exception:  # noqa: BLE001 - only a head start is lost: the main window builds it again, visibly
            log.exception("building the check-in page ahead failed")

    def _logged_in(self) -> None:
        from frontdesk.ui.main_window import MainWindow

        session = self.login_dialog.session
        self.login_dialog.deleteLater()
        window = MainWindow(session, self.settings, self.target.display(), prebuilt=self.prebuilt)
        self.prebuilt = {}
        window.show_in_place()
        checkin = window.page("checkin")
        if hasattr(checkin, "focus_search"):
            checkin.focus_search()
        self.window = window
        QApplication.instance().setQuitOnLastWindowClosed(True)
        log.info("main window shown for %s at %s", session.username, session.desk)
        _mark_no_shows(session)
        self.main_window_ready.emit(window)

    def _end(self, code: int) -> None:
        self.finished.emit(code)
        QApplication.instance().exit(code)


def _mark_no_shows(session) -> None:
    """Earlier days' bookings nobody checked in become no-shows (services.bookings), off the UI thread."""
    from frontdesk.services import bookings
    from frontdesk.ui.worker import run_in_background

    def done(numbers) -> None:
        if numbers:
            log.info("%d past bookings marked no-show", len(numbers))

    def failed(exc: BaseException) -> None:
        log.warning("marking no-shows at start failed: %s", exc)  # the bookings page tries again when opened

    run_in_background(lambda: bookings.mark_no_shows(session), done, failed)


def start_gui(settings: config.WorkstationSettings, url: str) -> Startup:
    """The application and its login window, on screen; the rest follows in the event loop."""
    app = create_application()

    def crashed(path: str, exc: BaseException) -> None:
        from frontdesk.ui.error_dialogs import show_crash

        show_crash(QApplication.activeWindow(), path, exc)

    logsetup.set_crash_listener(crashed)
    startup = Startup(settings, url)
    startup.begin()
    return startup


def run_gui(settings: config.WorkstationSettings, url: str) -> int:
    startup = start_gui(settings, url)  # noqa: F841 - kept alive while the event loop runs
    code = QApplication.instance().exec()
    from frontdesk.ui import worker

    worker.wait_for_idle(15000)  # quit at the login while the database was still being opened or upgraded
    return code
