"""Receipts, guide sheets and lists at the desk: each on its own printer and paper, saved as
PDF where there is no printer, and audited once they are out."""

import datetime as dt
import json

import pypdfium2
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLabel

from frontdesk import config, paths
from frontdesk.domain.enums import IdType, PaymentMethod, Role
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.printing.guide_sheet import render_guide_sheet_pdf
from frontdesk.printing.receipt import render_receipt_pdf
from frontdesk.services import checkin, guests, overview, payments, site_settings
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.document_audit import PrintedDocument
from frontdesk.services.payments import PaymentInput
from frontdesk.services.session import Session
from frontdesk.storage import models as m
from frontdesk.ui import document_preview_dialog
from frontdesk.ui.document_preview_dialog import DocumentPreviewDialog
from frontdesk.ui.visit_dialog import VisitDialog

from .conftest import settle

DESK = Session("qiantai", "李前台", Role.RECEPTION, "前台1")


@pytest.fixture
def checked_in(catalogue):
    birth = dt.date(1980, 5, 17)
    guest = guests.register(DESK, guests.GuestInput(
        name="张三丰", sex="M", birth_date=birth, id_type=IdType.RESIDENT_ID,
        id_number=make_resident_id("110105", birth, 23), phone="13800000001", organisation_id=None))
    package = m.Package.get(m.Package.code == "BASIC")
    return checkin.check_in(DESK, CheckInRequest(guest_id=guest.id, package_id=package.id,
                                                 payments=[PaymentInput(PaymentMethod.CASH, package.price)]))


class _Printers:
    """Stands in for QPrinterInfo: the printers this computer has."""

    names: list[str] = []

    @classmethod
    def availablePrinterNames(cls):  # noqa: N802 - Qt's name
        return list(cls.names)

    @classmethod
    def defaultPrinter(cls):  # noqa: N802 - Qt's name
        return QPrinterInfo()  # null: no default printer


@pytest.fixture
def printers(monkeypatch):
    """The printers installed here (none unless the test says)."""
    _Printers.names = []
    monkeypatch.setattr(document_preview_dialog, "QPrinterInfo", _Printers)

    def never(name):
        raise AssertionError(f"nothing may be sent to a printer ({name!r})")

    monkeypatch.setattr(document_preview_dialog, "printer_factory", never)
    return _Printers


def _text(pdf: bytes) -> str:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return "".join(doc[i].get_textpage().get_text_bounded() for i in range(len(doc)))
    finally:
        doc.close()


def _receipt_preview(qtbot, result, settings, session=DESK) -> DocumentPreviewDialog:
    data = payments.receipt_data(result.receipt.id, site_settings.load())
    dialog = DocumentPreviewDialog("收据", render_receipt_pdf(data, settings.receipt_format), kind="receipt",
                                   settings=settings, session=session,
                                   document=PrintedDocument.receipt(result.receipt.id, result.receipt.receipt_no))
    qtbot.addWidget(dialog)
    return dialog


def _answer_file_dialog(seen: dict, *, accept: bool = True) -> None:
    """When Qt's save dialog opens, note what it offers and press its Save (or Cancel) button."""
    def answer():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, answer)
            return
        seen.update(folder=dialog.directory().absolutePath(), files=dialog.selectedFiles(),
                    native=not dialog.testOption(QFileDialog.Option.DontUseNativeDialog),
                    buttons=[b.text() for b in dialog.findChild(QDialogButtonBox).buttons()],
                    labels=[label.text() for label in dialog.findChildren(QLabel)])
        dialog.accept() if accept else dialog.reject()

    QTimer.singleShot(0, answer)


def test_without_a_printer_the_print_command_saves_the_receipt_as_pdf(app, qtbot, checked_in, printers):
    dialog = _receipt_preview(qtbot, checked_in, config.WorkstationSettings())
    assert dialog.saves_instead_of_printing
    assert "PDF" in dialog.print_button.text() and dialog.print_button.isDefault()
    assert "没有可用的打印机" in dialog.notice.text()
    seen = {}
    _answer_file_dialog(seen)
    dialog.print_button.click()  # Enter: the dialog's default button
    folder = paths.data_dir() / "documents"
    expected = folder / f"receipt-{checked_in.receipt.receipt_no}.pdf"
    assert seen["folder"] == str(folder) and seen["files"] == [str(expected)]
    assert not seen["native"] and "取消" in seen["buttons"]  # Qt's own dialog, in the desk's language
    assert "查找范围(&L)：" in seen["labels"] and "文件类型(&T)：" in seen["labels"]
    assert checked_in.receipt.receipt_no in _text(expected.read_bytes())
    assert dialog.saved_path == expected and dialog.result() == DocumentPreviewDialog.DialogCode.Accepted
    entry = m.AuditLog.get(m.AuditLog.action == "receipt.print")
    assert json.loads(entry.details)["output"] == "pdf" and json.loads(entry.details)["destination"] == str(expected)


