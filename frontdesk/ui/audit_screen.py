"""The audit log for supervisors: read and filter, never edit.

Actions and details are shown in words in the UI language
(``services.audit_words``), not as codes and JSON; a double-click (or Enter)
opens the whole entry.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QScrollArea, QTableView,
                               QVBoxLayout, QWidget)

from frontdesk import clock
from frontdesk.i18n import tr
from frontdesk.services import audit, audit_words
from frontdesk.services.audit import AuditEntry
from frontdesk.services.overview import Table
from frontdesk.services.session import Session
from frontdesk.ui.screen_fit import fit_to_screen
from frontdesk.ui.table_page import TableModel
from frontdesk.ui.worker import run_in_background


_RECORD, _DETAILS = 4, 5


class _AuditModel(TableModel):
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and index.column() in (_RECORD, _DETAILS):
            return super().data(index, Qt.ItemDataRole.DisplayRole)
        return super().data(index, role)


class AuditScreen(QWidget):
    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        title = QLabel(tr("审计日志", "Audit log"), objectName="pageTitle")
        self.user = QLineEdit(objectName="auditUser", placeholderText=tr("用户名", "user name"))
        self.action = QComboBox(objectName="auditAction")
        self.text = QLineEdit(objectName="auditText", placeholderText=tr("记录号或内容", "record or details"))
        self.since = QDateEdit(QDate(clock.today()).addDays(-7), calendarPopup=True, objectName="since")
        self.until = QDateEdit(QDate(clock.today()), calendarPopup=True, objectName="until")
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
        self.model = _AuditModel()
        self.view = QTableView(objectName="auditTable")
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setWordWrap(False)
        self.view.doubleClicked.connect(lambda index: self.open_entry(index.row()))
        # Enter opens the selected entry too ("activated" would also fire on the double-click: two dialogs).
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(QKeySequence(key), self.view, context=Qt.ShortcutContext.WidgetShortcut,
                      activated=lambda: self.open_entry(self.view.currentIndex().row()))
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
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
        for code in audit.actions():
            self.action.addItem(audit_words.action_text(code), code)
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
            rows = [(e.at.astimezone(local).strftime("%Y-%m-%d %H:%M:%S"), e.username, e.desk,
                     audit_words.action_text(e.action), audit_words.record_text(e.record_type, e.record_id),
                     audit_words.details_text(e.details)) for e in entries]
            return Table((tr("时间", "Time"), tr("用户", "User"), tr("工作站", "Desk"), tr("操作", "Action"),
                          tr("记录", "Record"), tr("详情", "Details")), rows, keys=list(entries))

        run_in_background(load, self._show, context=self)

    def _show(self, table: Table) -> None:
        self.model.set_table(table)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The record and the details can be long: they get the room there is; the rest is in the
        # tooltip and in the entry opened with a double-click.  (Set once the columns exist.)
        header.setSectionResizeMode(_RECORD, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(_RECORD, 140)
        header.setSectionResizeMode(_DETAILS, QHeaderView.ResizeMode.Stretch)
        self.count.setText(tr("共 {n} 条", "{n} entries", n=len(table.rows)))

    def open_entry(self, row: int) -> AuditDetailDialog | None:
        entry = self.model.key(row) if row >= 0 else None
        if entry is None:
            return None
        dialog = AuditDetailDialog(entry, self)
        self.detail_dialog = dialog
        dialog.open()
        return dialog


class AuditDetailDialog(QDialog):
    """One audit entry in full: every detail on its own line, in words."""

    def __init__(self, entry: AuditEntry, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("审计记录", "Audit entry"))
        local = dt.datetime.now().astimezone().tzinfo
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows = [(tr("时间", "Time"), entry.at.astimezone(local).strftime("%Y-%m-%d %H:%M:%S")),
                (tr("用户", "User"), entry.username), (tr("工作站", "Desk"), entry.desk),
                (tr("操作", "Action"), f"{audit_words.action_text(entry.action)}  ({entry.action})"),
                (tr("记录", "Record"), audit_words.record_text(entry.record_type, entry.record_id))]
        rows += audit_words.details_lines(entry.details)
        self.values: dict[str, str] = {}
        for word, value in rows:
            label = QLabel(value, wordWrap=True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{word}{tr('：', ':')}", label)
            self.values[word] = value
        body = QWidget()
        body.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, 560, max(240, 60 + 30 * len(rows)))
