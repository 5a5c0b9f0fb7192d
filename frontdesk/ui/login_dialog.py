"""The login dialog: user name and password, at the start of every session."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout)

from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import auth
from frontdesk.services.session import Session
from frontdesk.ui.widgets import error_label


class LoginDialog(QDialog):
    def __init__(self, desk: str, database_label: str, parent=None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.session: Session | None = None
        self.setWindowTitle(tr("FrontDesk 体检前台 - 登录", "FrontDesk - log in"))
        self.username = QLineEdit(objectName="username")
        self.password = QLineEdit(objectName="password", echoMode=QLineEdit.EchoMode.Password)
        self.message = error_label("loginMessage")
        form = QFormLayout()
        form.addRow(tr("用户名", "User name"), self.username)
        form.addRow(tr("密码", "Password"), self.password)
        form.addRow(tr("工作站", "Desk"), QLabel(desk))
        db_label = QLabel(database_label)
        db_label.setWordWrap(True)
        form.addRow(tr("数据库", "Database"), db_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("登录", "Log in"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("退出", "Quit"))
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def try_login(self) -> None:
        try:
            self.session = auth.login(self.username.text(), self.password.text(), self.desk)
        except UserError as exc:
            self.message.setText(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
