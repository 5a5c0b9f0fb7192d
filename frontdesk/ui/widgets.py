"""Small widgets every screen uses the same way."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def error_label(name: str = "message") -> QLabel:
    """The red line under a field or form that says what is wrong, in the desk's language."""
    label = QLabel(objectName=name)
    label.setProperty("role", "fieldError")
    label.setWordWrap(True)
    return label
