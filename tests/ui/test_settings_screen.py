import json

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from frontdesk import config
from frontdesk.domain.enums import Role
from frontdesk.services import auth, eod, site_settings
from frontdesk.services.session import SYSTEM
from frontdesk.storage import models as m
from frontdesk.ui import settings_screen as settings_module
from frontdesk.ui import supervisor_dialog
from frontdesk.ui.settings_screen import SettingsScreen

DESK_PASSWORD, BOSS_PASSWORD = "desk-pass-2026", "boss-pass-2026"


@pytest.fixture
def accounts(fdb):
    auth.create_user(SYSTEM, "qiantai", "李前台", Role.RECEPTION, DESK_PASSWORD)
    auth.create_user(SYSTEM, "zhuguan", "王主管", Role.SUPERVISOR, BOSS_PASSWORD)
    return fdb


@pytest.fixture
def desk(accounts):
    return auth.login("qiantai", DESK_PASSWORD, "前台1")


@pytest.fixture
def told(monkeypatch):
    messages = []
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(lambda parent, title, text, *a: messages.append(text)))
    return messages


@pytest.fixture
def supervisor_signs(monkeypatch):
    """The supervisor dialog is answered with these credentials (None: the desk cancels)."""
    asked = []

    def answer(username, password=None):
        def sign(self):
            asked.append(self)
            if username is None:
                return 0
            self.username.setText(username)
            self.password.setText(password)
            self.check()
            return self.result()

        monkeypatch.setattr(supervisor_dialog.SupervisorDialog, "exec", sign)
        return asked

    return answer


def _screen(qtbot, session, settings=None):
    screen = SettingsScreen(session, settings or config.load())
    qtbot.addWidget(screen)
    return screen


def _saved() -> dict:
    return json.loads(config.settings_file().read_text(encoding="utf-8"))


def test_printer_and_label_settings_are_saved_for_the_next_start(app, qtbot, desk, told):
    screen = _screen(qtbot, desk)
    screen.label_output.setCurrentIndex(screen.label_output.findData("zpl_tcp"))
    screen.label_host.setText("127.0.0.1")
    screen.label_port.setValue(9101)
    screen.language.setCurrentIndex(screen.language.findData("en"))
    screen.save_workstation()
    saved = config.load()
    assert saved.labels.output == "zpl_tcp" and saved.labels.port == 9101
    assert saved.language == "en" and "重新启动" in told[-1]


def test_empty_label_folder_does_not_keep_the_language_from_being_saved(app, qtbot, desk, told):
    screen = _screen(qtbot, desk)
    screen.label_output.setCurrentIndex(screen.label_output.findData("pdf"))
    screen.label_path.clear()
    screen.language.setCurrentIndex(screen.language.findData("en"))
    screen.save_workstation()
    saved = config.load()
    assert saved.language == "en"
    assert saved.labels == config.LabelPrinterSettings()  # the unfinished label output is not saved
    assert screen.label_path_error.isVisibleTo(screen) and "文件夹" in screen.label_path_error.text()
    assert "条码输出" in told[-1]


def test_the_label_folder_message_goes_once_the_folder_is_filled_in(app, qtbot, desk, told, tmp_path):
    screen = _screen(qtbot, desk)
    screen.label_output.setCurrentIndex(screen.label_output.findData("png"))
    screen.label_path.clear()
    screen.save_workstation()
    assert screen.label_path_error.isVisibleTo(screen)
    screen.label_path.setText(str(tmp_path / "labels"))
    screen.save_workstation()
    assert not screen.label_path_error.isVisibleTo(screen)
    assert config.load().labels.path == str(tmp_path / "labels") and config.load().labels.output == "png"


def _wheel(widget, steps: int = 1) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_mouse_wheel_does_not_change_an_unfocused_port_or_choice(app, qtbot, desk):
    screen = _screen(qtbot, desk)
    screen.show()
    qtbot.waitExposed(screen)
    screen.desk_name.setFocus()
    assert screen.label_port.value() == 9100 and not screen.label_port.hasFocus()
    output = screen.label_output.currentIndex()
    _wheel(screen.label_port, -10)
    _wheel(screen.label_output, -1)
    assert screen.label_port.value() == 9100
    assert screen.label_output.currentIndex() == output
    assert screen.label_port.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel does not focus it either


def test_mouse_wheel_still_turns_a_focused_spin_box(app, qtbot, desk):
    screen = _screen(qtbot, desk)
    screen.show()
    qtbot.waitExposed(screen)
    screen.label_port.setFocus()
    qtbot.waitUntil(screen.label_port.hasFocus)
    _wheel(screen.label_port, 1)
    assert screen.label_port.value() == 9101


def test_changing_the_desk_name_without_a_supervisor_is_refused(app, qtbot, desk, told, supervisor_signs):
    asked = supervisor_signs(None)  # the desk cannot get a supervisor and cancels
    screen = _screen(qtbot, desk)
    screen.desk_name.setText("前台9")
    screen.language.setCurrentIndex(screen.language.findData("en"))
    screen.save_workstation()
    assert asked  # a supervisor was asked for
    saved = config.load()
    assert saved.desk_name == "前台1" and saved.language == "en"  # the rest is saved
    assert "主管" in screen.desk_name_error.text() and screen.desk_name_error.isVisibleTo(screen)
    assert not m.AuditLog.select().where(m.AuditLog.action == "workstation.change").exists()


