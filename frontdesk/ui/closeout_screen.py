"""交单核对 (close-out): the returned guide sheet checked item by item, closed, belongings handed back.

Left: the day's visits with what is still open (filters: all / ready to close
/ blocked / closed), refreshed on its own.  Right: the visit opened by
scanning its guide sheet (or double-clicking it in the list): every item
with its station and state, one key per item, what blocks closing, the
belongings still stored.

Keys on the items table: Space or D done, F defer (缓检), A abandon (弃检),
U undo, R refund (the visit window); Ctrl+D all stamped, Ctrl+Enter close,
B hand belongings back, M make-up check-in (补检), Esc next guest.
Every service call runs off the UI thread; a refusal shows in the banner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QDateEdit, QFrame, QHBoxLayout,
                               QHeaderView, QInputDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMessageBox, QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from frontdesk import clock
from frontdesk.domain.codes import CodeKind, looks_like_code
from frontdesk.domain.enums import ItemStatus
from frontdesk.domain.text import normalize_digits
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import belongings, closeout
from frontdesk.services.closeout import CloseoutFilter, CloseoutView
from frontdesk.services.document_audit import PrintedDocument
from frontdesk.services.session import Session
from frontdesk.ui.add_items_dialog import AddItemsDialog
from frontdesk.ui.error_dialogs import show_error
from frontdesk.services.changes import Topic
from frontdesk.services.versioning import StaleEditError
from frontdesk.ui import live_refresh
from frontdesk.ui.worker import run_in_background

REFRESH_MS = 30_000


def document_printer(settings, kind: str) -> str:
    """The desk's printer for a kind of document ("" for the system default)."""
    try:
        return settings.document(kind).printer_name if settings is not None else ""
    except (AttributeError, KeyError):
        return ""

_STATE_COLOURS = {ItemStatus.PENDING: "#b00020", ItemStatus.DONE: "#1b5e20", ItemStatus.DEFERRED: "#8a5a00",
                  ItemStatus.ABANDONED: "#555555", ItemStatus.REFUNDED: "#555555"}


