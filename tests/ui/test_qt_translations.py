"""Qt's own texts (standard buttons, file dialog, calendar) follow the desk's language."""

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QCalendarWidget, QDialogButtonBox, QFileDialog

from frontdesk.ui.qt_translations import install_qt_translations

Cancel, Save = QDialogButtonBox.StandardButton.Cancel, QDialogButtonBox.StandardButton.Save


@pytest.fixture(autouse=True)
def back_to_chinese(qapp):
    yield
    install_qt_translations(qapp, "zh")  # the desk's default, as the other tests expect


def _button_text(which) -> str:
    box = QDialogButtonBox(Cancel | Save)
    try:
        return box.button(which).text()
    finally:
        box.deleteLater()


def test_chinese_loads_qts_own_chinese_texts(qapp):
    assert install_qt_translations(qapp, "zh")
    assert _button_text(Cancel) == "取消"
    assert "保存" in _button_text(Save)
    assert QLocale().language() == QLocale.Language.Chinese
    calendar = QCalendarWidget()
    assert calendar.locale().monthName(1) == "一月"
    calendar.deleteLater()


def test_english_loads_none_and_drops_the_chinese(qapp):
    install_qt_translations(qapp, "zh")
    assert not install_qt_translations(qapp, "en")
    assert _button_text(Cancel).replace("&", "") == "Cancel"
    assert QLocale().language() == QLocale.Language.English
    assert QCalendarWidget().locale().monthName(1) == "January"


def test_qts_own_file_dialog_speaks_chinese(qapp):
    install_qt_translations(qapp, "zh")
    dialog = QFileDialog(None, "另存为 PDF")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    box = dialog.findChild(QDialogButtonBox)
    texts = [button.text() for button in box.buttons()]
    assert "取消" in texts and any("保存" in text for text in texts)
    dialog.deleteLater()
