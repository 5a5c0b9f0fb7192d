"""Specimen labels shown at their real size before printing.

The images are the labels rendered for the printer (1-bit, at the printer's
dots per inch); they are scaled to the label's physical size using the
screen's logical dpi, so a 50 x 25 mm label measures 50 x 25 mm on a
correctly configured monitor.  Enter prints exactly these labels.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from frontdesk.i18n import tr
from frontdesk.ui.screen_fit import fit_to_screen

MM_PER_INCH = 25.4


def physical_size_px(width_mm: float, height_mm: float, logical_dpi: float) -> tuple[int, int]:
    """Logical pixels that cover ``width_mm`` x ``height_mm`` on a screen of ``logical_dpi``."""
    return round(width_mm / MM_PER_INCH * logical_dpi), round(height_mm / MM_PER_INCH * logical_dpi)


def _pixmap(image, width: int, height: int, ratio: float) -> QPixmap:
    gray = image.convert("L")
    data = gray.tobytes()
    qimage = QImage(data, gray.width, gray.height, gray.width, QImage.Format.Format_Grayscale8).copy()
    # Rendered at the printer's dots; scaled smoothly to the screen's pixels of the same physical size.
    scaled = qimage.scaled(round(width * ratio), round(height * ratio), Qt.AspectRatioMode.IgnoreAspectRatio,
                           Qt.TransformationMode.SmoothTransformation)
    pixmap = QPixmap.fromImage(scaled)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


class LabelPreviewDialog(QDialog):
    """``labels``: (layout, image) pairs from ``services.labels.preview_images``."""

    print_requested = Signal()

    def __init__(self, labels: Sequence[tuple[object, object]], parent: QWidget | None = None,
                 columns: int = 2) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("标签预览（实际尺寸）", "Label preview (real size)"))
        self.label_widgets: list[QLabel] = []
        dpi = self.logicalDpiX() or 96
        ratio = self.devicePixelRatioF() or 1.0
        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        grid.setSpacing(14)
        for index, (layout, image) in enumerate(labels):
            width, height = physical_size_px(layout.size.width_mm, layout.size.height_mm, dpi)
            picture = QLabel(objectName="labelImage")
            picture.setPixmap(_pixmap(image, width, height, ratio))
            picture.setFixedSize(width, height)
            picture.setStyleSheet("background: white; border: 1px dashed #888;")
            data = layout.data
            copy = f"  {data.copy_no}/{data.copies}" if data.copies > 1 else ""
            caption = QLabel(f"{index + 1}. {data.cap_colour} {data.tube_name}{copy}")
            caption.setStyleSheet("color: #555;")
            cell = QVBoxLayout()
            cell.addWidget(caption)
            cell.addWidget(picture)
            grid.addLayout(cell, index // columns, index % columns)
            self.label_widgets.append(picture)
        size_text = ""
        if labels:
            first = labels[0][0]
            size_text = tr("{n} 张标签，{w:g} × {h:g} 毫米，按 {dpi} dpi 打印", "{n} labels, {w:g} × {h:g} mm, printed at "
                           "{dpi} dpi", n=len(labels), w=first.size.width_mm, h=first.size.height_mm, dpi=first.dpi)
        info = QLabel(size_text, objectName="previewInfo")
        info.setWordWrap(True)
        scroll = QScrollArea()
        scroll.setWidget(grid_widget)
        scroll.setWidgetResizable(False)
        scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll.setStyleSheet("QScrollArea { background: #eceff1; }")
        self.print_button = QPushButton(tr("打印这些标签 (Enter)", "Print these labels (Enter)"), objectName="printButton")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self._print)
        close = QPushButton(tr("关闭 (Esc)", "Close (Esc)"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(info, 1)
        buttons.addWidget(close)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        # As large as the labels need, within the screen: the buttons below the scroll area always show.
        hint = grid_widget.sizeHint()
        fit_to_screen(self, max(hint.width() + 60, 560), hint.height() + 110)

    def _print(self) -> None:
        self.accept()
        self.print_requested.emit()
