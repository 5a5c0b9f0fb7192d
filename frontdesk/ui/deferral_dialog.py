"""Dialogs of close-out: defer items to a date (缓检) with each station's remaining capacity, abandon
items (弃检), check in a make-up visit (补检) from the slip, move or cancel a deferral, and the
belongings not returned.

Every dialog is keyboard-first (Enter confirms, Esc cancels) and does its
database work off the UI thread; refusals show in the dialog's red line.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QCalendarWidget, QCheckBox, QComboBox, QDialog, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from frontdesk import clock
from frontdesk.domain.enums import PaymentMethod
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import belongings, deferrals
from frontdesk.services.closeout import CloseoutView
from frontdesk.services.document_audit import PrintedDocument
from frontdesk.services.session import Session
from frontdesk.ui.error_dialogs import show_error
from frontdesk.ui.screen_fit import fit_to_screen
from frontdesk.ui.widgets import error_label
from frontdesk.ui.worker import run_in_background

CAPACITY_DAYS = 21


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers), objectName=name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _weekday(day: dt.date) -> str:
    return tr("一二三四五六日"[day.weekday()], day.strftime("%a"))


class CapacityPicker(QHBoxLayout):
    """A calendar and, beside it, the next days with each station's remaining capacity."""

    def __init__(self, station_ids: list[int], earliest: dt.date, exclude_visit_id: int | None, owner) -> None:
        super().__init__()
        self.station_ids = station_ids
        self.earliest = earliest
        self.exclude_visit_id = exclude_visit_id
        self.owner = owner
        self.days: list[deferrals.DayCapacity] = []
        self.calendar = QCalendarWidget(objectName="deferralCalendar")
        self.calendar.setMinimumDate(QDate(earliest))
        self.calendar.setGridVisible(True)
        self.calendar.setMaximumWidth(330)
        self.table = _table([tr("日期", "Date"), tr("星期", "Day"), tr("剩余名额", "Places left")], "capacityTable")
        self.table.itemSelectionChanged.connect(self._row_chosen)
        self.calendar.selectionChanged.connect(self._date_chosen)
        # The calendar's view keeps Enter (and double-click) to itself: it confirms the dialog from there.
        self.calendar.activated.connect(lambda _date: owner.confirm())
        self.chosen_label = QLabel(objectName="chosenCapacity")
        self.chosen_label.setWordWrap(True)
        right = QVBoxLayout()
        right.addWidget(self.table, 1)
        right.addWidget(self.chosen_label)
        self.addWidget(self.calendar)
        self.addLayout(right, 1)

    def load(self, around: dt.date | None = None) -> None:
        first = self.earliest
        ids, exclude = self.station_ids, self.exclude_visit_id
        run_in_background(lambda: deferrals.capacity(ids, first, CAPACITY_DAYS, exclude_visit_id=exclude),
                          lambda days: self._fill(days, around), self.owner._failed, context=self.owner)

    def _fill(self, days, around) -> None:
        self.days = days
        self.table.setRowCount(len(days))
        for r, day in enumerate(days):
            left = tr("；", "; ").join(s.text() for s in day.stations)
            cells = [f"{day.day:%Y-%m-%d}", _weekday(day.day),
                     left + ("" if day.fits else tr("（已满）", " (full)"))]
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if not day.fits:
                    cell.setForeground(QColor("#b00020"))
                self.table.setItem(r, c, cell)
        target = around or next((d.day for d in days if d.fits), self.earliest)
        self.select(target)

    def select(self, day: dt.date) -> None:
        self.calendar.setSelectedDate(QDate(day))
        self._date_chosen()

    def chosen(self) -> dt.date:
        return self.calendar.selectedDate().toPython()

    def _row_chosen(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self.days):
            day = self.days[rows[0].row()].day
            if day != self.chosen():
                self.calendar.setSelectedDate(QDate(day))

    def _date_chosen(self) -> None:
        day = self.chosen()
        match = next((d for d in self.days if d.day == day), None)
        if match is None:
            self.chosen_label.setText(tr("{d}：提交时核对名额", "{d}: places are checked on saving", d=f"{day:%Y-%m-%d}"))
            return
        index = self.days.index(match)
        if not any(r.row() == index for r in self.table.selectionModel().selectedRows()):
            self.table.selectRow(index)
        text = tr("；", "; ").join(s.text() for s in match.stations)
        self.chosen_label.setText(f"{day:%Y-%m-%d}（{_weekday(day)}）：{text}")
        self.chosen_label.setStyleSheet("color: #b00020;" if not match.fits else "color: #1b5e20;")


