"""Small widgets every screen uses the same way."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def error_label(name: str = "message") -> QLabel:
    """The red line under a field or form that says what is wrong, in the desk's language."""
    label = QLabel(objectName=name)
    label.setProperty("role", "fieldError")
    label.setWordWrap(True)
    return label


def key_fallback(event, keys: dict) -> bool:
    """Run the slot of a Ctrl+key in ``keys`` ({(key, ctrl): slot}) for a key press that reached the widget.

    Window shortcuts only fire while their window is the active one; a page or dialog whose window is
    not active (another window came up, an offscreen test) still answers its keys from ``keyPressEvent``.
    """
    from PySide6.QtCore import Qt

    ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
    slot = keys.get((event.key(), ctrl))
    if slot is None:
        return False
    slot()
    return True
