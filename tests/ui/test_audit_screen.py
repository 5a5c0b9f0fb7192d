"""The audit log screen: actions and details in words, an entry opens with a double-click."""

import pytest
from PySide6.QtCore import Qt

from frontdesk import config
from frontdesk.services import auth
from frontdesk.ui.main_window import MainWindow

from .conftest import settle


@pytest.fixture
def screen(app, qtbot, demo_db):
    session = auth.login("zhuguan", "demo-super-2026", "前台1")
    window = MainWindow(session, config.load(), "SQLite test")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    page = window.show_task("audit")
    settle(qtbot)
    return window, page


def _cells(page, column):
    model = page.model
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_actions_and_details_are_words_not_codes_and_json(screen):
    _, page = screen
    actions = _cells(page, 3)
    assert actions and "登录" in actions
    assert not [a for a in actions if a and "." in a and a.isascii()]
    details = [d for d in _cells(page, 5) if d]
    assert details and not any(d.lstrip().startswith("{") for d in details)
    assert any("：" in d for d in details)
    combo = [page.action.itemText(i) for i in range(page.action.count())]
    assert "登录" in combo and "login" not in combo


def test_a_double_click_opens_the_entry(screen, qtbot):
    _, page = screen
    row = _cells(page, 3).index("登录")
    index = page.model.index(row, 0)
    page.view.scrollTo(index)
    rect = page.view.visualRect(index)
    # A real double-click: press, release, then the double-click event on the same cell.
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    settle(qtbot)
    dialog = page.detail_dialog
    assert dialog.isVisible()
    assert dialog.values["操作"].startswith("登录")
    assert dialog.values["用户"] == page.model.data(page.model.index(row, 1))
    dialog.close()


def test_enter_opens_the_selected_entry_once(screen, qtbot):
    _, page = screen
    page.view.setFocus()
    page.view.selectRow(0)
    opened = []
    original = page.open_entry
    page.open_entry = lambda row: opened.append(row) or original(row)
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    settle(qtbot)
    assert opened == [0] and page.detail_dialog.isVisible()
    page.detail_dialog.close()
