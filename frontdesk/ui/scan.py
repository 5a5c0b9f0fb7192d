"""The USB barcode scanner: it types the code and Enter, like a keyboard.

When the focus is in a text field the field gets the scan as typed input
(e.g. the check-in search box). Anywhere else this filter collects the keys
and emits the whole code, so a scan anywhere opens what it names.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit

MIN_SCAN_LENGTH = 6
MAX_GAP_S = 0.5  # a pause longer than this between keys starts a new code


def _is_text_input(widget) -> bool:
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return isinstance(widget, (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox))


class ScanCatcher(QObject):
    scanned = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._buffer: list[str] = []
        self._last = 0.0

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() != QEvent.Type.KeyPress or _is_text_input(QApplication.focusWidget()):
            return False
        focus = QApplication.focusWidget()
        # A key event travels up the parent chain; count it once, where it starts.
        if not obj.isWidgetType() or (obj is not focus and not (focus is None and obj.isWindow())):
            return False
        now = time.monotonic()
        if now - self._last > MAX_GAP_S:
            self._buffer.clear()
        self._last = now
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            code = "".join(self._buffer)
            self._buffer.clear()
            if len(code) >= MIN_SCAN_LENGTH:
                self.scanned.emit(code)
                return True
            return False
        text = event.text()
        if text and text.isprintable() and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                                                     | Qt.KeyboardModifier.AltModifier):
            self._buffer.append(text)
        return False
