"""Several desks in the UI (issue 12): lists refresh by themselves, a stale form keeps what was typed,
the status bar says when the database is gone."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from frontdesk import config
from frontdesk.domain.enums import Role
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.errors import DatabaseError
from frontdesk.services import auth, guests
from frontdesk.services.changes import Topic
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.session import Session
from frontdesk.storage import models as m
from frontdesk.ui import live_refresh
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.worker import run_in_background

from .conftest import settle


def test_a_shown_screen_reloads_once_for_a_burst_of_its_topic_and_a_hidden_one_does_not(app, qtbot):
    shown, hidden = QWidget(), QWidget()
    qtbot.addWidget(shown)
    qtbot.addWidget(hidden)
    shown.show()
    calls = {"shown": 0, "hidden": 0}
    live_refresh.subscribe(shown, [Topic.CLOSEOUT], lambda: calls.__setitem__("shown", calls["shown"] + 1))
    live_refresh.subscribe(hidden, [Topic.CLOSEOUT], lambda: calls.__setitem__("hidden", calls["hidden"] + 1))
    hub = live_refresh.hub()
    hub.changed.emit(frozenset({Topic.REPORTS}))
    qtbot.wait(live_refresh.DEBOUNCE_MS + 100)
    assert calls == {"shown": 0, "hidden": 0}  # not its topic
    for _ in range(5):  # a check-in at another desk touches many tables at once: one reload
        hub.changed.emit(frozenset({Topic.CLOSEOUT, Topic.QUEUE}))
    qtbot.waitUntil(lambda: calls["shown"] == 1, timeout=2000)
    qtbot.wait(live_refresh.DEBOUNCE_MS + 100)
    assert calls == {"shown": 1, "hidden": 0}


@pytest.fixture
def window(app, qtbot, fdb, admin, catalogue):
    auth.create_user(admin, "qiantai", "李前台", Role.RECEPTION, "long-enough-pw")
    session = auth.login("qiantai", "long-enough-pw", "前台1")
    window = MainWindow(session, config.load(), "test")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    settle(qtbot)
    yield window
    window.live.stop(timeout=2)


def test_the_status_bar_says_the_database_is_lost_and_then_back(window, qtbot, tmp_path):
    label = window.findChild(type(window.connection_label), "statusConnection")
    qtbot.waitUntil(lambda: live_refresh.hub().connected is True, timeout=5000)  # the watcher answers
    assert not label.isVisible()
    seen = []
    def record(ok):
        seen.append((ok, label.isVisible(), label.text()))

    live_refresh.hub().connection_changed.connect(record)
    try:
        _lost_then_back(window, qtbot, label, seen)
    finally:
        live_refresh.hub().connection_changed.disconnect(record)


def _lost_then_back(window, qtbot, label, seen):
    lost = DatabaseError("与数据库服务器的连接中断了，本次操作未保存。请重试；如仍失败，请检查网络。")
    run_in_background(lambda: (_ for _ in ()).throw(lost), lambda _: None, lambda exc: None, context=window)
    settle(qtbot)
    assert seen[0][0] is False and seen[0][1] and "连接中断" in seen[0][2]
    # The watcher hears the database again within its next round: the light goes out by itself.
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert seen[1][0] is True and not label.isVisible()
    assert "重新连接" in window.statusBar().currentMessage()


def test_a_guest_changed_at_another_desk_is_refused_and_the_form_keeps_what_was_typed(window, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr("frontdesk.ui.checkin_screen.show_error", lambda parent, exc: shown.append(exc))
    page = window.page("checkin")
    number = make_resident_id("110105", dt.date(1981, 6, 15), 37)
    guest = guests.register(Session("qiantai", "李前台", Role.RECEPTION, "前台1"), guests.GuestInput(
        "欧阳娜娜", "", None, guests.IdType.RESIDENT_ID, number, "13812345678"), today=dt.date.today())
    page.load_request(CheckInRequest(guest_id=guest.id))
    settle(qtbot)
    # Another desk changes the phone meanwhile.
    auth.create_user(Session("admin", "管理员", Role.ADMIN, "x"), "zhao", "赵前台", Role.RECEPTION, "long-enough-pw")
    other = Session("zhao", "赵前台", Role.RECEPTION, "前台2")
    seen = guests.guest_view(guest.id)
    guests.update(other, guest.id, guests.GuestInput(seen.name, seen.sex, seen.birth_date, seen.id_type,
                                                     seen.id_number, "13900001111"), version=seen.version)
    qtbot.mouseClick(page.guest_form.edit_button, Qt.MouseButton.LeftButton)
    page.guest_form.phone.setText("13955556666")
    qtbot.keyClick(page.guest_form.phone, Qt.Key.Key_Return)
    settle(qtbot)
    assert len(shown) == 1 and "在前台2由赵前台于" in shown[0].message
    assert page.guest_form.phone.text() == "13955556666"  # what the desk typed is still there
    assert m.Guest.get_by_id(guest.id).phone == "13900001111"  # and the other desk's change is kept
