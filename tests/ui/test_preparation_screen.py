"""The preparation page (明日准备) driven with the keyboard: reminders ticked with Space and exported with Ctrl+E,
the batch started with Ctrl+Enter (bags as PDF files where there is no printer, labels on the label output),
Esc cancelling it between two guests, Ctrl+R reprinting one guest, Ctrl+P the organisation's order sheet."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from frontdesk import clock, config
from frontdesk.domain.enums import IdType, Role, VisitStatus
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.services import bookings, catalogue, contracts, guests, preparation
from frontdesk.services.session import Session
from frontdesk.storage import models as m
from frontdesk.ui import preparation_screen
from frontdesk.ui.document_preview_dialog import default_document_folder
from frontdesk.ui.preparation_screen import PreparationScreen

from .conftest import settle

_seq = itertools.count(11)
_phones = itertools.count(13900000001)


@pytest.fixture
def desk(fdb):
    catalogue.load_seed_catalogue(Session("admin", "管理员", Role.ADMIN, "前台1"))
    return Session("qiantai", "李前台", Role.RECEPTION, "前台1")


def register(desk, name, sex="M", birth=dt.date(1980, 5, 17)):
    number = make_resident_id("110105", birth, next(_seq) * 2 + (1 if sex == "M" else 0))
    return guests.register(desk, guests.GuestInput(name=name, sex=sex, birth_date=birth, id_type=IdType.RESIDENT_ID,
                                                   id_number=number, phone=str(next(_phones)), organisation_id=None),
                           today=clock.today())


@pytest.fixture
def tomorrow():
    return clock.today() + dt.timedelta(days=1)


@pytest.fixture
def booked(desk, tomorrow):
    basic = m.Package.get(m.Package.code == "BASIC").id
    return [bookings.create_booking(desk, register(desk, name).id, tomorrow, package_id=basic, half_day=half)
            for name, half in (("张三丰", "am"), ("李四", "pm"))]


@pytest.fixture
def page(app, qtbot, desk, booked, tmp_path):
    settings = config.WorkstationSettings()
    settings.labels = config.LabelPrinterSettings(output="pdf", path=str(tmp_path / "labels"))
    screen = PreparationScreen(desk, settings)
    qtbot.addWidget(screen)
    screen.resize(1280, 680)
    screen.show()
    screen.activateWindow()
    settle(qtbot)
    return screen


def test_tomorrows_bookings_are_listed_with_masked_phones(page, booked):
    table = page.reminder_table
    assert table.rowCount() == 2
    assert [table.item(r, 1).text() for r in range(2)] == [b.booking_no for b in booked]
    assert table.item(0, 4).text().count("*") == 4  # masked on screen
    assert "空腹" in table.item(0, 9).text()
    assert page.bag_table.rowCount() == 2 and page.bag_table.item(0, 7).text() == "未备单"


def test_space_ticks_the_guest_as_reminded_and_moves_on(page, qtbot, booked):
    page.reminder_table.setFocus()
    page.reminder_table.setCurrentCell(0, 1)
    qtbot.keyClick(page.reminder_table, Qt.Key.Key_Space)
    settle(qtbot)
    assert m.Booking.get_by_id(booked[0].id).reminded_by == "qiantai"
    assert m.Booking.get_by_id(booked[1].id).reminded_at is None
    assert page.reminder_table.item(0, 0).text() == "✔" and page.reminder_table.currentRow() == 1
    page.reminder_table.setCurrentCell(0, 1)
    qtbot.keyClick(page.reminder_table, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot)
    assert m.Booking.get_by_id(booked[0].id).reminded_at is None


def test_ctrl_e_exports_the_full_phone_numbers_and_records_it(page, qtbot, booked, tmp_path, monkeypatch):
    target = tmp_path / "sms.csv"
    monkeypatch.setattr(preparation_screen, "ask_export_path", lambda parent, suggested: str(target))
    qtbot.keyClick(page, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    phones = {g.phone for g in m.Guest.select()}
    assert {row[3] for row in rows[1:]} == phones
    assert m.AuditLog.select().where(m.AuditLog.action == "reminders.export").count() == 1


def test_ctrl_enter_prepares_and_prints_everyone_in_booking_order(page, qtbot, booked, tmp_path, tomorrow):
    qtbot.keyClick(page, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert page.last_result is not None and len(page.last_result.done) == 2 and not page.last_result.error
    assert {v.status for v in m.Visit.select()} == {VisitStatus.PREPARED.value}
    bags = sorted((default_document_folder() / f"bags-{tomorrow:%Y%m%d}").iterdir())
    assert [p.name.split("-")[2] for p in bags] == [b.booking_no for b in booked]
    assert list((tmp_path / "labels").glob("labels-*.pdf"))
    assert [page.bag_table.item(r, 7).text() for r in range(2)] == ["已备单，已打印"] * 2
    assert (page.progress.value(), page.progress.maximum()) == (2, 2)
    assert page.tabs.currentIndex() == 1


def test_esc_cancels_the_batch_after_the_guest_in_hand(page, qtbot, booked, monkeypatch):
    gate, inside = threading.Event(), threading.Event()
    prepare = preparation.prepare_visit

    def held(session, booking_id):
        inside.set()
        gate.wait(20)
        return prepare(session, booking_id)

    monkeypatch.setattr(preparation, "prepare_visit", held)
    qtbot.keyClick(page, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(inside.is_set)  # the first guest is in hand
    assert page.cancel_button.isEnabled() and not page.start_button.isEnabled()
    qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert "取消" in page.batch_status.text()
    gate.set()
    settle(qtbot)
    result = page.last_result
    assert result.cancelled and [g.booking_no for g in result.done] == [booked[0].booking_no]
    assert [v.booking_id for v in m.Visit.select()] == [booked[0].id]
    assert "已中途取消" in page.batch_status.text() and page.start_button.isEnabled()


def test_ctrl_r_reprints_the_chosen_guest_alone(page, qtbot, booked, tomorrow):
    page.tabs.setCurrentIndex(1)
    page.bag_table.setFocus()
    page.bag_table.setCurrentCell(1, 1)
    qtbot.keyClick(page, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert [v.booking_id for v in m.Visit.select()] == [booked[1].id]
    assert len(list((default_document_folder() / f"bags-{tomorrow:%Y%m%d}").iterdir())) == 1
    assert "李四" in page.batch_status.text()


def test_ctrl_p_shows_the_organisations_order_sheet(page, qtbot, desk, tomorrow, tmp_path):
    supervisor = Session("zhuguan", "王主管", Role.SUPERVISOR, "前台1")
    org = contracts.create_organisation(supervisor, "星河科技有限公司")
    contract_id = contracts.create_contract(supervisor, org, contracts.ContractTermsInput(
        "年度体检", tomorrow - dt.timedelta(days=30), tomorrow + dt.timedelta(days=30),
        package_id=m.Package.get(m.Package.code == "GROUP").id))
    guest = register(desk, "孙八")
    contracts.add_roster_entry(desk, contract_id, contracts.RosterPerson(guest.name, guest.id_number),
                               today=clock.today())
    bookings.create_booking(desk, guest.id, tomorrow, contract_id=contract_id, channel="roster")
    page.refresh()
    settle(qtbot)
    assert page.organisation.count() == 1 and "星河科技有限公司" in page.organisation.currentText()
    qtbot.keyClick(page, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    preview = page.last_preview
    assert preview is not None and preview.objectName() == "orderSheetPreview" and preview.isVisible()
    target = preview.save_pdf(str(tmp_path / "order.pdf"))
    preview.reject()
    QApplication.processEvents()
    assert target.exists()
    entry = m.AuditLog.get(m.AuditLog.action == "booking_order.print")
    assert "order.pdf" in entry.details


def test_check_in_of_a_prepared_booking_prints_the_receipt_but_not_the_guide_sheet_again(app, qtbot, demo_db,
                                                                                           print_to_pdf, tmp_path):
    from frontdesk.services import auth
    from frontdesk.ui.main_window import MainWindow

    session = auth.login("qiantai", "demo-desk-2026", "前台1")
    booking = m.Booking.select().where((m.Booking.exam_date == clock.today()) & (m.Booking.status == "booked")).first()
    result = preparation.run_batch(session, [booking.id], documents=preparation.folder_sink(tmp_path / "bags"),
                                   label_output=config.LabelPrinterSettings(output="pdf", path=str(tmp_path / "l")))
    assert len(result.done) == 1
    prepared = m.Visit.get(m.Visit.booking == booking.id)
    labels_before = m.AuditLog.select().where(m.AuditLog.action.startswith("label.")).count()
    printed = print_to_pdf(150)
    window = MainWindow(session, config.load(), "SQLite test")
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    page = window.page("checkin")
    page.search_box.setFocus()
    qtbot.keyClicks(page.search_box, booking.booking_no)
    for _ in range(4):  # scan, confirm the person, pay, print
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        settle(qtbot)
    visit = m.Visit.get_by_id(prepared.id)
    assert visit.status == VisitStatus.CHECKED_IN.value and page.result.visit.id == prepared.id
    assert "资料袋" in page.done_text.text()
    assert len(printed) == 1  # the receipt only: the guide sheet is in the bag
    assert m.AuditLog.select().where(m.AuditLog.action.startswith("label.")).count() == labels_before


def test_with_a_printer_each_bag_is_one_print_job_in_booking_order(page, qtbot, booked, print_to_pdf):
    import zxingcpp

    from frontdesk.printing.pdf_raster import pdf_pages_to_images

    printed = print_to_pdf(200)
    page._describe_output()
    assert "打印到" in page.output_note.text()
    qtbot.keyClick(page, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert len(printed) == 2 and not page.last_result.error
    covers = [[r.text for r in zxingcpp.read_barcodes(pdf_pages_to_images(path.read_bytes(), 200, grayscale=True)[0])]
              for path in printed]
    assert covers == [[b.booking_no] for b in booked]
    outputs = [e.details for e in m.AuditLog.select().where(m.AuditLog.action == "document_bag.print")]
    assert len(outputs) == 2 and all('"output": "printer"' in d for d in outputs)
