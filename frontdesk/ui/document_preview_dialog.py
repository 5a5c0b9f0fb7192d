"""Preview a rendered document (receipt, guide sheet, list) and print it or save it as PDF.

The pages shown are the PDF itself rasterised, so what is previewed is what
prints. Enter prints (keyboard-first desk); Ctrl+S saves the PDF.  At a desk
without a printer (none installed, or the one in the settings is gone), or
when the printer holds paper too narrow for the document, Enter saves the
PDF instead, into the data folder's documents/ folder by default, and the
dialog says why.  Each print or save of a receipt, guide sheet or list is
audited once it succeeded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from frontdesk import config, paths
from frontdesk.errors import PrintError, UserError
from frontdesk.i18n import tr
from frontdesk.printing.pdf_raster import pdf_page_sizes_mm, pdf_pages_to_images
from frontdesk.printing.qt_document_printer import print_pdf_qt
from frontdesk.services.document_audit import PrintedDocument
from frontdesk.services.session import Session
from frontdesk.ui.error_dialogs import show_error
from frontdesk.ui.page_view import PageView
from frontdesk.ui.screen_fit import fit_to_screen

log = logging.getLogger(__name__)


def make_printer(printer_name: str) -> QPrinter:
    """The configured printer, or the system default when none is set."""
    if printer_name:
        info = next((p for p in QPrinterInfo.availablePrinters() if p.printerName() == printer_name), None)
        if info is None:
            raise PrintError(tr("找不到打印机“{p}”，请在设置中重新选择。",
                                "Printer “{p}” was not found; choose it again in the settings.", p=printer_name))
        return QPrinter(info, QPrinter.PrinterMode.HighResolution)
    default = QPrinterInfo.defaultPrinter()
    if default.isNull():
        raise PrintError(tr("本机没有可用的打印机。请在设置中选择打印机，或另存为 PDF。",
                            "No printer is available on this computer. Choose one in the settings or save as PDF."))
    return QPrinter(default, QPrinter.PrinterMode.HighResolution)


def find_printer_problem(printer_name: str) -> str | None:
    """Why nothing can be printed on ``printer_name`` (empty: the default printer) here, or None."""
    names = QPrinterInfo.availablePrinterNames()
    if printer_name and printer_name not in names:
        return tr("找不到打印机“{p}”。", "Printer “{p}” was not found.", p=printer_name)
    if not printer_name and (not names or QPrinterInfo.defaultPrinter().isNull()):
        return tr("本机没有可用的打印机。", "No printer is available on this computer.")
    return None


# Tests replace these to print through Qt into a PDF file instead of a device.
printer_factory: Callable[[str], QPrinter] = make_printer
printer_problem: Callable[[str], str | None] = find_printer_problem


def default_document_folder() -> Path:
    """Where documents saved as PDF go unless the desk picks another folder."""
    return paths.data_dir() / "documents"


def ask_save_path(parent: QWidget | None, suggested: Path) -> str:
    """The file to save to, or "" when cancelled.  Qt's own dialog rather than the
    system's, so its buttons and labels follow the desk's language (Qt's translations)."""
    suggested.parent.mkdir(parents=True, exist_ok=True)
    dialog = QFileDialog(parent, tr("另存为 PDF", "Save as PDF"), str(suggested.parent),
                         tr("PDF 文件 (*.pdf)", "PDF files (*.pdf)"))
    dialog.setObjectName("savePdfDialog")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix("pdf")
    # Two labels Qt's Chinese catalogue lacks (it has them without their shortcut mark).
    dialog.setLabelText(QFileDialog.DialogLabel.LookIn, tr("查找范围(&L)：", "&Look in:"))
    dialog.setLabelText(QFileDialog.DialogLabel.FileType, tr("文件类型(&T)：", "Files of &type:"))
    dialog.selectFile(suggested.name)
    dialog.resize(860, 520)  # fits a 1366x768 desk screen
    if not dialog.exec():
        return ""
    files = dialog.selectedFiles()
    return files[0] if files else ""


@dataclass(frozen=True)
class PrintTarget:
    """Where one kind of document goes at this desk, from the settings."""

    printer_name: str
    page_size_mm: tuple[float, float] | None  # None: each page keeps its own size (a roll)
    paper_width_mm: float | None  # the roll the printer holds, if the settings say it holds one
    problem: str | None  # why it cannot be printed here (no printer, a roll too narrow), or None

    @staticmethod
    def for_document(settings: config.WorkstationSettings, kind: str) -> PrintTarget:
        doc = settings.document(kind)
        problem = printer_problem(doc.printer_name) or settings.paper_problem(kind)
        return PrintTarget(doc.printer_name, config.PAPER_SIZES_MM[doc.paper],
                           settings.roll_width_mm(doc.printer_name), problem)


def audit_output(session: Session | None, document: PrintedDocument | None, *, destination: str, pages: int,
                 saved_as_pdf: bool) -> None:
    """Record a print or save that succeeded; nothing to record without a session and a document."""
    if session is None or document is None:
        return
    from frontdesk.services.document_audit import record_document_output

    action = record_document_output(session, document, destination=destination, pages=pages,
                                    saved_as_pdf=saved_as_pdf)
    log.info("%s %s %s to %s", action, document.kind, document.number, destination)


class DocumentPreviewDialog(QDialog):
    """``kind`` ("receipt", "guide", "list") with ``settings`` picks this desk's printer and paper for
    the document (an explicit ``page_size_mm`` still sets the paper); without them ``printer_name`` and
    ``page_size_mm`` are used as given.  ``session`` and ``document`` say whom and what to audit once
    the document was printed or saved."""

    def __init__(self, title: str, pdf_bytes: bytes, *, printer_name: str = "", suggested_name: str = "",
                 page_size_mm: tuple[float, float] | None = None, kind: str | None = None,
                 settings: config.WorkstationSettings | None = None, session: Session | None = None,
                 document: PrintedDocument | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf_bytes = pdf_bytes
        if kind is not None and settings is not None:
            self.target = PrintTarget.for_document(settings, kind)
            if page_size_mm is not None:  # a document of its own size (an A5 slip) on that printer
                self.target = replace(self.target, page_size_mm=page_size_mm)
        else:
            self.target = PrintTarget(printer_name, page_size_mm, None, printer_problem(printer_name))
        self.printer_name = self.target.printer_name
        self.page_size_mm = self.target.page_size_mm
        self.session = session
        self.document = document
        if not suggested_name:
            suggested_name = f"{document.kind}-{document.number}.pdf" if document else "document.pdf"
        self.suggested_name = suggested_name
        self.printed_pages = 0
        self.saved_path: Path | None = None
        self.setWindowTitle(title)
        # The pages fitted to the width (Ctrl++ / Ctrl+- zoom, Ctrl+0 back to the width).
        self.pages = PageView(pdf_bytes)
        scroll = self.pages
        self.print_button = QPushButton(tr("打印 (Enter)", "Print (Enter)"), objectName="printButton")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_document)
        save = QPushButton(tr("另存为 PDF… (Ctrl+S)", "Save as PDF… (Ctrl+S)"), objectName="saveButton")
        save.setShortcut("Ctrl+S")
        save.clicked.connect(lambda: self.save_pdf())
        self.save_button = save
        # Why Enter saves instead of printing, or where the PDF went.
        self.notice = QLabel(objectName="printNotice", wordWrap=True)
        self.notice.hide()
        close = QPushButton(tr("关闭 (Esc)", "Close (Esc)"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(save)
        buttons.addWidget(close)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.notice)
        layout.addLayout(buttons)
        # An A4 page wants the screen's height; the buttons below the pages stay on screen.
        fit_to_screen(self, 980, 1200)
        if self.target.problem:
            self._offer_pdf_instead(self.target.problem)
        self.print_button.setFocus()

    @property
    def saves_instead_of_printing(self) -> bool:
        return self.target.problem is not None

    def _offer_pdf_instead(self, problem: str) -> None:
        """No printer for this document here: the print command saves the PDF, and says why."""
        self.target = PrintTarget(self.target.printer_name, self.target.page_size_mm, self.target.paper_width_mm,
                                  problem)
        self._say(tr("{p}按 Enter 另存为 PDF。", "{p} Press Enter to save it as PDF.", p=problem), problem=True)
        self.print_button.setText(tr("另存为 PDF… (Enter)", "Save as PDF… (Enter)"))
        self.save_button.hide()

    def print_document(self) -> None:
        """Print on this desk's printer for the document; where there is none, save as PDF instead."""
        if self.target.problem:
            self.save_pdf(close_when_saved=True)
            return
        problem = printer_problem(self.printer_name)  # unplugged since the dialog opened
        if problem:
            self._offer_pdf_instead(problem)
            self.save_pdf(close_when_saved=True)
            return
        try:
            printer = printer_factory(self.printer_name)
            self.printed_pages = print_pdf_qt(printer, self.pdf_bytes, self.page_size_mm,
                                              paper_width_mm=self.target.paper_width_mm)
        except PrintError as exc:
            show_error(self, exc)
            return
        log.info("printed %s pages of %s", self.printed_pages, self.suggested_name)
        destination = printer.printerName() or self.printer_name or tr("默认打印机", "the default printer")
        self._audit(destination=destination, pages=self.printed_pages, saved_as_pdf=False)
        self.accept()

    def save_pdf(self, path: str | None = None, *, close_when_saved: bool = False) -> Path | None:
        """Save the document as PDF (asking where, in the documents folder, unless ``path`` is given)."""
        if not path:
            path = ask_save_path(self, default_document_folder() / self.suggested_name)
        if not path:
            return None
        target = Path(path)
        try:
            target.write_bytes(self.pdf_bytes)
        except OSError as exc:
            show_error(self, PrintError(tr("无法保存文件：{e}", "Cannot save the file: {e}", e=exc)))
            return None
        self.saved_path = target
        self._audit(destination=str(target), pages=_page_count(self.pdf_bytes), saved_as_pdf=True)
        self._say(tr("已保存到 {p}", "Saved to {p}", p=target), problem=False)
        if close_when_saved:
            self.accept()
        return target

    def _say(self, text: str, *, problem: bool) -> None:
        self.notice.setProperty("role", "fieldError" if problem else "")
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)
        self.notice.setText(text)
        self.notice.show()

    def _audit(self, *, destination: str, pages: int, saved_as_pdf: bool) -> None:
        try:
            audit_output(self.session, self.document, destination=destination, pages=pages,
                         saved_as_pdf=saved_as_pdf)
        except UserError as exc:  # the paper is out: say that the record is missing, do not hide it
            show_error(self, exc)


def _page_count(pdf_bytes: bytes) -> int:
    return len(pdf_page_sizes_mm(pdf_bytes))