def test_a_wrong_supervisor_password_changes_nothing(app, qtbot, desk, told, monkeypatch):
    def sign(self):
        self.username.setText("zhuguan")
        self.password.setText("wrong-password")
        self.check()
        assert self.message.text()  # the dialog says why and stays open; the desk gives up
        return 0

    monkeypatch.setattr(supervisor_dialog.SupervisorDialog, "exec", sign)
    screen = _screen(qtbot, desk)
    screen.db_url.setText("postgresql://frontdesk@db.example/frontdesk")
    screen.save_workstation()
    assert config.load().db_url == "" and "主管" in screen.db_url_error.text()


def test_a_supervisor_signs_for_the_new_desk_name_and_database_and_is_audited(app, qtbot, desk, told,
                                                                               supervisor_signs):
    supervisor_signs("zhuguan", BOSS_PASSWORD)
    screen = _screen(qtbot, desk)
    screen.desk_name.setText("前台2")
    screen.db_url.setText("postgresql://frontdesk:secret@db.example:5433/frontdesk")
    screen.save_workstation()
    saved = config.load()
    assert saved.desk_name == "前台2" and saved.db_url == "postgresql://frontdesk:secret@db.example:5433/frontdesk"
    entry = m.AuditLog.get(m.AuditLog.action == "workstation.change")
    assert entry.username == "zhuguan" and entry.record_id == "前台1"
    details = json.loads(entry.details)
    assert details["desk_name"] == {"old": "前台1", "new": "前台2"}
    assert "db.example" in details["db_url"]["new"] and "secret" not in entry.details


def test_an_unreadable_database_url_is_refused_next_to_the_field(app, qtbot, desk, told, supervisor_signs):
    asked = supervisor_signs("zhuguan", BOSS_PASSWORD)
    screen = _screen(qtbot, desk)
    screen.db_url.setText("mysql://somewhere/db")
    screen.save_workstation()
    assert not asked  # nothing valid to sign for
    assert config.load().db_url == "" and screen.db_url_error.text()


def test_a_supervisor_changes_the_desk_name_without_signing_again(app, qtbot, accounts, told, supervisor_signs):
    asked = supervisor_signs(None)
    boss = auth.login("zhuguan", BOSS_PASSWORD, "前台1")
    screen = _screen(qtbot, boss)
    screen.desk_name.setText("前台3")
    screen.save_workstation()
    assert not asked and config.load().desk_name == "前台3"


def test_each_document_has_its_own_printer_and_paper(app, qtbot, desk, told):
    settings = config.load()
    settings.documents["receipt"] = config.DocumentPrinterSettings("TM-T88", "roll80")
    settings.documents["guide"] = config.DocumentPrinterSettings("HP LaserJet", "a4")
    settings.documents["list"] = config.DocumentPrinterSettings("Lab A4", "a4")
    config.save(settings)
    screen = _screen(qtbot, desk)
    # Printers not installed on this computer stay chosen (and are marked), not silently dropped.
    assert screen.document_printers["receipt"].currentData() == "TM-T88"
    assert screen.document_papers["receipt"].currentData() == "roll80"
    assert screen.document_printers["guide"].currentData() == "HP LaserJet"
    assert "PDF" in screen.document_errors["guide"].text()
    screen.document_printers["list"].setCurrentIndex(0)  # the system default printer
    screen.save_workstation()
    saved = _saved()["documents"]
    assert saved == {"receipt": {"printer_name": "TM-T88", "paper": "roll80"},
                     "guide": {"printer_name": "HP LaserJet", "paper": "a4"},
                     "list": {"printer_name": "", "paper": "a4"}}


def test_a_guide_sheet_on_the_receipt_roll_printer_is_refused(app, qtbot, desk, told, monkeypatch):
    monkeypatch.setattr(settings_module.QPrinterInfo, "availablePrinterNames", staticmethod(lambda: ["TM-T88", "HP"]))
    screen = _screen(qtbot, desk)
    printers, papers = screen.document_printers, screen.document_papers
    printers["receipt"].setCurrentIndex(printers["receipt"].findData("TM-T88"))
    papers["receipt"].setCurrentIndex(papers["receipt"].findData("roll80"))
    printers["guide"].setCurrentIndex(printers["guide"].findData("TM-T88"))
    screen.language.setCurrentIndex(screen.language.findData("en"))
    assert "80" in screen.document_errors["guide"].text()  # said as soon as it is chosen
    screen.save_workstation()
    saved = config.load()
    assert saved.document("guide").printer_name == "" and saved.receipt_format == "a5"  # no document change saved
    assert saved.language == "en"
    assert "卷纸" in screen.document_errors["guide"].text() and screen.document_errors["guide"].isVisibleTo(screen)
    printers["guide"].setCurrentIndex(printers["guide"].findData("HP"))
    screen.save_workstation()
    saved = config.load()
    assert saved.document("guide").printer_name == "HP" and saved.document("receipt").paper == "roll80"


def test_site_settings_need_a_supervisor(app, qtbot, accounts, told):
    desk = _screen(qtbot, auth.login("qiantai", DESK_PASSWORD, "前台1"))
    assert not desk.site_name.isEnabled()  # the whole site box is disabled for reception
    boss = _screen(qtbot, auth.login("zhuguan", BOSS_PASSWORD, "前台1"))
    boss.site_name.setText("滨江健康体检中心")
    boss.free_reprints.setValue(3)
    boss.close_scope.setCurrentIndex(boss.close_scope.findData("desk"))
    boss.save_site()
    assert site_settings.load().site_name == "滨江健康体检中心" and site_settings.load().label_free_reprints == 3
    assert eod.close_scope() == eod.SCOPE_DESK
    # Only what changed is written, each change audited once with its old and new value.
    changed = [json.loads(e.details) for e in m.AuditLog.select().where(m.AuditLog.action == "setting.change")]
    assert sorted(c["new"] for c in changed) == ["3", "desk", "滨江健康体检中心"]