class CloseoutScreen(QWidget):
    """The close-out page of the main window."""

    open_visit_requested = Signal(int)       # the visit window (refunds, receipts)
    print_labels_requested = Signal(int)     # a make-up visit's labels, on the desk's label output
    status_message = Signal(str)

    def __init__(self, session: Session, settings=None, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.view: CloseoutView | None = None
        self.rows: list = []
        self._list_busy = False
        self.last_dialog = None
        self.last_preview = None

        title = QLabel(tr("交单核对", "Close-out"), objectName="pageTitle")
        self.scan = QLineEdit(objectName="closeoutScan", placeholderText=tr(
            "扫描导检单条码（体检号）打开交单核对", "Scan the guide sheet's barcode (visit number) to check it"))
        self.scan.setStyleSheet("font-size: 14pt; padding: 5px;")
        self.scan.returnPressed.connect(self._scan_entered)
        makeup = QPushButton(tr("补检报到 (M)", "Make-up check-in (M)"), objectName="makeupButton")
        makeup.clicked.connect(lambda: self.open_makeup(""))
        stored = QPushButton(tr("未取物品", "Belongings not returned"), objectName="notReturnedButton")
        stored.clicked.connect(self.open_not_returned)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.scan, 1)
        top.addWidget(makeup)
        top.addWidget(stored)

        splitter = QSplitter(Qt.Orientation.Horizontal, objectName="closeoutSplitter")
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_detail())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([430, 700])
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self._shortcut("Ctrl+Return", self.close_visit)
        self._shortcut("Ctrl+Enter", self.close_visit)
        self._shortcut("Ctrl+D", self.mark_all_done)
        self._shortcut("Escape", self.clear_visit)
        self._shortcut("F5", self.refresh_all)
        self._shortcut("M", lambda: self.open_makeup(self.view.visit_no if self.view else ""), self.items)
        for key, action in (("Space", self.mark_done), ("D", self.mark_done), ("F", self.defer), ("A", self.abandon),
                            ("U", self.reset), ("R", self.refund), ("B", self.return_belongings),
                            ("S", self.store_belongings)):
            self._shortcut(key, action, self.items)

        self.timer = QTimer(self, interval=REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        live_refresh.subscribe(self, [Topic.CLOSEOUT], self.refresh_list)  # another desk closed or changed a visit
        self.timer.start()
        self._show(None)

    def _shortcut(self, key: str, action: Callable, widget: QWidget | None = None) -> None:
        shortcut = QShortcut(QKeySequence(key), widget or self, activated=action)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut if widget is not None
                            else Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # -- building -------------------------------------------------------------
    def _build_list(self) -> QWidget:
        box = QWidget()
        self.day = QDateEdit(QDate(clock.today()), calendarPopup=True, objectName="closeoutDay")
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.dateChanged.connect(self.refresh_list)
        self.filter = QComboBox(objectName="closeoutFilter")
        for which, label in ((CloseoutFilter.ALL, tr("全部", "All")),
                             (CloseoutFilter.BLOCKED, tr("未完成", "Blocked")),
                             (CloseoutFilter.READY, tr("可交单", "Ready to close")),
                             (CloseoutFilter.CLOSED, tr("已交单", "Closed"))):
            self.filter.addItem(label, which)
        self.filter.currentIndexChanged.connect(self.refresh_list)
        refresh = QPushButton(tr("刷新 (F5)", "Refresh (F5)"), objectName="closeoutRefresh")
        refresh.clicked.connect(self.refresh_all)  # F5: a shortcut of the page (see __init__)
        self.list = QTableWidget(0, 4, objectName="closeoutList")
        self.list.setHorizontalHeaderLabels([tr("体检号", "Visit"), tr("姓名", "Name"), tr("状态", "Status"),
                                             tr("未完成", "Still open")])
        self.list.verticalHeader().setVisible(False)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.list.activated.connect(lambda index: self.open_visit(self.rows[index.row()].visit_id))
        self.list.cellDoubleClicked.connect(lambda row, _col: self.open_visit(self.rows[row].visit_id))
        self.list_count = QLabel(objectName="closeoutCount")
        bar = QHBoxLayout()
        bar.addWidget(self.day)
        bar.addWidget(self.filter)
        bar.addStretch()
        bar.addWidget(refresh)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.list_count)
        return box

    def _build_detail(self) -> QWidget:
        box = QFrame(objectName="closeoutDetail")
        self.heading = QLabel(objectName="closeoutHeading")
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold; color: #1f3a56;")
        self.heading.setWordWrap(True)
        self.banner = QLabel(objectName="closeoutBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("font-size: 11pt;")
        self.items = QTableWidget(0, 4, objectName="closeoutItems")
        self.items.setHorizontalHeaderLabels([tr("项目", "Item"), tr("科室", "Station"), tr("状态", "State"),
                                              tr("标本", "Specimen")])
        self.items.verticalHeader().setVisible(False)
        self.items.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.items.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.items.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # A long state or specimen ("Abandoned: the guest refused") must not squeeze the item's name away:
        # those columns stop at a width and show the rest as a tooltip.
        header.setMaximumSectionSize(230)
        self.keys_hint = QLabel(tr("按键：空格/D 已检　Ctrl+D 其余全部已盖章　F 缓检　A 弃检　U 撤销　R 退项　"
                                   "B 归还物品　S 寄存　Ctrl+Enter 交单　M 补检报到",
                                   "Keys: Space/D done  Ctrl+D all others stamped  F defer  A abandon  U undo  "
                                   "R refund  B return belongings  S store  Ctrl+Enter close  M make-up check-in"),
                                objectName="closeoutKeys")
        self.keys_hint.setStyleSheet("color: #555;")
        self.keys_hint.setWordWrap(True)
        self.blockers = QListWidget(objectName="closeoutBlockers")
        self.blockers.setMaximumHeight(90)
        self.blockers.setWordWrap(True)
        self.blockers.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.belongings = QLabel(objectName="closeoutBelongings")
        self.belongings.setWordWrap(True)

        self.done_button = QPushButton(tr("已检 (D)", "Done (D)"), objectName="doneButton")
        self.done_button.clicked.connect(self.mark_done)
        self.all_button = QPushButton(tr("其余全部已盖章 (Ctrl+D)", "All others stamped (Ctrl+D)"), objectName="allStamped")
        self.all_button.clicked.connect(self.mark_all_done)
        self.defer_button = QPushButton(tr("缓检 (F)", "Defer (F)"), objectName="deferButton")
        self.defer_button.clicked.connect(self.defer)
        self.abandon_button = QPushButton(tr("弃检 (A)", "Abandon (A)"), objectName="abandonButton")
        self.abandon_button.clicked.connect(self.abandon)
        self.refund_button = QPushButton(tr("退项 (R)", "Refund (R)"), objectName="refundButton")
        self.refund_button.clicked.connect(self.refund)
        self.addon_button = QPushButton(tr("加项", "Add items"), objectName="addonButton")
        self.addon_button.clicked.connect(self.add_items)
        self.return_button = QPushButton(tr("归还物品 (B)", "Return belongings (B)"), objectName="returnButton")
        self.return_button.clicked.connect(self.return_belongings)
        self.close_button = QPushButton(tr("交单 (Ctrl+Enter)", "Close visit (Ctrl+Enter)"), objectName="closeButton")
        self.close_button.setProperty("primary", True)
        self.close_button.clicked.connect(self.close_visit)
        row1 = QHBoxLayout()
        for button in (self.done_button, self.all_button, self.defer_button, self.abandon_button):
            row1.addWidget(button)
        row1.addStretch()
        row2 = QHBoxLayout()
        for button in (self.refund_button, self.addon_button, self.return_button):
            row2.addWidget(button)
        row2.addStretch()
        row2.addWidget(self.close_button)

        layout = QVBoxLayout(box)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.banner)
        layout.addWidget(self.items, 1)
        layout.addWidget(self.keys_hint)
        layout.addWidget(QLabel(tr("不能交单的原因：", "What blocks closing:")))
        layout.addWidget(self.blockers)
        layout.addWidget(self.belongings)
        layout.addLayout(row1)
        layout.addLayout(row2)
        return box

    # -- showing --------------------------------------------------------------
    def _say(self, text: str, *, error: bool = False) -> None:
        colour = "#b00020" if error else "#1b5e20"
        self.banner.setStyleSheet(f"font-size: 11pt; color: {colour};")
        self.banner.setText(text)
        if text:
            self.status_message.emit(text)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            QApplication.beep()
            self._say(exc.message, error=True)
            if isinstance(exc, StaleEditError) and self.view is not None:
                self.reload(exc.message)  # show the other desk's change; the next try uses its version
            return
        show_error(self, exc)

    def _show(self, view: CloseoutView | None, message: str = "") -> None:
        self.view = view
        enabled = view is not None and view.is_open
        for button in (self.done_button, self.all_button, self.defer_button, self.abandon_button, self.refund_button,
                       self.close_button):
            button.setEnabled(enabled)
        self.addon_button.setEnabled(view is not None and view.status.value in ("checked_in", "closed"))
        self.return_button.setEnabled(view is not None and bool(view.belongings))
        self.items.setRowCount(0)
        self.blockers.clear()
        if view is None:
            self.heading.setText(tr("请扫描导检单条码", "Scan a guide sheet"))
            self.belongings.setText("")
            self._say(message)
            return
        makeup = tr("（补检，原体检号 {o}）", " (make-up of {o})", o=view.original_visit_no) if view.original_visit_no else ""
        self.heading.setText(f"{view.guest_name}　{view.sex}　{view.visit_no}{makeup}\n"
                             f"{view.package}　{view.status.label()}")
        self.items.setRowCount(len(view.items))
        for r, item in enumerate(view.items):
            cells = [item.item_name + (tr("（加项）", " (add-on)") if item.is_addon else ""),
                     item.station_name, item.state_text(),
                     f"{item.specimen_barcode} {item.specimen_status.label()}" if item.specimen_status else ""]
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if c == 2:
                    cell.setForeground(QColor(_STATE_COLOURS[item.status]))
                self.items.setItem(r, c, cell)
        for blocker in view.blockers:
            self.blockers.addItem(QListWidgetItem(blocker.text))
        if not view.is_open:
            self.blockers.addItem(QListWidgetItem(tr("（已交单）", "(closed)")))
        elif not view.blockers:
            self.blockers.addItem(QListWidgetItem(tr("无，可以交单（Ctrl+Enter）", "Nothing: ready to close (Ctrl+Enter)")))
        self.belongings.setText(
            tr("寄存物品：{t}", "Belongings stored: {t}", t=tr("；", "; ").join(
                f"{b.tag_no} {b.description}".strip() for b in view.belongings)) if view.belongings else
            tr("寄存物品：无", "Belongings stored: none"))
        if message or view.notice:
            self._say(message or view.notice, error=bool(view.notice) and not message)
        else:
            self._say("")
        if self.items.rowCount() and not self.items.selectionModel().hasSelection():
            first_pending = next((r for r, i in enumerate(view.items) if i.status is ItemStatus.PENDING), 0)
            self.items.selectRow(first_pending)
        self.items.setFocus()

    def clear_visit(self) -> None:
        self._show(None)
        self.scan.setFocus()

    # -- the list ---------------------------------------------------------------
    def selected_day(self) -> dt.date:
        return self.day.date().toPython()

    def refresh_list(self) -> None:
        if self._list_busy:
            return
        self._list_busy = True
        day, which = self.selected_day(), self.filter.currentData()
        self.list_count.setText(tr("正在加载…", "Loading…"))

        def done(rows):
            self._list_busy = False
            self._fill_list(rows)

        def failed(exc):
            self._list_busy = False
            self._failed(exc)

        run_in_background(lambda: closeout.closeout_list(day, which), done, failed, context=self)

    def refresh_all(self) -> None:
        """F5: the list and the open visit (e.g. after a refund in the visit window)."""
        self.refresh_list()
        self.reload()

    def _fill_list(self, rows) -> None:
        self.rows = rows
        self.list.setRowCount(len(rows))
        for r, row in enumerate(rows):
            status = row.status.label() if not row.ready else tr("可交单", "Ready")
            cells = [row.visit_no + (tr(" 补", " M") if row.original_visit else ""), row.guest_name_masked, status,
                     row.still_open()]
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if row.blocked:
                    cell.setForeground(QColor("#b00020"))
                self.list.setItem(r, c, cell)
        ready = sum(r.ready for r in rows)
        blocked = sum(r.blocked for r in rows)
        self.list_count.setText(tr("共 {n} 人：可交单 {r}，未完成 {b}", "{n} visits: {r} ready, {b} blocked",
                                   n=len(rows), r=ready, b=blocked))

    def _tick(self) -> None:
        if self.isVisible():
            self.refresh_list()

    def showEvent(self, event) -> None:  # noqa: N802 - fresh whenever the page is shown
        super().showEvent(event)
        self.refresh_list()
        if self.view is None:
            self.scan.setFocus()

    # -- opening ----------------------------------------------------------------
    def _scan_entered(self) -> None:
        text = self.scan.text().strip()
        self.scan.clear()
        if text:
            self.handle_scan(text)

    def handle_scan(self, code: str) -> None:
        """A guide sheet (or something else) scanned on this page."""
        if looks_like_code(normalize_digits(code)) is CodeKind.DEFERRAL:
            self.open_makeup(code)  # a deferral slip: the guest is back for the deferred items
            return
        today = clock.today()
        run_in_background(lambda: closeout.scan_for_closeout(code, day=today), self._opened, self._failed,
                          context=self)

    def _opened(self, view: CloseoutView) -> None:
        self.items.clearSelection()
        self._show(view)

    def open_visit(self, visit_id: int) -> None:
        run_in_background(lambda: closeout.closeout_view(visit_id), self._opened, self._failed, context=self)

    def reload(self, message: str = "") -> None:
        if self.view is None:
            return
        visit_id = self.view.visit_id
        run_in_background(lambda: closeout.closeout_view(visit_id), lambda v: self._show(v, message), self._failed,
                          context=self)

    # -- item actions ------------------------------------------------------------
    def selected_item_ids(self) -> list[int]:
        if self.view is None:
            return []
        rows = sorted({index.row() for index in self.items.selectionModel().selectedRows()})
        return [self.view.items[r].visit_item_id for r in rows if r < len(self.view.items)]

    def _run(self, fn: Callable[[], CloseoutView], message: str = "", after: Callable | None = None) -> None:
        def done(view):
            selected = self.items.currentRow()
            self._show(view, message)
            if 0 <= selected + 1 < self.items.rowCount():
                self.items.selectRow(selected + 1)  # the next item, so D D D walks the sheet
            self.refresh_list()
            if after is not None:
                after(view)

        run_in_background(fn, done, self._failed, context=self)

    def _need_items(self) -> list[int] | None:
        ids = self.selected_item_ids()
        if not ids:
            self._say(tr("请先选择项目（↑↓，Shift 多选）", "Select the items first (arrows, Shift for several)"), error=True)
            return None
        return ids

    def mark_done(self) -> None:
        ids = self._need_items()
        if ids and self.view:
            visit_id = self.view.visit_id
            self._run(lambda: closeout.mark_done(self.session, visit_id, ids), tr("已标记已检", "Marked done"))

    def mark_all_done(self) -> None:
        if self.view and self.view.is_open:
            visit_id = self.view.visit_id
            self._run(lambda: closeout.mark_all_done(self.session, visit_id),
                      tr("其余项目已标记已检", "The rest is marked done"))

    def reset(self) -> None:
        ids = self._need_items()
        if ids and self.view:
            visit_id = self.view.visit_id
            self._run(lambda: closeout.reset_items(self.session, visit_id, ids), tr("已撤销", "Undone"))

    def abandon(self) -> None:
        ids = self._need_items()
        if not ids or self.view is None or not self.view.is_open:
            return
        from frontdesk.ui.deferral_dialog import AbandonDialog

        names = [i.item_name for i in self.view.items if i.visit_item_id in ids]
        dialog = AbandonDialog(names, self)
        self.last_dialog = dialog
        if not dialog.exec():
            return
        visit_id, reason, version = self.view.visit_id, dialog.reason(), self.view.version
        self._run(lambda: closeout.abandon_items(self.session, visit_id, ids, reason, guest_confirmed=True,
                                                 version=version),
                  tr("已弃检", "Abandoned"))

    def defer(self) -> None:
        ids = self._need_items()
        if not ids or self.view is None or not self.view.is_open:
            return
        from frontdesk.ui.deferral_dialog import DeferralDialog

        dialog = DeferralDialog(self.session, self.view, ids, self)
        self.last_dialog = dialog
        if not dialog.exec():
            return
        self._show(dialog.result_view, tr("已缓检至 {d}", "Deferred to {d}", d=f"{dialog.chosen_date:%Y-%m-%d}"))
        self.refresh_list()
        self.preview_slip(dialog.result_view.visit_id, dialog.chosen_date)

    def preview_slip(self, visit_id: int, day: dt.date) -> None:
        by = self.session.display_name

        def show(pdf: bytes) -> None:
            from frontdesk.ui.document_preview_dialog import DocumentPreviewDialog

            preview = DocumentPreviewDialog(tr("缓检通知单", "Deferred items slip"), pdf,
                                            printer_name=document_printer(self.settings, "list"),
                                            suggested_name=f"deferral-{visit_id}-{day:%Y%m%d}.pdf",
                                            page_size_mm=(148.0, 210.0), session=self.session,
                                            document=PrintedDocument.deferral_slip(visit_id), parent=self)
            preview.setObjectName("deferralSlipPreview")
            self.last_preview = preview
            preview.open()

        from frontdesk.services import deferrals

        run_in_background(lambda: deferrals.slip_pdf(visit_id, day, issued_by=by), show, self._failed, context=self)

    def refund(self) -> None:
        if self.view is not None and self.view.is_open:
            self.open_visit_requested.emit(self.view.visit_id)

    def add_items(self) -> None:
        if self.view is None:
            return
        if not self.view.is_open:
            answer = QMessageBox.question(self, tr("加项", "Add items"), tr(
                "体检 {v} 已交单。加项会重新打开该体检，新项目完成后需再次交单。继续吗？",
                "Visit {v} is closed. Adding items reopens it; close it again when they are done. Continue?",
                v=self.view.visit_no))
            if answer != QMessageBox.StandardButton.Yes:
                return
        dialog = CloseoutAddItemsDialog(self.session, self.view.visit_id, self.settings, self)
        self.last_dialog = dialog
        if dialog.exec():
            self.reload(tr("已加项，体检已重新打开", "Items added; the visit is open again"))
            self.refresh_list()

    # -- closing ------------------------------------------------------------------
    def close_visit(self, belongings_confirmed: bool = False) -> None:
        if self.view is None or not self.view.is_open:
            return
        if self.view.belongings and not belongings_confirmed:
            answer = QMessageBox.question(self, tr("寄存物品", "Belongings"), tr(
                "{w}\n\n仍要交单吗？", "{w}\n\nClose anyway?", w=self.view.belongings_warning()))
            if answer != QMessageBox.StandardButton.Yes:
                return
            belongings_confirmed = True
        # The version shown: a visit another desk changed since (items marked, reopened) is refused, not closed.
        visit_id, confirmed, version = self.view.visit_id, belongings_confirmed, self.view.version
        self._run(lambda: closeout.close_visit(self.session, visit_id, belongings_confirmed=confirmed,
                                               version=version),
                  tr("已交单，等待报告", "Closed; the report is awaited"))

    # -- belongings ----------------------------------------------------------------
    def return_belongings(self) -> None:
        if self.view is None or not self.view.belongings:
            return
        ids = [b.belonging_id for b in self.view.belongings]
        tags = tr("、", ", ").join(b.tag_no for b in self.view.belongings)

        def work():
            for belonging_id in ids:
                belongings.return_belonging(self.session, belonging_id)

        run_in_background(work, lambda _: (self.reload(tr("物品已归还：{t}", "Belongings returned: {t}", t=tags)),
                                           self.refresh_list()), self._failed, context=self)

    def store_belongings(self) -> None:
        if self.view is None or not self.view.is_open:
            return
        text, ok = QInputDialog.getText(self, tr("寄存物品", "Store belongings"),
                                        tr("寄存牌号，可在空格后写物品（如：B07 黑色双肩包）：",
                                           "Tag number, then what it is after a space (e.g. B07 black backpack):"))
        if not ok or not text.strip():
            return
        tag, _, description = text.strip().partition(" ")
        visit_id = self.view.visit_id
        run_in_background(lambda: belongings.store(self.session, visit_id, tag, description.strip()),
                          lambda _: self.reload(tr("已寄存", "Stored")), self._failed, context=self)

    def open_not_returned(self) -> None:
        from frontdesk.ui.deferral_dialog import NotReturnedDialog

        dialog = NotReturnedDialog(self.session, self.selected_day(), self)
        self.last_dialog = dialog
        dialog.open()

    # -- make-up visits ---------------------------------------------------------------
    def open_makeup(self, text: str = "") -> None:
        from frontdesk.ui.deferral_dialog import MakeupDialog

        dialog = MakeupDialog(self.session, self.settings, text, self)
        dialog.checked_in.connect(self._makeup_checked_in)
        self.last_dialog = dialog
        dialog.open()

    def _makeup_checked_in(self, visit_id: int) -> None:
        self.refresh_list()
        self.print_labels_requested.emit(visit_id)


class CloseoutAddItemsDialog(AddItemsDialog):
    """The add-on dialog, quoting and adding through close-out: a closed visit is reopened with the items."""

    def requote(self) -> None:
        from frontdesk.domain.money import format_amount

        self.message.clear()
        try:
            quote = closeout.quote_addons_at_closeout(self.visit_id, self.item_ids())
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.totals.setText(tr("增项合计 {t}　个人应付 {g}　单位支付 {o}", "Add-ons {t}   guest pays {g}   organisation {o}",
                               t=format_amount(quote.total), g=format_amount(quote.guest_total),
                               o=format_amount(quote.org_total)))
        self.payment.reset(quote.guest_total, quote.org_total)

    def confirm(self) -> None:
        try:
            payments = self.payment.read()
            self.result = closeout.add_items_at_closeout(self.session, self.visit_id, self.item_ids(), payments)
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.accept()
