"""Printing rendered PDFs (receipts, guide sheets, reports) through Qt.

Qt cannot draw a PDF onto a printer itself, so each page is rasterised with
pdfium at the printer's resolution and painted as an image.  Only QtGui and
QtPrintSupport are used: painting on a QPrinter is allowed off the GUI
thread, so this can run in a worker.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from frontdesk.errors import PrintError
from frontdesk.i18n import tr
from frontdesk.printing.pdf_raster import iter_pdf_page_images, pdf_page_sizes_mm

MAX_DPI = 600  # more only costs memory: an A4 page at 600 dpi is ~100 MB of pixels
MIN_DPI = 72
#: How much wider than the paper a page may be (mm) before it is refused:
#: rounding in page sizes, not a real difference.
PAPER_TOLERANCE_MM = 2.0


def _page_layout(size_mm: tuple[float, float]) -> QPageLayout:
    width, height = size_mm
    landscape = width > height
    # QPageSize describes the sheet upright; orientation turns it.
    portrait = QSizeF(min(width, height), max(width, height))
    page_size = QPageSize(portrait, QPageSize.Unit.Millimeter, "", QPageSize.SizeMatchPolicy.ExactMatch)
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    return QPageLayout(page_size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


def _to_qimage(image) -> tuple[QImage, bytes]:
    """A QImage over the PIL image's pixels; keep the bytes alive while it is used."""
    if image.mode == "L":
        data = image.tobytes()
        return QImage(data, image.width, image.height, image.width, QImage.Format.Format_Grayscale8), data
    rgb = image.convert("RGB")
    data = rgb.tobytes()
    return QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888), data


def _printer_name(printer: QPrinter) -> str:
    return printer.printerName() or printer.outputFileName() or tr("默认打印机", "the default printer")


def printer_paper_width_mm(printer: QPrinter) -> float | None:
    """The widest paper the printer's driver offers, in mm (the narrow side of its largest
    sheet or its roll width); None when it does not say (a PDF file, an unknown driver)."""
    info = QPrinterInfo(printer)
    if info.isNull():
        return None
    sizes = [size for size in info.supportedPageSizes() if size.isValid()]
    if info.supportsCustomPageSizes():
        largest = info.maximumPhysicalPageSize()
        if not largest.isValid():
            return None
        sizes.append(largest)
    widths = [min(s.size(QPageSize.Unit.Millimeter).width(), s.size(QPageSize.Unit.Millimeter).height()) for s in sizes]
    return max(widths) if widths else None


def check_paper_width(printer_name: str, page_width_mm: float, paper_width_mm: float | None) -> None:
    """Refuse a page wider than the paper the printer holds (an A4 sheet on an 80 mm roll)."""
    if paper_width_mm is None or page_width_mm <= paper_width_mm + PAPER_TOLERANCE_MM:
        return
    raise PrintError(tr(
        "这份文件宽 {d:.0f} 毫米，打印机“{p}”的纸只有 {w:.0f} 毫米宽，不能打印。请在设置中为这类文件选择合适的打印机，或另存为 PDF。",
        "This document is {d:.0f} mm wide but printer “{p}” holds paper only {w:.0f} mm wide: nothing was printed. "
        "Choose a suitable printer for this kind of document in the settings, or save it as PDF.",
        d=page_width_mm, p=printer_name, w=paper_width_mm))


def print_pdf_qt(printer: QPrinter, pdf_bytes: bytes, page_size_mm: tuple[float, float] | None = None, *,
                 paper_width_mm: float | None = None) -> int:
    """Print every page of ``pdf_bytes`` on ``printer``; return the number of pages.

    ``page_size_mm`` forces one paper size (width, height) for all pages, e.g.
    A4 for a list; ``None`` uses each page's own size from the PDF (a receipt
    on a roll keeps its own length).  A page that does not match the paper is
    scaled to fit, keeping its proportions, at the top of the sheet.

    ``paper_width_mm`` is the width of the paper the printer is known to hold
    (its roll, from the settings); the driver's own paper list is checked too.
    A page wider than the paper is refused before anything is sent: an A4
    guide sheet shrunk onto an 80 mm roll is of no use to anyone.

    Raises PrintError when the printer cannot start or continue the job.
    """
    sizes = pdf_page_sizes_mm(pdf_bytes)
    if not sizes:
        raise PrintError(tr("没有可打印的页面。", "There is nothing to print."))
    widest = max(min(w, h) for w, h in ([page_size_mm] if page_size_mm else sizes))
    for limit in (paper_width_mm, printer_paper_width_mm(printer)):
        check_paper_width(_printer_name(printer), widest, limit)
    dpi = max(MIN_DPI, min(printer.resolution(), MAX_DPI))
    grayscale = printer.colorMode() == QPrinter.ColorMode.GrayScale

    # The PDF carries its own margins: paint from the paper's corner.
    printer.setFullPage(True)
    printer.setPageLayout(_page_layout(page_size_mm or sizes[0]))

    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(tr(
            "无法开始打印：{printer} 未就绪或无法访问。",
            "Cannot start printing: {printer} is not ready or cannot be reached.",
            printer=_printer_name(printer),
        ))
    printed = 0
    try:
        for index, image in enumerate(iter_pdf_page_images(pdf_bytes, dpi, grayscale=grayscale, crisp_lines=True)):
            if index:
                if page_size_mm is None and sizes[index] != sizes[index - 1]:
                    printer.setPageLayout(_page_layout(sizes[index]))
                if not printer.newPage():
                    raise PrintError(tr(
                        "打印中断：{printer} 无法换页。",
                        "Printing stopped: {printer} could not start a new page.",
                        printer=_printer_name(printer),
                    ))
            _paint_page(painter, printer, image)
            printed += 1
    except BaseException:
        printer.abort()
        raise
    finally:
        painter.end()
    return printed


def _paint_page(painter: QPainter, printer: QPrinter, image) -> None:
    paper = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
    scale = min(paper.width() / image.width, paper.height() / image.height)
    width, height = image.width * scale, image.height * scale
    target = QRectF(paper.x() + (paper.width() - width) / 2, paper.y(), width, height)
    qimage, _pixels = _to_qimage(image)
    painter.drawImage(target, qimage)