class _DeskDialog(QDialog):
    """Enter confirms, Esc goes back, and a refusal shows in the red line above the buttons."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.message = error_label("message")

    def _buttons(self, ok: QPushButton, back_text: str = "", left: tuple[QWidget, ...] = ()) -> QHBoxLayout:
        """The row of buttons: side buttons (never pressed by Enter) on the left, back and ``ok`` on the right."""
        back = QPushButton(back_text or tr("取消 (Esc)", "Cancel (Esc)"), autoDefault=False)
        back.clicked.connect(self.reject)
        row = QHBoxLayout()
        for widget in left:
            if isinstance(widget, QPushButton):
                widget.setAutoDefault(False)
            row.addWidget(widget)
        row.addStretch()
        row.addWidget(back)
        row.addWidget(ok)
        return row

    def _lay_out(self, *parts, buttons: QHBoxLayout) -> None:
        """Top to bottom: the parts ((part, stretch) for one that grows), the red line, the buttons."""
        layout = QVBoxLayout(self)
        for part in parts:
            part, stretch = part if isinstance(part, tuple) else (part, 0)
            if isinstance(part, QWidget):
                layout.addWidget(part, stretch)
            else:
                layout.addLayout(part, stretch)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.message.setText(exc.message)
            return
        show_error(self, exc)


def _ok_button(text: str, name: str, slot) -> QPushButton:
    ok = QPushButton(text, objectName=name)
    ok.setDefault(True)
    ok.clicked.connect(slot)
    return ok


class DeferralDialog(_DeskDialog):
    """Defer the chosen items to a date; on success ``result_view`` and ``chosen_date`` are set."""

    def __init__(self, session: Session, view: CloseoutView, item_ids: list[int], parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.view = view
        self.item_ids = item_ids
        self.result_view: CloseoutView | None = None
        self.chosen_date: dt.date | None = None
        self.setWindowTitle(tr("缓检 — {v}", "Defer items — {v}", v=view.visit_no))
        items = [i for i in view.items if i.visit_item_id in item_ids]
        named = tr("、", ", ").join(tr("{n}（{s}）", "{n} ({s})", n=i.item_name, s=i.station_name) for i in items)
        intro = QLabel(tr("缓检项目：{i}", "Items to defer: {i}", i=named), wordWrap=True)
        station_ids = sorted({i.station_id for i in items})
        self.picker = CapacityPicker(station_ids, deferrals.earliest_date(view.visit_date, clock.today()), None, self)
        ok = _ok_button(tr("缓检并打印缓检单 (Enter)", "Defer and print the slip (Enter)"), "confirmDefer", self.confirm)
        self._lay_out(intro, (self.picker, 1), buttons=self._buttons(ok))
        fit_to_screen(self, 900, 480)
        self.picker.load()
        self.picker.calendar.setFocus()

    def confirm(self) -> None:
        day = self.picker.chosen()
        visit_id, ids = self.view.visit_id, self.item_ids

        def done(view):
            self.result_view, self.chosen_date = view, day
            self.accept()

        self.message.clear()
        run_in_background(lambda: deferrals.defer_items(self.session, visit_id, ids, day), done, self._failed,
                          context=self)


class AbandonDialog(_DeskDialog):
    """The reason for giving items up (弃检) and the guest's confirmation."""

    REASONS = (("客人拒绝检查", "The guest refused"), ("身体不适", "Feeling unwell"), ("经期", "Menstruation"),
               ("时间来不及", "No time left"), ("怀孕或备孕", "Pregnant or planning to be"))

    def __init__(self, item_names: list[str], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("弃检", "Abandon items"))
        intro = QLabel(tr("弃检项目：{i}。弃检后不再安排检查。", "Items given up: {i}. They will not be done.",
                          i=tr("、", ", ").join(item_names)), wordWrap=True)
        self.reason_box = QComboBox(objectName="abandonReason", editable=True)
        for zh, en in self.REASONS:
            self.reason_box.addItem(tr(zh, en))
        self.reason_box.setCurrentIndex(0)
        self.confirmed = QCheckBox(tr("客人已在导检单上签字确认弃检", "The guest signed the guide sheet to confirm"),
                                   objectName="guestConfirmed")
        form = QFormLayout()
        form.addRow(tr("原因", "Reason"), self.reason_box)
        form.addRow("", self.confirmed)
        ok = _ok_button(tr("确认弃检 (Enter)", "Abandon (Enter)"), "confirmAbandon", self.confirm)
        self._lay_out(intro, form, buttons=self._buttons(ok))
        fit_to_screen(self, 480)

    def reason(self) -> str:
        return self.reason_box.currentText().strip()

    def confirm(self) -> None:
        if not self.reason():
            self.message.setText(tr("请填写弃检原因", "Enter the reason for abandoning"))
            return
        if not self.confirmed.isChecked():
            self.message.setText(tr("弃检需客人本人确认（签字）", "The guest must confirm (sign) giving the item up"))
            self.confirmed.setFocus()
            return
        self.accept()


