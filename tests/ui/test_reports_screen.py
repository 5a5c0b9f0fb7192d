"""The reports screen (报告发放) and the hand-out dialog driven with the keyboard:
receive by scan, hand out to a proxy with a signature, refused a second time without a supervisor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pypdfium2
import pytest
import zxingcpp
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog

from frontdesk import config
from frontdesk.domain.enums import HandoutMethod, IdType, PaymentMethod, VisitStatus
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.services import auth, checkin, closeout, demo, guests, reports, site_settings
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m
from frontdesk.ui import supervisor_dialog
from frontdesk.ui.reports_screen import TAB_APPOINTMENTS, TAB_ARRIVAL, TAB_CALLS, TAB_HANDOUT, ReportsScreen

from .conftest import settle

PROXY_ID = make_resident_id("310104", dt.date(1985, 3, 9), 124)


@pytest.fixture
def desk_session(fdb):
    demo.ensure_catalogue_and_accounts()
    return auth.login("qiantai", "demo-desk-2026", "前台1")


@pytest.fixture
def closed_visit(desk_session):
    """Check a guest in and close the visit out through the close-out service: its report is awaited."""
    counter = iter(range(11, 99))

    def make(name="张三丰", phone="13812341234"):
        seq = next(counter) * 2 + 1
        guest = guests.register(desk_session, guests.GuestInput(
            name=name, sex="M", birth_date=dt.date(1980, 5, 17), id_type=IdType.RESIDENT_ID,
            id_number=make_resident_id("110105", dt.date(1980, 5, 17), seq), phone=phone, organisation_id=None))
        item = m.ExamItem.get(m.ExamItem.code == "GENERAL")
        visit = checkin.check_in(desk_session, CheckInRequest(guest_id=guest.id, added_item_ids=[item.id], payments=[
            PaymentInput(PaymentMethod.CASH, D(item.price))])).visit
        closeout.mark_all_done(desk_session, visit.id)
        closeout.close_visit(desk_session, visit.id)
        return m.Visit.get_by_id(visit.id)

    return make


@pytest.fixture
def screen(app, qtbot, desk_session, print_to_pdf):
    print_to_pdf(300)
    page = ReportsScreen(desk_session, config.load())
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    settle(qtbot)
    return page


def _type(qtbot, widget, text: str, enter: bool = True) -> None:
    widget.setFocus()
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        widget.insert(text)  # Chinese comes through the input method, not as key presses
    if enter:
        qtbot.keyClick(widget, Qt.Key.Key_Return)


def _sign(qtbot, pad) -> None:
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 60))
    for x, y in ((80, 20), (130, 80), (190, 25), (260, 70)):
        qtbot.mouseMove(pad, QPoint(x, y))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(300, 40))


def _result_texts(screen) -> list[str]:
    table = screen.arrival_results
    return [" ".join(table.item(r, c).text() for c in range(table.columnCount())) for r in range(table.rowCount())]


def test_reports_are_received_by_scanning_one_after_another(screen, qtbot, closed_visit):
    a, b = closed_visit(), closed_visit("李四")
    assert screen.tabs.currentIndex() == TAB_ARRIVAL
    _type(qtbot, screen.arrival_shelf, "a-07")
    assert screen.arrival_scan.hasFocus()  # Enter in the shelf field goes on to scanning
    _type(qtbot, screen.arrival_scan, a.visit_no)
    settle(qtbot)
    _type(qtbot, screen.arrival_scan, b.visit_no)
    settle(qtbot)
    _type(qtbot, screen.arrival_scan, a.visit_no)  # scanned twice by mistake
    settle(qtbot)
    assert m.Visit.get_by_id(a.id).status == m.Visit.get_by_id(b.id).status == VisitStatus.REPORT_READY.value
    assert {r.shelf_no for r in m.ReportArrival.select()} == {"A-07"}
    texts = _result_texts(screen)
    assert "已登记过" in texts[0] and "已登记到达" in texts[1] and b.visit_no in texts[1]
    assert "2 份" in screen.arrival_summary.text()


def test_scanning_an_open_visit_says_why_and_receives_nothing(screen, qtbot, desk_session, closed_visit):
    guest = guests.register(desk_session, guests.GuestInput(
        name="王五", sex="M", birth_date=dt.date(1970, 1, 2), id_type=IdType.RESIDENT_ID,
        id_number=make_resident_id("110105", dt.date(1970, 1, 2), 11), phone="13911112222", organisation_id=None))
    item = m.ExamItem.get(m.ExamItem.code == "GENERAL")
    open_visit = checkin.check_in(desk_session, CheckInRequest(guest_id=guest.id, added_item_ids=[item.id], payments=[
        PaymentInput(PaymentMethod.CASH, D(item.price))])).visit
    _type(qtbot, screen.arrival_scan, open_visit.visit_no)
    settle(qtbot)
    assert "尚未交单" in _result_texts(screen)[0] and "尚未交单" in screen.banner.text()
    assert m.ReportArrival.select().count() == 0


def test_a_list_file_with_a_bad_line_receives_nothing(screen, qtbot, closed_visit, tmp_path):
    good = closed_visit()
    path = tmp_path / "list.csv"
    path.write_bytes(f"体检号\n{good.visit_no}\n12345678901\n".encode("gbk"))
    screen.load_arrival_file(str(path))
    settle(qtbot)
    assert "第 3 行" in _result_texts(screen)[0] and "未登记任何报告" in screen.banner.text()
    assert m.Visit.get_by_id(good.id).status == VisitStatus.CLOSED.value


def test_proxy_hand_out_with_signature_then_refused_again_without_a_supervisor(screen, qtbot, desk_session,
                                                                               closed_visit, monkeypatch):
    visit = closed_visit()
    reports.receive_reports(desk_session, [visit.visit_no], shelf_no="B-2")
    qtbot.keyClick(screen, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert screen.tabs.currentIndex() == TAB_HANDOUT and screen.handout_search.hasFocus()
    _type(qtbot, screen.handout_search, visit.visit_no)
    settle(qtbot)
    dialog = screen.last_handout_dialog
    assert dialog is not None and dialog.isVisible() and dialog.view.visit_no == visit.visit_no
    assert "张三丰" in dialog.findChild(type(dialog.message), "guestName").text()

    qtbot.keyClick(dialog, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.method() is HandoutMethod.PROXY)  # a button's shortcut clicks it animated
    assert dialog.proxy_name.hasFocus()
    _type(qtbot, dialog.proxy_name, "李秀英")
    assert dialog.proxy_id.hasFocus()
    _type(qtbot, dialog.proxy_id, PROXY_ID)
    _type(qtbot, dialog.relation.lineEdit(), "配偶")
    assert dialog.authorisation.hasFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_F9)  # the authorisation box is not ticked yet
    settle(qtbot)
    assert "授权" in dialog.message.text() and dialog.authorisation.hasFocus()
    assert m.ReportHandout.select().count() == 0
    qtbot.keyClick(dialog.authorisation, Qt.Key.Key_Space)
    _sign(qtbot, dialog.signature)
    assert not dialog.signature.is_empty()
    qtbot.keyClick(dialog, Qt.Key.Key_F9)
    settle(qtbot)

    handout = m.ReportHandout.get()
    assert (handout.method, handout.recipient_name, handout.proxy_relation, handout.authorisation_seen) == (
        "proxy", "李秀英", "配偶", True)
    assert bytes(handout.signature_png).startswith(b"\x89PNG")
    assert m.Visit.get_by_id(visit.id).status == VisitStatus.REPORT_HANDED_OUT.value
    assert "已发放" in screen.banner.text()
    # The receipt opened in the preview; it carries the visit's barcode and the proxy.
    preview = dialog.receipt_preview
    assert preview is not None and preview.isVisible()
    doc = pypdfium2.PdfDocument(preview.pdf_bytes)
    text = doc[0].get_textpage().get_text_range()
    image = doc[0].render(scale=300 / 72, grayscale=True).to_pil()
    doc.close()
    assert "李*英" in text and "配偶" in text
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [visit.visit_no]
    preview.reject()

    # Second time: a loud warning, and the supervisor's refusal leaves it as it was.
    asked = []
    monkeypatch.setattr(supervisor_dialog.SupervisorDialog, "exec", lambda self: asked.append(True) or 0)
    _type(qtbot, screen.handout_search, visit.visit_no)
    settle(qtbot)
    again = screen.last_handout_dialog
    assert again is not dialog and "已发放过" in again.warning.text() and again.warning.isVisible()
    from PySide6.QtWidgets import QPushButton

    again.findChild(QPushButton, "reprintReceipt").click()  # the receipt of the first hand-out, again
    settle(qtbot)
    assert again.receipt_preview is not None and again.receipt_preview.pdf_bytes == preview.pdf_bytes
    again.receipt_preview.reject()
    again.activateWindow()  # a window manager gives it back after the preview closes; offscreen has none
    qtbot.waitUntil(again.isActiveWindow)
    _type(qtbot, again.id_number, m.Visit.get_by_id(visit.id).guest.id_number)
    assert "✓" in again.id_result.text()
    qtbot.keyClick(again, Qt.Key.Key_F9)
    settle(qtbot)
    assert asked == [True] and "主管" in again.message.text()
    assert m.ReportHandout.select().count() == 1 and again.isVisible()

    # With the supervisor's signature it goes out again, marked as a repeat.
    def sign(self):
        self.username.setText("zhuguan")
        self.password.setText("demo-super-2026")
        self.check()
        return self.result()

    monkeypatch.setattr(supervisor_dialog.SupervisorDialog, "exec", sign)
    again.print_receipt.setChecked(False)
    qtbot.keyClick(again, Qt.Key.Key_F9)
    settle(qtbot)
    last = m.ReportHandout.select().order_by(m.ReportHandout.id.desc()).first()
    assert m.ReportHandout.select().count() == 2 and last.repeat and last.authorised_by == "zhuguan"


def test_in_person_with_another_persons_id_is_shown_as_a_mismatch(screen, qtbot, desk_session, closed_visit):
    visit = closed_visit()
    reports.receive_reports(desk_session, [visit.visit_no])
    screen.open_handout(visit.id)
    settle(qtbot)
    dialog = screen.last_handout_dialog
    assert dialog.id_number.hasFocus()
    _type(qtbot, dialog.id_number, PROXY_ID)
    assert "✗" in dialog.id_result.text() and "110105" in dialog.id_result.text()
    assert PROXY_ID not in dialog.id_result.text()
    qtbot.keyClick(dialog, Qt.Key.Key_F9)
    settle(qtbot)
    assert "不一致" in dialog.message.text() and m.ReportHandout.select().count() == 0


def test_pickup_booked_from_the_keyboard_shows_in_the_days_list(screen, qtbot, closed_visit, tmp_path, monkeypatch):
    visit = closed_visit()
    qtbot.keyClick(screen, Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)
    settle(qtbot)
    assert screen.tabs.currentIndex() == TAB_APPOINTMENTS and screen.appt_visit.hasFocus()
    assert screen.appt_slots.rowCount() == len(reports.pickup_slots())
    _type(qtbot, screen.appt_visit, visit.visit_no)
    assert screen.appt_slot.hasFocus()
    qtbot.keyClick(screen, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert "已预约" in screen.appt_message.text()
    assert screen.appt_list.rowCount() == 1 and screen.appt_list.item(0, 2).text() == visit.visit_no
    assert screen.appt_slots.item(0, 1).text().startswith("1 /")
    monkeypatch.setattr(screen, "_ask_export_path", lambda title, name: str(tmp_path / "appointments.csv"))
    qtbot.keyClick(screen.appt_list, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # the tab's export key
    settle(qtbot)
    assert "已导出" in screen.appt_message.text() and visit.visit_no in (tmp_path / "appointments.csv").read_text(
        encoding="utf-8-sig")


def test_call_list_tick_and_masked_export(screen, qtbot, desk_session, closed_visit, tmp_path, monkeypatch):
    from frontdesk import clock

    visit = closed_visit()
    with clock.pinned(clock.now() - dt.timedelta(days=20)):
        reports.receive_reports(desk_session, [visit.visit_no])
    qtbot.keyClick(screen, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    settle(qtbot)
    assert screen.tabs.currentIndex() == TAB_CALLS
    assert screen.call_days.value() == int(site_settings.get("report_uncollected_days"))
    assert screen.call_table.rowCount() == 1 and screen.call_table.item(0, 1).text() == "张*丰"
    _type(qtbot, screen.call_note, "已电话通知")
    settle(qtbot)
    assert screen.call_table.item(0, 7).text().startswith("✓") and screen.call_table.item(0, 10).text() == "已电话通知"
    target = tmp_path / "calls.xlsx"
    monkeypatch.setattr(QFileDialog, "exec", lambda self: self.selectFile(str(target)) or 1)
    qtbot.keyClick(screen, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert target.exists() and "已脱敏" in screen.banner.text()
    assert m.AuditLog.select().where(m.AuditLog.action == "report.call_list.export").count() == 1


def test_a_supervisor_changes_the_report_settings_from_the_screen(app, qtbot, fdb):
    demo.ensure_catalogue_and_accounts()
    supervisor = auth.login("zhuguan", "demo-super-2026", "前台1")
    page = ReportsScreen(supervisor, config.load())
    qtbot.addWidget(page)
    page.show()
    page.edit_settings()
    dialog = page.last_settings_dialog
    dialog.slots.setText("08:00-09:00，9:00-10:00")
    dialog.save()
    assert "9:00-10:00" in dialog.message.text() and dialog.isVisible()  # one digit too few: said, not saved
    dialog.slots.setText("08:00-09:00，09:00-10:00")
    dialog.limit.setValue(2)
    dialog.save()
    settle(qtbot)
    assert reports.pickup_slots() == ("08:00-09:00", "09:00-10:00") and reports.slot_limit() == 2
    assert "已保存" in page.banner.text()


def test_the_settings_button_is_for_supervisors(screen):
    from PySide6.QtWidgets import QPushButton

    assert not screen.findChild(QPushButton, "reportSettings").isEnabled()


def test_enter_on_a_report_on_the_shelf_opens_its_hand_out(screen, qtbot, desk_session, closed_visit):
    visit = closed_visit()
    reports.receive_reports(desk_session, [visit.visit_no], shelf_no="C-1")
    qtbot.keyClick(screen, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    settle(qtbot)
    assert screen.shelf_table.hasFocus() and screen.shelf_table.item(0, 5).text() == "C-1"
    qtbot.keyClick(screen.shelf_table, Qt.Key.Key_Return)
    settle(qtbot)
    assert screen.last_handout_dialog is not None and screen.last_handout_dialog.view.visit_id == visit.id


def test_a_file_that_is_no_list_is_said_so(screen, qtbot, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7")
    screen.load_arrival_file(str(path))
    settle(qtbot)
    assert "CSV" in screen.banner.text() and "report.pdf" in _result_texts(screen)[0]


def test_a_scan_right_after_opening_the_reports_page_receives_the_report(app, qtbot, desk_session, closed_visit):
    # The desk opens 报告发放 and scans at once: the arrival field has the focus, and a scan caught by the
    # main window on this page (focus elsewhere) goes to the page too, not to the visit window.
    from frontdesk.ui.main_window import MainWindow

    a, b = closed_visit(), closed_visit("李四")
    window = MainWindow(desk_session, config.load(), "SQLite test")
    qtbot.addWidget(window)
    window.show()
    page = window.show_task("reports")
    settle(qtbot)
    assert page.arrival_scan.hasFocus()
    _type(qtbot, page.arrival_scan, a.visit_no)
    settle(qtbot)
    window.nav.setFocus()
    for ch in b.visit_no:
        qtbot.keyClick(window.nav, ch)
    qtbot.keyClick(window.nav, Qt.Key.Key_Return)
    settle(qtbot)
    assert m.Visit.get_by_id(a.id).status == m.Visit.get_by_id(b.id).status == VisitStatus.REPORT_READY.value
    assert getattr(window, "last_visit_dialog", None) is None


def test_the_arrival_log_opens_with_todays_arrivals(app, qtbot, desk_session, closed_visit):
    # Reports received earlier today (at any desk) are on the arrival tab when the page opens.
    visit = closed_visit()
    reports.receive_reports(desk_session, [visit.visit_no], shelf_no="B-02")
    page = ReportsScreen(desk_session, config.load())
    qtbot.addWidget(page)
    page.show()
    settle(qtbot)
    table = page.arrival_results
    assert table.rowCount() == 1
    assert [table.item(0, c).text() for c in (1, 3, 4)] == [visit.visit_no, "B-02", "今日已登记到达"]
    assert "今日已登记 1 份" in page.arrival_summary.text()
