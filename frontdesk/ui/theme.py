"""Fonts and the look of the app.

The bundled CJK font is registered with Qt so Chinese never shows as boxes;
it has no Latin glyphs, so it is a fallback behind the platform's own font.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from frontdesk import paths

log = logging.getLogger(__name__)

STYLE = """
QWidget { font-size: 11pt; }
QListWidget#navigation { background: #1f3a56; color: #ffffff; border: none; font-size: 12pt; }
QListWidget#navigation::item { padding: 10px 14px; }
QListWidget#navigation::item:selected { background: #2f6ea3; }
QListWidget#navigation::item:disabled { color: #7f93a8; }
QLabel#pageTitle { font-size: 16pt; font-weight: bold; color: #1f3a56; }
QLineEdit#scanField { font-size: 13pt; padding: 4px 8px; min-width: 320px; }
QLabel#banner[state="ok"] { background: #e3f5e1; color: #1b5e20; padding: 8px; font-weight: bold; }
QLabel#banner[state="bad"] { background: #fde7e9; color: #b71c1c; padding: 8px; font-weight: bold; }
QLabel#banner[state="info"] { background: #e8f0fe; color: #174ea6; padding: 8px; }
QLabel.fieldError, QLabel[role="fieldError"] { color: #c62828; }
QPushButton[primary="true"] { background: #2f6ea3; color: white; font-weight: bold; padding: 6px 16px; }
QPushButton[primary="true"]:disabled { background: #b8c7d6; color: #eef2f6; }
"""


def install_fonts(app: QApplication) -> str:
    """Register the bundled font and make it the fallback for CJK text."""
    font_id = QFontDatabase.addApplicationFont(str(paths.font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.error("bundled CJK font could not be loaded from %s", paths.font_path())
        return ""
    cjk = families[0]
    base = app.font()
    font = QFont(base)
    font.setFamilies([base.family(), cjk])
    app.setFont(font)
    return cjk


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setStyleSheet(STYLE)
