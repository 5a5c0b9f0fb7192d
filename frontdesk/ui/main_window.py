"""The main window: a place for each desk task, a global scan field, and a
status bar saying who works at which desk on which database."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMainWindow, QStackedWidget, QToolBar, QWidget)

from frontdesk import config
from frontdesk.domain.codes import CodeKind, may_be_code, parse_code
from frontdesk.domain.enums import Role, VisitStatus
from frontdesk.domain.text import normalize_digits
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import overview
from frontdesk.services.session import Session
from frontdesk.ui import live_refresh
from frontdesk.ui.error_dialogs import show_error
from frontdesk.ui.scan import ScanCatcher
from frontdesk.ui.screen_fit import keep_on_screen, restore_window_place, save_window_place
from frontdesk.ui.status_bar import ElidedLabel, ElidingStatusBar
from frontdesk.ui.table_page import TablePage
from frontdesk.ui.worker import run_in_background

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    key: str
    zh: str
    en: str
    min_role: Role
    build: Callable[["MainWindow"], QWidget]


def _bookings(w: "MainWindow") -> QWidget:
    from frontdesk.ui.bookings_screen import BookingsScreen

    page = BookingsScreen(w.session, w.settings)
    page.status_message.connect(lambda text: w.statusBar().showMessage(text, 8000))
    return page


def _contracts(w: "MainWindow") -> QWidget:
    from frontdesk.ui.contracts_screen import ContractsScreen

    page = ContractsScreen(w.session, w.settings)
    page.status_message.connect(lambda text: w.statusBar().showMessage(text, 8000))
    return page


def _preparation(w: "MainWindow") -> QWidget:
    from frontdesk.ui.preparation_screen import PreparationScreen

    page = PreparationScreen(w.session, w.settings)
    page.status_message.connect(lambda text: w.statusBar().showMessage(text, 8000))
    return page


def _checkin(w: "MainWindow") -> QWidget:
    from frontdesk.ui.checkin_screen import CheckInScreen

    # Start-up may have built it while the password was being checked: it gets its session now.
    page = w.prebuilt.pop("checkin", None) or CheckInScreen(w.session, w.settings)
    page.session = w.session
    # 打印条码 (F12) after check-in prints through the labels screen, which stays where it is.
    page.print_labels_requested.connect(w.print_check_in_labels)
    page.code_scanned.connect(w.handle_scan)
    return page


def _labels(w: "MainWindow") -> QWidget:
    from frontdesk.ui.labels_screen import LabelsScreen

    page = LabelsScreen(w.session, w.settings)
    page.status_message.connect(lambda text: w.statusBar().showMessage(text, 8000))
    return page


def _closeout(w: "MainWindow") -> QWidget:
    from frontdesk.ui.closeout_screen import CloseoutScreen

    page = CloseoutScreen(w.session, w.settings)
    page.open_visit_requested.connect(w.open_visit)  # refunds go through the visit window
    page.print_labels_requested.connect(w.print_check_in_labels)  # a make-up visit's labels
    page.status_message.connect(lambda text: w.statusBar().showMessage(text, 8000))
    return page


def _reports(w: "MainWindow") -> QWidget:
    from frontdesk.ui.reports_screen import ReportsScreen

    page = ReportsScreen(w.session, w.settings)
    page.status_message.connect(lambda text: w.statusBar().showMessage(text, 8000))
    return page


def _end_of_day(w: "MainWindow") -> QWidget:
    from frontdesk.ui.end_of_day_screen import EndOfDayScreen

    page = EndOfDayScreen(w.session, w.settings)
    page.status_message.connect(lambda text: w.statusBar().showMessage(text, 8000))
    return page


def _audit(w: "MainWindow") -> QWidget:
    from frontdesk.ui.audit_screen import AuditScreen

    return AuditScreen(w.session)


def _settings(w: "MainWindow") -> QWidget:
    from frontdesk.ui.settings_screen import SettingsScreen

    return SettingsScreen(w.session, w.settings)


TASKS = (
    Task("checkin", "报到登记", "Check-in", Role.RECEPTION, _checkin),
    Task("labels", "条码与标本", "Labels & specimens", Role.RECEPTION, _labels),
    Task("closeout", "交单核对", "Close-out", Role.RECEPTION, _closeout),
    Task("reports", "报告发放", "Reports", Role.RECEPTION, _reports),
    Task("bookings", "预约排期", "Bookings", Role.RECEPTION, _bookings),
    Task("preparation", "明日准备", "Preparation", Role.RECEPTION, _preparation),
    Task("day", "日结", "End of day", Role.RECEPTION, _end_of_day),
    Task("audit", "审计日志", "Audit log", Role.SUPERVISOR, _audit),
    Task("settings", "设置", "Settings", Role.RECEPTION, _settings),
    Task("contracts", "团检合同", "Group contracts", Role.RECEPTION, _contracts),
)


class TaskStack(QStackedWidget):
    """The task pages. A page with wrapped text reports a height for its width that sums the preferred
    heights of everything on it; the main window would grow to it, off the bottom of a 768-pixel screen.
    The stack reports none: the window keeps its size and the page lays itself out in it."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return False


