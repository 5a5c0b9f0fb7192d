"""Windows that fit the desk's monitor.

The common front-desk screen is 1366 x 768 with a taskbar, so every dialog is
given its preferred size but never more than the available area of the screen
it opens on (the screen of its parent window), and is kept inside that area
whenever it is shown.  The main window opens maximised the first time and
then where the desk left it, but only on a screen that still exists.

Nothing should need more than ``DESIGN_SIZE``: the screen-fit test opens every
screen and dialog and checks it against a 1366 x 768 screen with a taskbar.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QMargins, QObject, QRect, QSize, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

# What every screen and dialog must work in (a 1366 x 768 screen less taskbar and window frame, with room to spare).
DESIGN_SIZE = QSize(1280, 720)
# A window's frame before the window system has reported it (title bar and borders of common desktops).
FRAME_ALLOWANCE = QMargins(8, 32, 8, 8)


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The free area (without taskbars) of the screen ``widget`` opens on: its parent window's, else its own.

    Tests replace this to simulate a 1366 x 768 screen with a taskbar.
    """
    screen = None
    if widget is not None:
        parent = widget.parentWidget()
        if parent is not None:
            screen = parent.window().screen()
        if screen is None:
            screen = widget.screen()
    if screen is None:
        screen = QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def frame_margins(widget: QWidget) -> QMargins:
    """The window frame around ``widget``: as reported once shown, else the usual allowance."""
    frame, inner = widget.frameGeometry(), widget.geometry()
    if widget.isVisible() and frame != inner:
        return QMargins(inner.left() - frame.left(), inner.top() - frame.top(),
                        frame.right() - inner.right(), frame.bottom() - inner.bottom())
    return QMargins(FRAME_ALLOWANCE)


def max_client_size(widget: QWidget) -> QSize:
    """The largest size of ``widget``'s contents whose framed window still fits the available area."""
    area, frame = available_geometry(widget), frame_margins(widget)
    return QSize(area.width() - frame.left() - frame.right(), area.height() - frame.top() - frame.bottom())


class _Fitter(QObject):
    """Re-fits its window every time it is shown (it may open on another screen than last time), and
    brings it back within the screen when it grew past it (Qt grows a window while a child being shown
    still shares the room with one being hidden; once the layout settles, the window can shrink again)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._pending = False

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if obj is self.parent():
            if event.type() == QEvent.Type.Show:
                _fit_now(obj)
            elif event.type() == QEvent.Type.Resize and not self._pending and _too_big(obj):
                self._pending = True
                QTimer.singleShot(0, lambda: self._refit(5))
        return False

    def _refit(self, tries: int) -> None:
        window = self.parent()
        if window.isVisible() and _too_big(window):
            _fit_now(window)
            if _too_big(window) and tries > 1:  # the layout has not settled yet: its minimum is still the old one
                QTimer.singleShot(0, lambda: self._refit(tries - 1))
                return
        self._pending = False


def _too_big(widget: QWidget) -> bool:
    if widget.isMaximized() or widget.isFullScreen():
        return False
    limit = max_client_size(widget)
    return widget.width() > limit.width() or widget.height() > limit.height()


def fit_to_screen(widget: QWidget, width: int | None = None, height: int | None = None) -> QWidget:
    """Size a dialog (or any top-level window) to ``width`` x ``height`` (default: its size hint),
    at most the available area of its screen, and keep it inside that area whenever it is shown.

    Call it at the end of the dialog's constructor, after its layout is built.
    """
    hint = widget.sizeHint()
    wanted = QSize(width or max(hint.width(), widget.minimumWidth()), height or max(hint.height(), widget.minimumHeight()))
    widget.resize(wanted.boundedTo(max_client_size(widget)))
    return keep_on_screen(widget)


def keep_on_screen(widget: QWidget) -> QWidget:
    """Keep ``widget``'s window within the available area of its screen whenever it is shown or grows."""
    if widget.findChild(_Fitter, "screenFitter") is None:
        fitter = _Fitter(widget)
        fitter.setObjectName("screenFitter")
        widget.installEventFilter(fitter)
    return widget


def _fit_now(widget: QWidget) -> None:
    limit = max_client_size(widget)
    if widget.width() > limit.width() or widget.height() > limit.height():
        widget.resize(widget.size().boundedTo(limit))
    keep_inside(widget)


def keep_inside(widget: QWidget) -> None:
    """Move ``widget``'s window (with its frame) inside the available area, top-left first."""
    area, frame = available_geometry(widget), frame_margins(widget)
    outer = widget.geometry().marginsAdded(frame)
    x = min(max(outer.left(), area.left()), area.right() + 1 - outer.width())
    y = min(max(outer.top(), area.top()), area.bottom() + 1 - outer.height())
    x, y = max(x, area.left()), max(y, area.top())
    if (x, y) != (outer.left(), outer.top()):
        widget.move(x, y)  # move() places the frame's top-left corner


# -- the main window's place, remembered per workstation --------------------------------------------------------

def _window_settings():
    from PySide6.QtCore import QSettings  # not needed before the login window: loaded when the main window is

    from frontdesk import paths

    # In the data folder beside settings.json (FRONTDESK_HOME moves both), not in the user's registry.
    return QSettings(str(paths.data_dir() / "window.ini"), QSettings.Format.IniFormat)


def save_window_place(window: QWidget, key: str = "main") -> None:
    """Remember whether ``window`` is maximised and, for when it is not, where it is."""
    store = _window_settings()
    store.setValue(f"{key}/maximized", bool(window.isMaximized()))
    normal = window.normalGeometry() if window.isMaximized() else window.geometry()
    if normal.isValid():
        store.setValue(f"{key}/geometry", [normal.x(), normal.y(), normal.width(), normal.height()])
    store.sync()


def restore_window_place(window: QWidget, key: str = "main") -> bool:
    """Put ``window`` where it was last time and show it; the first time, or when that place is on no
    screen any more (a monitor was removed or changed), show it maximised. Returns whether a place was restored."""
    store = _window_settings()
    raw = store.value(f"{key}/geometry")
    maximized = str(store.value(f"{key}/maximized", "false")).lower() in ("true", "1")
    rect = None
    try:
        if raw is not None:
            rect = QRect(*(int(v) for v in raw))
    except (TypeError, ValueError):
        log.warning("ignoring unreadable window geometry %r", raw)
    screen = QGuiApplication.screenAt(rect.center()) if rect is not None and rect.isValid() else None
    if screen is None:
        window.showMaximized()
        return False
    area = screen.availableGeometry()
    frame = frame_margins(window)
    size = rect.size().boundedTo(QSize(area.width() - frame.left() - frame.right(),
                                       area.height() - frame.top() - frame.bottom()))
    window.setGeometry(QRect(rect.topLeft(), size))
    if maximized:
        window.showMaximized()
    else:
        window.show()
        keep_inside(window)
    return True