def test_cancelling_the_save_writes_and_records_nothing(app, qtbot, checked_in, printers):
    dialog = _receipt_preview(qtbot, checked_in, config.WorkstationSettings())
    seen = {}
    _answer_file_dialog(seen, accept=False)
    dialog.print_button.click()
    assert seen and dialog.saved_path is None
    assert not list((paths.data_dir() / "documents").glob("*.pdf"))
    assert not m.AuditLog.select().where(m.AuditLog.action.startswith("receipt.")).exists()


def test_a_configured_printer_that_is_gone_saves_the_guide_sheet_as_pdf(app, qtbot, checked_in, printers,
                                                                          monkeypatch, tmp_path):
    printers.names = ["Office laser"]
    settings = config.WorkstationSettings()
    settings.document("guide").printer_name = "Front laser"
    target = tmp_path / "guide.pdf"
    asked = []
    monkeypatch.setattr(document_preview_dialog, "ask_save_path", lambda parent, path: asked.append(path) or str(target))
    visit = checked_in.visit
    pdf = render_guide_sheet_pdf(checkin.guide_sheet_data(visit.id, site_settings.load()))
    dialog = DocumentPreviewDialog("导检单", pdf, kind="guide", settings=settings, session=DESK,
                                   document=PrintedDocument.guide_sheet(visit.id, visit.visit_no))
    qtbot.addWidget(dialog)
    assert "Front laser" in dialog.notice.text()
    dialog.print_document()
    assert asked == [paths.data_dir() / "documents" / f"guide-{visit.visit_no}.pdf"]
    assert visit.visit_no in _text(target.read_bytes())
    assert m.AuditLog.get(m.AuditLog.action == "guide_sheet.print").record_id == str(visit.id)


def test_a4_guide_sheet_is_never_sent_to_the_receipt_roll_printer(app, qtbot, checked_in, printers, monkeypatch):
    printers.names = ["TM-T88"]
    settings = config.WorkstationSettings()
    settings.documents["receipt"] = config.DocumentPrinterSettings("TM-T88", "roll80")
    settings.documents["guide"] = config.DocumentPrinterSettings("TM-T88", "a4")
    monkeypatch.setattr(document_preview_dialog, "ask_save_path", lambda parent, path: "")
    visit = checked_in.visit
    pdf = render_guide_sheet_pdf(checkin.guide_sheet_data(visit.id, site_settings.load()))
    dialog = DocumentPreviewDialog("导检单", pdf, kind="guide", settings=settings, session=DESK,
                                   document=PrintedDocument.guide_sheet(visit.id, visit.visit_no))
    qtbot.addWidget(dialog)
    assert dialog.saves_instead_of_printing and "80 毫米卷纸" in dialog.notice.text()
    dialog.print_document()  # the printer factory would fail the test if anything were sent
    assert not m.AuditLog.select().where(m.AuditLog.action.startswith("guide_sheet.")).exists()


def test_the_roll_receipt_still_prints_on_the_roll_printer(app, qtbot, checked_in, print_to_pdf):
    printed = print_to_pdf(100)
    settings = config.WorkstationSettings()
    settings.documents["receipt"] = config.DocumentPrinterSettings("TM-T88", "roll80")
    dialog = _receipt_preview(qtbot, checked_in, settings)
    assert not dialog.saves_instead_of_printing and dialog.page_size_mm is None
    dialog.print_document()
    assert dialog.printed_pages == 1 and printed[0].exists()


