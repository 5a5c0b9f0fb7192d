"""First start of a new database: create the administrator (no default password exists)."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout)

from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import auth
from frontdesk.ui.screen_fit import fit_to_screen
from frontdesk.ui.widgets import error_label


class FirstAdminDialog(QDialog):
    def __init__(self, desk: str, parent=None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setWindowTitle(tr("创建管理员账号", "Create the administrator"))
        intro = QLabel(tr("这是一个新的数据库。请为系统管理员设置用户名和密码（至少 {n} 位）。",
                          "This is a new database. Choose the administrator's user name and password "
                          "(at least {n} characters).", n=auth.MIN_PASSWORD_LENGTH))
        intro.setWordWrap(True)
        self.username = QLineEdit("admin", objectName="username")
        self.display_name = QLineEdit(objectName="displayName")
        self.password = QLineEdit(objectName="password", echoMode=QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit(objectName="repeat", echoMode=QLineEdit.EchoMode.Password)
        self.message = error_label("message")
        form = QFormLayout()
        form.addRow(tr("用户名", "User name"), self.username)
        form.addRow(tr("姓名", "Name"), self.display_name)
        form.addRow(tr("密码", "Password"), self.password)
        form.addRow(tr("确认密码", "Repeat password"), self.repeat)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        fit_to_screen(self)

    def create(self) -> None:
        if self.password.text() != self.repeat.text():
            self.message.setText(tr("两次输入的密码不一致。", "The passwords do not match."))
            return
        try:
            auth.create_first_admin(self.username.text(), self.display_name.text(), self.password.text(), self.desk)
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.accept()
