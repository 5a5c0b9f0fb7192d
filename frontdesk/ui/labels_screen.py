"""条码与标本: specimen labels, receiving containers by scan, and the lab hand-over.

The desk scans a visit number (from the guide sheet) to open the visit: the
guest's name, sex and age show big so the desk can check them against the
person.  Labels print on this workstation's label output (settings.labels),
off the UI thread.  With "scan receives" on, scanning a container's label
marks it received; a label of another visit than the open one is refused
with a red banner and a beep.  The hand-over tab lists what was collected
and not yet sent, grouped by tube type, and one click marks it sent under a
new hand-over number and opens the 送检单 for printing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from functools import partial

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox, QDateEdit, QFrame, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem,
                               QTabWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from frontdesk import clock, config
from frontdesk.domain.codes import CodeKind, parse_code
from frontdesk.domain.enums import SpecimenStatus
from frontdesk.errors import PrintError, UserError
from frontdesk.i18n import tr
from frontdesk.services import labels, overview, specimens
from frontdesk.services.labels import ReprintLimitError, VisitLabels
from frontdesk.services.session import Session
from frontdesk.ui.error_dialogs import show_error
from frontdesk.ui.table_page import TablePage
from frontdesk.services.changes import Topic
from frontdesk.ui import live_refresh
from frontdesk.ui.worker import run_in_background

log = logging.getLogger(__name__)

_STATUS_COLOURS = {
    SpecimenStatus.CREATED: "#b26a00",
    SpecimenStatus.LABEL_PRINTED: "#174ea6",
    SpecimenStatus.COLLECTED: "#1b5e20",
    SpecimenStatus.SENT: "#555555",
}
_VOID_COLOUR = "#b71c1c"


def _local_time(moment: dt.datetime | None) -> str:
    return moment.astimezone().strftime("%H:%M") if moment else ""


class LabelsScreen(QWidget):
    status_message = Signal(str)  # for the main window's status bar

    def __init__(self, session: Session, settings: config.WorkstationSettings, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.view: VisitLabels | None = None
        self.highlight = ""
        self.last_outcome = None
        self.last_receive = None
        self.last_preview = None
        self.last_handover_preview = None
        self._busy = False

        title = QLabel(tr("条码与标本", "Labels & specimens"), objectName="pageTitle")
        self.scan = QLineEdit(objectName="labelsScan", placeholderText=tr(
            "扫描体检号打开体检；扫描标本条码收取容器", "Scan a visit number to open it; scan a specimen label to receive it"))
        self.scan.setStyleSheet("font-size: 14pt; padding: 6px;")
        self.scan.returnPressed.connect(self._scan_entered)
        self.receive_mode = QCheckBox(tr("扫码即收取", "Scanning receives"), objectName="receiveMode")
        self.receive_mode.setChecked(True)
        self.receive_mode.setToolTip(tr("勾选时扫描标本条码即标记为已收取；不勾选时只打开该体检",
                                        "Ticked: scanning a specimen label marks it received; unticked: only opens its visit"))
        next_button = QPushButton(tr("下一位 (Esc)", "Next guest (Esc)"), objectName="labelsNext")
        next_button.clicked.connect(self.clear_visit)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.scan, 1)
        top.addWidget(self.receive_mode)
        top.addWidget(next_button)

        self.tabs = QTabWidget(objectName="labelsTabs")
        self.tabs.addTab(self._build_specimens_tab(), tr("标本与标签", "Specimens and labels"))
        self.tabs.addTab(self._build_handover_tab(), tr("送检", "Hand-over to the lab"))
        self.day_list = TablePage(tr("当日标本", "Specimens of the day"), overview.specimens_on,
                                  hint=tr("所选日期的标本条码及其状态。双击在本页打开该次体检。",
                                          "Specimens of the day; double-click opens the visit here."))
        self.day_list.row_activated.connect(self._open_from_day_list)
        self.tabs.addTab(self.day_list, tr("当日标本", "Specimens of the day"))
        self.tabs.currentChanged.connect(lambda index: index == 1 and self.refresh_handover())

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        escape = QShortcut(QKeySequence("Escape"), self, activated=self.clear_visit)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._show(None)

    # -- building -------------------------------------------------------------
    def _build_specimens_tab(self) -> QWidget:
        card = QFrame(objectName="guestCard")
        card.setStyleSheet("QFrame#guestCard { background: #f5f8fb; border: 1px solid #c9d6e3; border-radius: 6px; }")
        self.guest_name = QLabel(objectName="guestName")
        self.guest_name.setStyleSheet("font-size: 30pt; font-weight: bold; color: #1f3a56;")
        self.guest_details = QLabel(objectName="guestDetails")
        self.guest_details.setStyleSheet("font-size: 15pt; color: #1f3a56;")
        self.guest_details.setWordWrap(True)
        card_layout = QVBoxLayout(card)
        card_layout.addWidget(self.guest_name)
        card_layout.addWidget(self.guest_details)

        self.banner = QLabel(objectName="banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("font-size: 13pt;")

        self.table = QTableWidget(0, 6, objectName="specimenTable")
        self.table.setHorizontalHeaderLabels([tr("条码号", "Barcode"), tr("容器（管帽颜色）", "Container (cap)"),
                                              tr("检验项目", "Tests"), tr("何时打印", "Printed"), tr("状态", "Status"),
                                              tr("打印张数", "Prints")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setStyleSheet("QTableWidget { font-size: 12pt; }")

        self.print_check_in_button = QPushButton(tr("打印报到条码", "Print check-in labels"), objectName="printCheckIn")
        self.print_check_in_button.setProperty("primary", True)
        self.print_check_in_button.clicked.connect(lambda: self.print_labels(moment="check_in"))
        self.print_hand_in_button = QPushButton(tr("打印尿杯/采便器标签", "Print cup/container labels"),
                                                objectName="printHandIn")
        self.print_hand_in_button.clicked.connect(lambda: self.print_labels(moment="hand_in"))
        self.print_selected_button = QPushButton(tr("打印所选（补打）", "Print selected (reprint)"),
                                                 objectName="printSelected")
        self.print_selected_button.clicked.connect(self.print_selected)
        self.preview_button = QPushButton(tr("预览（实际尺寸）", "Preview (real size)"), objectName="previewLabels")
        self.preview_button.clicked.connect(self.preview)
        refresh = QPushButton(tr("刷新 (F5)", "Refresh (F5)"), objectName="labelsRefresh")
        refresh.setShortcut("F5")  # a button's shortcut works only while its tab is shown
        live_refresh.subscribe(self, [Topic.LABELS], self.refresh)  # labels/specimens changed at another desk
        refresh.clicked.connect(self.refresh)
        self.output_hint = QLabel(objectName="outputHint")
        self.output_hint.setStyleSheet("color: #555;")
        buttons = QHBoxLayout()
        for button in (self.print_check_in_button, self.print_hand_in_button, self.print_selected_button,
                       self.preview_button, refresh):
            buttons.addWidget(button)
        buttons.addStretch()
        self.output_hint.setWordWrap(True)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(card)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.output_hint)
        return page

    def _build_handover_tab(self) -> QWidget:
        self.handover_day = QDateEdit(QDate(clock.today()), calendarPopup=True, objectName="handoverDay")
        self.handover_day.setDisplayFormat("yyyy-MM-dd")
        self.handover_day.dateChanged.connect(lambda _d: self.refresh_handover())
        self.handover_tree = QTreeWidget(objectName="handoverTree")
        self.handover_tree.setHeaderLabels([tr("容器 / 条码号", "Container / barcode"), tr("数量 / 体检号", "Count / visit"),
                                            tr("姓名", "Name"), tr("检验项目", "Tests"), tr("采集时间", "Collected")])
        self.handover_tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.handover_tree.itemChanged.connect(lambda *_: self._update_handover_summary())
        self.handover_summary = QLabel(objectName="handoverSummary")
        self.handover_summary.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.handover_summary.setWordWrap(True)  # many tube types must not widen the window
        self.handover_banner = QLabel(objectName="banner")
        self.handover_banner.setWordWrap(True)
        self.handover_button = QPushButton(tr("生成送检单并打印（标记已送检）", "Make the hand-over list and print it "
                                              "(marks sent)"), objectName="createHandover")
        self.handover_button.setProperty("primary", True)
        self.handover_button.clicked.connect(self.create_handover)
        self.recent_handovers = QComboBox(objectName="recentHandovers")
        self.recent_handovers.setMinimumContentsLength(28)
        reprint = QPushButton(tr("重打送检单", "Print again"), objectName="reprintHandover")
        reprint.clicked.connect(self.reprint_handover)
        refresh = QPushButton(tr("刷新 (F5)", "Refresh (F5)"), objectName="handoverRefresh")
        refresh.setShortcut("F5")
        refresh.clicked.connect(self.refresh_handover)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("截至体检日期", "Visits up to")))
        top.addWidget(self.handover_day)
        top.addWidget(refresh)
        top.addStretch()
        top.addWidget(QLabel(tr("今天的送检单", "Today's lists")))
        top.addWidget(self.recent_handovers)
        top.addWidget(reprint)
        bottom = QHBoxLayout()
        bottom.addWidget(self.handover_summary, 1)
        bottom.addWidget(self.handover_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.handover_banner)
        layout.addWidget(self.handover_tree, 1)
        layout.addLayout(bottom)
        return page

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        # Outside dialogs Qt buttons ignore Enter; at this desk Enter presses the focused button.
        focus = self.focusWidget()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(focus, QPushButton):
            focus.click()
            return
        super().keyPressEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.scan.setFocus()
        self._show_output_hint()
        if self.view is not None and self.tabs.currentIndex() == 0:
            self.load_visit(self.view.visit_id, highlight=self.highlight)  # changed elsewhere meanwhile?

    # -- banner ---------------------------------------------------------------
    def _banner(self, text: str, state: str, banner: QLabel | None = None) -> None:
        banner = banner or self.banner
        banner.setText(text)
        banner.setProperty("state", state)
        banner.setVisible(bool(text))
        banner.style().unpolish(banner)
        banner.style().polish(banner)

    def _refuse(self, message: str, banner: QLabel | None = None) -> None:
        QApplication.beep()
        self._banner(message, "bad", banner)
        self.status_message.emit(message)

    def _show_output_hint(self) -> None:
        out = self.settings.labels
        where = {"qt": out.printer_name or tr("默认打印机", "default printer"), "zpl_tcp": f"ZPL {out.host}:{out.port}",
                 "zpl_file": f"ZPL {out.path}", "pdf": f"PDF {out.path or tr('数据文件夹', 'data folder')}",
                 "png": f"PNG {out.path or tr('数据文件夹', 'data folder')}"}.get(out.output, out.output)
        self.output_hint.setText(tr("标签输出：{w}，{s} 毫米，{d} dpi", "Labels to: {w}, {s} mm, {d} dpi", w=where,
                                    s=out.size, d=out.dpi))

    # -- the open visit -------------------------------------------------------
    def _show(self, view: VisitLabels | None, highlight: str = "") -> None:
        self.view = view
        self.highlight = highlight
        if view is None:
            self.guest_name.setText(tr("请扫描体检号", "Scan a visit number"))
            self.guest_details.setText(tr("导检单上的体检号，或容器上的标本条码", "from the guide sheet, or a container's label"))
            self.table.setRowCount(0)
            self._banner("", "")
            self._update_buttons()
            return
        self.guest_name.setText(view.guest_name)
        age = tr("{a}岁", "{a} y", a=view.age) if view.age is not None else ""
        parts = [p for p in (view.sex_label, age, tr("体检号 {v}", "visit {v}", v=view.visit_no), view.package,
                             view.visit_status.label()) if p]
        self.guest_details.setText(" · ".join(parts))
        self.table.setRowCount(len(view.specimens))
        select = None
        for r, row in enumerate(view.specimens):
            container = row.container + (tr("（{n} 张）", " ({n} copies)", n=row.copies) if row.copies > 1 else "")
            status = row.status_text()
            if row.status in (SpecimenStatus.COLLECTED, SpecimenStatus.SENT) and row.collected_at:
                status += f" {_local_time(row.collected_at)} {row.collected_by}"
            cells = (row.barcode, container, " ".join(row.tests), row.label_moment.label(), status, str(row.print_count))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, row.specimen_id)
                if c == 4:
                    colour = _VOID_COLOUR if row.label_void or row.new_after_collected else _STATUS_COLOURS.get(row.status)
                    if colour:
                        item.setForeground(QBrush(QColor(colour)))
                self.table.setItem(r, c, item)
            if highlight and row.barcode == highlight:
                select = r
        if select is not None:
            self.table.selectRow(select)
        notice = view.notice()
        if notice:
            self._banner(notice, "bad")
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.view is not None and not self._busy
        self.print_check_in_button.setEnabled(has and bool(self.view.to_print("check_in")))
        self.print_hand_in_button.setEnabled(has and bool(self.view.to_print("hand_in")))
        self.print_selected_button.setEnabled(has and bool(self.view.specimens))
        self.preview_button.setEnabled(has and bool(self.view.specimens))

    def clear_visit(self) -> None:
        self._show(None)
        self.scan.clear()
        self.scan.setFocus()

    def load_visit(self, visit_id: int, *, highlight: str = "", banner: tuple[str, str] | None = None) -> None:
        def shown(view):
            self._show(view, highlight)
            if banner:
                self._banner(*banner)

        run_in_background(lambda: labels.visit_labels(visit_id), shown, self._failed, context=self)

    def _open_from_day_list(self, visit_id) -> None:
        if visit_id is not None:
            self.tabs.setCurrentIndex(0)
            self.load_visit(visit_id)

    def refresh(self) -> None:
        if self.tabs.currentIndex() == 1:
            self.refresh_handover()
        elif self.tabs.currentIndex() == 2:
            self.day_list.reload()
        elif self.view is not None:
            self.load_visit(self.view.visit_id, highlight=self.highlight)

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]

    # -- scanning -------------------------------------------------------------
    def _scan_entered(self) -> None:
        text = self.scan.text().strip()
        self.scan.clear()
        if text:
            self.handle_scan(text)

    def handle_scan(self, text: str) -> None:
        """A visit number opens the visit; a specimen label is received (or opened, with receiving off)."""
        try:
            kind, code = parse_code(text)
        except UserError as exc:
            self._refuse(exc.message)
            return
        if kind is CodeKind.VISIT or (kind is CodeKind.SPECIMEN and not self.receive_mode.isChecked()):
            self.tabs.setCurrentIndex(0)
            run_in_background(lambda: labels.find_visit(code), lambda found: self.load_visit(found[0], highlight=found[1]),
                              self._failed, context=self)
        elif kind is CodeKind.SPECIMEN:
            self.receive(code)
        else:
            self._refuse(tr("请扫描体检号或标本条码", "Scan a visit number or a specimen barcode"))

    def receive(self, barcode: str) -> None:
        """Mark the container received; a label of another visit than the open one is refused."""
        self.tabs.setCurrentIndex(0)
        expected = self.view.visit_id if self.view is not None else None
        session = self.session

        def work():
            result = specimens.receive_specimen(session, barcode, expected_visit_id=expected)
            return result, labels.visit_labels(result.visit_id)

        def done(value):
            result, view = value
            self.last_receive = result
            self._show(view, result.barcode)
            text = tr("{m}（{n}）", "{m} ({n})", m=result.message(), n=result.guest_name)
            state = "ok" if not result.already and not result.label_outdated else "info"
            self._banner(text, state)
            self.status_message.emit(text)

        run_in_background(work, done, self._failed, context=self)

    def _failed(self, exc: BaseException) -> None:
        """Refusals at the desk are a red banner and a beep, not a dialog: the scanner keeps going."""
        if isinstance(exc, UserError):
            self._refuse(exc.message)
            return
        show_error(self, exc)

    # -- printing -------------------------------------------------------------
    def print_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self._banner(tr("请先在列表中选择要打印的标本", "Choose the specimens to print in the list first"), "info")
            return
        self.print_labels(moment="all", specimen_ids=ids)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def print_labels(self, *, moment: str, specimen_ids: list[int] | None = None, visit_id: int | None = None,
                     session: Session | None = None) -> None:
        """Print on this workstation's label output, off the UI thread; a reprint past the
        allowance asks for a supervisor and tries again under their name."""
        if visit_id is None:
            if self.view is None:
                self._banner(tr("请先扫描体检号", "Scan a visit number first"), "info")
                return
            visit_id = self.view.visit_id
        output = dataclasses.replace(self.settings.labels)
        qt_print = None
        if output.output == "qt":
            from frontdesk.printing.qt_label_printer import print_labels_qt
            from frontdesk.ui import document_preview_dialog

            try:
                qt_print = partial(print_labels_qt, document_preview_dialog.printer_factory(output.printer_name))
            except UserError as exc:
                self._print_failed(exc)
                return
        acting = session or self.session
        self._set_busy(True)

        def work():
            outcome = labels.print_labels(acting, visit_id, output, moment=moment, specimen_ids=specimen_ids,
                                          qt_print=qt_print)
            return outcome, labels.visit_labels(visit_id)

        def done(value):
            outcome, view = value
            self._set_busy(False)
            self.last_outcome = outcome
            self._show(view, self.highlight)
            notice = view.notice()
            self._banner(outcome.message() + ("；" + notice if notice else ""), "ok" if not notice else "info")
            self.status_message.emit(outcome.message())

        def failed(exc):
            self._set_busy(False)
            if isinstance(exc, ReprintLimitError) and session is None:
                from frontdesk.ui.supervisor_dialog import authorise

                self._banner(exc.message, "bad")
                supervisor = authorise(self, self.session, tr("超过次数的标签补打", "Reprinting labels past the allowance"))
                if supervisor is not None:
                    self.print_labels(moment=moment, specimen_ids=specimen_ids, visit_id=visit_id, session=supervisor)
                return
            self._print_failed(exc)

        run_in_background(work, done, failed, context=self)

    def _print_failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError) and not isinstance(exc, PrintError):
            self._refuse(exc.message)  # nothing to print, a stale selection: say it here
            return
        if isinstance(exc, PrintError):
            self._refuse(tr("标签没有打印：{m}", "The labels were not printed: {m}", m=exc.message))
        show_error(self, exc)  # a printer problem must not pass unnoticed, also from the check-in desk

    def preview(self) -> None:
        """The labels of the selected specimens (or all the visit's) at real size; printing from
        the preview prints exactly those."""
        if self.view is None:
            return
        ids = self.selected_ids() or [row.specimen_id for row in self.view.specimens]
        visit_id, out = self.view.visit_id, self.settings.labels

        def shown(pairs):
            from frontdesk.ui.label_preview_dialog import LabelPreviewDialog

            dialog = LabelPreviewDialog(pairs, self)
            dialog.setObjectName("labelPreview")
            dialog.print_requested.connect(
                lambda: self.print_labels(moment="all", specimen_ids=ids, visit_id=visit_id))
            self.last_preview = dialog
            dialog.open()

        run_in_background(lambda: labels.preview_images(visit_id, specimen_ids=ids, size=out.size, dpi=out.dpi),
                          shown, self._failed, context=self)

    # -- hand-over ------------------------------------------------------------
    def refresh_handover(self) -> None:
        day = self.handover_day.date().toPython()

        def work():
            return specimens.handover_candidates(day), specimens.handovers_on(clock.today())

        run_in_background(work, self._fill_handover, lambda exc: self._failed_handover(exc), context=self)

    def _fill_handover(self, value) -> None:
        groups, recent = value
        tree = self.handover_tree
        tree.blockSignals(True)
        tree.clear()
        for group in groups:
            top = QTreeWidgetItem([f"{group.cap_colour} {group.tube_name}", tr("{n} 管", "{n}", n=group.count)])
            top.setFlags(top.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setFont(1, font)
            for c in group.specimens:
                child = QTreeWidgetItem([c.barcode, c.visit_no, c.guest_name_masked, " ".join(c.tests),
                                         _local_time(c.collected_at)])
                child.setData(0, Qt.ItemDataRole.UserRole, c.specimen_id)
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, Qt.CheckState.Checked)
                top.addChild(child)
            tree.addTopLevelItem(top)
            top.setExpanded(True)
        tree.blockSignals(False)
        self.recent_handovers.clear()
        for h in recent:
            self.recent_handovers.addItem(tr("{no}  {t}  {n} 管", "{no}  {t}  {n}", no=h.handover_no,
                                             t=_local_time(h.sent_at), n=h.count), h.handover_no)
        self._update_handover_summary()
        if not groups:
            self._banner(tr("没有已采集待送检的标本", "Nothing collected is waiting to be sent"), "info", self.handover_banner)
        else:
            self._banner("", "", self.handover_banner)

    def checked_handover_ids(self) -> list[int]:
        ids = []
        for i in range(self.handover_tree.topLevelItemCount()):
            top = self.handover_tree.topLevelItem(i)
            for j in range(top.childCount()):
                child = top.child(j)
                if child.checkState(0) == Qt.CheckState.Checked:
                    ids.append(child.data(0, Qt.ItemDataRole.UserRole))
        return ids

    def _update_handover_summary(self) -> None:
        parts = []
        for i in range(self.handover_tree.topLevelItemCount()):
            top = self.handover_tree.topLevelItem(i)
            n = sum(top.child(j).checkState(0) == Qt.CheckState.Checked for j in range(top.childCount()))
            if n:
                parts.append(f"{top.text(0)} × {n}")
        total = len(self.checked_handover_ids())
        self.handover_summary.setText(tr("本次送检：{p}；合计 {n} 管", "To send: {p}; {n} in all", p="；".join(parts) or "-",
                                         n=total))
        self.handover_button.setEnabled(total > 0)

    def create_handover(self) -> None:
        """Mark the ticked specimens sent under one new number, then open the list to print."""
        ids = self.checked_handover_ids()
        if not ids:
            return
        session = self.session
        self.handover_button.setEnabled(False)

        def work():
            from frontdesk.printing.handover_pdf import render_handover_pdf

            number = specimens.create_handover(session, ids)
            return number, render_handover_pdf(specimens.handover_data(number))

        def done(value):
            number, pdf = value
            self._banner(tr("送检单 {no}：{n} 管已标记为已送检", "Hand-over {no}: {n} specimens marked sent", no=number,
                            n=len(ids)), "ok", self.handover_banner)
            self.status_message.emit(tr("送检单 {no} 已生成", "Hand-over {no} made", no=number))
            self._open_handover_preview(number, pdf)
            self.refresh_handover()

        run_in_background(work, done, self._failed_handover, context=self)

    def _failed_handover(self, exc: BaseException) -> None:
        self._update_handover_summary()
        if isinstance(exc, UserError):
            self._refuse(exc.message, self.handover_banner)
            return
        show_error(self, exc)

    def reprint_handover(self) -> None:
        number = self.recent_handovers.currentData()
        if not number:
            return

        def work():
            from frontdesk.printing.handover_pdf import render_handover_pdf

            return render_handover_pdf(specimens.handover_data(number))

        run_in_background(work, lambda pdf: self._open_handover_preview(number, pdf), self._failed_handover,
                          context=self)

    def _open_handover_preview(self, number: str, pdf: bytes) -> None:
        from frontdesk.services.document_audit import PrintedDocument
        from frontdesk.ui.document_preview_dialog import DocumentPreviewDialog

        dialog = DocumentPreviewDialog(tr("送检单 {no}", "Hand-over {no}", no=number), pdf, kind="list",
                                       settings=self.settings, session=self.session,
                                       document=PrintedDocument.handover(number), parent=self)
        dialog.setObjectName("handoverPreview")
        self.last_handover_preview = dialog
        dialog.open()
