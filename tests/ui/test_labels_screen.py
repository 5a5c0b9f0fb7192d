"""The labels screen (条码与标本) driven through its widgets: printing, preview, reprints,
receiving by scan and the lab hand-over."""

from __future__ import annotations

import socket

import pypdfium2
import pytest
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from frontdesk import clock, config
from frontdesk.domain.enums import PaymentMethod
from frontdesk.services import auth, checkin, labels
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m
from frontdesk.ui import supervisor_dialog
from frontdesk.ui.labels_screen import LabelsScreen
from frontdesk.ui.main_window import MainWindow


from .conftest import settle


@pytest.fixture
def printed(print_to_pdf):
    return print_to_pdf(300)  # label bars must decode from the PDF


@pytest.fixture
def desk_session(demo_db):
    return auth.login("qiantai", "demo-desk-2026", "前台1")


def _free_guest(sex):
    busy = m.Visit.select(m.Visit.guest).where(m.Visit.visit_date == clock.today())  # the desk's day, read now
    return m.Guest.select().where((m.Guest.sex == sex) & m.Guest.id.not_in(busy)).order_by(m.Guest.id).first()


@pytest.fixture
def check_in(desk_session):
    def go(sex="F", package="COMP_F"):
        guest = _free_guest(sex)
        pkg = m.Package.get(m.Package.code == package)
        return checkin.check_in(desk_session, CheckInRequest(guest_id=guest.id, package_id=pkg.id,
                                                             payments=[PaymentInput(PaymentMethod.CASH, pkg.price)]))
    return go


@pytest.fixture
def screen(app, qtbot, desk_session, tmp_path):
    settings = config.load()
    settings.labels = config.LabelPrinterSettings(output="qt", size="50x25", dpi=203)
    page = LabelsScreen(desk_session, settings)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    return page


def _open(qtbot, screen, visit):
    screen.handle_scan(visit.visit_no)
    settle(qtbot)
    assert screen.view is not None and screen.view.visit_id == visit.id


def _specimen(visit_id, tube):
    return (m.Specimen.select().join(m.TubeType).where(m.Specimen.visit == visit_id, m.TubeType.code == tube)
            .order_by(m.Specimen.id.desc()).first())


def _row_of(screen, barcode):
    return next(r for r in range(screen.table.rowCount()) if screen.table.item(r, 0).text() == barcode)


def _decode_pdf(path):
    document = pypdfium2.PdfDocument(str(path))
    try:
        return [[r.text for r in zxingcpp.read_barcodes(document[i].render(scale=300 / 72).to_pil().convert("L"))]
                for i in range(len(document))]
    finally:
        document.close()


def _sign_as_supervisor(monkeypatch, asked):
    def sign(self):
        asked.append(True)
        self.username.setText("zhuguan")
        self.password.setText("demo-super-2026")
        self.check()
        return self.result()

    monkeypatch.setattr(supervisor_dialog.SupervisorDialog, "exec", sign)


# --------------------------------------------------------------------------
# Opening a visit and printing


def test_scanned_visit_shows_the_guest_big_and_every_specimen(qtbot, screen, check_in):
    result = check_in()
    _open(qtbot, screen, result.visit)
    guest = m.Guest.get_by_id(result.visit.guest_id)
    assert screen.guest_name.text() == guest.name
    assert result.visit.visit_no in screen.guest_details.text() and "女" in screen.guest_details.text()
    assert screen.guest_name.font().pointSize() >= 20 or "30pt" in screen.guest_name.styleSheet()
    assert screen.table.rowCount() == 7
    assert {screen.table.item(r, 4).text() for r in range(7)} == {"待打印"}


def test_print_check_in_labels_prints_six_labels_through_qt_that_scan(qtbot, screen, check_in, printed):
    result = check_in()
    _open(qtbot, screen, result.visit)
    screen.print_check_in_button.click()
    settle(qtbot)
    expected = [l.data.barcode for l in labels.labels_for_visit(result.visit.id, moment="check_in")]
    assert len(printed) == 1 and _decode_pdf(printed[0]) == [[code] for code in expected]
    assert screen.banner.property("state") == "ok" and "6 张" in screen.banner.text()
    sst = _specimen(result.visit.id, "SST")
    assert (sst.status, sst.print_count) == ("label_printed", 2)
    assert screen.table.item(_row_of(screen, sst.barcode), 4).text() == "已打印"
    assert not screen.print_check_in_button.isEnabled()  # nothing left to print at check-in


def test_f12_at_the_check_in_desk_prints_that_visits_labels(app, qtbot, desk_session, check_in, printed):
    settings = config.load()
    settings.labels = config.LabelPrinterSettings(output="qt")
    window = MainWindow(desk_session, settings, "SQLite test")
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    page = window.page("checkin")
    page.result = check_in()
    qtbot.keyClick(page, Qt.Key.Key_F12)
    settle(qtbot)
    assert window.current_task() == "checkin"  # the desk stays with the next guest
    assert len(_decode_pdf(printed[0])) == 6
    assert "6 张" in window.statusBar().currentMessage()


