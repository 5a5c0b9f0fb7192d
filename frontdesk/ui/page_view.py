"""The pages of a rendered PDF on screen, fitted to the width of the view.

An A4 guide sheet or list is read on a 1366 x 768 monitor, so the pages are
scaled to the width available (never larger than ``MAX_FIT_DPI`` would make
them: an 80 mm receipt does not become a poster); the desk can zoom in and out
(Ctrl++ / Ctrl+-) and back to the width (Ctrl+0). What is shown is the PDF
itself rasterised, so it is what prints.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from frontdesk.printing.pdf_raster import pdf_page_sizes_mm, pdf_pages_to_images

# Rendered once at this resolution, then scaled down to the view (a 1366-pixel screen shows A4 at about 120 dpi).
RENDER_DPI = 130
# Fitting to the width never enlarges a page beyond this many screen pixels per inch.
MAX_FIT_DPI = 150
ZOOM_STEP = 1.25
MM_PER_INCH = 25.4


def _qimage(image) -> QImage:
    rgb = image.convert("RGB")
    data = rgb.tobytes()
    return QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888).copy()


class PageView(QScrollArea):
    def __init__(self, pdf_bytes: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageView")
        self.images = [_qimage(image) for image in pdf_pages_to_images(pdf_bytes, RENDER_DPI)]
        self.sizes_mm = pdf_page_sizes_mm(pdf_bytes)
        self.zoom: float | None = None  # None: fit to the width; else screen pixels per page pixel
        self.page_labels: list[QLabel] = []
        pages = QWidget(objectName="pages")
        pages.setStyleSheet("QWidget#pages { background: #eceff1; }")
        column = QVBoxLayout(pages)
        column.setSpacing(12)
        for _ in self.images:
            label = QLabel(objectName="page")
            label.setFrameShape(QFrame.Shape.Box)
            label.setStyleSheet("QLabel#page { border: 1px solid #999; background: white; }")
            column.addWidget(label, alignment=Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        column.addStretch()
        self.setWidget(pages)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        for keys, slot in (("Ctrl++", self.zoom_in), ("Ctrl+=", self.zoom_in), ("Ctrl+-", self.zoom_out),
                           ("Ctrl+0", self.fit_width)):
            QShortcut(QKeySequence(keys), self, activated=slot, context=Qt.ShortcutContext.WindowShortcut)
        self._rescale()

    # -- zoom ----------------------------------------------------------------------------------------------
    def available_width(self) -> int:
        """Pixels a page may take across the view, the vertical scroll bar counted as always there."""
        margins = self.widget().layout().contentsMargins()
        return max(100, self.width() - 2 * self.frameWidth() - self.verticalScrollBar().sizeHint().width()
                   - margins.left() - margins.right() - 4)

    def page_widths(self) -> list[int]:
        """The width each page is shown at now."""
        widths = []
        for image, (width_mm, _height) in zip(self.images, self.sizes_mm):
            if self.zoom is None:
                cap = round(width_mm / MM_PER_INCH * MAX_FIT_DPI)
                widths.append(min(self.available_width(), cap))
            else:
                widths.append(max(50, round(image.width() * self.zoom)))
        return widths

    def fits_width(self) -> bool:
        return self.zoom is None

    def fit_width(self) -> None:
        self.zoom = None
        self._rescale()

    def zoom_in(self) -> None:
        self._zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_by(1 / ZOOM_STEP)

    def _zoom_by(self, factor: float) -> None:
        current = self.page_widths()[0] / self.images[0].width() if self.images else 1.0
        self.zoom = min(4.0, max(0.2, current * factor))
        self._rescale()

    def _rescale(self) -> None:
        ratio = self.devicePixelRatioF() or 1.0
        for label, image, width in zip(self.page_labels, self.images, self.page_widths()):
            height = round(image.height() * width / image.width())
            pixmap = QPixmap.fromImage(image.scaled(round(width * ratio), round(height * ratio),
                                                    Qt.AspectRatioMode.IgnoreAspectRatio,
                                                    Qt.TransformationMode.SmoothTransformation))
            pixmap.setDevicePixelRatio(ratio)
            label.setPixmap(pixmap)
            label.setFixedSize(width + 2, height + 2)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self.zoom is None:
            self._rescale()
