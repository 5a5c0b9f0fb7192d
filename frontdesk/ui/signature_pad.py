"""A signature pad: the recipient signs with the mouse or a pen tablet.

Strokes are kept as point lists in widget coordinates and drawn with a
smooth pen; ``to_png`` renders them black on a transparent ground, cropped
to the ink with a small margin, so the receipt shows the signature at the
size of its box.  A pen tablet's pressure widens the line a little.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from frontdesk.i18n import tr

INK = QColor("#101820")
PEN_WIDTH = 3.0
MARGIN = 8


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setMinimumSize(360, 110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip(tr("请领取人用鼠标或手写板在此签名", "The recipient signs here with the mouse or a pen"))
        self._strokes: list[list[tuple[QPointF, float]]] = []
        self._drawing = False

    # -- state ------------------------------------------------------------
    def is_empty(self) -> bool:
        return not any(len(s) > 1 for s in self._strokes)

    def clear(self) -> None:
        self._strokes.clear()
        self._drawing = False
        self.update()
        self.changed.emit()

    def stroke_count(self) -> int:
        return sum(1 for s in self._strokes if len(s) > 1)

    # -- input --------------------------------------------------------------
    def _begin(self, point: QPointF, pressure: float = 1.0) -> None:
        self._drawing = True
        self._strokes.append([(point, pressure)])

    def _extend(self, point: QPointF, pressure: float = 1.0) -> None:
        if self._drawing and self._strokes:
            self._strokes[-1].append((point, pressure))
            self.update()

    def _end(self) -> None:
        if self._drawing:
            self._drawing = False
            self.changed.emit()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
            event.accept()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        # Drawing follows press/release rather than the buttons held: some tablets report none.
        self._extend(event.position())

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position())
            self._end()

    def tabletEvent(self, event) -> None:  # noqa: N802
        pressure = max(0.2, float(event.pressure() or 1.0))
        kind = event.type()
        if kind == event.Type.TabletPress:
            self._begin(event.position(), pressure)
        elif kind == event.Type.TabletMove:
            self._extend(event.position(), pressure)
        elif kind == event.Type.TabletRelease:
            self._extend(event.position(), pressure)
            self._end()
        event.accept()

    # -- drawing --------------------------------------------------------------
    def _paint_strokes(self, painter: QPainter, offset: QPointF = QPointF(0, 0)) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self._strokes:
            if len(stroke) == 1:
                point, pressure = stroke[0]
                painter.setPen(QPen(INK, PEN_WIDTH * (0.6 + pressure * 0.6), Qt.PenStyle.SolidLine,
                                    Qt.PenCapStyle.RoundCap))
                painter.drawPoint(point - offset)
                continue
            for (a, pa), (b, pb) in zip(stroke, stroke[1:]):
                width = PEN_WIDTH * (0.6 + (pa + pb) * 0.3)
                painter.setPen(QPen(INK, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                                    Qt.PenJoinStyle.RoundJoin))
                path = QPainterPath(a - offset)
                path.lineTo(b - offset)
                painter.drawPath(path)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#9aa7b4"), 1, Qt.PenStyle.DashLine))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        baseline = self.height() - 28
        painter.drawLine(16, baseline, self.width() - 16, baseline)
        if self.is_empty():
            painter.setPen(QColor("#9aa7b4"))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter,
                             tr("领取人签名区（鼠标或手写笔）", "Recipient signs here (mouse or pen)"))
        self._paint_strokes(painter)
        painter.end()

    def _ink_rect(self) -> QRectF:
        points = [p for stroke in self._strokes for p, _ in stroke]
        xs, ys = [p.x() for p in points], [p.y() for p in points]
        return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)).adjusted(-MARGIN, -MARGIN, MARGIN,
                                                                                      MARGIN)

    def to_png(self, scale: float = 2.0) -> bytes | None:
        """The signature as PNG bytes (black ink, transparent ground, cropped), or None when nothing was drawn."""
        if self.is_empty():
            return None
        ink = self._ink_rect()
        image = QImage(max(1, int(ink.width() * scale)), max(1, int(ink.height() * scale)),
                       QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.scale(scale, scale)
        self._paint_strokes(painter, ink.topLeft())
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())
