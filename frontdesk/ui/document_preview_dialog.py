"""Preview a rendered document (receipt, guide sheet) and print it or save it as PDF.

The pages shown are the PDF itself rasterised, so what is previewed is what
prints. Enter prints (keyboard-first desk); Ctrl+S saves the PDF.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from frontdesk.errors import PrintError
from frontdesk.i18n import tr
from frontdesk.printing.pdf_raster import pdf_pages_to_images
from frontdesk.printing.qt_document_printer import print_pdf_qt
from frontdesk.ui.error_dialogs import show_error

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


# Tests replace this to print through Qt into a PDF file instead of a device.
printer_factory: Callable[[str], QPrinter] = make_printer


class DocumentPreviewDialog(QDialog):
    def __init__(self, title: str, pdf_bytes: bytes, *, printer_name: str = "", suggested_name: str = "document.pdf",
                 page_size_mm: tuple[float, float] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf_bytes = pdf_bytes
        self.printer_name = printer_name
        self.suggested_name = suggested_name
        self.page_size_mm = page_size_mm
        self.printed_pages = 0
        self.setWindowTitle(title)
        pages = QWidget()
        pages_layout = QVBoxLayout(pages)
        for image in pdf_pages_to_images(pdf_bytes, 110):
            rgb = image.convert("RGB")
            data = rgb.tobytes()
            qimage = QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888).copy()
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(qimage))
            label.setStyleSheet("border: 1px solid #999; background: white;")
            pages_layout.addWidget(label, alignment=Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea()
        scroll.setWidget(pages)
        scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.print_button = QPushButton(tr("打印 (Enter)", "Print (Enter)"), objectName="printButton")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_document)
        save = QPushButton(tr("另存为 PDF… (Ctrl+S)", "Save as PDF… (Ctrl+S)"), objectName="saveButton")
        save.setShortcut("Ctrl+S")
        save.clicked.connect(self.save_pdf)
        close = QPushButton(tr("关闭 (Esc)", "Close (Esc)"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(save)
        buttons.addWidget(close)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.resize(760, 860)
        self.print_button.setFocus()

    def print_document(self) -> None:
        try:
            printer = printer_factory(self.printer_name)
            self.printed_pages = print_pdf_qt(printer, self.pdf_bytes, self.page_size_mm)
        except PrintError as exc:
            show_error(self, exc)
            return
        log.info("printed %s pages of %s", self.printed_pages, self.suggested_name)
        self.accept()

    def save_pdf(self, path: str | None = None) -> Path | None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, tr("另存为 PDF", "Save as PDF"), self.suggested_name,
                                                  "PDF (*.pdf)")
        if not path:
            return None
        target = Path(path)
        try:
            target.write_bytes(self.pdf_bytes)
        except OSError as exc:
            show_error(self, PrintError(tr("无法保存文件：{e}", "Cannot save the file: {e}", e=exc)))
            return None
        return target
