"""Importing HR's roster (团检名单) into a contract: choose the file, see every row's verdict, import.

1. Choose a .xlsx or .csv file (Ctrl+O).  It is read and checked off the UI thread (a busy bar shows).
2. Every row shows as 正常 / 警告 / 错误 (colour and word) with the reason; the filter (Alt+F) shows
   one kind.  When the header is not recognised the column-mapping editor opens by itself: point at
   the header row and say which column holds what; "列对应…" (Ctrl+M) opens it to correct a mapping.
   The mapping is remembered for the organisation when the rows are imported.
3. "导入有效行" (Ctrl+I) adds the rows without errors in one transaction (nobody twice);
   "保存错误清单" (Ctrl+S) writes the rejected rows with their reasons to a workbook for HR;
   "预约导入人员" (Ctrl+B) books the people just added over a date range within capacity.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QDialog, QFileDialog, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton, QSpinBox, QTableView,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from frontdesk import clock
from frontdesk.domain.masking import mask_id_number, mask_phone
from frontdesk.domain.roster import NoHeaderError, RosterRow, RowStatus
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import roster_booking, roster_import
from frontdesk.services.bookings import HalfDay
from frontdesk.services.roster_import import ContractRef, RosterPreview
from frontdesk.services.session import Session
from frontdesk.ui.rows_model import RowsModel
from frontdesk.ui.widgets import error_label, key_fallback
from frontdesk.ui.worker import run_in_background

try:
    from frontdesk.ui.screen_fit import fit_to_screen
except ImportError:  # screen_fit lands with another change; until then: the size asked for, within the screen
    def fit_to_screen(widget: QWidget, width: int | None = None, height: int | None = None) -> QWidget:
        from PySide6.QtGui import QGuiApplication

        area = QGuiApplication.primaryScreen().availableGeometry()
        widget.resize(min(width or widget.sizeHint().width(), area.width() - 40),
                      min(height or widget.sizeHint().height(), area.height() - 60))
        return widget

STATUS_COLOUR = {RowStatus.OK: "#dcefdc", RowStatus.WARNING: "#ffe9b3", RowStatus.ERROR: "#f7c6c6"}
PREVIEW_COLUMNS = (("行号", "Row"), ("结果", "Result"), ("姓名", "Name"), ("性别", "Sex"), ("身份证号", "ID number"),
                   ("手机", "Phone"), ("部门", "Department"), ("职级", "Grade"), ("套餐", "Package"),
                   ("原因", "Reason"))


def _file_dialog(parent: QWidget | None, title: str, save: bool, suggested: str) -> QFileDialog:
    dialog = QFileDialog(parent, title, suggested, tr("名单文件 (*.xlsx *.csv)", "Roster files (*.xlsx *.csv)")
                         if not save else tr("Excel 工作簿 (*.xlsx)", "Excel workbooks (*.xlsx)"))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # buttons in the desk's language
    dialog.setLabelText(QFileDialog.DialogLabel.LookIn, tr("查找范围(&L)：", "&Look in:"))
    dialog.setLabelText(QFileDialog.DialogLabel.FileType, tr("文件类型(&T)：", "Files of &type:"))
    dialog.resize(860, 520)
    return dialog


def ask_open_path(parent: QWidget | None) -> str:
    """The roster file to read, or "" (tests replace this)."""
    dialog = _file_dialog(parent, tr("选择名单文件", "Choose the roster file"), False, str(Path.home()))
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    return dialog.selectedFiles()[0] if dialog.exec() and dialog.selectedFiles() else ""


def ask_save_path(parent: QWidget | None, suggested: Path) -> str:
    """Where to write the error workbook, or "" (tests replace this)."""
    dialog = _file_dialog(parent, tr("保存错误清单", "Save the error workbook"), True, str(suggested.parent))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("xlsx")
    dialog.selectFile(suggested.name)
    return dialog.selectedFiles()[0] if dialog.exec() and dialog.selectedFiles() else ""


def _sex_text(sex: str) -> str:
    return {"M": tr("男", "M"), "F": tr("女", "F")}.get(sex, "")


class _Progress(QObject):
    """Carries a batch's progress from the worker thread to the dialog (queued across threads)."""

    step = Signal(int, int)


