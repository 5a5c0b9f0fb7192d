"""The audit log for supervisors: read and filter, never edit."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QComboBox, QDateEdit, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

from frontdesk.i18n import tr
from frontdesk.services import audit
from frontdesk.services.overview import Table
from frontdesk.services.session import Session
from frontdesk.ui.table_page import TableModel
from frontdesk.ui.worker import run_in_background


class AuditScreen(QWidget):
    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        title = QLabel(tr("审计日志", "Audit log"), objectName="pageTitle")
        self.user = QLineEdit(objectName="auditUser", placeholderText=tr("用户名", "user name"))
        self.action = QComboBox(objectName="auditAction")
        self.text = QLineEdit(objectName="auditText", placeholderText=tr("记录号或内容", "record or details"))
        self.since = QDateEdit(QDate.currentDate().addDays(-7), calendarPopup=True, objectName="since")
        self.until = QDateEdit(QDate.currentDate(), calendarPopup=True, objectName="until")
        for edit in (self.since, self.until):
            edit.setDisplayFormat("yyyy-MM-dd")
        search = QPushButton(tr("查询", "Search"), objectName="auditSearch")
        search.clicked.connect(self.refresh)
        self.text.returnPressed.connect(self.refresh)
        self.user.returnPressed.connect(self.refresh)
        filters = QHBoxLayout()
        for label, widget in ((tr("用户", "User"), self.user), (tr("操作", "Action"), self.action),
                              (tr("内容", "Text"), self.text), (tr("从", "From"), self.since),
                              (tr("到", "To"), self.until)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(search)
        self.model = TableModel()
        self.view = QTableView(objectName="auditTable")
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.count = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addWidget(self.view)
        layout.addWidget(self.count)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        current = self.action.currentData()
        self.action.clear()
        self.action.addItem(tr("全部", "All"), "")
        for name in audit.actions():
            self.action.addItem(name, name)
        index = self.action.findData(current)
        self.action.setCurrentIndex(max(index, 0))
        self.refresh()

    def refresh(self) -> None:
        local = dt.datetime.now().astimezone().tzinfo
        since = dt.datetime.combine(self.since.date().toPython(), dt.time(0), tzinfo=local)
        until = dt.datetime.combine(self.until.date().toPython(), dt.time(0), tzinfo=local) + dt.timedelta(days=1)
        user, action, text = self.user.text().strip(), self.action.currentData() or "", self.text.text().strip()

        def load() -> Table:
            entries = audit.browse(self.session, username=user, action=action, text=text, since=since, until=until)
            rows = [(e.at.astimezone(local).strftime("%Y-%m-%d %H:%M:%S"), e.username, e.desk, e.action,
                     f"{e.record_type} {e.record_id}".strip(), e.details) for e in entries]
            return Table((tr("时间", "Time"), tr("用户", "User"), tr("工作站", "Desk"), tr("操作", "Action"),
                          tr("记录", "Record"), tr("详情", "Details")), rows)

        run_in_background(load, self._show, context=self)

    def _show(self, table: Table) -> None:
        self.model.set_table(table)
        self.count.setText(tr("共 {n} 条", "{n} entries", n=len(table.rows)))