def test_offline_label_printer_shows_the_error_and_leaves_labels_unprinted(qtbot, screen, check_in, monkeypatch):
    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    closed.bind(("127.0.0.1", 0))
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: shown.append(text)))
    screen.settings.labels = config.LabelPrinterSettings(output="zpl_tcp", host="127.0.0.1",
                                                         port=closed.getsockname()[1], timeout_s=2)
    result = check_in()
    try:
        _open(qtbot, screen, result.visit)
        screen.print_check_in_button.click()
        settle(qtbot)
    finally:
        closed.close()
    assert shown and "拒绝连接" in shown[0]
    assert screen.banner.property("state") == "bad" and "没有打印" in screen.banner.text()
    assert {(s.status, s.print_count) for s in m.Specimen.select().where(m.Specimen.visit == result.visit.id)} == {
        ("created", 0)}


def test_preview_shows_each_label_at_its_real_size(qtbot, screen, check_in):
    result = check_in()
    _open(qtbot, screen, result.visit)
    screen.preview_button.click()
    settle(qtbot)
    dialog = screen.last_preview
    assert dialog is not None and dialog.isVisible() and len(dialog.label_widgets) == 8
    dpi = dialog.logicalDpiX()
    for widget in dialog.label_widgets:
        assert widget.width() == round(50 / 25.4 * dpi) and widget.height() == round(25 / 25.4 * dpi)
        assert not widget.pixmap().isNull()
    dialog.reject()


def test_printing_from_the_preview_prints_exactly_the_previewed_labels(qtbot, screen, check_in, printed):
    result = check_in()
    _open(qtbot, screen, result.visit)
    sst = _specimen(result.visit.id, "SST")
    screen.table.selectRow(_row_of(screen, sst.barcode))
    screen.preview_button.click()
    settle(qtbot)
    assert len(screen.last_preview.label_widgets) == 2
    screen.last_preview.print_button.click()
    settle(qtbot)
    assert _decode_pdf(printed[0]) == [[sst.barcode], [sst.barcode]]
    assert m.Specimen.get_by_id(sst.id).print_count == 2


# --------------------------------------------------------------------------
# Reprints


def test_reprint_past_the_allowance_asks_for_a_supervisor_and_prints_under_their_name(qtbot, screen, check_in,
                                                                                      printed, monkeypatch):
    asked = []
    _sign_as_supervisor(monkeypatch, asked)
    result = check_in()
    _open(qtbot, screen, result.visit)
    screen.print_check_in_button.click()
    settle(qtbot)
    edta = _specimen(result.visit.id, "EDTA")
    for _ in range(2):  # the free allowance
        screen.table.selectRow(_row_of(screen, edta.barcode))
        screen.print_selected_button.click()
        settle(qtbot)
    assert not asked
    screen.table.selectRow(_row_of(screen, edta.barcode))
    screen.print_selected_button.click()
    settle(qtbot)
    assert asked == [True]
    done = [p for p in printed if p.exists()]  # a printer made for the refused attempt never started
    assert m.Specimen.get_by_id(edta.id).print_count == 4 and len(done) == 4
    assert [_decode_pdf(path) for path in done[1:]] == [[[edta.barcode]]] * 3  # each reprint is that label
    reprints = m.AuditLog.select().where(m.AuditLog.action == "label.reprint").order_by(m.AuditLog.id)
    assert [e.username for e in reprints] == ["qiantai", "qiantai", "zhuguan"]


def test_supervisor_declining_a_reprint_prints_nothing(qtbot, screen, check_in, printed, monkeypatch, desk_session):
    from frontdesk.services import site_settings

    site_settings.set_value(auth.login("zhuguan", "demo-super-2026", "前台1"), "label_free_reprints", "0")
    monkeypatch.setattr(supervisor_dialog.SupervisorDialog, "exec", lambda self: 0)
    result = check_in()
    _open(qtbot, screen, result.visit)
    screen.print_check_in_button.click()
    settle(qtbot)
    edta = _specimen(result.visit.id, "EDTA")
    screen.table.selectRow(_row_of(screen, edta.barcode))
    screen.print_selected_button.click()
    settle(qtbot)
    assert len(printed) == 2  # the check-in print, and a printer made for the refused reprint that never started
    assert not printed[1].exists()
    assert m.Specimen.get_by_id(edta.id).print_count == 1
    assert screen.banner.property("state") == "bad" and "主管" in screen.banner.text()


# --------------------------------------------------------------------------
# Receiving by scan


def test_scanning_a_containers_label_receives_it_with_a_green_banner(qtbot, screen, check_in):
    result = check_in()
    _open(qtbot, screen, result.visit)
    stool = _specimen(result.visit.id, "STOOL")
    qtbot.keyClicks(screen.scan, stool.barcode)
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    settle(qtbot)
    assert m.Specimen.get_by_id(stool.id).status == "collected"
    assert screen.banner.property("state") == "ok" and "已收取" in screen.banner.text()
    assert screen.table.item(_row_of(screen, stool.barcode), 4).text().startswith("已采集")


