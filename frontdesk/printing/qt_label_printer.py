"""Labels through a Qt printer (a Windows/CUPS label printer driver, or PDF).

Each label is laid out again at the printer's own resolution and rendered
1-bit (``render_label_image``), then drawn one image pixel per device pixel:
no scaling, so bars keep whole-dot widths on a 203 or 300 dpi thermal head
and the label keeps its physical size.  Only QtGui and QtPrintSupport are
used, so this runs without widgets (and off the UI thread's widgets).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMarginsF, QPoint, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from frontdesk.errors import PrintError
from frontdesk.i18n import tr
from frontdesk.printing.label_layout import LabelLayout, LabelSize, layout_label, mm_to_dots
from frontdesk.printing.label_raster import render_label_image

#: How much smaller than the label the driver's page may be (mm) before the
#: label would visibly lose its edge.
_PAGE_TOLERANCE_MM = 1.0


def _label_page_layout(size: LabelSize) -> QPageLayout:
    page_size = QPageSize(
        QSizeF(size.width_mm, size.height_mm),
        QPageSize.Unit.Millimeter,
        f"Label {size.key} mm",
        # Without ExactMatch Qt may swap in a nearby standard paper size.
        QPageSize.SizeMatchPolicy.ExactMatch,
    )
    return QPageLayout(
        page_size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter
    )


def _to_qimage(layout: LabelLayout) -> QImage:
    gray = render_label_image(layout).convert("L")
    data = gray.tobytes()
    # copy(): the QImage must own its pixels once ``data`` goes away.
    return QImage(data, gray.width, gray.height, gray.width, QImage.Format.Format_Grayscale8).copy()


def print_labels_qt(printer: QPrinter, layouts: Sequence[LabelLayout]) -> None:
    """Print ``layouts`` on ``printer``, one page per label.

    Sets the page to the label size (custom, zero margins, full page) itself.
    All labels of one job must share a size: one printer holds one roll.
    Returns only if every page was painted and the job ended cleanly; raises
    ``PrintError`` if the printer cannot be opened or its page is smaller than
    the label.
    """
    if not layouts:
        return
    size = layouts[0].size
    if any(layout.size != size for layout in layouts):
        raise ValueError("labels of different sizes in one print job")

    printer.setFullPage(True)
    printer.setPageLayout(_label_page_layout(size))
    if not printer.docName():
        printer.setDocName(tr("标本标签", "Specimen labels"))
    dpi = printer.resolution()
    page = printer.pageLayout().fullRectPixels(dpi)
    need_w, need_h = mm_to_dots(size.width_mm - _PAGE_TOLERANCE_MM, dpi), mm_to_dots(size.height_mm - _PAGE_TOLERANCE_MM, dpi)
    if page.width() < need_w or page.height() < need_h:
        raise PrintError(
            tr(
                "打印机 {printer} 不接受 {size} 毫米的标签纸：请在打印机驱动里设置标签尺寸",
                "The printer {printer} does not accept {size} mm labels: set the label size in its driver",
                printer=printer.printerName() or printer.outputFileName(),
                size=size.key,
            )
        )

    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(
            tr(
                "无法开始打印到 {printer}：请检查打印机是否可用",
                "Cannot start printing to {printer}: check that the printer is available",
                printer=printer.printerName() or printer.outputFileName(),
            )
        )
    try:
        for number, layout in enumerate(layouts):
            if number and not printer.newPage():
                raise PrintError(tr("打印机无法换到下一张标签", "The printer could not move to the next label"))
            if layout.dpi != dpi:
                layout = layout_label(layout.data, layout.size, dpi)
            painter.drawImage(QPoint(0, 0), _to_qimage(layout))
    except BaseException:
        painter.end()
        raise
    if not painter.end():
        raise PrintError(tr("打印任务没有正常结束", "The print job did not finish cleanly"))