class MainWindow(QMainWindow):
    def __init__(self, session: Session, settings: config.WorkstationSettings, database_label: str,
                 tasks=TASKS, prebuilt: dict[str, QWidget] | None = None) -> None:
        """``prebuilt``: pages made ahead (start-up builds the check-in page during the password check)."""
        super().__init__()
        self.session = session
        self.prebuilt = dict(prebuilt or {})
        self.settings = settings
        self.setWindowTitle(tr("FrontDesk 体检中心前台", "FrontDesk - examination centre front desk"))
        self.pages: dict[str, QWidget] = {}
        self.nav = QListWidget(objectName="navigation")
        self.nav.setFixedWidth(200)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.stack = TaskStack()
        self._tasks = list(tasks)
        for number, task in enumerate(self._tasks, start=1):
            item = QListWidgetItem(f"{tr(task.zh, task.en)}")
            item.setData(Qt.ItemDataRole.UserRole, task.key)
            item.setToolTip(f"Ctrl+{number % 10}" if number <= 10 else "")  # Ctrl+1 … Ctrl+9, Ctrl+0 the tenth
            allowed = session.can(task.min_role)
            if not allowed:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(tr("需要{r}权限", "Needs the {r} role", r=task.min_role.label()))
            self.nav.addItem(item)
            # Pages are built when first opened: start-up stays fast.
            self.stack.addWidget(QWidget())
            if number <= 10:
                QShortcut(QKeySequence(f"Ctrl+{number % 10}"), self, activated=lambda k=task.key: self.show_task(k))
        self.nav.currentRowChanged.connect(self._on_nav)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        toolbar = QToolBar(tr("扫码", "Scan"), objectName="scanBar")
        toolbar.setMovable(False)
        toolbar.addWidget(QLabel(tr(" 扫码/查找 (F2) ", " Scan/find (F2) ")))
        self.scan_field = QLineEdit(objectName="scanField", placeholderText=tr(
            "扫描体检号、条码、预约号、收据号，或输入身份证号/手机号/姓名", "Scan a visit, specimen, booking or receipt code, "
            "or type an ID number, phone or name"))
        self.scan_field.returnPressed.connect(self._scan_field_entered)
        toolbar.addWidget(self.scan_field)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        QShortcut(QKeySequence("F2"), self, activated=self.scan_field.setFocus)

        self.scan_catcher = ScanCatcher(self)
        self.scan_catcher.scanned.connect(self.handle_scan)
        QApplication.instance().installEventFilter(self.scan_catcher)

        # Messages are cut with "…" before these labels instead of running under them.
        bar = ElidingStatusBar()
        self.setStatusBar(bar)
        self.user_label = ElidedLabel(tr("用户：{n}（{r}）", "User: {n} ({r})", n=session.display_name,
                                         r=session.role.label()), objectName="statusUser", max_width=260)
        self.desk_label = ElidedLabel(tr("工作站：{d}", "Desk: {d}", d=session.desk), objectName="statusDesk",
                                      max_width=200)
        self.db_label = ElidedLabel(tr("数据库：{d}", "Database: {d}", d=database_label), objectName="statusDatabase",
                                    max_width=380)
        for label in (self.user_label, self.desk_label, self.db_label):
            bar.addPermanentWidget(label)
        # Issue 12: other desks' changes refresh the lists by themselves (ui/live_refresh.py), and the
        # status bar says when the database does not answer (what the user typed stays where it is).
        self.connection_label = QLabel(objectName="statusConnection")
        self.connection_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.connection_label.hide()
        bar.addPermanentWidget(self.connection_label)
        live_refresh.hub().connection_changed.connect(self._connection_changed)
        self.live = live_refresh.Watching().start()
        self.resize(1280, 720)  # shown with show_in_place(): maximised, or where the desk left it
        keep_on_screen(self)
        self.show_task("checkin")

    # -- navigation -----------------------------------------------------------
    def _index(self, key: str) -> int:
        return next(i for i, t in enumerate(self._tasks) if t.key == key)

    def show_task(self, key: str) -> QWidget | None:
        index = self._index(key)
        if not self.session.can(self._tasks[index].min_role):
            self.statusBar().showMessage(tr("没有权限。", "Not allowed for your role."), 4000)
            return None
        self.nav.setCurrentRow(index)
        return self.page(key)

    def page(self, key: str) -> QWidget:
        if key not in self.pages:
            index = self._index(key)
            page = self._tasks[index].build(self)
            page.setObjectName(f"page_{key}")
            if isinstance(page, TablePage) and key in ("closeout", "reports", "labels"):
                page.row_activated.connect(self.open_visit)
            old = self.stack.widget(index)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(old)
            old.deleteLater()
            self.pages[key] = page
        return self.pages[key]

    def current_task(self) -> str:
        row = self.nav.currentRow()
        return self._tasks[row].key if row >= 0 else ""

    def print_check_in_labels(self, visit_id: int) -> None:
        """The check-in labels of a visit just checked in, on this desk's label output."""
        self.page("labels").print_labels(moment="check_in", visit_id=visit_id)

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        key = self._tasks[row].key
        page = self.page(key)
        self.stack.setCurrentWidget(page)

    # -- scanning -------------------------------------------------------------
    def _scan_field_entered(self) -> None:
        text = self.scan_field.text().strip()
        self.scan_field.clear()
        if text:
            self.handle_scan(text)

    def handle_scan(self, text: str) -> None:
        """Open what a scanned or typed code names; anything else goes to the check-in search."""
        digits = normalize_digits(text)
        if may_be_code(digits):
            try:
                kind, code = parse_code(digits)
            except UserError as exc:
                self._scan_failed(exc)
                return
            if kind is CodeKind.DEFERRAL:
                self.open_makeup(code)  # the guest is back with the deferral slip
                return
            if kind in (CodeKind.SPECIMEN, CodeKind.VISIT) and self.current_task() == "labels":
                self.pages["labels"].handle_scan(code)  # receives the container (or opens the visit) there
                return
            if kind is CodeKind.VISIT and self.current_task() == "reports":
                self.pages["reports"].handle_scan(code)  # received, handed out or booked there
                return
            if self.current_task() == "closeout":
                self.pages["closeout"].handle_scan(code)  # a guide sheet opens its close-out; other codes say why not
                return
            if kind is not CodeKind.BOOKING:
                highlight = code if kind is CodeKind.SPECIMEN else ""
                # A guide sheet coming back: a visit still open goes to its close-out, any other to its window.
                show = self._show_scanned_visit if kind is CodeKind.VISIT else (
                    lambda detail: self._show_visit(detail, highlight))
                run_in_background(lambda: overview.visit_detail(overview.find_visit(code)[0]), show,
                                  self._scan_failed, context=self)
                return
        checkin = self.show_task("checkin")
        if checkin is not None and hasattr(checkin, "search_for"):
            checkin.search_for(text)

    def _show_scanned_visit(self, detail) -> None:
        closeout_role = self._tasks[self._index("closeout")].min_role
        if detail.raw_status == VisitStatus.CHECKED_IN.value and self.session.can(closeout_role):
            page = self.show_task("closeout")
            page.open_visit(detail.visit_id)
            return
        self._show_visit(detail)

    def open_makeup(self, slip_no: str) -> None:
        """The make-up check-in (补检) of a scanned deferral slip, on the close-out page."""
        page = self.show_task("closeout")
        if page is not None:
            page.open_makeup(slip_no)

    def _scan_failed(self, exc: BaseException) -> None:
        QApplication.beep()
        if isinstance(exc, UserError):
            self.statusBar().showMessage(exc.message, 8000)
        show_error(self, exc)

    def open_visit(self, visit_id) -> None:
        if visit_id is None:
            return
        run_in_background(lambda: overview.visit_detail(visit_id), self._show_visit, context=self)

    def _show_visit(self, detail, highlight: str = "") -> None:
        from frontdesk.ui.visit_dialog import VisitDialog

        dialog = VisitDialog(detail, self, highlight_barcode=highlight, session=self.session, settings=self.settings,
                             reload=overview.visit_detail)
        dialog.setObjectName("visitDialog")
        dialog.open()
        self.last_visit_dialog = dialog

    def show_in_place(self) -> None:
        """Maximised the first time on this desk; afterwards where it was left, if that screen is still there."""
        restore_window_place(self)

    def _connection_changed(self, connected: bool) -> None:
        if connected:
            if self.connection_label.isVisible():
                self.statusBar().showMessage(tr("数据库已重新连接。", "The database is connected again."), 5000)
            self.connection_label.hide()
            return
        self.connection_label.setText(tr("数据库连接中断，重连中…", "Database lost; reconnecting…"))
        self.connection_label.setToolTip(tr("已填写的内容不会丢失；连接恢复后再保存即可。未显示“已保存”的操作没有保存。",
                                            "What you typed is kept; save again once connected. Anything not "
                                            "shown as saved was not saved."))
        self.connection_label.show()

    def closeEvent(self, event) -> None:  # noqa: N802
        self.live.stop(timeout=1.0)
        save_window_place(self)
        QApplication.instance().removeEventFilter(self.scan_catcher)
        super().closeEvent(event)