def test_label_of_another_visit_is_refused_in_red_with_a_beep(qtbot, screen, check_in, monkeypatch):
    beeps = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(1)))
    first, other = check_in("F"), check_in("M", "BASIC")
    _open(qtbot, screen, first.visit)
    urine = _specimen(other.visit.id, "URINE")
    screen.handle_scan(urine.barcode)
    settle(qtbot)
    assert beeps and screen.banner.property("state") == "bad"
    assert other.visit.visit_no in screen.banner.text() and first.visit.visit_no in screen.banner.text()
    assert m.Specimen.get_by_id(urine.id).status == "created"
    assert screen.view.visit_id == first.visit.id  # the open visit stays open


def test_mistyped_label_is_refused_with_a_beep(qtbot, screen, check_in, monkeypatch):
    beeps = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(1)))
    result = check_in()
    _open(qtbot, screen, result.visit)
    code = _specimen(result.visit.id, "URINE").barcode
    screen.handle_scan(code[:-1] + str((int(code[-1]) + 1) % 10))
    settle(qtbot)
    assert beeps and screen.banner.property("state") == "bad" and "校验" in screen.banner.text()


def test_main_window_sends_a_specimen_scan_to_the_labels_page_when_it_is_shown(app, qtbot, desk_session, check_in):
    window = MainWindow(desk_session, config.load(), "SQLite test")
    qtbot.addWidget(window)
    window.show()
    result = check_in()
    urine = _specimen(result.visit.id, "URINE")
    window.handle_scan(urine.barcode)  # on the check-in page: opens the visit, receives nothing
    settle(qtbot)
    assert m.Specimen.get_by_id(urine.id).status == "created" and window.last_visit_dialog.isVisible()
    window.last_visit_dialog.close()
    page = window.show_task("labels")
    window.handle_scan(urine.barcode)
    settle(qtbot)
    assert m.Specimen.get_by_id(urine.id).status == "collected"
    assert page.view.visit_id == result.visit.id and page.banner.property("state") == "ok"


def test_add_on_after_printing_says_to_reprint_and_tear_off_the_old_label(qtbot, screen, check_in, printed,
                                                                           desk_session):
    result = check_in("M", "BASIC")
    _open(qtbot, screen, result.visit)
    screen.print_check_in_button.click()
    settle(qtbot)
    thy = m.ExamItem.get(m.ExamItem.code == "THY")
    checkin.add_items(desk_session, result.visit.id, [thy.id], [PaymentInput(PaymentMethod.CASH, thy.price)])
    screen.refresh()
    settle(qtbot)
    sst = _specimen(result.visit.id, "SST")
    assert "请重打并撕掉旧标签" in screen.banner.text() and screen.banner.property("state") == "bad"
    assert screen.table.item(_row_of(screen, sst.barcode), 4).text() == "标签已作废，待重打"
    assert screen.print_check_in_button.isEnabled()
    screen.print_check_in_button.click()
    settle(qtbot)
    assert _decode_pdf(printed[-1]) == [[sst.barcode], [sst.barcode]]


# --------------------------------------------------------------------------
# Hand-over to the lab


def test_hand_over_tab_marks_the_collected_specimens_sent_and_opens_the_list_to_print(qtbot, screen, check_in,
                                                                                     desk_session, printed):
    from frontdesk.services import specimens

    result = check_in()
    ours = {_specimen(result.visit.id, tube).barcode for tube in ("SST", "EDTA", "STOOL")}
    for barcode in ours:
        specimens.receive_specimen(desk_session, barcode)
    # Everything collected and not yet sent is offered, the demo day's containers as well as ours.
    waiting = {f"{g.cap_colour} {g.tube_name}": sorted(c.barcode for c in g.specimens)
               for g in specimens.handover_candidates()}
    everything = {code for codes in waiting.values() for code in codes}
    assert ours <= everything and len(ours) == 3
    screen.tabs.setCurrentIndex(1)
    settle(qtbot)
    tree = screen.handover_tree
    tops = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    assert {top.text(0): sorted(top.child(j).text(0) for j in range(top.childCount())) for top in tops} == waiting
    assert f"合计 {len(everything)} 管" in screen.handover_summary.text()
    lists_before = screen.recent_handovers.count()
    screen.handover_button.click()
    settle(qtbot)
    sent = list(m.Specimen.select().where(m.Specimen.barcode.in_(list(everything))))
    assert {s.status for s in sent} == {"sent"} and len(sent) == len(everything)
    (handover_no,) = {s.handover_no for s in sent}
    preview = screen.last_handover_preview
    assert preview is not None and preview.isVisible()
    document = pypdfium2.PdfDocument(preview.pdf_bytes)
    try:
        text = "".join(document[i].get_textpage().get_text_bounded() for i in range(len(document)))
    finally:
        document.close()
    assert handover_no in text and f"合计 {len(everything)} 管" in text
    assert all(code in text.replace(" ", "") for code in ours)
    preview.print_document()
    assert {code for page in _decode_pdf(printed[0]) for code in page} == everything | {handover_no}
    assert tree.topLevelItemCount() == 0 and screen.recent_handovers.count() == lists_before + 1
