"""A supervisor sets the capacity (接待量): each station's (and the whole centre's) limit per weekday, and
date exceptions (a holiday or closure, or a different limit on one date).

Weekday limits: a table, one row per station, a column per weekday; an empty cell means the station's
catalogue default (no limit for the centre).  Ctrl+S saves the rows changed, each all or nothing.
Date exceptions: the coming year's list, and a line to add or replace one (Enter) or remove the selected
one (Del).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from frontdesk import clock
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import capacity
from frontdesk.services.session import Session
from frontdesk.ui.screen_fit import fit_to_screen
from frontdesk.ui.widgets import error_label
from frontdesk.ui.worker import run_in_background


class CapacityDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(tr("接待量设置", "Capacity limits"))
        self.rows: list[capacity.StationLimits] = []
        self.exceptions: list[capacity.DateException] = []
        self._loading = False
        self.changed_rows: set[int] = set()

        self.weekly = QTableWidget(0, 9, objectName="weekdayLimits")
        self.weekly.setHorizontalHeaderLabels([tr("科室", "Station"), tr("默认", "Default")]
                                              + [capacity.weekday_name(w) for w in range(7)])
        self.weekly.verticalHeader().hide()
        self.weekly.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.weekly.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.weekly.itemChanged.connect(self._cell_edited)
        weekly_hint = QLabel(tr("每格为该日最多接待的人数；留空则用默认值（全中心留空为不限）。改完按 Ctrl+S 保存。",
                                "Each cell: the most guests that day; empty uses the default (no limit for the "
                                "centre). Ctrl+S saves."), wordWrap=True)
        self.save_button = QPushButton(tr("保存每周限额 (Ctrl+S)", "Save weekday limits (Ctrl+S)"),
                                       objectName="saveWeekly")
        self.save_button.clicked.connect(self.save_weekly)
        weekly_page = QWidget()
        weekly_layout = QVBoxLayout(weekly_page)
        weekly_layout.addWidget(weekly_hint)
        weekly_layout.addWidget(self.weekly, 1)
        save_row = QHBoxLayout()
        save_row.addStretch()
        save_row.addWidget(self.save_button)
        weekly_layout.addLayout(save_row)

        self.exception_table = QTableWidget(0, 4, objectName="dateExceptions")
        self.exception_table.setHorizontalHeaderLabels([tr("日期", "Date"), tr("科室", "Station"),
                                                        tr("限额", "Limit"), tr("说明", "Note")])
        self.exception_table.verticalHeader().hide()
        self.exception_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.exception_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.exception_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.exception_table.horizontalHeader().setStretchLastSection(True)
        today = clock.today()
        self.exc_date = QDateEdit(objectName="exceptionDate", calendarPopup=True, displayFormat="yyyy-MM-dd ddd")
        self.exc_date.setMinimumDate(QDate(today.year, today.month, today.day))
        self.exc_date.setDate(QDate(today.year, today.month, today.day))
        self.exc_station = QComboBox(objectName="exceptionStation")
        self.exc_closed = QCheckBox(tr("停诊", "Closed"), objectName="exceptionClosed")
        self.exc_limit = QSpinBox(objectName="exceptionLimit", minimum=0, maximum=capacity.MAX_LIMIT)
        self.exc_closed.toggled.connect(lambda on: self.exc_limit.setEnabled(not on))
        self.exc_note = QLineEdit(objectName="exceptionNote", maxLength=128,
                                  placeholderText=tr("说明，如：国庆节、设备检修", "Note, e.g. holiday, maintenance"))
        self.exc_note.returnPressed.connect(self.add_exception)
        add = QPushButton(tr("添加/替换 (Enter)", "Add / replace (Enter)"), objectName="addException")
        add.clicked.connect(self.add_exception)
        remove = QPushButton(tr("删除所选 (Del)", "Remove selected (Del)"), objectName="removeException")
        remove.clicked.connect(self.remove_exception)
        add_row = QHBoxLayout()
        for widget in (self.exc_date, self.exc_station, self.exc_closed, QLabel(tr("限额", "Limit")), self.exc_limit):
            add_row.addWidget(widget)
        add_row.addWidget(self.exc_note, 1)
        add_row.addWidget(add)
        exceptions_page = QWidget()
        exceptions_layout = QVBoxLayout(exceptions_page)
        exceptions_layout.addWidget(QLabel(tr("例外日期优先于每周限额；全中心停诊时所有科室当天停诊。",
                                              "A date exception beats the weekday limit; the whole centre closed "
                                              "closes every station that day."), wordWrap=True))
        exceptions_layout.addWidget(self.exception_table, 1)
        exceptions_layout.addLayout(add_row)
        remove_row = QHBoxLayout()
        remove_row.addStretch()
        remove_row.addWidget(remove)
        exceptions_layout.addLayout(remove_row)

        self.tabs = QTabWidget(objectName="capacityTabs")
        self.tabs.addTab(weekly_page, tr("每周限额", "Weekday limits"))
        self.tabs.addTab(exceptions_page, tr("例外日期", "Date exceptions"))
        self.message = error_label("message")
        close = QPushButton(tr("关闭 (Esc)", "Close (Esc)"), objectName="closeButton")
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save_weekly)
        QShortcut(QKeySequence("Delete"), self.exception_table, activated=self.remove_exception,
                  context=Qt.ShortcutContext.WidgetShortcut)
        fit_to_screen(self, 1100, 640)
        self.load()

    # -- loading -------------------------------------------------------------------------------------

    def load(self) -> None:
        first = clock.today()
        run_in_background(lambda: (capacity.weekday_limits(),
                                   capacity.date_exceptions(first, first + dt.timedelta(days=366))),
                          lambda result: self._show(*result), self._failed, context=self)

    def _show(self, rows, exceptions) -> None:
        self._loading = True
        self.rows = list(rows)
        self.changed_rows.clear()
        self.weekly.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            name = QTableWidgetItem(row.name)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            default = QTableWidgetItem(tr("不限", "none") if row.default is None else str(row.default))
            default.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.weekly.setItem(r, 0, name)
            self.weekly.setItem(r, 1, default)
            for w, value in enumerate(row.weekdays):
                self.weekly.setItem(r, 2 + w, QTableWidgetItem("" if value is None else str(value)))
        current = self.exc_station.currentData()
        self.exc_station.clear()
        for row in self.rows:
            self.exc_station.addItem(row.name, -1 if row.station_id is None else row.station_id)
        self.exc_station.setCurrentIndex(max(self.exc_station.findData(current), 0))
        self.exceptions = list(exceptions)
        self.exception_table.setRowCount(len(self.exceptions))
        for r, e in enumerate(self.exceptions):
            limit = tr("停诊", "closed") if e.closed else str(e.limit)
            for c, value in enumerate((f"{e.day:%Y-%m-%d} {capacity.weekday_name(e.day.weekday())}", e.station_name,
                                       limit, e.note)):
                self.exception_table.setItem(r, c, QTableWidgetItem(value))
        self._loading = False

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        if not self._loading and item.column() >= 2:
            self.changed_rows.add(item.row())

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.message.setText(exc.message)
            return
        from frontdesk.ui.error_dialogs import show_error

        show_error(self, exc)

    # -- saving --------------------------------------------------------------------------------------

    def set_cell(self, station_id: int | None, weekday: int, text: str) -> None:
        """Type into the weekday table (as the desk would)."""
        for r, row in enumerate(self.rows):
            if row.station_id == station_id:
                self.weekly.item(r, 2 + weekday).setText(text)
                return
        raise KeyError(station_id)

    def save_weekly(self) -> None:
        if not self.changed_rows:
            self.message.setText(tr("没有改动", "Nothing changed"))
            return
        changes = []
        for r in sorted(self.changed_rows):
            texts = [self.weekly.item(r, 2 + w).text().strip() for w in range(7)]
            changes.append((self.rows[r].station_id, self.rows[r].name, [t or None for t in texts]))
        session = self.session

        def work():
            for station_id, _name, limits in changes:
                capacity.set_weekday_limits(session, station_id, limits)
            return len(changes)

        def done(n: int) -> None:
            self.message.setText(tr("已保存{n}个科室的每周限额", "Saved the weekday limits of {n} stations", n=n))
            self.load()

        run_in_background(work, done, self._failed, context=self)

    def add_exception(self) -> None:
        value = self.exc_date.date()
        day = dt.date(value.year(), value.month(), value.day())
        station = self.exc_station.currentData()
        station_id = None if station in (None, -1) else station
        closed, limit, note = self.exc_closed.isChecked(), self.exc_limit.value(), self.exc_note.text()
        session = self.session

        def done(e: capacity.DateException) -> None:
            self.message.setText(tr("已设置 {d} {s}", "Set {d} {s}", d=f"{e.day:%Y-%m-%d}", s=e.station_name))
            self.exc_note.clear()
            self.load()

        run_in_background(lambda: capacity.set_date_exception(session, station_id, day, closed=closed,
                                                              limit=None if closed else limit, note=note),
                          done, self._failed, context=self)

    def remove_exception(self) -> None:
        row = self.exception_table.currentRow()
        if not 0 <= row < len(self.exceptions):
            return
        exception_id, session = self.exceptions[row].id, self.session
        run_in_background(lambda: capacity.remove_date_exception(session, exception_id),
                          lambda _r: self.load(), self._failed, context=self)