class MappingEditor(QGroupBox):
    """Which row is the header and which column holds what (shown when the header is not recognised)."""

    applied = Signal(dict)   # header text -> field

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("列对应", "Column mapping"), parent)
        self.setObjectName("mappingEditor")
        self.sample: roster_import.SheetSample | None = None
        self.header_row = QSpinBox(objectName="headerRow")
        self.header_row.setRange(1, 1)
        self.header_row.valueChanged.connect(self._fill_titles)
        self.grid = QTableWidget(0, 0, objectName="mappingGrid")
        self.grid.verticalHeader().setDefaultSectionSize(26)
        self.grid.setMaximumHeight(150)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.message = error_label("mappingMessage")
        self.apply_button = QPushButton(tr("按此对应重新读取", "Read again with this mapping"), objectName="applyMapping")
        self.apply_button.clicked.connect(self.apply)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("表头在第", "Header on row")))
        top.addWidget(self.header_row)
        top.addWidget(QLabel(tr("行；在每列上方选择该列的内容：", "; above each column choose what it holds:")))
        top.addStretch()
        top.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.grid)
        layout.addWidget(self.message)
        self.combos: list[QComboBox] = []

    def show_sample(self, sample: roster_import.SheetSample, message: str = "") -> None:
        self.sample = sample
        self.grid.clear()
        self.grid.setColumnCount(sample.width)
        self.grid.setRowCount(len(sample.rows) + 1)
        self.grid.setVerticalHeaderLabels([tr("内容", "Holds")] + [str(n) for n in range(1, len(sample.rows) + 1)])
        self.combos = []
        fields = roster_import.field_labels()
        by_column = {c: f for f, c in sample.columns.items()}
        for col in range(sample.width):
            combo = QComboBox(objectName=f"mapColumn{col}")
            combo.addItem(tr("（不导入）", "(not imported)"), "")
            for value, label in fields:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(combo.findData(by_column.get(col, "")), 0))
            self.grid.setCellWidget(0, col, combo)
            self.combos.append(combo)
            for row, cells in enumerate(sample.rows, start=1):
                self.grid.setItem(row, col, QTableWidgetItem(cells[col]))
        self.header_row.blockSignals(True)
        self.header_row.setRange(1, max(1, len(sample.rows)))
        self.header_row.setValue((sample.header_row or 0) + 1)
        self.header_row.blockSignals(False)
        self._fill_titles()
        self.grid.resizeColumnsToContents()
        self.message.setText(message)

    def _fill_titles(self) -> None:
        if self.sample is None:
            return
        row = self.header_row.value()
        self.grid.clearSelection()
        self.grid.selectRow(row)

    def mapping(self) -> dict[str, str]:
        assert self.sample is not None
        titles = self.sample.rows[self.header_row.value() - 1]
        columns = {c.currentData(): n for n, c in enumerate(self.combos) if c.currentData()}
        if len(columns) != sum(1 for c in self.combos if c.currentData()):
            raise UserError(tr("同一内容选给了两列", "The same field is chosen for two columns"))
        return roster_import.mapping_for(titles, columns)

    def set_column(self, col: int, field: str) -> None:
        self.combos[col].setCurrentIndex(max(self.combos[col].findData(field), 0))

    def apply(self) -> None:
        try:
            mapping = self.mapping()
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText("")
        self.applied.emit(mapping)


