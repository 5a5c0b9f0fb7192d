"""报告发放: reports arriving at the desk, the shelf, hand-out, pickup appointments and the call list.

Tabs (Alt+1 … Alt+5):

1. 到达登记 — scan visit numbers one after another (each scan is received at
   once, on the shelf typed beside it), or load the report system's CSV/XLSX
   list; every scan or file adds lines to the results list: received,
   received before, or refused with the reason (a refused file receives
   nothing).
2. 待领报告 — the reports waiting on the shelf; Enter opens the hand-out.
3. 发放 — scan a visit number (opens the hand-out dialog) or search by name,
   phone or ID number and press Enter on the report.
4. 领取预约 — a day's pickup/consultation slots with what is left, the day's
   appointments, booking by visit number and cancelling.
5. 待通知 — reports not collected after N days, with "called" ticks and a
   masked CSV/XLSX export.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox, QDateEdit, QDialog,
                               QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QSizePolicy, QSpinBox, QTableWidget, QTableWidgetItem, QTabWidget,
                               QVBoxLayout, QWidget)

from frontdesk import clock, config, paths
from frontdesk.domain.enums import PickupKind, PickupStatus, Role, VisitStatus
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import reports
from frontdesk.services.reports import ArrivalRefusedError
from frontdesk.services.session import Session
from frontdesk.ui.error_dialogs import show_error
from frontdesk.services.changes import Topic
from frontdesk.ui import live_refresh
from frontdesk.ui.worker import run_in_background

log = logging.getLogger(__name__)

GOOD, OLD, BAD = "#1b5e20", "#555555", "#b71c1c"
TAB_ARRIVAL, TAB_SHELF, TAB_HANDOUT, TAB_APPOINTMENTS, TAB_CALLS = range(5)


def _local(moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone().strftime(fmt) if moment else ""


def _table(name: str, headers: Sequence[str], stretch: int | None = None) -> QTableWidget:
    table = QTableWidget(0, len(headers), objectName=name)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]], keys: Sequence[object] = (),
          colours: Sequence[str | None] = ()) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(str(text))
            if c == 0 and r < len(keys):
                item.setData(Qt.ItemDataRole.UserRole, keys[r])
            if r < len(colours) and colours[r]:
                item.setForeground(QBrush(QColor(colours[r])))
            table.setItem(r, c, item)
    if rows and table.currentRow() < 0:
        table.selectRow(0)


def _shortcut(page: QWidget, keys: str, action) -> QShortcut:
    """A key for a tab's main action, working wherever the focus is on that tab (and acting at once,
    unlike a button's own shortcut, which animates a click first)."""
    shortcut = QShortcut(QKeySequence(keys), page, activated=action)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    return shortcut


def _selected_key(table: QTableWidget):
    row = table.currentRow()
    item = table.item(row, 0) if row >= 0 else None
    return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


