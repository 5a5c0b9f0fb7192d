"""日结: the day's figures, the cash count, closing the day, the signed PDF and the exports.

The supervisor picks the date (and the desk when the site closes per desk),
counts the drawer and types the count; the screen shows what the drawer
should hold and the difference as it is typed.  "日结" asks for a
supervisor when the user is not one, keeps the figures as they were signed,
and from then on the day shows those figures plus the corrections booked
since.  The PDF opens in the document preview (print, save as PDF); CSV and
Excel exports are masked, like the screen, unless a supervisor chose to see
the report in full (audited).  Building the report, closing, rendering and
exporting run off the UI thread.

Keys: F5 reload, Ctrl+P preview/print, Ctrl+Enter close the day.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QFileDialog, QFrame, QGridLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from frontdesk import clock, config
from frontdesk.domain.enums import Role
from frontdesk.domain.money import format_amount, parse_amount
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import eod, eod_export
from frontdesk.services.eod import EndOfDayReport
from frontdesk.services.session import Session
from frontdesk.ui.error_dialogs import show_error
from frontdesk.ui.supervisor_dialog import authorise
from frontdesk.ui.widgets import error_label
from frontdesk.ui.worker import run_in_background

log = logging.getLogger(__name__)

SHORT, OVER, EVEN = "#b71c1c", "#0d47a1", "#1b5e20"


def _cell(value) -> tuple[str, bool]:
    """The text of a table cell and whether it is a number (right-aligned)."""
    if isinstance(value, Decimal):
        return format_amount(value), True
    if isinstance(value, bool):
        return (tr("是", "yes") if value else tr("否", "no")), False
    if isinstance(value, int):
        return str(value), True
    return str(value), False


def _difference_colour(difference: Decimal) -> str:
    return SHORT if difference < 0 else OVER if difference > 0 else EVEN


def _difference_text(difference: Decimal) -> str:
    if difference < 0:
        return tr("短款 {a}", "short by {a}", a=format_amount(-difference))
    if difference > 0:
        return tr("长款 {a}", "over by {a}", a=format_amount(difference))
    return tr("相符", "matches")


class EndOfDayScreen(QWidget):
    status_message = Signal(str)
    report_loaded = Signal(object)  # the EndOfDayReport shown (tests wait for it)

    def __init__(self, session: Session, settings: config.WorkstationSettings | None = None, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.report: EndOfDayReport | None = None
        self.scope = eod.SCOPE_SITE
        self.tables: tuple[eod_export.ExportTable, ...] = ()
        self.full_view_by: Session | None = None  # the supervisor who asked to see names in full
        self.last_preview = None
        self.last_export: list[Path] = []
        self._busy = False

        title = QLabel(tr("日结", "End of day"), objectName="pageTitle")
        self.date_edit = QDateEdit(objectName="eodDate", calendarPopup=True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        today = clock.today()
        self.date_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.date_edit.setDate(QDate(today.year, today.month, today.day))
        self.date_edit.dateChanged.connect(lambda _: self.reload())
        self.desk_combo = QComboBox(objectName="eodDesk")
        self.desk_combo.addItem(tr("全院", "Whole site"), "")
        if session.desk:
            self.desk_combo.addItem(session.desk, session.desk)
        self.desk_combo.currentIndexChanged.connect(lambda _: self.reload())
        self.reload_button = QPushButton(tr("刷新 (F5)", "Reload (F5)"), objectName="reloadButton")
        self.reload_button.clicked.connect(self.reload)
        self.full_button = QPushButton(tr("显示完整信息（主管）", "Show in full (supervisor)"), objectName="fullButton")
        self.full_button.setCheckable(True)
        self.full_button.toggled.connect(self._toggle_full)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(16)
        top.addWidget(QLabel(tr("日期", "Date")))
        top.addWidget(self.date_edit)
        top.addWidget(QLabel(tr("前台", "Desk")))
        top.addWidget(self.desk_combo)
        top.addWidget(self.reload_button)
        top.addStretch()
        top.addWidget(self.full_button)

        self.banner = QLabel(objectName="eodBanner", wordWrap=True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)

        # The headline figures.
        self.figures: dict[str, QLabel] = {}
        figures = QGridLayout()
        names = (("checked_in", tr("到检", "Checked in")), ("open", tr("未交单", "Still open")),
                 ("gross", tr("收费", "Gross")), ("refunds", tr("退费", "Refunds")), ("voids", tr("作废", "Voids")),
                 ("net", tr("净收入", "Net")))
        for col, (key, text) in enumerate(names):
            caption = QLabel(text, objectName="figureCaption")
            value = QLabel("—", objectName=f"figure_{key}")
            value.setStyleSheet("font-size: 18px; font-weight: bold;")
            figures.addWidget(caption, 0, col)
            figures.addWidget(value, 1, col)
            self.figures[key] = value
        figure_box = QFrame(objectName="figureBox")
        figure_box.setFrameShape(QFrame.Shape.StyledPanel)
        figure_box.setLayout(figures)

        # Sections on the left, the chosen one's table on the right.
        self.sections = QListWidget(objectName="eodSections")
        self.sections.setFixedWidth(250)
        self.sections.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sections.currentRowChanged.connect(self._show_section)
        self.table = QTableWidget(0, 0, objectName="eodTable")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        middle = QHBoxLayout()
        middle.addWidget(self.sections)
        middle.addWidget(self.table, 1)

        # The cash count and closing.
        self.expected_label = QLabel("—", objectName="expectedCash")
        self.counted_edit = QLineEdit(objectName="countedCash")
        self.counted_edit.setPlaceholderText(tr("点钞金额，例如 1,234.50", "cash counted, e.g. 1,234.50"))
        self.counted_edit.setMaximumWidth(200)
        self.counted_edit.textChanged.connect(self._update_difference)
        self.counted_edit.returnPressed.connect(self.close_day)
        self.difference_label = QLabel("", objectName="cashDifference")
        self.close_button = QPushButton(tr("日结 (Ctrl+Enter)", "Close the day (Ctrl+Enter)"), objectName="closeDay")
        self.close_button.clicked.connect(self.close_day)
        self.message = error_label("eodMessage")
        cash = QHBoxLayout()
        cash.addWidget(QLabel(tr("应有现金", "Cash expected")))
        cash.addWidget(self.expected_label)
        cash.addSpacing(12)
        cash.addWidget(QLabel(tr("实点现金", "Cash counted")))
        cash.addWidget(self.counted_edit)
        cash.addWidget(self.difference_label)
        cash.addStretch()
        cash.addWidget(self.close_button)

        self.preview_button = QPushButton(tr("预览 / 打印 PDF (Ctrl+P)", "Preview / print PDF (Ctrl+P)"),
                                          objectName="previewButton")
        self.preview_button.clicked.connect(self.preview)
        self.csv_button = QPushButton(tr("导出 CSV…", "Export CSV…"), objectName="csvButton")
        self.csv_button.clicked.connect(self._ask_csv)
        self.xlsx_button = QPushButton(tr("导出 Excel…", "Export Excel…"), objectName="xlsxButton")
        self.xlsx_button.clicked.connect(self._ask_xlsx)
        bottom = QHBoxLayout()
        self.masked_note = QLabel("", objectName="maskedNote")
        bottom.addWidget(self.masked_note, 1)
        bottom.addWidget(self.csv_button)
        bottom.addWidget(self.xlsx_button)
        bottom.addWidget(self.preview_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(figure_box)
        layout.addLayout(middle, 1)
        layout.addLayout(cash)
        layout.addWidget(self.message)
        layout.addLayout(bottom)

        for keys, slot in (("F5", self.reload), ("Ctrl+P", self.preview), ("Ctrl+Return", self.close_day),
                           ("Ctrl+Enter", self.close_day)):
            shortcut = QShortcut(QKeySequence(keys), self, activated=slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._set_enabled(False)
        self.reload()

    # ------------------------------------------------------------------
    # Loading

    @property
    def day(self) -> dt.date:
        return self.date_edit.date().toPython()

    @property
    def desk(self) -> str:
        return self.desk_combo.currentData() or ""

    def show_day(self, day: dt.date, desk: str = "") -> None:
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.blockSignals(False)
        self._select_desk(desk)
        self.reload()

    def _select_desk(self, desk: str) -> None:
        index = self.desk_combo.findData(desk)
        if index < 0:
            self.desk_combo.addItem(desk, desk)
            index = self.desk_combo.count() - 1
        self.desk_combo.blockSignals(True)
        self.desk_combo.setCurrentIndex(index)
        self.desk_combo.blockSignals(False)

    def reload(self) -> None:
        today = clock.today()  # the desk may stay open past midnight: yesterday's "today" is not the limit
        self.date_edit.blockSignals(True)
        self.date_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.date_edit.blockSignals(False)
        day, desk, full = self.day, self.desk, self.full_view_by
        session = full or self.session
        self.banner.setText(tr("正在汇总 {d} 的数字…", "Adding up {d}…", d=day.isoformat()))
        self._set_enabled(False)

        def build():
            return eod.close_scope(), eod.build_report(session, day, desk=desk, unmasked=full is not None)

        run_in_background(build, self._loaded, self._failed, context=self)

    def _loaded(self, result) -> None:
        scope, report = result
        if report.day != self.day or report.desk != self.desk:
            return  # the date or desk changed meanwhile: that load's result is on its way
        self.scope = scope
        self._show(report)

    def _failed(self, exc: BaseException) -> None:
        self._set_enabled(self.report is not None)
        if isinstance(exc, UserError):
            self.banner.setText(exc.message)
            self.message.setText(exc.message)
            return
        show_error(self, exc)

    def _show(self, report: EndOfDayReport) -> None:
        self.report = report
        self.tables = eod_export.report_tables(report)
        for desk in report.desks:
            if self.desk_combo.findData(desk) < 0:
                self.desk_combo.blockSignals(True)
                self.desk_combo.addItem(desk, desk)
                self.desk_combo.blockSignals(False)
        money, n, closing = report.money, report.numbers, report.closing
        self.figures["checked_in"].setText(str(n.checked_in))
        self.figures["open"].setText(str(n.still_open))
        for key in ("gross", "refunds", "voids", "net"):
            self.figures[key].setText(format_amount(getattr(money, key)))
        self.banner.setText(self._banner_text(report))
        current = max(self.sections.currentRow(), 0)
        self.sections.blockSignals(True)
        self.sections.clear()
        for table in self.tables:
            self.sections.addItem(tr("{t}（{n}）", "{t} ({n})", t=table.title, n=len(table.rows))
                                  if table.key != "summary" else table.title)
        self.sections.blockSignals(False)
        self.sections.setCurrentRow(min(current, len(self.tables) - 1))
        self._show_section(self.sections.currentRow())
        self.expected_label.setText(format_amount(money.cash.expected))
        if closing.closed and closing.cash_counted is not None:
            self.counted_edit.setText(f"{closing.cash_counted:.2f}")
        elif closing.closed:
            self.counted_edit.clear()
        self._update_difference()
        self.masked_note.setText(tr("姓名、证件号、电话已遮盖", "Names, ID numbers and phones are masked") if report.masked
                                 else tr("完整信息（主管 {u} 查看，已记入审计）", "Shown in full (supervisor {u}, audited)",
                                         u=self.full_view_by.display_name if self.full_view_by else ""))
        self.message.clear()
        self._set_enabled(True)
        self.report_loaded.emit(report)

    def _banner_text(self, report: EndOfDayReport) -> str:
        closing = report.closing
        parts = []
        if not report.has_data:
            parts.append(tr("{d} 没有业务数据。", "Nothing happened on {d}.", d=report.day.isoformat()))
        if closing.closed:
            when = closing.closed_at.astimezone().strftime("%Y-%m-%d %H:%M") if closing.closed_at else ""
            who = closing.closed_by_name or closing.closed_by
            where = closing.desk or tr("全院", "whole site")
            parts.append(tr("已日结（{w}）：{u} 于 {t}，应有 {e}，实点 {c}，{diff}。",
                            "Closed ({w}) by {u} at {t}: expected {e}, counted {c}, {diff}.", w=where, u=who, t=when,
                            e=format_amount(closing.cash_expected), c=format_amount(closing.cash_counted),
                            diff=_difference_text(closing.cash_difference)))
            if closing.signed_figures:
                parts.append(tr("显示的是签字时的数字。", "The figures are those signed."))
            if closing.corrections:
                parts.append(tr("之后更正 {n} 笔，合计 {a}（见“日结后更正”）。",
                                "Corrections since: {n}, {a} in all (see “Corrections since closing”).",
                                n=len(closing.corrections), a=format_amount(closing.corrections_total)))
        else:
            parts.append(tr("未日结。点钞后填写实点现金，再按“日结”。", "Not closed. Count the drawer, enter the "
                            "count, then close the day."))
        corrections = report.money.corrections_of_closed_days
        if corrections:
            days = sorted({c.corrects_closed_day.isoformat() for c in corrections})
            parts.append(tr("本日有 {n} 笔更正已日结日期（{d}）。", "Voids or refunds correcting closed days: {n} "
                            "({d}).", n=len(corrections), d="、".join(days)))
        return " ".join(parts)

    def _show_section(self, row: int) -> None:
        if row < 0 or row >= len(self.tables):
            self.table.setRowCount(0)
            return
        table = self.tables[row]
        self.table.clear()
        header = self.table.horizontalHeader()
        # A narrow table spreads over the width; a wide one keeps each column to its contents.
        mode = QHeaderView.ResizeMode.Stretch if len(table.headers) <= 5 else QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(mode)
        header.setStretchLastSection(True)
        self.table.setColumnCount(len(table.headers))
        self.table.setHorizontalHeaderLabels(list(table.headers))
        self.table.setRowCount(len(table.rows))
        for r, values in enumerate(table.rows):
            for c, value in enumerate(values):
                text, number = _cell(value)
                item = QTableWidgetItem(text)
                if number:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)

    def _set_enabled(self, enabled: bool) -> None:
        report = self.report
        closed = bool(report and report.closing.closed)
        for button in (self.preview_button, self.csv_button, self.xlsx_button):
            button.setEnabled(enabled and report is not None)
        self.close_button.setEnabled(enabled and report is not None and not closed)
        self.counted_edit.setReadOnly(closed)

    # ------------------------------------------------------------------
    # Cash count and closing

    def counted(self) -> Decimal | None:
        """The count typed, or None when the field is empty; ``ValidationError`` when it is not money."""
        text = self.counted_edit.text().strip()
        return parse_amount(text) if text else None

    def _update_difference(self) -> None:
        if self.report is None:
            return
        try:
            counted = self.counted()
        except UserError as exc:
            self.difference_label.setText(exc.message)
            self.difference_label.setStyleSheet(f"color: {SHORT};")
            return
        if counted is None:
            self.difference_label.setText("")
            return
        difference = counted - self.report.money.cash.expected
        self.difference_label.setText(tr("差额 {d}（{t}）", "difference {d} ({t})", d=format_amount(difference),
                                         t=_difference_text(difference)))
        self.difference_label.setStyleSheet(f"color: {_difference_colour(difference)}; font-weight: bold;")

    def close_day(self) -> None:
        if self.report is None or not self.close_button.isEnabled():
            return
        try:
            counted = self.counted()
        except UserError as exc:
            self.message.setText(exc.message)
            self.counted_edit.setFocus()
            return
        if counted is None:
            self.message.setText(tr("请先点钞并填写实点现金", "Count the drawer and enter the cash counted first"))
            self.counted_edit.setFocus()
            return
        supervisor = authorise(self, self.session, tr("日结 {d}", "Close {d}", d=self.day.isoformat()))
        if supervisor is None:
            return
        day, desk = self.day, self.desk if self.scope == eod.SCOPE_DESK else ""
        if self.scope == eod.SCOPE_SITE and self.desk:
            self._select_desk("")  # the site closes as a whole: show what is signed
        self._set_enabled(False)
        full = self.full_view_by is not None

        viewer = self.full_view_by or self.session
        shown_desk = self.desk

        def close():
            eod.close_day(supervisor, day, counted, desk=desk or None)
            return eod.close_scope(), eod.build_report(viewer, day, desk=shown_desk, unmasked=full)

        def done(result) -> None:
            self._loaded(result)
            report = result[1]
            self.status_message.emit(tr("{d} 已日结：{diff}", "{d} closed: {diff}", d=day.isoformat(),
                                        diff=_difference_text(report.money.cash.difference)))

        run_in_background(close, done, self._failed, context=self)

    # ------------------------------------------------------------------
    # Full view, PDF, exports

    def _toggle_full(self, on: bool) -> None:
        if on and self.full_view_by is None:
            supervisor = authorise(self, self.session, tr("查看日结完整信息", "See the day report in full"))
            if supervisor is None or not supervisor.can(Role.SUPERVISOR):
                self.full_button.blockSignals(True)
                self.full_button.setChecked(False)
                self.full_button.blockSignals(False)
                return
            self.full_view_by = supervisor
        elif not on:
            self.full_view_by = None
        self.reload()

    def _export_session(self) -> Session:
        return self.full_view_by or self.session

    def preview(self) -> None:
        report = self.report
        if report is None or not self.preview_button.isEnabled():
            return
        self.preview_button.setEnabled(False)

        def render():
            try:
                return eod_export.render_pdf_bytes(report)
            except ModuleNotFoundError:
                raise UserError(tr("本机缺少日结 PDF 模块，请联系管理员", "The end-of-day PDF module is missing on this "
                                   "computer: call the administrator")) from None

        def show(pdf: bytes) -> None:
            from frontdesk.services.document_audit import PrintedDocument
            from frontdesk.ui.document_preview_dialog import DocumentPreviewDialog

            self.preview_button.setEnabled(True)
            number = report.day.isoformat() + (f" {report.desk}" if report.desk else "")
            dialog = DocumentPreviewDialog(
                tr("日结报表 {n}", "End-of-day report {n}", n=number), pdf, kind="list", settings=self.settings,
                session=self._export_session(), document=PrintedDocument("eod", report.day.isoformat(), number),
                suggested_name=eod_export.file_stem(report) + ".pdf", parent=self)
            self.last_preview = dialog
            dialog.open()

        def failed(exc: BaseException) -> None:
            self.preview_button.setEnabled(True)
            show_error(self, exc)

        run_in_background(render, show, failed, context=self)

    def _ask_csv(self) -> None:
        from frontdesk.ui.document_preview_dialog import default_document_folder

        start = default_document_folder()
        start.mkdir(parents=True, exist_ok=True)
        folder = QFileDialog.getExistingDirectory(self, tr("CSV 保存到哪个文件夹", "Folder for the CSV files"), str(start),
                                                  QFileDialog.Option.DontUseNativeDialog)
        if folder:
            self.export_csv(Path(folder))

    def _ask_xlsx(self) -> None:
        from frontdesk.ui.document_preview_dialog import default_document_folder

        if self.report is None:
            return
        start = default_document_folder()
        start.mkdir(parents=True, exist_ok=True)
        path, _ = QFileDialog.getSaveFileName(self, tr("导出 Excel", "Export Excel"),
                                              str(start / (eod_export.file_stem(self.report) + ".xlsx")),
                                              tr("Excel 工作簿 (*.xlsx)", "Excel workbooks (*.xlsx)"),
                                              options=QFileDialog.Option.DontUseNativeDialog)
        if path:
            self.export_xlsx(Path(path if path.lower().endswith(".xlsx") else path + ".xlsx"))

    def export_csv(self, folder: Path) -> None:
        report, session = self.report, self._export_session()
        if report is None:
            return
        run_in_background(lambda: eod_export.export_csv(session, report, folder), self._exported, self._export_failed,
                          context=self)

    def export_xlsx(self, path: Path) -> None:
        report, session = self.report, self._export_session()
        if report is None:
            return
        run_in_background(lambda: [eod_export.export_xlsx(session, report, path)], self._exported,
                          self._export_failed, context=self)

    def _exported(self, files) -> None:
        self.last_export = list(files)
        where = files[0].parent if files else ""
        text = tr("已导出 {n} 个文件到 {p}", "Exported {n} files to {p}", n=len(files), p=where)
        self.message.setText("")
        self.status_message.emit(text)
        self.banner.setText(self._banner_text(self.report) + " " + text if self.report else text)

    def _export_failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.message.setText(exc.message)
            return
        show_error(self, exc)