class RosterImportDialog(QDialog):
    imported = Signal(int)   # the contract's id, after rows were added or people booked

    def __init__(self, session: Session, contract: ContractRef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.contract = contract
        self.path: str = ""
        self.mapping: dict[str, str] = {}
        self.result: RosterPreview | None = None
        self.import_result: roster_import.ImportResult | None = None
        self.booking_result: roster_booking.GroupBookingResult | None = None
        self.busy = False
        self.setWindowTitle(tr("导入团检名单 · {o} · {c}", "Import roster · {o} · {c}", o=contract.organisation_name,
                               c=contract.contract_name))

        self.file_label = QLabel(tr("尚未选择文件", "No file chosen yet"), objectName="fileLabel")
        self.choose_button = QPushButton(tr("选择文件… (Ctrl+O)", "Choose file… (Ctrl+O)"), objectName="chooseFile")
        self.mapping_button = QPushButton(tr("列对应… (Ctrl+M)", "Columns… (Ctrl+M)"), objectName="toggleMapping")
        self.choose_button.clicked.connect(self.choose_file)
        self.mapping_button.clicked.connect(self.toggle_mapping)
        self.mapping_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.choose_button)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.mapping_button)

        self.mapping_editor = MappingEditor()
        self.mapping_editor.applied.connect(self._mapping_applied)
        self.mapping_editor.hide()

        self.filter = QComboBox(objectName="statusFilter")
        self.filter.addItem(tr("全部", "All"), None)
        for status in RowStatus:
            self.filter.addItem(status.label(), status.value)
        self.filter.currentIndexChanged.connect(self._fill_rows)
        filter_label = QLabel(tr("显示(&F)：", "Show (&F):"))
        filter_label.setBuddy(self.filter)
        self.summary = QLabel(objectName="summary")
        self.summary.setStyleSheet("font-weight:bold;")
        bar = QHBoxLayout()
        bar.addWidget(filter_label)
        bar.addWidget(self.filter)
        bar.addWidget(self.summary, 1)

        self.preview_model = RowsModel([tr(*c) for c in PREVIEW_COLUMNS], self)
        self.preview_model.tooltip_columns = {len(PREVIEW_COLUMNS) - 1}
        self.preview_model.background = self._row_colour
        self.shown_rows: list[RosterRow] = []
        self.table = QTableView(objectName="previewTable")
        self.table.setModel(self.preview_model)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(PREVIEW_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

        self.progress = QProgressBar(objectName="progress")
        self.progress.setMaximumHeight(16)
        self.progress.hide()
        self.message = error_label("message")

        # Booking the people just added (after the import).
        today = clock.today()
        self.book_first = QDateEdit(QDate(today.year, today.month, today.day).addDays(1), objectName="bookFirst",
                                    calendarPopup=True)
        self.book_last = QDateEdit(QDate(today.year, today.month, today.day).addDays(14), objectName="bookLast",
                                   calendarPopup=True)
        for edit in (self.book_first, self.book_last):
            edit.setDisplayFormat("yyyy-MM-dd")
        self.per_day = QSpinBox(objectName="perDay")
        self.per_day.setRange(0, 999)
        self.per_day.setSpecialValueText(tr("不限", "no limit"))
        self.book_box = QGroupBox(tr("预约导入人员（在接待量以内）", "Book the people imported (within capacity)"))
        self.book_box.setObjectName("bookBox")
        book = QHBoxLayout(self.book_box)
        for widget in (QLabel(tr("从", "From")), self.book_first, QLabel(tr("至", "to")), self.book_last,
                       QLabel(tr("本单位每天最多", "At most a day")), self.per_day):
            book.addWidget(widget)
        book.addStretch()
        self.book_box.setEnabled(False)

        self.import_button = QPushButton(tr("导入有效行 (Ctrl+I)", "Import valid rows (Ctrl+I)"), objectName="importRows")
        self.errors_button = QPushButton(tr("保存错误清单 (Ctrl+S)", "Save error workbook (Ctrl+S)"),
                                         objectName="saveErrors")
        self.book_button = QPushButton(tr("预约导入人员 (Ctrl+B)", "Book them (Ctrl+B)"), objectName="bookPeople")
        self.close_button = QPushButton(tr("关闭", "Close"), objectName="close")
        self.import_button.clicked.connect(self.import_rows)
        self.errors_button.clicked.connect(lambda: self.save_errors())
        self.book_button.clicked.connect(self.book_people)
        self.close_button.clicked.connect(self.reject)
        for b in (self.import_button, self.errors_button, self.book_button):
            b.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.errors_button)
        buttons.addWidget(self.book_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.mapping_editor)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.book_box)
        layout.addLayout(buttons)

        self._progress = _Progress(self)
        self._progress.step.connect(self._on_step)
        self._keys = {(Qt.Key.Key_O, True): self.choose_file, (Qt.Key.Key_M, True): self.toggle_mapping,
                      (Qt.Key.Key_I, True): self.import_rows, (Qt.Key.Key_S, True): self.save_errors,
                      (Qt.Key.Key_B, True): self.book_people}
        for keys, slot in (("Ctrl+O", self.choose_file), ("Ctrl+M", self.toggle_mapping), ("Ctrl+I", self.import_rows),
                           ("Ctrl+S", self.save_errors), ("Ctrl+B", self.book_people)):
            QShortcut(QKeySequence(keys), self, activated=slot)
        fit_to_screen(self, 1240, 700)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not key_fallback(event, self._keys):
            super().keyPressEvent(event)

    # -- reading --------------------------------------------------------------------------------------------------
    def choose_file(self) -> None:
        if self.busy:
            return
        path = ask_open_path(self)
        if path:
            self.load_file(path)

    def load_file(self, path: str | os.PathLike, mapping: dict[str, str] | None = None) -> None:
        """Read and check the file off the UI thread; the rows show when it is done."""
        self.path = str(path)
        self.mapping = dict(mapping or {})
        self.file_label.setText(Path(self.path).name)
        self.result = None
        self.import_result = None
        self.booking_result = None
        self.shown_rows = []
        self.preview_model.set_rows([])
        self._start(tr("正在读取和检查名单…", "Reading and checking the roster…"))
        name, contract_id, chosen = self.contract.organisation_name, self.contract.contract_id, dict(self.mapping)
        path_now = self.path

        def work():
            try:
                return roster_import.preview(path_now, name, mapping=chosen, contract_id=contract_id)
            except NoHeaderError as exc:
                return roster_import.sample(path_now, name, mapping=chosen, contract_id=contract_id), exc.message

        run_in_background(work, self._previewed, self._failed, context=self)

    def _previewed(self, outcome) -> None:
        self._stop()
        self.mapping_button.setEnabled(True)
        if isinstance(outcome, tuple):   # no header: the desk says where it is
            sample, why = outcome
            self.mapping_editor.show_sample(sample, why)
            self.mapping_editor.show()
            self.summary.setText("")
            self.message.setText(why)
            self._enable_actions()
            return
        self.result = outcome
        self.message.setText("")
        self._fill_rows()
        self._enable_actions()
        self.table.setFocus()

    def toggle_mapping(self) -> None:
        if not self.path or self.busy:
            return
        if self.mapping_editor.isVisible():
            self.mapping_editor.hide()
            return
        self._start(tr("正在读取表头…", "Reading the header…"))
        path, name, cid, chosen = self.path, self.contract.organisation_name, self.contract.contract_id, \
            dict(self.mapping)
        run_in_background(lambda: roster_import.sample(path, name, mapping=chosen, contract_id=cid), self._show_mapping,
                          self._failed, context=self)

    def _show_mapping(self, sample) -> None:
        self._stop()
        self.message.setText(tr("指定表头所在的行和各列的内容，然后按“按此对应重新读取”。",
                                "Point at the header row and say what each column holds, then read again."))
        self.mapping_editor.show_sample(sample)
        self.mapping_editor.show()
        self._enable_actions()

    def _mapping_applied(self, mapping: dict) -> None:
        self.mapping_editor.hide()
        self.load_file(self.path, mapping)

    # -- the rows -------------------------------------------------------------------------------------------------
    def visible_rows(self) -> list[RosterRow]:
        if self.result is None:
            return []
        wanted = self.filter.currentData()
        return [r for r in self.result.rows if not wanted or r.status.value == wanted]

    def _row_colour(self, row: int, column: int) -> str | None:
        return STATUS_COLOUR[self.shown_rows[row].status] if column == 1 else None

    def _fill_rows(self) -> None:
        rows = self.visible_rows()
        table = []
        for row in rows:
            status = row.status.label() + (tr("（已在名单）", " (on roster)") if row.already_on_roster else "")
            table.append((str(row.sheet_row), status, row.name, _sex_text(row.sex),
                          mask_id_number(row.id_number) if row.id_number and row.status is not RowStatus.ERROR
                          else row.id_number, mask_phone(row.phone) if row.phone else "", row.department, row.grade,
                          row.package_code, row.reason_text))
        self.shown_rows = rows
        self.preview_model.set_rows(table, [r.sheet_row for r in rows])
        if self.result is not None:
            self.summary.setText(roster_import.summary(self.result))

    # -- import, error workbook, bookings -------------------------------------------------------------------------
    def import_rows(self) -> None:
        if self.busy or self.result is None or self.import_result is not None:
            return
        if not self.result.to_add:
            self.message.setText(tr("没有可以导入的新行。", "There are no new rows to import."))
            return
        result, session = self.result, self.session
        self._start(tr("正在导入{n}人…", "Importing {n} people…", n=len(result.to_add)))
        run_in_background(lambda: roster_import.import_roster(session, result), self._imported, self._failed,
                          context=self)

    def _imported(self, done: roster_import.ImportResult) -> None:
        self._stop()
        self.import_result = done
        text = tr("已导入{a}人；{s}人已在名单中未重复添加；{e}行有错误未导入。",
                  "{a} added; {s} already on the roster (not added again); {e} rows with errors not imported.",
                  a=done.added, s=done.already_on_roster, e=done.rejected)
        self.message.setText(text)
        self.message.setProperty("role", "")
        self.message.setStyleSheet("color:#1a6d1a; font-weight:bold;")
        self._enable_actions()
        self.imported.emit(self.contract.contract_id)

    def save_errors(self, path: str | os.PathLike | None = None) -> None:
        if self.busy or self.result is None or not self.result.errors:
            return
        if not path:
            stem = Path(self.result.file_name).stem
            path = ask_save_path(self, Path(self.path).with_name(f"{stem}-{tr('错误清单', 'errors')}.xlsx"))
            if not path:
                return
        result, out = self.result, str(path)
        self._start(tr("正在写入错误清单…", "Writing the error workbook…"))
        run_in_background(lambda: (roster_import.write_error_workbook(result, out), out), self._errors_saved,
                          self._failed, context=self)

    def _errors_saved(self, outcome) -> None:
        self._stop()
        count, out = outcome
        self.saved_errors_path = out
        self.message.setText(tr("错误清单已保存（{n}行）：{p}", "Error workbook saved ({n} rows): {p}", n=count, p=out))
        self._enable_actions()

    def book_people(self) -> None:
        if self.busy or self.import_result is None or not self.import_result.entry_ids:
            return
        first = self.book_first.date().toPython()
        last = self.book_last.date().toPython()
        per_day = self.per_day.value() or None
        session, contract_id, ids = self.session, self.contract.contract_id, self.import_result.entry_ids
        progress = self._progress.step.emit
        self._start(tr("正在预约{n}人…", "Booking {n} people…", n=len(ids)), determinate=True)
        run_in_background(lambda: roster_booking.book_roster(session, contract_id, ids, first, last,
                                                             half_day=HalfDay.AM, per_day=per_day, progress=progress),
                          self._booked, self._failed, context=self)

    def _booked(self, result: roster_booking.GroupBookingResult) -> None:
        self._stop()
        self.booking_result = result
        lines = [result.summary()]
        for miss in result.not_booked[:5]:
            lines.append(f"{miss.name}：{miss.reason}")
        if len(result.not_booked) > 5:
            lines.append(tr("……另有{n}人", "… and {n} more", n=len(result.not_booked) - 5))
        self.message.setText("\n".join(lines))
        self._enable_actions()
        self.imported.emit(self.contract.contract_id)

    # -- busy state -----------------------------------------------------------------------------------------------
    def _start(self, text: str, determinate: bool = False) -> None:
        self.busy = True
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.progress.setRange(0, 100 if determinate else 0)   # 0..0: a busy bar
        self.progress.setValue(0)
        self.progress.show()
        for b in (self.choose_button, self.mapping_button, self.import_button, self.errors_button, self.book_button):
            b.setEnabled(False)

    def _on_step(self, done: int, total: int) -> None:
        if total:
            self.progress.setValue(int(done * 100 / total))

    def _stop(self) -> None:
        self.busy = False
        self.progress.hide()

    def _enable_actions(self) -> None:
        self.choose_button.setEnabled(True)
        self.mapping_button.setEnabled(bool(self.path))
        has = self.result is not None
        self.import_button.setEnabled(has and self.import_result is None and bool(self.result.to_add))
        self.errors_button.setEnabled(has and bool(self.result.errors))
        can_book = self.import_result is not None and bool(self.import_result.entry_ids)
        self.book_box.setEnabled(can_book and self.booking_result is None)
        self.book_button.setEnabled(can_book and self.booking_result is None)

    def _failed(self, exc: BaseException) -> None:
        self._stop()
        self._enable_actions()
        if isinstance(exc, UserError):
            self.message.setStyleSheet("")
            self.message.setText(exc.message)
        else:
            from frontdesk.ui.error_dialogs import show_error

            show_error(self, exc)
