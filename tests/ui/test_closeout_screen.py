"""The close-out screen (交单核对) driven with the keyboard: scan the guide sheet, mark items, defer with the
capacity picker and print the slip, abandon, hand belongings back, close; the make-up check-in."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal as D

import pypdfium2
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTableView

from frontdesk import clock, config
from frontdesk.domain.enums import IdType, PaymentMethod, Role
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.services import catalogue, checkin, guests, specimens
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.services.session import Session
from frontdesk.storage import models as m
from frontdesk.ui import deferral_dialog
from frontdesk.ui.closeout_screen import CloseoutScreen

from .conftest import settle

_seq = itertools.count(11)
_phones = itertools.count(13900000001)


@pytest.fixture
def desk(fdb):
    session = Session("qiantai", "李前台", Role.RECEPTION, "前台1")
    catalogue.load_seed_catalogue(Session("admin", "管理员", Role.ADMIN, "前台1"))
    return session


@pytest.fixture
def visit_with(desk):
    def make(*codes, name="张三丰", locker=None, day=None):
        number = make_resident_id("110105", dt.date(1980, 5, 17), next(_seq) * 2 + 1)
        guest = guests.register(desk, guests.GuestInput(
            name=name, sex="M", birth_date=dt.date(1980, 5, 17), id_type=IdType.RESIDENT_ID, id_number=number,
            phone=str(next(_phones)), organisation_id=None), today=day or clock.today())
        items = [m.ExamItem.get(m.ExamItem.code == c) for c in codes]
        total = sum((i.price for i in items), D("0"))
        return checkin.check_in(desk, CheckInRequest(guest_id=guest.id, added_item_ids=[i.id for i in items],
                                                     payments=[PaymentInput(PaymentMethod.CASH, total)],
                                                     locker_tag=locker), day=day).visit

    return make


@pytest.fixture
def screen(app, qtbot, desk):
    page = CloseoutScreen(desk, config.load())
    qtbot.addWidget(page)
    page.resize(1160, 680)
    page.show()
    settle(qtbot)
    return page


def scan(qtbot, screen, code):
    qtbot.keyClicks(screen.scan, code)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    settle(qtbot)


def states(screen):
    return {screen.items.item(r, 0).text(): screen.items.item(r, 2).text() for r in range(screen.items.rowCount())}


def select(qtbot, screen, name):
    row = next(r for r in range(screen.items.rowCount()) if screen.items.item(r, 0).text() == name)
    screen.items.setFocus()
    screen.items.selectRow(row)


def test_scan_marks_items_with_keys_and_closes_with_ctrl_enter(qtbot, screen, visit_with):
    visit = visit_with("GENERAL", "ECG", "EYE")
    scan(qtbot, screen, visit.visit_no)
    assert screen.view.visit_id == visit.id and screen.items.rowCount() == 3
    assert screen.blockers.count() == 3
    select(qtbot, screen, "十二导联心电图")
    qtbot.keyClick(screen.items, Qt.Key.Key_D)
    settle(qtbot)
    assert states(screen)["十二导联心电图"].startswith("已检")
    assert screen.blockers.count() == 2
    qtbot.keyClick(screen.items, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # all stamped
    settle(qtbot)
    assert all(s.startswith("已检") for s in states(screen).values())
    assert "可以交单" in screen.blockers.item(0).text()
    qtbot.keyClick(screen.items, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert m.Visit.get_by_id(visit.id).status == "closed"
    assert "已交单" in screen.banner.text() and not screen.close_button.isEnabled()


def test_space_marks_the_selected_item_and_moves_to_the_next(qtbot, screen, visit_with):
    visit = visit_with("GENERAL", "ECG")
    scan(qtbot, screen, visit.visit_no)
    screen.items.setFocus()
    screen.items.selectRow(0)
    qtbot.keyClick(screen.items, Qt.Key.Key_Space)
    settle(qtbot)
    assert list(states(screen).values())[0].startswith("已检")
    assert screen.items.currentRow() == 1


def test_close_refused_while_blocked_names_the_blocker(qtbot, screen, visit_with):
    visit = visit_with("GENERAL", "STOOL")
    stool = specimens.specimens_of(visit.id)[0]
    m.Specimen.update(status="label_printed", print_count=1).where(m.Specimen.id == stool.id).execute()
    scan(qtbot, screen, visit.visit_no)
    qtbot.keyClick(screen.items, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    texts = [screen.blockers.item(i).text() for i in range(screen.blockers.count())]
    assert len(texts) == 1 and stool.barcode in texts[0]
    screen.close_button.setEnabled(True)  # even if the button were pressed, the service refuses
    screen.close_visit()
    settle(qtbot)
    assert m.Visit.get_by_id(visit.id).status == "checked_in" and stool.barcode in screen.banner.text()


def test_specimen_code_scanned_says_to_scan_the_guide_sheet(qtbot, screen, visit_with):
    visit = visit_with("CBC")
    scan(qtbot, screen, specimens.specimens_of(visit.id)[0].barcode)
    assert screen.view is None and "这是标本条码，不是导检单" in screen.banner.text()


def test_closed_visit_scanned_says_who_closed_it(qtbot, screen, visit_with, desk):
    from frontdesk.services import closeout

    visit = visit_with("GENERAL")
    closeout.mark_all_done(desk, visit.id)
    closeout.close_visit(desk, visit.id)
    scan(qtbot, screen, visit.visit_no)
    assert "已由" in screen.banner.text() and "无需再交单" in screen.banner.text()
    assert not screen.done_button.isEnabled() and screen.addon_button.isEnabled()


def _drive_deferral(qtbot, day):
    def exec_(dialog):
        settle(qtbot)
        assert dialog.picker.table.rowCount() == deferral_dialog.CAPACITY_DAYS
        assert "骨密度室：余" in dialog.picker.table.item(0, 2).text()
        dialog.picker.select(day)
        # Enter on the calendar, where the focus starts, confirms (the calendar's own view takes the key).
        dialog.show()
        view = dialog.picker.calendar.findChild(QTableView)
        assert dialog.focusWidget() in (dialog.picker.calendar, view)
        qtbot.keyClick(view, Qt.Key.Key_Return)
        settle(qtbot)
        return dialog.result() == 1
    return exec_


def test_defer_with_f_shows_capacity_defers_and_previews_the_slip(qtbot, screen, visit_with, monkeypatch, tmp_path):
    from frontdesk.domain.codes import make_deferral_no

    visit = visit_with("GENERAL", "BMD")
    target = clock.today() + dt.timedelta(days=5)
    monkeypatch.setattr(deferral_dialog.DeferralDialog, "exec", _drive_deferral(qtbot, target))
    scan(qtbot, screen, visit.visit_no)
    select(qtbot, screen, "骨密度")
    qtbot.keyClick(screen.items, Qt.Key.Key_F)
    settle(qtbot)
    assert states(screen)["骨密度"] == f"缓检 → {target:%Y-%m-%d}"
    preview = screen.last_preview
    assert preview is not None and preview.objectName() == "deferralSlipPreview"
    doc = pypdfium2.PdfDocument(preview.pdf_bytes)
    text = doc[0].get_textpage().get_text_bounded()
    assert "骨密度" in text and visit.visit_no in text and f"{target:%Y-%m-%d}" in text
    # Saved (or printed), the slip is in the audit trail under the visit, with its slip number.
    preview.save_pdf(str(tmp_path / "slip.pdf"))
    entry = m.AuditLog.get(m.AuditLog.action == "deferral_slip.print")
    assert entry.record_id == str(visit.id) and make_deferral_no(visit.id) in entry.details
    preview.close()


def test_deferral_to_a_full_day_is_refused_in_the_dialog(qtbot, screen, visit_with, monkeypatch):
    m.Station.update(daily_capacity=0).where(m.Station.code == "BMD").execute()
    visit = visit_with("BMD")
    seen = {}

    def exec_(dialog):
        settle(qtbot)
        assert "（已满）" in dialog.picker.table.item(0, 2).text()
        dialog.confirm()
        settle(qtbot)
        seen["message"] = dialog.message.text()
        return False

    monkeypatch.setattr(deferral_dialog.DeferralDialog, "exec", exec_)
    scan(qtbot, screen, visit.visit_no)
    qtbot.keyClick(screen.items, Qt.Key.Key_F)
    settle(qtbot)
    assert "已约满" in seen["message"]
    assert states(screen)["骨密度"] == "待检"


def test_abandon_with_a_needs_the_guests_confirmation(qtbot, screen, visit_with, monkeypatch):
    visit = visit_with("GENERAL", "ECG")
    seen = {}

    def exec_(dialog):
        dialog.confirm()
        seen["unconfirmed"] = dialog.message.text()
        dialog.confirmed.setChecked(True)
        dialog.confirm()
        return dialog.result() == 1

    monkeypatch.setattr(deferral_dialog.AbandonDialog, "exec", exec_)
    scan(qtbot, screen, visit.visit_no)
    select(qtbot, screen, "十二导联心电图")
    qtbot.keyClick(screen.items, Qt.Key.Key_A)
    settle(qtbot)
    assert "客人本人确认" in seen["unconfirmed"]
    assert states(screen)["十二导联心电图"] == "弃检：客人拒绝检查"


def test_closing_with_belongings_asks_then_b_returns_them(qtbot, screen, visit_with, monkeypatch):
    visit = visit_with("GENERAL", locker="C3")
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), QMessageBox.StandardButton.No)[1])
    scan(qtbot, screen, visit.visit_no)
    qtbot.keyClick(screen.items, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    qtbot.keyClick(screen.items, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert asked and "C3" in asked[0] and m.Visit.get_by_id(visit.id).status == "checked_in"
    qtbot.keyClick(screen.items, Qt.Key.Key_B)
    settle(qtbot)
    belonging = m.Belonging.get(m.Belonging.tag_no == "C3")
    assert belonging.status == "returned" and belonging.returned_by == "qiantai"
    qtbot.keyClick(screen.items, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert m.Visit.get_by_id(visit.id).status == "closed" and len(asked) == 1


def test_s_stores_belongings_with_what_they_are(qtbot, screen, visit_with, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    visit = visit_with("GENERAL")
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("  B07 黑色双肩包 ", True)))
    scan(qtbot, screen, visit.visit_no)
    qtbot.keyClick(screen.items, Qt.Key.Key_S)
    settle(qtbot)
    belonging = m.Belonging.get(m.Belonging.visit == visit.id)
    assert (belonging.tag_no, belonging.description, belonging.status) == ("B07", "黑色双肩包", "stored")


def test_list_filters_ready_and_blocked(qtbot, screen, visit_with, desk):
    from frontdesk.services import closeout

    ready, blocked = visit_with("GENERAL"), visit_with("ECG", name="李四")
    closeout.mark_all_done(desk, ready.id)
    screen.filter.setCurrentIndex(screen.filter.findData(closeout.CloseoutFilter.READY))
    settle(qtbot)
    assert [screen.list.item(r, 0).text() for r in range(screen.list.rowCount())] == [ready.visit_no]
    screen.filter.setCurrentIndex(screen.filter.findData(closeout.CloseoutFilter.BLOCKED))
    settle(qtbot)
    assert [screen.list.item(r, 0).text() for r in range(screen.list.rowCount())] == [blocked.visit_no]
    assert "未检1项" in screen.list.item(0, 3).text()
    screen.list.setFocus()
    screen.list.selectRow(0)
    qtbot.keyClick(screen.list, Qt.Key.Key_Return)
    settle(qtbot)
    assert screen.view.visit_id == blocked.id


def test_list_refreshes_by_itself(qtbot, screen, visit_with):
    assert screen.list.rowCount() == 0
    visit = visit_with("GENERAL")
    screen.timer.setInterval(50)
    qtbot.waitUntil(lambda: screen.list.rowCount() == 1, timeout=5000)
    settle(qtbot)
    assert screen.list.item(0, 0).text() == visit.visit_no


def test_make_up_check_in_from_the_slip(qtbot, screen, visit_with, desk):
    from frontdesk.services import closeout, deferrals

    yesterday = clock.today() - dt.timedelta(days=1)
    visit = visit_with("GENERAL", "BMD", day=yesterday)
    bmd = next(i.visit_item_id for i in closeout.closeout_view(visit.id).items if i.item_code == "BMD")
    deferrals.defer_items(desk, visit.id, [bmd], clock.today(), today=yesterday)
    closeout.mark_all_done(desk, visit.id)
    closeout.close_visit(desk, visit.id)
    labels = []
    screen.print_labels_requested.connect(labels.append)
    screen.open_makeup(visit.visit_no)
    settle(qtbot)
    dialog = screen.last_dialog
    assert dialog.table.rowCount() == 1 and "骨密度" in dialog.table.item(0, 3).text()
    qtbot.keyClicks(dialog.id_number, "110105198005170000")
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_Return)
    settle(qtbot)
    assert "只能由本人补检" in dialog.message.text()
    dialog.id_number.clear()
    qtbot.keyClicks(dialog.id_number, m.Guest.get_by_id(visit.guest_id).id_number)
    qtbot.keyClick(dialog.id_number, Qt.Key.Key_Return)
    settle(qtbot)
    makeup = m.Visit.get(m.Visit.original_visit == visit.id)
    assert "无需收费" in dialog.message.text() and labels == [makeup.id]
    assert [vi.item.code for vi in makeup.items] == ["BMD"]
    assert dialog.last_preview is not None and dialog.last_preview.objectName() == "makeupGuidePreview"
    dialog.last_preview.close()
    dialog.close()


def test_visit_scan_on_the_closeout_page_of_the_main_window_opens_its_closeout(app, qtbot, desk, visit_with):
    from frontdesk.ui.main_window import MainWindow

    visit = visit_with("GENERAL")
    window = MainWindow(desk, config.load(), "SQLite test")
    qtbot.addWidget(window)
    window.show()
    page = window.show_task("closeout")
    settle(qtbot)
    window.handle_scan(visit.visit_no)
    settle(qtbot)
    assert page.view is not None and page.view.visit_id == visit.id
    assert getattr(window, "last_visit_dialog", None) is None


def test_the_deferral_slip_scanned_at_check_in_opens_the_make_up_check_in(app, qtbot, desk, visit_with):
    """The guest comes back and hands over the slip at the check-in desk: the scanner types its number into
    the check-in search box, and the make-up check-in opens with the deferred items, not a new check-in."""
    from frontdesk.domain.codes import make_deferral_no
    from frontdesk.services import closeout, deferrals
    from frontdesk.ui.main_window import MainWindow

    yesterday = clock.today() - dt.timedelta(days=1)
    visit = visit_with("GENERAL", "BMD", day=yesterday)
    bmd = next(i.visit_item_id for i in closeout.closeout_view(visit.id).items if i.item_code == "BMD")
    deferrals.defer_items(desk, visit.id, [bmd], clock.today(), today=yesterday)
    window = MainWindow(desk, config.load(), "SQLite test")
    qtbot.addWidget(window)
    window.show()
    checkin = window.show_task("checkin")
    settle(qtbot)
    checkin.search_box.setFocus()
    qtbot.keyClicks(checkin.search_box, make_deferral_no(visit.id))
    qtbot.keyClick(checkin.search_box, Qt.Key.Key_Return)
    settle(qtbot)
    assert window.current_task() == "closeout"
    dialog = window.pages["closeout"].last_dialog
    assert dialog is not None and dialog.table.rowCount() == 1 and "骨密度" in dialog.table.item(0, 3).text()
    dialog.close()
    # Scanned anywhere else (no text field focused), the slip goes the same way.
    window.show_task("labels")
    window.handle_scan(make_deferral_no(visit.id))
    settle(qtbot)
    assert window.current_task() == "closeout" and window.pages["closeout"].last_dialog is not dialog


def test_f5_reloads_the_open_visit_after_a_change_elsewhere(qtbot, screen, visit_with, desk):
    from frontdesk.services import closeout

    visit = visit_with("GENERAL")
    scan(qtbot, screen, visit.visit_no)
    closeout.mark_all_done(desk, visit.id)  # another desk, or the visit window
    qtbot.keyClick(screen.items, Qt.Key.Key_F5)
    settle(qtbot)
    assert list(states(screen).values())[0].startswith("已检")
