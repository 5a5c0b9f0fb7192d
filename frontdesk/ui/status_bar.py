"""The main window's status bar: messages that end before the permanent labels.

A long message (an error text, a list of labels to reprint) is cut with "…"
where the user/desk/database labels begin, and the whole text is the status
bar's tooltip; it never runs under the labels. The labels themselves are
elided to a share of the width, so a long database path cannot widen the
window beyond the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QStatusBar, QStyle, QStyleOption, QWidget

MESSAGE_MARGIN = 6


class ElidedLabel(QLabel):
    """A one-line label that shows as much of its text as fits, with "…", and the whole text as its tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, objectName: str = "",  # noqa: N803
                 max_width: int = 420) -> None:
        super().__init__(parent, objectName=objectName)
        self.full_text = ""
        self.setMaximumWidth(max_width)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def text(self) -> str:
        """The whole text (what is painted may be shortened with "…": ``text_shown``)."""
        return self.full_text

    def text_shown(self) -> str:
        return super().text()

    def _elide(self) -> None:
        width = self.width() if self.isVisible() else self.maximumWidth()
        super().setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideMiddle, width))

    def sizeHint(self):  # noqa: N802 - Qt API
        hint = super().sizeHint()
        hint.setWidth(min(self.fontMetrics().horizontalAdvance(self.full_text) + 4, self.maximumWidth()))
        return hint

    def minimumSizeHint(self):  # noqa: N802 - Qt API
        hint = super().minimumSizeHint()
        hint.setWidth(min(hint.width(), 60))
        return hint

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._elide()


class ElidingStatusBar(QStatusBar):
    """``showMessage`` and ``currentMessage`` as usual; the message is painted elided before the permanent widgets."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._permanent: list[QWidget] = []
        self.messageChanged.connect(self._message_changed)

    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802 - Qt API
        self._permanent.append(widget)
        super().addPermanentWidget(widget, stretch)

    def message_rect(self) -> QRect:
        """Where the message is drawn: from the left edge to just before the first visible permanent widget."""
        right = self.width() - 12
        visible = [w.x() for w in self._permanent if w.isVisible()]
        if visible:
            right = min(visible) - MESSAGE_MARGIN
        return QRect(MESSAGE_MARGIN, 0, max(0, right - MESSAGE_MARGIN), self.height())

    def shown_message(self) -> str:
        """The message as painted (elided to the room it has)."""
        text = " ".join(self.currentMessage().split())
        return self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, self.message_rect().width())

    def _message_changed(self, text: str) -> None:
        self.setToolTip(text)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not self.currentMessage():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.message_rect(), int(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
                                                  | Qt.TextFlag.TextSingleLine), self.shown_message())
        painter.end()
