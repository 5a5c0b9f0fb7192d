"""The login dialog: user name and password, at the start of every session.

It is the first thing the desk sees, so it is shown before the database is
open and before the services are imported (start-up opens the database in the
background while the user types). Until the database is ready the Log in
button waits: pressing Enter early logs in as soon as it is.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from frontdesk.i18n import tr
from frontdesk.ui.screen_fit import fit_to_screen
from frontdesk.ui.widgets import error_label


class LoginDialog(QDialog):
    # Emitted once the database is known (start-up waits for it before the first-admin check).
    database_ready = Signal()

    def __init__(self, desk: str, database_label: str | None, parent=None) -> None:
        """``database_label`` None: the database is still being opened; call ``set_database`` when it is."""
        super().__init__(parent)
        self.desk = desk
        self.session = None  # a services.session.Session after a successful login
        self._waiting_to_log_in = False
        self.setWindowTitle(tr("FrontDesk 体检前台 - 登录", "FrontDesk - log in"))
        self.username = QLineEdit(objectName="username")
        self.password = QLineEdit(objectName="password", echoMode=QLineEdit.EchoMode.Password)
        self.message = error_label("loginMessage")
        form = QFormLayout()
        form.addRow(tr("用户名", "User name"), self.username)
        form.addRow(tr("密码", "Password"), self.password)
        form.addRow(tr("工作站", "Desk"), QLabel(desk))
        self.db_label = QLabel(objectName="loginDatabase")
        self.db_label.setWordWrap(True)
        form.addRow(tr("数据库", "Database"), self.db_label)
        # Two plain buttons rather than a QDialogButtonBox: making one has PySide6 create all ~90 enum
        # types of the Qt namespace, a fifth of the time to this window's first paint.
        self.login_button = QPushButton(tr("登录", "Log in"), objectName="loginButton")
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.try_login)
        quit_button = QPushButton(tr("退出", "Quit"), objectName="quitButton")
        quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.login_button)
        buttons.addWidget(quit_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumWidth(420)
        self.ready = False
        if database_label is None:
            self.db_label.setText(tr("正在打开数据库…", "Opening the database…"))
        else:
            self.set_database(database_label)
        fit_to_screen(self)

    def set_database(self, label: str) -> None:
        """The database is open: show which one, and log in if Enter was pressed while it opened."""
        self.db_label.setText(label)
        self.ready = True
        self.database_ready.emit()
        if self._waiting_to_log_in:
            self._waiting_to_log_in = False
            self.message.clear()
            self.try_login()

    def try_login(self) -> None:
        if not self.ready:
            self._waiting_to_log_in = True
            self.message.setText(tr("正在打开数据库，请稍候…", "Opening the database, one moment…"))
            return
        from frontdesk.services import auth

        try:
            session = auth.login(self.username.text(), self.password.text(), self.desk)
        except Exception as exc:  # noqa: BLE001 - sorted out in _login_failed
            self._login_failed(exc)
            return
        self.session = session
        self.accept()

    def _login_failed(self, exc: BaseException) -> None:
        from frontdesk.errors import UserError
        from frontdesk.services.database import as_user_error

        known = as_user_error(exc)  # a lost connection is a message here; a bug goes on up
        if not isinstance(known, UserError):
            raise exc
        self.message.setText(known.message)
        self.password.clear()
        self.password.setFocus()
