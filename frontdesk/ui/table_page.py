"""A list screen: a title, an optional day picker, and a table loaded off the UI thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDateEdit, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

from frontdesk import clock
from frontdesk.i18n import tr
from frontdesk.services.overview import Table
from frontdesk.services.changes import ALL_TOPICS
from frontdesk.ui import live_refresh
from frontdesk.ui.worker import run_in_background


class TableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.table = Table((), [])

    def set_table(self, table: Table) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.table.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return str(self.table.rows[index.row()][index.column()])
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.table.headers[section]
        return None

    def key(self, row: int):
        return self.table.keys[row] if row < len(self.table.keys) else None


class TablePage(QWidget):
    """``loader(day)`` (or ``loader()`` without a day picker) returns a ``Table``."""

    row_activated = Signal(object)  # the key of the row, e.g. a visit id
    loaded = Signal()

    def __init__(self, title: str, loader: Callable, *, with_day: bool = True, hint: str = "", parent=None) -> None:
        super().__init__(parent)
        self.loader = loader
        self.with_day = with_day
        self.title = QLabel(title, objectName="pageTitle")
        self.day = QDateEdit(QDate(clock.today()), calendarPopup=True, objectName="day")
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setVisible(with_day)
        self.day.dateChanged.connect(self.refresh)
        self.refresh_button = QPushButton(tr("刷新 (F5)", "Refresh (F5)"))
        self.refresh_button.setShortcut("F5")
        self.refresh_button.clicked.connect(self.refresh)
        self.count = QLabel()
        self.model = TableModel()
        self.view = QTableView(objectName="table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.activated.connect(lambda index: self.row_activated.emit(self.model.key(index.row())))
        live_refresh.subscribe(self, ALL_TOPICS, self.refresh)  # other desks' changes, without F5
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch()
        if with_day:
            top.addWidget(QLabel(tr("日期", "Date")))
        top.addWidget(self.day)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setWordWrap(True)
            layout.addWidget(hint_label)
        layout.addWidget(self.view)
        layout.addWidget(self.count)

    def selected_day(self) -> dt.date:
        return self.day.date().toPython()

    def refresh(self) -> None:
        day = self.selected_day()
        fn = (lambda: self.loader(day)) if self.with_day else self.loader
        self.count.setText(tr("正在加载…", "Loading…"))
        run_in_background(fn, self._show, context=self)

    def _show(self, table: Table) -> None:
        self.model.set_table(table)
        self.count.setText(tr("共 {n} 条", "{n} rows", n=len(table.rows)))
        self.loaded.emit()

    def showEvent(self, event) -> None:  # noqa: N802 - refresh whenever the page is shown
        super().showEvent(event)
        self.refresh()
