"""Spin boxes and combo boxes that a mouse wheel does not change in passing.

Scrolling a long form moves the pointer over its fields; Qt changes a spin
box or combo box under the pointer on every wheel step (a printer port went
from 9100 to 9090 that way).  A guarded field takes the wheel only when it
has the keyboard focus (clicked or tabbed into); otherwise the wheel goes on
to the form around it, which scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            event.ignore()  # not for this field: Qt hands an ignored wheel event on to the parent
            return True
        return False


def guard_wheel(root: QWidget) -> WheelGuard:
    """Guard every spin box and combo box inside ``root`` (those present now)."""
    guard = WheelGuard(root)
    for widget in root.findChildren(QAbstractSpinBox) + root.findChildren(QComboBox):
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel no longer gives them focus
        widget.installEventFilter(guard)
    return guard
