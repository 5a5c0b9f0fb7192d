"""The preparation page (明日准备): tomorrow's reminders, document bags and labels, and the order sheets.

Above: the day (tomorrow by default; Alt+Left / Alt+Right a day back or on) and which bookings (all,
or one group's contract).  Two tabs:

- 检前提醒 (reminders): every live booking with the masked phone, package, fasting and instructions,
  and who reminded the guest when.  Space ticks the chosen rows as reminded (Shift+Space takes the tick
  back); Ctrl+E exports the list (CSV or Excel) for the SMS tool.  The file holds the FULL phone
  numbers, because the SMS tool needs them: the export is audited, and the page says so.
- 资料袋与条码 (bags and labels): the bookings in booking order with their state.  Ctrl+Enter prepares
  them all in one batch off the UI thread (progress bar; Esc cancels between two guests): the prepared
  visits, each guest's document bag (cover sheet, guide sheet) on this desk's guide-sheet printer (or
  as PDF files in the documents folder where there is no printer), and the check-in labels on the
  label output.  Ctrl+R reprints the chosen guest alone.  Ctrl+P shows the chosen organisation's
  booking order sheet to print or save.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from frontdesk import clock, config
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import preparation
from frontdesk.services.session import Session
from frontdesk.ui.error_dialogs import show_error
from frontdesk.ui.worker import run_in_background

DONE_COLOUR = QColor("#dcefdc")


def ask_export_path(parent: QWidget, suggested: Path) -> str:
    """Where to export the reminder list, or "" when cancelled (tests replace this)."""
    suggested.parent.mkdir(parents=True, exist_ok=True)
    dialog = QFileDialog(parent, tr("导出检前提醒名单", "Export the reminder list"), str(suggested.parent),
                         tr("Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)", "Excel workbook (*.xlsx);;CSV file (*.csv)"))
    dialog.setObjectName("exportRemindersDialog")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.selectFile(suggested.name)
    dialog.resize(860, 520)
    if not dialog.exec():
        return ""
    files = dialog.selectedFiles()
    return files[0] if files else ""


def _item(text: str, key=None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if key is not None:
        item.setData(Qt.ItemDataRole.UserRole, key)
    return item


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), objectName=name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class _Progress(QObject):
    """Carries the batch's progress from the worker thread to the UI thread (a queued signal)."""

    step = Signal(object)