def test_receipt_print_then_reprint_from_the_visit_window_are_audited(app, qtbot, checked_in, print_to_pdf):
    printed = print_to_pdf(100)
    visit = checked_in.visit
    window = VisitDialog(overview.visit_detail(visit.id), session=DESK, settings=config.WorkstationSettings(),
                         reload=overview.visit_detail)
    qtbot.addWidget(window)
    for _ in range(2):
        window.print_receipt()
        window.last_preview.print_document()
    window.print_guide()
    window.last_preview.print_document()
    assert len(printed) == 3
    receipt_entries = list(m.AuditLog.select().where(m.AuditLog.record_type == "receipt",
                                                     m.AuditLog.action.startswith("receipt."))
                           .order_by(m.AuditLog.id))
    assert [e.action for e in receipt_entries] == ["receipt.print", "receipt.reprint"]
    assert all(e.record_id == str(checked_in.receipt.id) and e.username == "qiantai" for e in receipt_entries)
    assert json.loads(receipt_entries[0].details)["number"] == checked_in.receipt.receipt_no
    assert m.AuditLog.get(m.AuditLog.action == "guide_sheet.print").record_id == str(visit.id)


@pytest.mark.qt_log_ignore("QPainter::begin")
def test_a_print_that_failed_is_not_audited(app, qtbot, checked_in, print_to_pdf, monkeypatch, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    def broken(name):
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "no-such-folder" / "out.pdf"))  # cannot start
        return printer

    print_to_pdf(100)
    monkeypatch.setattr(document_preview_dialog, "printer_factory", broken)
    shown = []
    monkeypatch.setattr(document_preview_dialog, "show_error", lambda parent, exc: shown.append(exc))
    dialog = _receipt_preview(qtbot, checked_in, config.WorkstationSettings())
    dialog.print_document()
    assert shown and not m.AuditLog.select().where(m.AuditLog.action.startswith("receipt.")).exists()


def test_check_in_print_all_audits_each_document(app, qtbot, checked_in, print_to_pdf):
    from frontdesk.ui.checkin_screen import CheckInScreen

    printed = print_to_pdf(100)
    screen = CheckInScreen(DESK, config.WorkstationSettings())
    qtbot.addWidget(screen)
    screen.result = checked_in
    screen.print_documents()
    settle(qtbot)
    assert len(printed) == 2
    actions = {e.action for e in m.AuditLog.select().where(m.AuditLog.action.endswith(".print"))}
    assert {"receipt.print", "guide_sheet.print"} <= actions


def test_check_in_print_all_without_a_printer_offers_each_document_as_pdf(app, qtbot, checked_in, printers):
    from frontdesk.ui.checkin_screen import CheckInScreen

    screen = CheckInScreen(DESK, config.WorkstationSettings())
    qtbot.addWidget(screen)
    screen.result = checked_in
    screen.print_documents()
    settle(qtbot)
    preview = screen.last_preview
    assert preview.objectName() == "preview_guide" and preview.saves_instead_of_printing
    assert preview.isVisible()
    preview.reject()


def test_hand_over_list_uses_the_list_printer_at_a4(app, qtbot, checked_in, print_to_pdf):
    printed = print_to_pdf(100)
    settings = config.WorkstationSettings()
    settings.document("list").printer_name = "Lab A4"
    pdf = render_guide_sheet_pdf(checkin.guide_sheet_data(checked_in.visit.id, site_settings.load()))
    dialog = DocumentPreviewDialog("送检单", pdf, kind="list", settings=settings, session=DESK,
                                   document=PrintedDocument.handover("H0001"))
    qtbot.addWidget(dialog)
    assert dialog.printer_name == "Lab A4" and dialog.page_size_mm == (210.0, 297.0)
    dialog.print_document()
    assert printed[0].exists() and m.AuditLog.get(m.AuditLog.action == "handover.print").record_id == "H0001"


def test_a_slip_of_its_own_size_keeps_it_on_the_list_printer(app, qtbot, checked_in, print_to_pdf):
    print_to_pdf(100)
    settings = config.WorkstationSettings()
    settings.document("list").printer_name = "Lab A4"
    pdf = render_guide_sheet_pdf(checkin.guide_sheet_data(checked_in.visit.id, site_settings.load()))
    dialog = DocumentPreviewDialog("缓检通知单", pdf, kind="list", settings=settings, page_size_mm=(148.0, 210.0))
    qtbot.addWidget(dialog)
    assert dialog.printer_name == "Lab A4" and dialog.page_size_mm == (148.0, 210.0)
