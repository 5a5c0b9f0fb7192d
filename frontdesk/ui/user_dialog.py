"""Adding a staff account (administrators only)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout

from frontdesk.domain.enums import Role
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import auth
from frontdesk.services.session import Session
from frontdesk.ui.screen_fit import fit_to_screen
from frontdesk.ui.widgets import error_label


class UserDialog(QDialog):
    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(tr("添加用户", "Add account"))
        self.username = QLineEdit(objectName="username")
        self.display_name = QLineEdit(objectName="displayName")
        self.role = QComboBox(objectName="role")
        for role in Role:
            self.role.addItem(role.label(), role.value)
        self.password = QLineEdit(objectName="password", echoMode=QLineEdit.EchoMode.Password)
        self.message = error_label("message")
        form = QFormLayout()
        form.addRow(tr("用户名", "User name"), self.username)
        form.addRow(tr("姓名", "Name"), self.display_name)
        form.addRow(tr("角色", "Role"), self.role)
        form.addRow(tr("初始密码", "Initial password"), self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        fit_to_screen(self)

    def create(self) -> None:
        try:
            auth.create_user(self.session, self.username.text(), self.display_name.text(),
                             Role(self.role.currentData()), self.password.text())
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.accept()