class MakeupDialog(_DeskDialog):
    """补检报到: scan the slip (or type the ID number), check the person, check in only the deferred items."""

    checked_in = Signal(int)  # the make-up visit's id

    def __init__(self, session: Session, settings=None, text: str = "", parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.found: list[deferrals.Deferral] = []
        self.makeup: deferrals.MakeupResult | None = None
        self.last_preview = None
        self.setWindowTitle(tr("补检报到", "Make-up check-in"))
        self.search = QLineEdit(objectName="makeupSearch", placeholderText=tr(
            "扫描缓检单条码或输入客人身份证号", "Scan the deferral slip or type the guest's ID number"))
        self.search.returnPressed.connect(self.find)
        self.table = _table([tr("原体检号", "Visit"), tr("姓名", "Name"), tr("补检日期", "Date"),
                             tr("缓检项目", "Deferred items")], "makeupDeferrals")
        self.id_number = QLineEdit(objectName="makeupIdNumber", placeholderText=tr(
            "读取或输入补检人的身份证号（须与原客人一致）", "Read or type the person's ID number (must be the guest's)"))
        self.id_number.returnPressed.connect(self.check_in)
        self.check_in_button = QPushButton(tr("补检报到 (Enter)", "Check in (Enter)"), objectName="makeupCheckIn")
        self.check_in_button.clicked.connect(self.check_in)
        move = QPushButton(tr("改期…", "Move…"), objectName="moveDeferral")
        move.clicked.connect(self.move_deferral)
        cancel_deferral = QPushButton(tr("取消缓检…", "Cancel deferral…"), objectName="cancelDeferral")
        cancel_deferral.clicked.connect(self.cancel_deferral)
        slip = QPushButton(tr("补打缓检单", "Reprint slip"), objectName="reprintSlip")
        slip.clicked.connect(self.reprint_slip)
        # Enter in a field acts on that field (find, check in), never presses a button.
        self.check_in_button.setAutoDefault(False)
        form = QFormLayout()
        form.addRow(tr("缓检单/证件号", "Slip / ID number"), self.search)
        id_form = QFormLayout()
        id_form.addRow(tr("补检人证件号", "Person's ID number"), self.id_number)
        buttons = self._buttons(self.check_in_button, tr("关闭 (Esc)", "Close (Esc)"), (move, cancel_deferral, slip))
        self._lay_out(form, (self.table, 1), id_form, buttons=buttons)
        fit_to_screen(self, 820, 460)
        self.search.setText(text)
        if text:
            self.find()

    def find(self) -> None:
        text = self.search.text().strip()
        self.message.clear()
        run_in_background(lambda: deferrals.find_open_deferrals(text), self._fill, self._failed, context=self)

    def _fill(self, found) -> None:
        self.found = found
        self.table.setRowCount(len(found))
        for r, d in enumerate(found):
            items = tr("、", ", ").join(i.item_name for i in d.items)
            for c, text in enumerate((d.visit_no, d.guest_name_masked, f"{d.deferred_to:%Y-%m-%d}", items)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        if found:
            today = clock.today()
            best = min(range(len(found)), key=lambda i: abs((found[i].deferred_to - today).days))
            self.table.selectRow(best)
            self.id_number.setFocus()

    def selected(self) -> deferrals.Deferral | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.message.setText(tr("请先扫描缓检单或输入证件号", "Scan the slip or type the ID number first"))
            return None
        return self.found[rows[0].row()]

    def check_in(self) -> None:
        d = self.selected()
        if d is None:
            return
        number = self.id_number.text()

        def done(result):
            self.makeup = result
            self.message.setStyleSheet("color: #1b5e20;")
            self.message.setText(tr("已补检报到：体检号 {v}（{i}），无需收费。", "Checked in: visit {v} ({i}); nothing to pay.",
                                    v=result.visit_no, i=tr("、", ", ").join(result.items)))
            self.checked_in.emit(result.visit_id)
            self._preview_guide(result.visit_id, result.visit_no)
            self.find_after_check_in()

        run_in_background(lambda: deferrals.check_in_makeup(self.session, d.visit_id, d.deferred_to, number),
                          done, self._failed, context=self)

    def find_after_check_in(self) -> None:
        self.table.setRowCount(0)
        self.found = []
        self.id_number.clear()

    def _preview_guide(self, visit_id: int, visit_no: str) -> None:
        from frontdesk.services import checkin

        def render():
            from frontdesk.printing.guide_sheet import render_guide_sheet_pdf

            return render_guide_sheet_pdf(checkin.guide_sheet_data(visit_id))

        def show(pdf: bytes) -> None:
            from frontdesk.ui.closeout_screen import document_printer
            from frontdesk.ui.document_preview_dialog import DocumentPreviewDialog

            preview = DocumentPreviewDialog(tr("导检单（补检）", "Guide sheet (make-up)"), pdf,
                                            printer_name=document_printer(self.settings, "guide"),
                                            suggested_name=f"guide-{visit_no}.pdf", page_size_mm=(210.0, 297.0),
                                            session=self.session,
                                            document=PrintedDocument.guide_sheet(visit_id, visit_no), parent=self)
            preview.setObjectName("makeupGuidePreview")
            self.last_preview = preview
            preview.open()

        run_in_background(render, show, self._failed, context=self)

    def reprint_slip(self) -> None:
        d = self.selected()
        if d is None:
            return
        by = self.session.display_name

        def show(pdf: bytes) -> None:
            from frontdesk.ui.closeout_screen import document_printer
            from frontdesk.ui.document_preview_dialog import DocumentPreviewDialog

            preview = DocumentPreviewDialog(tr("缓检通知单", "Deferred items slip"), pdf,
                                            printer_name=document_printer(self.settings, "list"),
                                            suggested_name=f"deferral-{d.visit_no}.pdf", page_size_mm=(148.0, 210.0),
                                            session=self.session, document=PrintedDocument.deferral_slip(d.visit_id),
                                            parent=self)
            preview.setObjectName("deferralSlipPreview")
            self.last_preview = preview
            preview.open()

        run_in_background(lambda: deferrals.slip_pdf(d.visit_id, d.deferred_to, issued_by=by), show, self._failed,
                          context=self)

    def move_deferral(self) -> None:
        d = self.selected()
        if d is None:
            return
        dialog = MoveDeferralDialog(self.session, d, self)
        self.last_dialog = dialog
        if dialog.exec():
            self.message.setStyleSheet("color: #1b5e20;")
            self.message.setText(tr("已改期至 {d}", "Moved to {d}", d=f"{dialog.moved.deferred_to:%Y-%m-%d}"))
            self.find()

    def cancel_deferral(self) -> None:
        d = self.selected()
        if d is None:
            return
        dialog = CancelDeferralDialog(self.session, d, self)
        self.last_dialog = dialog
        if dialog.exec():
            self.find_after_check_in()
            self.message.setStyleSheet("color: #1b5e20;")
            self.message.setText(tr("缓检已取消", "The deferral is cancelled"))


class MoveDeferralDialog(_DeskDialog):
    def __init__(self, session: Session, deferral: deferrals.Deferral, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.deferral = deferral
        self.moved: deferrals.Deferral | None = None
        self.setWindowTitle(tr("缓检改期 — {v}", "Move deferral — {v}", v=deferral.visit_no))
        stations = sorted({i.station_id for i in deferral.items})
        intro = QLabel(tr("原定 {d}：{i}", "Was {d}: {i}", d=f"{deferral.deferred_to:%Y-%m-%d}",
                          i=tr("、", ", ").join(i.item_name for i in deferral.items)), wordWrap=True)
        self.picker = CapacityPicker(stations, deferrals.earliest_date(deferral.visit_date, clock.today()),
                                     deferral.visit_id, self)
        ok = _ok_button(tr("改期 (Enter)", "Move (Enter)"), "confirmMove", self.confirm)
        self._lay_out(intro, (self.picker, 1), buttons=self._buttons(ok))
        fit_to_screen(self, 900, 480)
        self.picker.load()

    def confirm(self) -> None:
        day, d = self.picker.chosen(), self.deferral

        def done(moved):
            self.moved = moved
            self.accept()

        run_in_background(lambda: deferrals.move_deferral(self.session, d.visit_id, d.deferred_to, day), done,
                          self._failed, context=self)


class CancelDeferralDialog(_DeskDialog):
    """Cancel a deferral: the items are abandoned, or refunded with a supervisor's signature."""

    def __init__(self, session: Session, deferral: deferrals.Deferral, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.deferral = deferral
        self.receipts: list = []
        self.setWindowTitle(tr("取消缓检 — {v}", "Cancel deferral — {v}", v=deferral.visit_no))
        intro = QLabel(tr("{d} 的缓检项目：{i}", "Deferred to {d}: {i}", d=f"{deferral.deferred_to:%Y-%m-%d}",
                          i=tr("、", ", ").join(i.item_name for i in deferral.items)), wordWrap=True)
        self.reason = QLineEdit(objectName="cancelReason")
        self.refund = QCheckBox(tr("退费（需主管授权）", "Refund (needs a supervisor)"), objectName="cancelRefund")
        self.method = QComboBox(objectName="refundMethod")
        for method in (PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.WECHAT, PaymentMethod.ALIPAY):
            self.method.addItem(method.label(), method)
        form = QFormLayout()
        form.addRow(tr("原因", "Reason"), self.reason)
        form.addRow("", self.refund)
        form.addRow(tr("退款方式", "Refund by"), self.method)
        ok = _ok_button(tr("取消缓检 (Enter)", "Cancel the deferral (Enter)"), "confirmCancelDeferral", self.confirm)
        self._lay_out(intro, form, buttons=self._buttons(ok, tr("返回 (Esc)", "Back (Esc)")))
        fit_to_screen(self, 480)

    def confirm(self) -> None:
        session = self.session
        method = self.method.currentData() if self.refund.isChecked() else None
        if method is not None:
            from frontdesk.ui.supervisor_dialog import authorise

            session = authorise(self, self.session, tr("缓检退费", "Refund of a deferral"))
            if session is None:
                return
        d, reason = self.deferral, self.reason.text()

        def done(receipts):
            self.receipts = receipts
            self.accept()

        run_in_background(lambda: deferrals.cancel_deferral(session, d.visit_id, d.deferred_to, reason,
                                                            refund_method=method), done, self._failed, context=self)


class NotReturnedDialog(_DeskDialog):
    """Belongings still stored at the end of the day (today's and older), each returnable here."""

    def __init__(self, session: Session, day: dt.date, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.day = day
        self.rows: list[belongings.BelongingView] = []
        self.setWindowTitle(tr("今日未取物品 — {d}", "Belongings not returned — {d}", d=f"{day:%Y-%m-%d}"))
        self.table = _table([tr("寄存牌", "Tag"), tr("物品", "What"), tr("体检号", "Visit"), tr("姓名", "Name"),
                             tr("寄存时间", "Stored at")], "notReturnedTable")
        self.count = QLabel(objectName="notReturnedCount")
        give_back = _ok_button(tr("归还所选 (Enter)", "Return selected (Enter)"), "returnSelected", self.return_selected)
        self._lay_out((self.table, 1), buttons=self._buttons(give_back, tr("关闭 (Esc)", "Close (Esc)"), (self.count,)))
        fit_to_screen(self, 720, 420)
        self.reload()

    def reload(self) -> None:
        day = self.day
        run_in_background(lambda: belongings.not_returned(day), self._fill, self._failed, context=self)

    def _fill(self, rows) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, b in enumerate(rows):
            cells = (b.tag_no, b.description, b.visit_no, b.guest_name_masked,
                     b.stored_at.astimezone().strftime("%m-%d %H:%M"))
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.count.setText(tr("共 {n} 件未取", "{n} not returned", n=len(rows)))
        if rows:
            self.table.selectRow(0)
            self.table.setFocus()

    def return_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        b = self.rows[rows[0].row()]
        run_in_background(lambda: belongings.return_belonging(self.session, b.belonging_id),
                          lambda _: self.reload(), self._failed, context=self)
