"""A supervisor authorises one action (refund, void, extra reprint) at a reception desk.

The supervisor types their own user name and password; the action is then
done, and audited, under the supervisor's name.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from frontdesk.domain.enums import Role
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import auth
from frontdesk.services.session import Session
from frontdesk.ui.screen_fit import fit_to_screen
from frontdesk.ui.widgets import error_label


def authorise(parent, session: Session, what: str) -> Session | None:
    """The session to act with: the user's own if they are a supervisor, else one a supervisor signs."""
    if session.can(Role.SUPERVISOR):
        return session
    dialog = SupervisorDialog(session.desk, what, parent)
    return dialog.session if dialog.exec() else None


class SupervisorDialog(QDialog):
    def __init__(self, desk: str, what: str, parent=None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.what = what
        self.session: Session | None = None
        self.setWindowTitle(tr("需要主管授权", "Supervisor authorisation"))
        intro = QLabel(tr("“{w}”需要前台主管授权。", "“{w}” needs a supervisor.", w=what))
        intro.setWordWrap(True)
        self.username = QLineEdit(objectName="supervisorUser")
        self.password = QLineEdit(objectName="supervisorPassword", echoMode=QLineEdit.EchoMode.Password)
        self.message = error_label("message")
        form = QFormLayout()
        form.addRow(tr("主管用户名", "Supervisor"), self.username)
        form.addRow(tr("密码", "Password"), self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(400)
        fit_to_screen(self)

    def check(self) -> None:
        try:
            session = auth.supervisor_signature(self.username.text(), self.password.text(), self.desk, self.what)
        except UserError as exc:
            self.message.setText(exc.message)
            self.password.clear()
            return
        self.session = session
        self.accept()