class ReportsScreen(QWidget):
    status_message = Signal(str)

    def __init__(self, session: Session, settings: config.WorkstationSettings | None = None, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.last_handout_dialog = None
        self.last_outcome = None
        self.last_export: str = ""
        title = QLabel(tr("报告发放", "Reports"), objectName="pageTitle")
        self.banner = QLabel(objectName="banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.tabs = QTabWidget(objectName="reportsTabs")
        self.tabs.addTab(self._arrival_tab(), tr("&1 到达登记", "&1 Arrival"))
        self.tabs.addTab(self._shelf_tab(), tr("&2 待领报告", "&2 Waiting"))
        self.tabs.addTab(self._handout_tab(), tr("&3 发放", "&3 Hand out"))
        self.tabs.addTab(self._appointments_tab(), tr("&4 领取预约", "&4 Pickup appointments"))
        self.tabs.addTab(self._calls_tab(), tr("&5 待通知", "&5 To call"))
        self.tabs.currentChanged.connect(self._tab_changed)
        refresh = QShortcut(QKeySequence("F5"), self, activated=self.refresh)
        live_refresh.subscribe(self, [Topic.REPORTS], self.refresh)  # the shelf as other desks change it
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        settings_button = QPushButton(tr("报告设置…", "Report settings…"), objectName="reportSettings")
        settings_button.setEnabled(session.can(Role.SUPERVISOR))
        settings_button.setToolTip(tr("代领授权、领取时段、通知天数（需主管权限）",
                                      "Proxy authorisation, pickup slots, days before calling (supervisor)"))
        settings_button.clicked.connect(self.edit_settings)
        settings_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.banner, 1)
        top.addWidget(settings_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    # -- tabs ---------------------------------------------------------------------
    def _arrival_tab(self) -> QWidget:
        self.arrival_scan = QLineEdit(objectName="arrivalScan", placeholderText=tr(
            "逐份扫描报告封面上的体检号", "Scan the visit number on each report, one after another"))
        self.arrival_scan.setStyleSheet("font-size: 14pt; padding: 6px;")
        self.arrival_scan.returnPressed.connect(self._arrival_scanned)
        self.arrival_shelf = QLineEdit(objectName="arrivalShelf", placeholderText=tr("柜位号（可选）", "Shelf (optional)"))
        self.arrival_shelf.setMaximumWidth(160)
        self.arrival_shelf.returnPressed.connect(self.arrival_scan.setFocus)
        load = QPushButton(tr("导入清单…", "Load a list…"), objectName="loadArrivalFile")
        load.clicked.connect(lambda: self.load_arrival_file())
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("体检号", "Visit number")))
        row.addWidget(self.arrival_scan, 1)
        row.addWidget(QLabel(tr("柜位", "Shelf")))
        row.addWidget(self.arrival_shelf)
        row.addWidget(load)
        self.arrival_results = _table("arrivalResults", [tr("时间", "Time"), tr("体检号", "Visit"), tr("姓名", "Name"),
                                                         tr("柜位", "Shelf"), tr("结果", "Result")], stretch=4)
        self.arrival_summary = QLabel(objectName="arrivalSummary")
        self._received_count = 0
        self._arrivals_loaded = False
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(self.arrival_results, 1)
        layout.addWidget(self.arrival_summary)
        return page

    def _shelf_tab(self) -> QWidget:
        self.shelf_table = _table("shelfTable", [tr("体检号", "Visit"), tr("姓名", "Name"), tr("电话", "Phone"),
                                                 tr("体检日期", "Exam date"), tr("套餐", "Package"), tr("柜位", "Shelf"),
                                                 tr("到达时间", "Arrived")], stretch=4)
        # activated: Enter or double-click on a row.
        self.shelf_table.activated.connect(lambda _i: self.open_handout(_selected_key(self.shelf_table)))
        hand_out = QPushButton(tr("发放所选 (Enter)", "Hand out selected (Enter)"), objectName="shelfHandOut")
        hand_out.clicked.connect(lambda: self.open_handout(_selected_key(self.shelf_table)))
        refresh = QPushButton(tr("刷新 (F5)", "Refresh (F5)"), objectName="shelfRefresh")
        refresh.clicked.connect(self.refresh_shelf)
        self.shelf_count = QLabel(objectName="shelfCount")
        buttons = QHBoxLayout()
        buttons.addWidget(self.shelf_count, 1)
        buttons.addWidget(refresh)
        buttons.addWidget(hand_out)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.shelf_table, 1)
        layout.addLayout(buttons)
        return page

    def _handout_tab(self) -> QWidget:
        self.handout_search = QLineEdit(objectName="handoutSearch", placeholderText=tr(
            "扫描体检号，或输入姓名/手机号/身份证号查找", "Scan a visit number, or type a name, phone or ID number"))
        self.handout_search.setStyleSheet("font-size: 14pt; padding: 6px;")
        self.handout_search.returnPressed.connect(self._handout_searched)
        self.handout_results = _table("handoutResults", [tr("体检号", "Visit"), tr("姓名", "Name"), tr("电话", "Phone"),
                                                         tr("体检日期", "Exam date"), tr("套餐", "Package"),
                                                         tr("报告状态", "Report"), tr("柜位", "Shelf")], stretch=4)
        self.handout_results.activated.connect(lambda _i: self.open_handout(_selected_key(self.handout_results)))
        open_button = QPushButton(tr("发放所选 (Enter)", "Hand out selected (Enter)"), objectName="handoutOpen")
        open_button.clicked.connect(lambda: self.open_handout(_selected_key(self.handout_results)))
        self.handout_banner = QLabel(objectName="handoutBanner")
        self.handout_banner.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.handout_banner, 1)
        buttons.addWidget(open_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.handout_search)
        layout.addWidget(self.handout_results, 1)
        layout.addLayout(buttons)
        return page

    def _appointments_tab(self) -> QWidget:
        self.appt_day = QDateEdit(QDate(clock.today()), calendarPopup=True, objectName="apptDay")
        self.appt_day.setDisplayFormat("yyyy-MM-dd")
        self.appt_day.dateChanged.connect(lambda _d: self.refresh_appointments())
        self.appt_slots = _table("apptSlots", [tr("时段", "Slot"), tr("已约 / 上限", "Booked / limit"),
                                               tr("余", "Free")], stretch=2)
        self.appt_slots.setMaximumWidth(380)
        self.appt_slots.setMinimumWidth(300)
        self.appt_list = _table("apptList", [tr("时段", "Slot"), tr("类型", "Kind"), tr("体检号", "Visit"),
                                             tr("姓名", "Name"), tr("电话", "Phone"), tr("预约状态", "Status"),
                                             tr("报告", "Report"), tr("备注", "Note")], stretch=7)
        self.appt_visit = QLineEdit(objectName="apptVisit", placeholderText=tr("体检号", "Visit number"))
        self.appt_visit.setMaximumWidth(180)
        self.appt_slot = QComboBox(objectName="apptSlot")
        self.appt_slot.setMinimumContentsLength(16)
        self.appt_kind = QComboBox(objectName="apptKind")
        for kind in PickupKind:
            self.appt_kind.addItem(kind.label(), kind.value)
        self.appt_note = QLineEdit(objectName="apptNote", placeholderText=tr("备注（可选）", "Note (optional)"))
        self.appt_visit.returnPressed.connect(self.appt_slot.setFocus)
        self.appt_note.returnPressed.connect(self.book_appointment)
        book = QPushButton(tr("预约 (Ctrl+B)", "Book (Ctrl+B)"), objectName="apptBook")
        book.setProperty("primary", True)
        book.clicked.connect(self.book_appointment)
        cancel = QPushButton(tr("取消所选预约", "Cancel selected"), objectName="apptCancel")
        cancel.clicked.connect(self.cancel_appointment)
        export = QPushButton(tr("导出… (Ctrl+E)", "Export… (Ctrl+E)"), objectName="exportAppointments")
        export.clicked.connect(lambda: self.export_appointments())
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("日期", "Day")))
        top.addWidget(self.appt_day)
        top.addStretch()
        top.addWidget(export)
        top.addWidget(cancel)
        lists = QHBoxLayout()
        lists.addWidget(self.appt_slots)
        lists.addWidget(self.appt_list, 1)
        form = QHBoxLayout()
        form.addWidget(QLabel(tr("预约：", "Book: ")))
        form.addWidget(self.appt_visit)
        form.addWidget(self.appt_slot)
        form.addWidget(self.appt_kind)
        form.addWidget(self.appt_note, 1)
        form.addWidget(book)
        self.appt_message = QLabel(objectName="apptMessage")
        self.appt_message.setWordWrap(True)
        page = QWidget()
        _shortcut(page, "Ctrl+B", self.book_appointment)
        _shortcut(page, "Ctrl+E", lambda: self.export_appointments())
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addLayout(lists, 1)
        layout.addLayout(form)
        layout.addWidget(self.appt_message)
        return page

    def _calls_tab(self) -> QWidget:
        self.call_days = QSpinBox(objectName="callDays", minimum=1, maximum=365)
        self.call_days.setSuffix(tr(" 天", " days"))
        self.call_days.valueChanged.connect(lambda _v: self.refresh_calls())
        self._call_days_loaded = False
        # The ID number is in the export, not on the screen: the desk phones, it does not identify.
        self.call_table = _table("callTable", [tr("体检号", "Visit"), tr("姓名", "Name"), tr("电话", "Phone"),
                                               tr("体检日期", "Exam date"), tr("到达", "Arrived"),
                                               tr("已等天数", "Days"), tr("柜位", "Shelf"), tr("已通知", "Called"),
                                               tr("最近通知", "Last call"), tr("预约", "Pickup"), tr("备注", "Note")])
        self.call_note = QLineEdit(objectName="callNote", placeholderText=tr("通知备注，如“已电话通知，周五来取”",
                                                                            "Note, e.g. “phoned, comes on Friday”"))
        self.call_note.returnPressed.connect(self.mark_called)
        called = QPushButton(tr("标记已通知 (Ctrl+T)", "Mark called (Ctrl+T)"), objectName="markCalled")
        called.clicked.connect(self.mark_called)
        export = QPushButton(tr("导出… (Ctrl+E)", "Export… (Ctrl+E)"), objectName="exportCalls")
        export.clicked.connect(lambda: self.export_calls())
        self.call_summary = QLabel(objectName="callSummary")
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("报告到达后超过", "Reports waiting at least")))
        top.addWidget(self.call_days)
        top.addWidget(QLabel(tr("未领取", "")))
        top.addWidget(self.call_summary, 1)
        top.addWidget(export)
        bottom = QHBoxLayout()
        bottom.addWidget(self.call_note, 1)
        bottom.addWidget(called)
        page = QWidget()
        _shortcut(page, "Ctrl+T", self.mark_called)
        _shortcut(page, "Ctrl+E", lambda: self.export_calls())
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.call_table, 1)
        layout.addLayout(bottom)
        return page

    # -- common ---------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        # Outside dialogs Qt buttons ignore Enter; at this desk Enter presses the focused button.
        # (A table passes Enter on after emitting ``activated``, which is what opens the hand-out.)
        focus = self.focusWidget()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(focus, QPushButton):
            focus.click()
            return
        super().keyPressEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.refresh()
        self._focus_tab(self.tabs.currentIndex())  # the scanner types into the tab's field at once
        if not self._arrivals_loaded:
            self._arrivals_loaded = True
            self._load_todays_arrivals()

    def _load_todays_arrivals(self) -> None:
        """The arrival log opens with what reached the desk earlier today (any desk), under this desk's scans."""
        day = clock.today()

        def shown(rows):
            for row in rows:  # newest first, below anything scanned meanwhile
                self._add_arrival_row(row.visit_no, row.guest_name, row.shelf_no, tr("今日已登记到达", "received today"),
                                      OLD, at=row.received_at, last=True)
            if rows and not self._received_count:
                self.arrival_summary.setText(tr("今日已登记 {n} 份报告", "{n} reports received today", n=len(rows)))

        run_in_background(lambda: reports.arrivals_on(day), shown, lambda exc: show_error(self, exc), context=self)

    def _tab_changed(self, index: int) -> None:
        self._say("")  # what was said belongs to the tab it was said on
        self.refresh()
        self._focus_tab(index)

    def _focus_tab(self, index: int) -> None:
        focus = {TAB_ARRIVAL: self.arrival_scan, TAB_SHELF: self.shelf_table, TAB_HANDOUT: self.handout_search,
                 TAB_APPOINTMENTS: self.appt_visit, TAB_CALLS: self.call_table}[index]
        focus.setFocus()

    def handle_scan(self, code: str) -> None:
        """A visit number scanned on this page (no field of it focused): what the current tab does with one."""
        index = self.tabs.currentIndex()
        if index == TAB_ARRIVAL:
            self.receive([code], self.arrival_shelf.text())
        elif index == TAB_APPOINTMENTS:
            self.appt_visit.setText(code)
            self.appt_slot.setFocus()
        else:  # the waiting shelf, the hand-out and the call list: the guest is here for the report
            self.tabs.setCurrentIndex(TAB_HANDOUT)
            self.handout_search.setText(code)
            self._handout_searched()

    def _say(self, text: str, state: str = "ok", label: QLabel | None = None) -> None:
        label = label or self.banner
        colour = {"ok": GOOD, "bad": BAD, "info": "#174ea6"}[state]
        label.setStyleSheet(f"color: {colour}; font-weight: bold; font-size: 12pt;")
        label.setText(text)
        label.setVisible(bool(text))
        if text:
            self.status_message.emit(text)

    def refresh(self) -> None:
        index = self.tabs.currentIndex()
        if index == TAB_SHELF:
            self.refresh_shelf()
        elif index == TAB_APPOINTMENTS:
            self.refresh_appointments()
        elif index == TAB_CALLS:
            self.refresh_calls()

    # -- arrival --------------------------------------------------------------------
    def _arrival_scanned(self) -> None:
        code = self.arrival_scan.text().strip()
        self.arrival_scan.clear()
        if code:
            self.receive([code], self.arrival_shelf.text())

    def receive(self, entries, shelf: str = "", *, source: str = "") -> None:
        """Receive ``entries`` (codes, or a function reading them from a file off the UI thread) on ``shelf``."""
        shelf_text = shelf
        batch = callable(entries) or len(entries) > 1
        single = "" if batch else str(entries[0])

        def done(outcome):
            self.last_outcome = outcome
            rows = [(line, tr("✓ 已登记到达", "✓ received"), GOOD) for line in outcome.received]
            rows += [(line, tr("已登记过：{t}，柜位 {s}", "received before: {t}, shelf {s}",
                               t=_local(line.received_at), s=line.shelf_no or "-"), OLD) for line in outcome.already]
            for line, text, colour in rows:
                self._add_arrival_row(line.visit_no, line.guest_name, line.shelf_no, text, colour)
            self._received_count += len(outcome.received)
            self.arrival_summary.setText(tr("本次共登记 {n} 份报告", "{n} reports received in this session",
                                            n=self._received_count))
            what = tr("{s}：", "{s}: ", s=source) if source else ""
            self._say(what + tr("已登记 {n} 份，之前已登记 {a} 份", "{n} received, {a} received before",
                                n=len(outcome.received), a=len(outcome.already)), "ok")

        def failed(exc):
            QApplication.beep()
            if isinstance(exc, ArrivalRefusedError):
                for problem in exc.problems:
                    where = tr("第 {n} 行 ", "line {n} ", n=problem.line) if problem.line else ""
                    self._add_arrival_row(problem.code, "", shelf_text, "✗ " + where + problem.reason, BAD)
                nothing = tr("本批未登记任何报告", "nothing of this batch was received") if batch else ""
                self._say(tr("{n} 份无法登记{x}", "{n} cannot be received{x}", n=len(exc.problems),
                             x=("，" + nothing) if nothing else "") if nothing or len(exc.problems) > 1
                          else exc.problems[0].reason, "bad")
                return
            if isinstance(exc, UserError):
                self._add_arrival_row(single, "", shelf_text, "✗ " + (f"{source}：" if source else "") + exc.message,
                                      BAD)
                self._say(exc.message, "bad")
                return
            show_error(self, exc)

        def work():
            return reports.receive_reports(self.session, entries() if callable(entries) else entries, shelf_no=shelf)

        run_in_background(work, done, failed, context=self)

    def _add_arrival_row(self, visit_no: str, name: str, shelf: str, result: str, colour: str, *,
                         at: dt.datetime | None = None, last: bool = False) -> None:
        """A line of the arrival log: on top (a scan just now), or ``last`` (earlier arrivals loaded)."""
        table = self.arrival_results
        r = table.rowCount() if last else 0
        table.insertRow(r)
        for c, text in enumerate((_local(at or clock.now(), "%H:%M:%S"), visit_no, name, shelf, result)):
            item = QTableWidgetItem(text)
            item.setForeground(QBrush(QColor(colour)))
            table.setItem(r, c, item)

    def load_arrival_file(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, tr("导入报告到达清单", "Load the list of reports"),
                                                  str(paths.data_dir()), tr("清单 (*.csv *.xlsx *.txt)",
                                                                            "Lists (*.csv *.xlsx *.txt)"),
                                                  options=QFileDialog.Option.DontUseNativeDialog)
        if not path:
            return
        from pathlib import Path

        self.receive(lambda: reports.read_arrival_file(path), self.arrival_shelf.text(), source=Path(path).name)

    # -- shelf ----------------------------------------------------------------------
    def refresh_shelf(self) -> None:
        def shown(rows):
            _fill(self.shelf_table, [(r.visit_no, r.guest_name, r.phone, r.visit_date.isoformat(), r.package,
                                      r.shelf_no, _local(r.received_at)) for r in rows], [r.visit_id for r in rows])
            self.shelf_count.setText(tr("待领报告 {n} 份", "{n} reports waiting", n=len(rows)))

        run_in_background(reports.waiting_reports, shown, context=self)

    # -- hand-out -----------------------------------------------------------------------
    def _handout_searched(self) -> None:
        text = self.handout_search.text().strip()
        self.handout_search.selectAll()
        if not text:
            return

        def found(rows):
            _fill(self.handout_results, [(r.visit_no, r.guest_name, r.phone, r.visit_date.isoformat(), r.package,
                                          r.status_label, r.shelf_no) for r in rows], [r.visit_id for r in rows])
            if not rows:
                QApplication.beep()
                self._say(tr("没有找到“{t}”的报告", "No report found for “{t}”", t=text), "bad", self.handout_banner)
            elif len(rows) == 1 and rows[0].visit_no == text.replace(" ", ""):
                self.open_handout(rows[0].visit_id)  # a scanned visit number: straight to the hand-out
            else:
                self._say(tr("找到 {n} 份，选中后按 Enter 发放", "{n} found; select one and press Enter", n=len(rows)),
                          "info", self.handout_banner)
                self.handout_results.setFocus()

        def failed(exc):
            QApplication.beep()
            if isinstance(exc, UserError):
                self._say(exc.message, "bad", self.handout_banner)
            else:
                show_error(self, exc)

        run_in_background(lambda: reports.find_reports(text), found, failed, context=self)

    def open_handout(self, visit_id) -> None:
        if visit_id is None:
            return

        def opened(view):
            from frontdesk.ui.handout_dialog import HandoutDialog

            dialog = HandoutDialog(view, self.session, self.settings, parent=self)
            dialog.handed_out.connect(self._handed_out)
            self.last_handout_dialog = dialog
            dialog.open()

        run_in_background(lambda: reports.handout_view(visit_id), opened, context=self)

    def _handed_out(self, record) -> None:
        text = tr("体检号 {v} 的报告已发放：{s}", "Report of visit {v} handed out: {s}", v=record.visit_no,
                  s=record.method.label())
        self._say(text, "ok")
        self._say(text, "ok", self.handout_banner)
        self.handout_search.clear()
        self.handout_results.setRowCount(0)
        self.refresh()

    # -- appointments -------------------------------------------------------------------
    def _appt_date(self) -> dt.date:
        return self.appt_day.date().toPython()

    def refresh_appointments(self) -> None:
        day = self._appt_date()

        def shown(value):
            slots, rows = value
            _fill(self.appt_slots, [(s.slot, f"{s.booked} / {s.limit}", str(s.free)) for s in slots],
                  [s.slot for s in slots], [BAD if s.free == 0 else None for s in slots])
            current = self.appt_slot.currentData()
            self.appt_slot.clear()
            for s in slots:
                self.appt_slot.addItem(tr("{s}（余 {n}）", "{s} ({n} free)", s=s.slot, n=s.free), s.slot)
            index = self.appt_slot.findData(current)
            self.appt_slot.setCurrentIndex(index if index >= 0 else next((i for i, s in enumerate(slots) if s.free),
                                                                          0))
            _fill(self.appt_list, [(r.slot, r.kind.label(), r.visit_no, r.guest_name, r.phone, r.status.label(),
                                    VisitStatus(r.report_status).label(), r.note) for r in rows],
                  [r.appointment_id for r in rows],
                  [OLD if r.status is not PickupStatus.BOOKED else None for r in rows])

        run_in_background(lambda: (reports.slots_on(day), reports.appointments_on(day)), shown, context=self)

    def book_appointment(self) -> None:
        code = self.appt_visit.text().strip()
        slot = self.appt_slot.currentData()
        kind = PickupKind(self.appt_kind.currentData())
        note = self.appt_note.text()
        day = self._appt_date()
        if not code:
            QApplication.beep()
            self._say(tr("请输入或扫描体检号", "Enter or scan the visit number"), "bad", self.appt_message)
            self.appt_visit.setFocus()
            return

        def work():
            view = reports.handout_view_for_code(code)
            return reports.book_pickup(self.session, view.visit_id, day, slot, kind, note)

        def done(row):
            self._say(tr("已预约：{d} {s} {n}（{v}）", "Booked: {d} {s} {n} ({v})", d=row.day.isoformat(), s=row.slot,
                         n=row.guest_name, v=row.visit_no), "ok", self.appt_message)
            self.appt_visit.clear()
            self.appt_note.clear()
            self.appt_visit.setFocus()
            self.refresh_appointments()

        def failed(exc):
            QApplication.beep()
            if isinstance(exc, UserError):
                self._say(exc.message, "bad", self.appt_message)
            else:
                show_error(self, exc)

        run_in_background(work, done, failed, context=self)

    def cancel_appointment(self) -> None:
        appointment_id = _selected_key(self.appt_list)
        if appointment_id is None:
            return

        def failed(exc):
            QApplication.beep()
            self._say(exc.message if isinstance(exc, UserError) else str(exc), "bad", self.appt_message)

        run_in_background(lambda: reports.cancel_pickup(self.session, appointment_id),
                          lambda _r: (self._say(tr("预约已取消", "Appointment cancelled"), "ok", self.appt_message),
                                      self.refresh_appointments()), failed, context=self)

    # -- call list ----------------------------------------------------------------------
    def refresh_calls(self) -> None:
        if not self._call_days_loaded:
            self._call_days_loaded = True
            self.call_days.blockSignals(True)
            self.call_days.setValue(reports.uncollected_days())
            self.call_days.blockSignals(False)
        days = self.call_days.value()

        def shown(rows):
            _fill(self.call_table, [(r.visit_no, r.guest_name, r.phone, r.visit_date.isoformat(),
                                     _local(r.received_at, "%Y-%m-%d"), str(r.days_waiting), r.shelf_no,
                                     tr("✓ {n} 次", "✓ {n}", n=r.calls) if r.called else "",
                                     f"{_local(r.last_called_at, '%m-%d %H:%M')} {r.last_called_by}".strip(),
                                     r.appointment, r.last_note) for r in rows],
                  [r.visit_id for r in rows], [GOOD if r.called else None for r in rows])
            self.call_summary.setText(tr("共 {n} 人，已通知 {c} 人", "{n} guests, {c} called", n=len(rows),
                                         c=sum(1 for r in rows if r.called)))

        run_in_background(lambda: reports.call_list(days=days), shown, context=self)

    def mark_called(self) -> None:
        visit_id = _selected_key(self.call_table)
        if visit_id is None:
            QApplication.beep()
            return
        note = self.call_note.text()
        row = self.call_table.currentRow()

        def done(_r):
            self.call_note.clear()
            self._say(tr("已记录通知", "Call recorded"), "ok")
            self.refresh_calls()
            self.call_table.selectRow(min(row + 1, max(0, self.call_table.rowCount() - 1)))

        def failed(exc):
            QApplication.beep()
            self._say(exc.message if isinstance(exc, UserError) else str(exc), "bad")

        run_in_background(lambda: reports.mark_called(self.session, visit_id, note), done, failed, context=self)

    def _ask_export_path(self, title: str, name: str) -> str:
        """A .xlsx or .csv file to write, from Qt's own save dialog (in the desk's language); "" when cancelled."""
        folder = paths.data_dir() / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        suggested = folder / f"{name}.xlsx"
        dialog = QFileDialog(self, title, str(suggested),
                             tr("Excel 文件 (*.xlsx);;CSV 文件 (*.csv)", "Excel files (*.xlsx);;CSV files (*.csv)"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(suggested.name)
        dialog.resize(860, 520)
        if not dialog.exec() or not dialog.selectedFiles():
            return ""
        path = dialog.selectedFiles()[0]
        if not path.lower().endswith((".xlsx", ".csv")):
            path += ".csv" if "csv" in dialog.selectedNameFilter().lower() else ".xlsx"
        return path

    def _export(self, work, path: str, what: str, label: QLabel | None = None) -> None:
        def done(count):
            self.last_export = path
            self._say(tr("已导出{w} {n} 条（已脱敏）到 {p}", "Exported {n} {w} (masked) to {p}", w=what, n=count, p=path),
                      "ok", label)

        def failed(exc):
            QApplication.beep()
            if isinstance(exc, UserError):
                self._say(exc.message, "bad", label)
            else:
                show_error(self, exc)

        run_in_background(work, done, failed, context=self)

    def export_calls(self, path: str | None = None) -> None:
        path = path or self._ask_export_path(tr("导出待通知名单", "Export the call list"),
                                             f"report-calls-{clock.today().isoformat()}")
        if path:
            days = self.call_days.value()
            self._export(lambda: reports.export_call_list(self.session, path, days=days), path,
                         tr("待通知名单", "guests to call"))

    def export_appointments(self, path: str | None = None) -> None:
        day = self._appt_date()
        path = path or self._ask_export_path(tr("导出领取预约", "Export the pickup appointments"),
                                             f"pickup-appointments-{day.isoformat()}")
        if path:
            self._export(lambda: reports.export_appointments(self.session, path, day), path,
                         tr("领取预约", "appointments"), self.appt_message)

    # -- site settings ------------------------------------------------------------------
    def edit_settings(self) -> None:
        dialog = ReportSettingsDialog(self.session, reports.report_settings(), self)
        self.last_settings_dialog = dialog
        dialog.accepted.connect(lambda: (self._say(tr("报告设置已保存", "Report settings saved"), "ok"),
                                         setattr(self, "_call_days_loaded", False), self.refresh()))
        dialog.open()


class ReportSettingsDialog(QDialog):
    """The site's report settings (shared by every desk; supervisor; audited)."""

    def __init__(self, session: Session, current: reports.ReportSettings, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("reportSettingsDialog")
        self.setWindowTitle(tr("报告设置（所有工作站共用）", "Report settings (all desks)"))
        self.session = session
        self.proxy_authorisation = QCheckBox(tr("代领须核验受检者授权", "A proxy needs the guest's authorisation"),
                                             objectName="proxyAuthorisation")
        self.proxy_authorisation.setChecked(current.proxy_needs_authorisation)
        self.days = QSpinBox(objectName="uncollectedDays", minimum=1, maximum=365, value=current.uncollected_days)
        self.days.setSuffix(tr(" 天", " days"))
        self.slots = QLineEdit(", ".join(current.pickup_slots), objectName="pickupSlots")
        self.slots.setMinimumWidth(420)
        self.limit = QSpinBox(objectName="slotLimit", minimum=1, maximum=200, value=current.slot_limit)
        self.message = QLabel(objectName="message", wordWrap=True)
        self.message.setStyleSheet(f"color: {BAD};")
        form = QFormLayout()
        form.addRow("", self.proxy_authorisation)
        form.addRow(tr("报告到达后多少天未领取需通知", "Call guests after their report waited"), self.days)
        form.addRow(tr("领取时段", "Pickup slots"), self.slots)
        form.addRow(tr("每个时段最多人数", "Guests per slot at most"), self.limit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def save(self) -> None:
        try:
            wanted = reports.ReportSettings(self.proxy_authorisation.isChecked(), self.days.value(),
                                            reports.parse_slots(self.slots.text()), self.limit.value())
            reports.update_report_settings(self.session, wanted)
        except UserError as exc:
            QApplication.beep()
            self.message.setText(exc.message)
            return
        self.accept()