class PreparationScreen(QWidget):
    status_message = Signal(str)

    def __init__(self, session: Session, settings: config.WorkstationSettings | None = None, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings or config.WorkstationSettings()
        self.reminders: list[preparation.ReminderRow] = []
        self.rows: list[preparation.PrepRow] = []
        self.running = False
        self.stop_event = threading.Event()
        self.last_result: preparation.BatchResult | None = None
        self.last_preview = None
        self._seq = 0
        self._progress = _Progress(self)
        self._progress.step.connect(self._on_progress)

        title = QLabel(tr("明日准备", "Preparation"), objectName="pageTitle")
        title.setStyleSheet("font-size:18px; font-weight:bold;")
        self.day_edit = QDateEdit(objectName="prepDay")
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("yyyy-MM-dd ddd")
        tomorrow = clock.today() + dt.timedelta(days=1)
        self.day_edit.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
        self.day_edit.dateChanged.connect(lambda _d: self.refresh())
        self.scope = QComboBox(objectName="prepScope")
        self.scope.setMinimumWidth(420)
        self.scope.addItem(tr("当天全部预约", "All bookings of the day"), None)
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh(keep_scope=True))
        refresh = QPushButton(tr("刷新 (F5)", "Refresh (F5)"), objectName="prepRefresh")
        refresh.clicked.connect(lambda: self.refresh(keep_scope=True))
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(QLabel(tr("体检日期", "Exam date")))
        top.addWidget(self.day_edit)
        top.addWidget(QLabel(tr("范围", "Which")))
        top.addWidget(self.scope)
        top.addWidget(refresh)
        top.addStretch()

        # -- Reminders
        self.reminder_table = _table("reminderTable", [
            tr("已提醒", "Reminded"), tr("预约号", "Booking"), tr("时段", "Half-day"), tr("姓名", "Name"),
            tr("手机", "Mobile"), tr("套餐", "Package"), tr("单位", "Organisation"), tr("空腹", "Fasting"),
            tr("提醒人 / 时间", "By / at"), tr("检前须知", "Instructions")])
        self.reminder_table.setTabKeyNavigation(False)
        tick = QPushButton(tr("标记已提醒 (空格)", "Mark reminded (Space)"), objectName="markReminded")
        tick.clicked.connect(lambda: self.mark(True))
        untick = QPushButton(tr("撤销标记 (Shift+空格)", "Take back (Shift+Space)"), objectName="unmarkReminded")
        untick.clicked.connect(lambda: self.mark(False))
        export = QPushButton(tr("导出给短信平台… (Ctrl+E)", "Export for SMS… (Ctrl+E)"), objectName="exportReminders")
        export.clicked.connect(lambda: self.export())
        self.reminder_note = QLabel(objectName="reminderNote", wordWrap=True)
        self.reminder_note.setText(tr(
            "屏幕上的手机号已遮盖；导出的文件含完整手机号（短信平台需要），每次导出都会记录在审计日志中，请妥善保管。",
            "Phone numbers are masked on screen; the exported file holds the full numbers (the SMS tool needs "
            "them). Every export is recorded in the audit log: keep the file safe."))
        self.reminder_count = QLabel(objectName="reminderCount")
        reminder_buttons = QHBoxLayout()
        reminder_buttons.addWidget(self.reminder_count)
        reminder_buttons.addStretch()
        for button in (tick, untick, export):
            reminder_buttons.addWidget(button)
        reminders_page = QWidget()
        reminders_layout = QVBoxLayout(reminders_page)
        reminders_layout.addWidget(self.reminder_table, 1)
        reminders_layout.addWidget(self.reminder_note)
        reminders_layout.addLayout(reminder_buttons)

        # -- Bags and labels
        self.bag_table = _table("bagTable", [
            tr("顺序", "No."), tr("预约号", "Booking"), tr("时段", "Half-day"), tr("姓名", "Name"),
            tr("套餐", "Package"), tr("单位", "Organisation"), tr("体检号", "Visit"), tr("状态", "State")])
        self.bag_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.start_button = QPushButton(tr("批量备单并打印 (Ctrl+Enter)", "Prepare and print all (Ctrl+Enter)"),
                                        objectName="startBatch")
        self.start_button.clicked.connect(self.start_batch)
        self.cancel_button = QPushButton(tr("取消 (Esc)", "Cancel (Esc)"), objectName="cancelBatch")
        self.cancel_button.clicked.connect(self.cancel_batch)
        self.cancel_button.setEnabled(False)
        self.reprint_button = QPushButton(tr("重打所选客人 (Ctrl+R)", "Reprint this guest (Ctrl+R)"),
                                          objectName="reprintGuest")
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.progress = QProgressBar(objectName="batchProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat(tr("%v / %m 人", "%v / %m guests"))
        self.batch_status = QLabel(objectName="batchStatus", wordWrap=True)
        self.output_note = QLabel(objectName="outputNote", wordWrap=True)
        self.organisation = QComboBox(objectName="orderOrganisation")
        self.organisation.setMinimumWidth(220)
        self.order_button = QPushButton(tr("单位预订单… (Ctrl+P)", "Order sheet… (Ctrl+P)"), objectName="orderSheet")
        self.order_button.clicked.connect(self.show_order_sheet)
        batch_buttons = QHBoxLayout()
        batch_buttons.addWidget(self.progress, 1)
        batch_buttons.addWidget(self.cancel_button)
        batch_buttons.addWidget(self.reprint_button)
        batch_buttons.addWidget(self.start_button)
        order_row = QHBoxLayout()
        order_row.addWidget(QLabel(tr("单位", "Organisation")))
        order_row.addWidget(self.organisation)
        order_row.addWidget(self.order_button)
        order_row.addStretch()
        bags_page = QWidget()
        bags_layout = QVBoxLayout(bags_page)
        bags_layout.addWidget(self.bag_table, 1)
        bags_layout.addWidget(self.output_note)
        bags_layout.addWidget(self.batch_status)
        bags_layout.addLayout(batch_buttons)
        bags_layout.addLayout(order_row)

        self.tabs = QTabWidget(objectName="prepTabs")
        self.tabs.addTab(reminders_page, tr("检前提醒", "Reminders"))
        self.tabs.addTab(bags_page, tr("资料袋与条码", "Document bags && labels"))

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        for keys, slot in (("F5", lambda: self.refresh(keep_scope=True)), ("Ctrl+E", self.export),
                           ("Ctrl+Return", self.start_batch), ("Ctrl+Enter", self.start_batch),
                           ("Ctrl+R", self.reprint_selected), ("Ctrl+P", self.show_order_sheet),
                           ("Alt+Left", lambda: self.shift_day(-1)), ("Alt+Right", lambda: self.shift_day(1))):
            QShortcut(QKeySequence(keys), self, activated=slot)
        QShortcut(QKeySequence("Space"), self.reminder_table, activated=lambda: self.mark(True),
                  context=Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence("Shift+Space"), self.reminder_table, activated=lambda: self.mark(False),
                  context=Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence("Escape"), self, activated=self.cancel_batch)
        self._describe_output()
        self.refresh()

    # -- reading

    @property
    def day(self) -> dt.date:
        return self.day_edit.date().toPython()

    @property
    def contract_id(self) -> int | None:
        return self.scope.currentData()

    def shift_day(self, days: int) -> None:
        self.day_edit.setDate(self.day_edit.date().addDays(days))

    def refresh(self, keep_scope: bool = False) -> None:
        """Read the day's reminders, bookings, groups and organisations off the UI thread."""
        self._seq += 1
        seq, day = self._seq, self.day
        contract_id = self.contract_id if keep_scope else None

        def work():
            return (preparation.reminder_list(day, contract_id=contract_id),
                    preparation.batch_rows(day, contract_id=contract_id), preparation.groups_on(day),
                    preparation.organisations_on(day))

        def done(value):
            if seq != self._seq:
                return  # a newer read is on its way
            reminders, rows, groups, organisations = value
            self._fill_scope(groups, contract_id)
            self._fill_reminders(reminders)
            self._fill_bags(rows)
            current = self.organisation.currentData()
            self.organisation.clear()
            for org in organisations:
                self.organisation.addItem(tr("{n}（{c}人）", "{n} ({c})", n=org.name, c=org.bookings),
                                          org.organisation_id)
            group_org = next((g.organisation_id for g in groups if g.contract_id == contract_id), None)
            wanted = group_org if group_org is not None else current  # one group's page: its organisation
            if wanted is not None and self.organisation.findData(wanted) >= 0:
                self.organisation.setCurrentIndex(self.organisation.findData(wanted))
            self.order_button.setEnabled(self.organisation.count() > 0 and not self.running)

        run_in_background(work, done, context=self)

    def _fill_scope(self, groups: list[preparation.Group], contract_id: int | None) -> None:
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem(tr("当天全部预约", "All bookings of the day"), None)
        for group in groups:
            self.scope.addItem(tr("团检：{n}（{c}人）", "Group: {n} ({c})", n=group.name, c=group.bookings),
                               group.contract_id)
        index = self.scope.findData(contract_id) if contract_id is not None else 0
        self.scope.setCurrentIndex(max(index, 0))
        self.scope.blockSignals(False)

    def _fill_reminders(self, rows: list[preparation.ReminderRow]) -> None:
        self.reminders = rows
        keep = {self.reminder_table.item(i.row(), 1).text() for i in self.reminder_table.selectionModel().selectedRows()
                } if self.reminder_table.rowCount() else set()
        table = self.reminder_table
        table.setRowCount(len(rows))
        yes, no = tr("是", "yes"), tr("否", "no")
        for r, row in enumerate(rows):
            by = ""
            if row.reminded_at is not None:
                by = f"{row.reminded_by_name} {row.reminded_at.astimezone():%m-%d %H:%M}"
            cells = ["✔" if row.reminded else "", row.booking_no, row.half_day, row.guest_name, row.phone_masked,
                     row.package, row.organisation, yes if row.fasting else no, by, row.instructions_text()]
            for c, text in enumerate(cells):
                item = _item(text, row.booking_id)
                if row.reminded:
                    item.setBackground(DONE_COLOUR)
                if c == 9:
                    item.setToolTip("\n".join(row.instructions))
                table.setItem(r, c, item)
        table.setColumnWidth(9, 360)
        table.horizontalHeader().setSectionResizeMode(9, QHeaderView.ResizeMode.Interactive)
        for r, row in enumerate(rows):
            if row.booking_no in keep:
                table.selectRow(r)
        if rows and table.currentRow() < 0:
            table.setCurrentCell(0, 1)
        done = sum(r.reminded for r in rows)
        self.reminder_count.setText(tr("共 {n} 人，已提醒 {d} 人", "{n} booked, {d} reminded", n=len(rows), d=done))

    def _fill_bags(self, rows: list[preparation.PrepRow]) -> None:
        self.rows = rows
        current = self.bag_table.currentRow()
        table = self.bag_table
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            printed = row.documents_printed and not row.labels_to_print and row.visit_id is not None
            for c, text in enumerate([str(r + 1), row.booking_no, row.half_day, row.guest_name, row.package,
                                      row.organisation, row.visit_no, row.state]):
                item = _item(text, row.booking_id)
                if printed:
                    item.setBackground(DONE_COLOUR)
                table.setItem(r, c, item)
        if rows:
            table.setCurrentCell(min(max(current, 0), len(rows) - 1), 1)
        left = sum(not (r.documents_printed and not r.labels_to_print) for r in rows)
        if not self.running:
            self.progress.setRange(0, max(len(rows), 1))
            self.progress.setValue(len(rows) - left if rows else 0)
        self.start_button.setEnabled(bool(rows) and not self.running)
        self.reprint_button.setEnabled(bool(rows) and not self.running)

    # -- reminders

    def _chosen_bookings(self, table: QTableWidget) -> list[int]:
        rows = sorted({i.row() for i in table.selectionModel().selectedRows()})
        if not rows and table.currentRow() >= 0:
            rows = [table.currentRow()]
        return [table.item(r, 1).data(Qt.ItemDataRole.UserRole) for r in rows if table.item(r, 1) is not None]

    def mark(self, reminded: bool) -> None:
        ids = self._chosen_bookings(self.reminder_table)
        if not ids:
            return
        session = self.session

        def work():
            return preparation.mark_reminded(session, ids, reminded)

        def done(changed):
            self.status_message.emit(tr("已标记 {n} 人", "{n} marked", n=changed) if reminded
                                     else tr("已撤销 {n} 人的标记", "{n} ticks taken back", n=changed))
            row = self.reminder_table.currentRow()
            if reminded and len(ids) == 1 and row + 1 < self.reminder_table.rowCount():
                self.reminder_table.setCurrentCell(row + 1, 1)  # on to the next guest to call
            self.refresh(keep_scope=True)

        run_in_background(work, done, lambda exc: show_error(self, exc), context=self)

    def export(self, path: str | None = None) -> None:
        """Export the list shown (full phone numbers, audited) to a CSV or XLSX file."""
        if not self.reminders:
            show_error(self, UserError(tr("{d} 没有需要提醒的预约", "Nobody to remind on {d}", d=self.day)))
            return
        if path is None:
            from frontdesk.ui.document_preview_dialog import default_document_folder

            path = ask_export_path(self, default_document_folder() / f"reminders-{self.day:%Y%m%d}.xlsx")
        if not path:
            return
        session, day, contract_id = self.session, self.day, self.contract_id

        def work():
            return preparation.export_reminders(session, day, path, contract_id=contract_id)

        def done(count):
            self.status_message.emit(tr("已导出 {n} 人到 {p}（含完整手机号，已记录）",
                                        "Exported {n} guests to {p} (full phone numbers; recorded)", n=count, p=path))
            self.reminder_count.setText(self.reminder_count.text().split("  ·")[0] + "  · "
                                        + tr("已导出到 {p}", "exported to {p}", p=path))

        run_in_background(work, done, lambda exc: show_error(self, exc), context=self)

    # -- the batch

    def _describe_output(self) -> None:
        from frontdesk.ui.document_preview_dialog import PrintTarget, default_document_folder

        target = PrintTarget.for_document(self.settings, "guide")
        if target.problem:
            where = tr("资料袋（封面和导检单）将另存为 PDF 到 {f}（{why}）",
                       "Document bags (cover and guide sheet) are saved as PDF in {f} ({why})",
                       f=default_document_folder(), why=target.problem.rstrip("。."))
        else:
            where = tr("资料袋打印到 {p}", "Document bags print on {p}",
                       p=target.printer_name or tr("默认打印机", "the default printer"))
        labels = self.settings.labels
        label_where = {"qt": labels.printer_name or tr("默认打印机", "the default printer"),
                       "zpl_tcp": f"{labels.host}:{labels.port}", "zpl_file": labels.path}.get(
            labels.output, tr("{f} 文件", "{f} files", f=labels.output.upper()))
        self.output_note.setText(where + tr("；条码标签输出到 {l}。", "; labels go to {l}.", l=label_where))

    def _sink(self, day: dt.date) -> preparation.DocumentSink:
        from frontdesk.printing.qt_document_printer import print_pdf_qt
        from frontdesk.ui import document_preview_dialog as dp

        target = dp.PrintTarget.for_document(self.settings, "guide")
        if target.problem:
            return preparation.folder_sink(dp.default_document_folder() / f"bags-{day:%Y%m%d}")

        def to_printer(pdf: bytes, name: str) -> tuple[str, bool]:
            # One print job per bag, so the pages of a bag stay together in the tray (QPrinter may be
            # used off the UI thread: painting on a printer is thread-safe in Qt).
            printer = dp.printer_factory(target.printer_name)
            print_pdf_qt(printer, pdf, target.page_size_mm, paper_width_mm=target.paper_width_mm)
            return printer.printerName() or target.printer_name or tr("默认打印机", "the default printer"), False

        return to_printer

    def _label_output(self):
        output = dataclasses.replace(self.settings.labels)
        qt_print = None
        if output.output == "qt":
            from frontdesk.printing.qt_label_printer import print_labels_qt
            from frontdesk.ui import document_preview_dialog

            qt_print = partial(print_labels_qt, document_preview_dialog.printer_factory(output.printer_name))
        return output, qt_print

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.start_button.setEnabled(not running and bool(self.rows))
        self.reprint_button.setEnabled(not running and bool(self.rows))
        self.cancel_button.setEnabled(running)
        self.order_button.setEnabled(not running and self.organisation.count() > 0)
        self.day_edit.setEnabled(not running)
        self.scope.setEnabled(not running)

    def start_batch(self) -> None:
        """Prepare and print every booking listed, in booking order, off the UI thread."""
        if self.running:
            return
        ids = [row.booking_id for row in self.rows]
        if not ids:
            show_error(self, UserError(tr("{d} 没有可准备的预约", "Nothing to prepare on {d}", d=self.day)))
            return
        try:
            output, qt_print = self._label_output()
        except UserError as exc:
            show_error(self, exc)
            return
        self.tabs.setCurrentIndex(1)
        try:
            sink = self._sink(self.day)
        except UserError as exc:
            show_error(self, exc)
            return
        self.stop_event.clear()
        self._set_running(True)
        self.progress.setRange(0, len(ids))
        self.progress.setValue(0)
        self.batch_status.setText(tr("正在准备…", "Preparing…"))
        session, stop, progress = self.session, self.stop_event, self._progress

        def work():
            return preparation.run_batch(session, ids, documents=sink, label_output=output, qt_label_print=qt_print,
                                         progress=progress.step.emit, should_stop=stop.is_set)

        def done(result: preparation.BatchResult):
            self.last_result = result
            self._set_running(False)
            lines = [result.message()]
            lines += [tr("未备单：{no} {name}：{why}", "Not prepared: {no} {name}: {why}", no=no, name=name, why=why)
                      for no, name, why in result.skipped[:5]]
            self.batch_status.setText("\n".join(lines))
            self.status_message.emit(result.message())
            self.refresh(keep_scope=True)

        def failed(exc):
            self._set_running(False)
            self.batch_status.setText(str(exc))
            show_error(self, exc)
            self.refresh(keep_scope=True)

        run_in_background(work, done, failed, context=self)

    def _on_progress(self, step: preparation.BatchProgress) -> None:
        self.progress.setRange(0, max(step.total, 1))
        self.progress.setValue(step.done)
        if step.booking_no:
            self.batch_status.setText(tr("正在准备第 {n} / {t} 人：{name}（{no}）",
                                         "Preparing {n} of {t}: {name} ({no})", n=step.done + 1, t=step.total,
                                         name=step.guest_name, no=step.booking_no))

    def cancel_batch(self) -> None:
        if self.running and not self.stop_event.is_set():
            self.stop_event.set()
            self.batch_status.setText(tr("正在取消：当前客人完成后停止…", "Cancelling: stops after the current guest…"))

    def reprint_selected(self) -> None:
        """Print the chosen guest's bag again (and any labels still to print), without the batch."""
        if self.running:
            return
        ids = self._chosen_bookings(self.bag_table)
        if not ids:
            return
        try:
            output, qt_print = self._label_output()
        except UserError as exc:
            show_error(self, exc)
            return
        try:
            sink = self._sink(self.day)
        except UserError as exc:
            show_error(self, exc)
            return
        booking_id, session = ids[0], self.session
        self._set_running(True)

        def work():
            return preparation.reprint_guest(session, booking_id, documents=sink, label_output=output,
                                             qt_label_print=qt_print)

        def done(outcome: preparation.GuestOutcome):
            self._set_running(False)
            text = tr("已重打 {name}（{no}）的资料袋，到 {w}", "Reprinted the bag of {name} ({no}) to {w}",
                      name=outcome.guest_name, no=outcome.booking_no, w=outcome.documents)
            if outcome.labels:
                text += tr("；条码 {n} 张", "; {n} labels", n=outcome.labels)
            self.batch_status.setText(text)
            self.status_message.emit(text)
            self.refresh(keep_scope=True)

        def failed(exc):
            self._set_running(False)
            show_error(self, exc)
            self.refresh(keep_scope=True)

        run_in_background(work, done, failed, context=self)

    # -- the order sheet

    def show_order_sheet(self) -> None:
        organisation_id = self.organisation.currentData()
        if organisation_id is None or self.running:
            return
        session, day = self.session, self.day
        name = self.organisation.currentText()

        def work():
            return preparation.order_sheet_pdf(session, organisation_id, day)

        def done(pdf: bytes):
            from frontdesk.ui.document_preview_dialog import DocumentPreviewDialog

            preview = DocumentPreviewDialog(tr("单位预订单", "Booking order sheet"), pdf, kind="list",
                                            settings=self.settings,
                                            suggested_name=f"order-{day:%Y%m%d}-{organisation_id}.pdf", parent=self)
            preview.setObjectName("orderSheetPreview")

            def recorded(result: int):
                if preview.saved_path is None and result != DocumentPreviewDialog.DialogCode.Accepted:
                    return  # closed without printing or saving
                destination = str(preview.saved_path) if preview.saved_path else (
                    preview.printer_name or tr("默认打印机", "the default printer"))
                try:
                    preparation.record_order_sheet_output(session, organisation_id, day, destination=destination,
                                                          saved_as_pdf=preview.saved_path is not None)
                except UserError as exc:
                    show_error(self, exc)
                self.status_message.emit(tr("单位预订单：{n}", "Order sheet: {n}", n=name))

            preview.finished.connect(recorded)
            self.last_preview = preview
            preview.open()

        run_in_background(work, done, lambda exc: show_error(self, exc), context=self)
