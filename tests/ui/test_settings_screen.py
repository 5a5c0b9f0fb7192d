import pytest
from PySide6.QtWidgets import QMessageBox

from frontdesk import config
from frontdesk.services import auth, site_settings
from frontdesk.ui.settings_screen import SettingsScreen


@pytest.fixture
def told(monkeypatch):
    messages = []
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(lambda parent, title, text, *a: messages.append(text)))
    return messages


def test_workstation_settings_are_saved_for_the_next_start(app, qtbot, demo_db, told):
    session = auth.login("qiantai", "demo-desk-2026", "前台1")
    screen = SettingsScreen(session, config.load())
    qtbot.addWidget(screen)
    screen.desk_name.setText("前台2")
    screen.label_output.setCurrentIndex(screen.label_output.findData("zpl_tcp"))
    screen.label_host.setText("127.0.0.1")
    screen.label_port.setValue(9101)
    screen.language.setCurrentIndex(screen.language.findData("en"))
    screen.save_workstation()
    saved = config.load()
    assert saved.desk_name == "前台2" and saved.labels.output == "zpl_tcp" and saved.labels.port == 9101
    assert saved.language == "en" and "重新启动" in told[-1]


def test_label_folder_is_required_for_file_output(app, qtbot, demo_db, told):
    session = auth.login("qiantai", "demo-desk-2026", "前台1")
    screen = SettingsScreen(session, config.load())
    qtbot.addWidget(screen)
    screen.label_output.setCurrentIndex(screen.label_output.findData("pdf"))
    screen.label_path.clear()
    screen.save_workstation()
    assert "文件夹" in told[-1] and not config.settings_file().exists()


def test_site_settings_need_a_supervisor(app, qtbot, demo_db, told):
    desk = SettingsScreen(auth.login("qiantai", "demo-desk-2026", "前台1"), config.load())
    qtbot.addWidget(desk)
    assert not desk.site_name.isEnabled()  # the whole site box is disabled for reception
    boss = SettingsScreen(auth.login("zhuguan", "demo-super-2026", "前台1"), config.load())
    qtbot.addWidget(boss)
    boss.site_name.setText("滨江健康体检中心")
    boss.free_reprints.setValue(3)
    boss.save_site()
    assert site_settings.load().site_name == "滨江健康体检中心" and site_settings.load().label_free_reprints == 3
