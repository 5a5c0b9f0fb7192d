"""The bookings page (预约排期): the capacity calendar of a month and the chosen day's bookings.

Each day of the calendar shows the centre's guests against its limit and the fullest station (or the
station chosen above the calendar), coloured green / amber (from 80 %) / red (full or closed), with a
word for the colour so it reads without it.  The day beside it lists every station's load and the
bookings, with the actions: new (Ctrl+N), move (Ctrl+M), cancel (Del), undo a no-show (Ctrl+U,
supervisor), print the slip (Ctrl+P).  PgUp / PgDn change the month, Home goes to today.

Opening the page marks the unarrived bookings of earlier days as no-shows.  Every read runs off the
UI thread.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGridLayout, QHBoxLayout, QHeaderView, QInputDialog,
                               QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QSizePolicy, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from frontdesk import clock, config
from frontdesk.domain.enums import BookingStatus, Role
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import bookings, capacity
from frontdesk.services.bookings import BookingView
from frontdesk.services.session import Session
from frontdesk.ui.booking_dialog import load_text
from frontdesk.ui.worker import run_in_background

LEVEL_COLOUR = {"green": "#dcefdc", "amber": "#ffe9b3", "red": "#f7c6c6", "none": "#ffffff"}
LEVEL_WORD = {"green": ("", ""), "amber": ("紧", "tight"), "red": ("满", "full"), "none": ("", "")}


def level_word(level: str) -> str:
    return tr(*LEVEL_WORD[level])


def cell_text(cell: capacity.DayLoad, station_id: int | None | str) -> str:
    """The calendar cell: the day, the centre's guests, and the fullest (or chosen) station."""
    lines = [f"{cell.day.day}" + (f"  {tr('停诊', 'closed')}" if cell.closed else "")]
    centre = cell.centre
    lines.append(tr("全{n}", "All {n}", n=centre.load) + (f"/{centre.limit}" if centre.limit is not None else ""))
    shown = cell.tightest() if station_id == "tightest" else cell.station(station_id)
    if shown is not None and shown.station_id is not None and not cell.closed:
        limit = f"/{shown.limit}" if shown.limit is not None else ""
        word = level_word(shown.level)
        lines.append(f"{shown.name} {shown.load}{limit}" + (f" {word}" if word else ""))
    return "\n".join(lines)


def cell_level(cell: capacity.DayLoad, station_id: int | None | str) -> str:
    if station_id == "tightest":
        return cell.level
    shown = cell.station(station_id)
    return shown.level if shown is not None else "none"


class BookingsScreen(QWidget):
    status_message = Signal(str)

    def __init__(self, session: Session, settings: config.WorkstationSettings | None = None, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        today = clock.today()
        self.year, self.month_no = today.year, today.month
        self.selected_day = today
        self.month_view: capacity.MonthCalendar | None = None
        self.day_bookings: list[BookingView] = []
        self.last_dialog = None
        self.last_preview = None
        self._month_seq = 0
        self._day_seq = 0

        title = QLabel(tr("预约排期", "Bookings"), objectName="pageTitle")
        title.setStyleSheet("font-size:18px; font-weight:bold;")
        prev_month = QPushButton(tr("◀ 上月 (PgUp)", "◀ Previous (PgUp)"), objectName="prevMonth")
        prev_month.clicked.connect(lambda: self.shift_month(-1))
        next_month = QPushButton(tr("下月 (PgDn) ▶", "Next (PgDn) ▶"), objectName="nextMonth")
        next_month.clicked.connect(lambda: self.shift_month(1))
        today_button = QPushButton(tr("今天 (Home)", "Today (Home)"), objectName="todayButton")
        today_button.clicked.connect(self.go_today)
        self.month_label = QLabel(objectName="monthLabel")
        self.month_label.setStyleSheet("font-size:16px; font-weight:bold;")
        self.station_filter = QComboBox(objectName="stationFilter")
        self.station_filter.addItem(tr("最紧张的科室", "Fullest station"), "tightest")
        self.station_filter.currentIndexChanged.connect(lambda _i: self._paint_month())
        self.capacity_button = QPushButton(tr("接待量设置…", "Capacity limits…"), objectName="capacityButton")
        self.capacity_button.clicked.connect(self.edit_capacity)
        self.capacity_button.setVisible(session.can(Role.SUPERVISOR))
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(prev_month)
        top.addWidget(self.month_label)
        top.addWidget(next_month)
        top.addWidget(today_button)
        top.addStretch()
        top.addWidget(QLabel(tr("日历显示", "Show")))
        top.addWidget(self.station_filter)
        top.addWidget(self.capacity_button)

        self.calendar = QTableWidget(6, 7, objectName="capacityCalendar")
        self.calendar.setHorizontalHeaderLabels([capacity.weekday_name(w) for w in range(7)])
        self.calendar.verticalHeader().hide()
        self.calendar.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.calendar.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.calendar.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.calendar.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.calendar.setWordWrap(True)
        small = self.calendar.font()
        small.setPointSizeF(max(small.pointSizeF() - 1, 8))
        self.calendar.setFont(small)
        self.calendar.currentCellChanged.connect(self._cell_changed)
        self.legend = QLabel(objectName="calendarLegend", wordWrap=True)
        self.legend.setText(tr("绿色：有余量；黄色“紧”：已约80%以上；红色“满”：已满或停诊。"
                               "格内：“全”为全中心人数/限额，下为科室人数/限额。",
                               "Green: room; amber “tight”: 80% or more booked; red “full”: full or closed. "
                               "Each day: “All” the centre's guests/limit, then a station's guests/limit."))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.calendar, 1)
        left_layout.addWidget(self.legend)

        self.day_title = QLabel(objectName="dayTitle")
        self.day_title.setStyleSheet("font-size:15px; font-weight:bold;")
        self.station_loads = QListWidget(objectName="stationLoads")
        self.station_loads.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.station_loads.setFlow(QListWidget.Flow.LeftToRight)
        self.station_loads.setWrapping(True)
        self.station_loads.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.station_loads.setSpacing(2)
        self.station_loads.setMaximumHeight(96)
        self.table = QTableWidget(0, 8, objectName="dayBookings")
        self.table.setHorizontalHeaderLabels([tr("预约号", "Booking"), tr("时段", "Half-day"), tr("姓名", "Name"),
                                              tr("性别/年龄", "Sex/age"), tr("套餐", "Package"), tr("加项", "Extras"),
                                              tr("方式", "Channel"), tr("状态", "Status")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)   # the package: a fixed width, elided
        header.resizeSection(4, 170)
        header.setStretchLastSection(True)
        self.table.currentCellChanged.connect(lambda *_: self._update_actions())
        self.new_button = QPushButton(tr("新预约 (Ctrl+N)", "New (Ctrl+N)"), objectName="newBooking")
        self.new_button.clicked.connect(self.new_booking)
        self.move_button = QPushButton(tr("改期 (Ctrl+M)", "Move (Ctrl+M)"), objectName="moveBooking")
        self.move_button.clicked.connect(self.move_selected)
        self.cancel_button = QPushButton(tr("取消预约 (Del)", "Cancel (Del)"), objectName="cancelBooking")
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.undo_button = QPushButton(tr("撤销未到 (Ctrl+U)", "Undo no-show (Ctrl+U)"), objectName="undoNoShow")
        self.undo_button.clicked.connect(self.undo_selected)
        self.print_button = QPushButton(tr("打印预订单 (Ctrl+P)", "Print slip (Ctrl+P)"), objectName="printSlip")
        self.print_button.clicked.connect(self.print_selected)
        actions = QGridLayout()
        for n, button in enumerate((self.new_button, self.move_button, self.cancel_button, self.print_button,
                                    self.undo_button)):
            actions.addWidget(button, n // 3, n % 3)
        self.day_message = QLabel(objectName="dayMessage", wordWrap=True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.day_title)
        right_layout.addWidget(self.station_loads)
        right_layout.addWidget(self.table, 1)
        right_layout.addWidget(self.day_message)
        right_layout.addLayout(actions)

        # The columns share the width evenly whatever the table's columns would like (they scroll instead).
        for column in (left, right):
            column.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        left.setMinimumWidth(480)
        right.setMinimumWidth(420)
        body = QHBoxLayout()
        body.addWidget(left, 1)
        body.addWidget(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)

        for keys, slot in (("Ctrl+N", self.new_booking), ("Ctrl+M", self.move_selected),
                           ("Delete", self.cancel_selected), ("Ctrl+U", self.undo_selected),
                           ("Ctrl+P", self.print_selected), ("PgUp", lambda: self.shift_month(-1)),
                           ("PgDown", lambda: self.shift_month(1)), ("Home", self.go_today)):
            QShortcut(QKeySequence(keys), self, activated=slot,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._update_actions()
        self.mark_no_shows_then_load()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        # The same keys as the shortcuts, for when the page's window is not the active one.
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        actions = {(Qt.Key.Key_N, True): self.new_booking, (Qt.Key.Key_M, True): self.move_selected,
                   (Qt.Key.Key_Delete, False): self.cancel_selected, (Qt.Key.Key_U, True): self.undo_selected,
                   (Qt.Key.Key_P, True): self.print_selected}
        action = actions.get((Qt.Key(event.key()), ctrl))
        if action is None:
            super().keyPressEvent(event)
            return
        event.accept()
        action()

    # -- loading -------------------------------------------------------------------------------------

    def mark_no_shows_then_load(self) -> None:
        """Earlier days' unarrived bookings become no-shows, then the month is shown."""
        session = self.session

        def marked(numbers) -> None:
            if numbers:
                self.status_message.emit(tr("已将{n}个过期未到的预约标为“未到”", "{n} past bookings marked as no-shows",
                                            n=len(numbers)))
            self.refresh()

        run_in_background(lambda: bookings.mark_no_shows(session), marked, self._failed, context=self)

    def refresh(self) -> None:
        self.load_month()
        self.load_day()

    def load_month(self) -> None:
        self._month_seq += 1
        seq, year, month_no = self._month_seq, self.year, self.month_no
        self.month_label.setText(tr("{y}年{m}月", "{m}/{y}", y=year, m=month_no))
        run_in_background(lambda: capacity.month(year, month_no), lambda view: self._show_month(seq, view),
                          self._failed, context=self)

    def _show_month(self, seq: int, view: capacity.MonthCalendar) -> None:
        if seq != self._month_seq:
            return
        self.month_view = view
        current = self.station_filter.currentData()
        self.station_filter.blockSignals(True)
        while self.station_filter.count() > 1:
            self.station_filter.removeItem(1)
        for sid, name in view.stations:
            self.station_filter.addItem(name, sid if sid is not None else -1)
        self.station_filter.setCurrentIndex(max(self.station_filter.findData(current), 0))
        self.station_filter.blockSignals(False)
        self._paint_month()

    def _filter_value(self):
        value = self.station_filter.currentData()
        return None if value == -1 else value

    def _paint_month(self) -> None:
        view = self.month_view
        if view is None:
            return
        shown = self._filter_value()
        self.calendar.blockSignals(True)
        self.calendar.clearContents()
        self.calendar.setRowCount(len(view.weeks))
        today = clock.today()
        for row, week in enumerate(view.weeks):
            for col, cell in enumerate(week):
                item = QTableWidgetItem()
                if cell is None:
                    item.setFlags(Qt.ItemFlag.NoItemFlags)
                else:
                    item.setText(cell_text(cell, shown))
                    level = cell_level(cell, shown)
                    item.setBackground(QBrush(QColor(LEVEL_COLOUR[level])))
                    item.setData(Qt.ItemDataRole.UserRole, cell.day.isoformat())
                    item.setData(Qt.ItemDataRole.UserRole + 1, level)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                    if cell.day < today:
                        item.setForeground(QBrush(QColor("#777777")))
                    if cell.day == today:
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                self.calendar.setItem(row, col, item)
        self.calendar.blockSignals(False)
        self._select_cell(self.selected_day)

    def _select_cell(self, day: dt.date) -> None:
        for row in range(self.calendar.rowCount()):
            for col in range(7):
                item = self.calendar.item(row, col)
                if item is not None and item.data(Qt.ItemDataRole.UserRole) == day.isoformat():
                    self.calendar.blockSignals(True)
                    self.calendar.setCurrentCell(row, col)
                    self.calendar.blockSignals(False)
                    return

    def _cell_changed(self, row: int, col: int, *_prev) -> None:
        item = self.calendar.item(row, col)
        if item is None or not item.data(Qt.ItemDataRole.UserRole):
            return
        day = dt.date.fromisoformat(item.data(Qt.ItemDataRole.UserRole))
        if day != self.selected_day:
            self.selected_day = day
            self.load_day()

    def show_day(self, day: dt.date) -> None:
        """Go to ``day``: its month in the calendar and its bookings beside it."""
        self.selected_day = day
        if (day.year, day.month) != (self.year, self.month_no):
            self.year, self.month_no = day.year, day.month
            self.load_month()
        else:
            self._select_cell(day)
        self.load_day()

    def shift_month(self, months: int) -> None:
        index = self.year * 12 + self.month_no - 1 + months
        year, month_no = divmod(index, 12)
        self.year, self.month_no = year, month_no + 1
        self.selected_day = dt.date(self.year, self.month_no, 1)
        self.refresh()

    def go_today(self) -> None:
        self.show_day(clock.today())

    def load_day(self) -> None:
        self._day_seq += 1
        seq, day = self._day_seq, self.selected_day
        self.day_title.setText(f"{day:%Y-%m-%d} {capacity.weekday_name(day.weekday())}")

        def work():
            return capacity.day_load(day), bookings.bookings_on(day)

        run_in_background(work, lambda result: self._show_day(seq, *result), self._failed, context=self)

    def _show_day(self, seq: int, load: capacity.DayLoad, rows: list[BookingView]) -> None:
        if seq != self._day_seq:
            return
        self.station_loads.clear()
        for s in (load.centre, *load.stations):
            if s.limit is None and s.load == 0 and s.station_id is not None:
                continue
            item = QListWidgetItem(load_text(s))
            item.setBackground(QBrush(QColor(LEVEL_COLOUR[s.level])))
            self.station_loads.addItem(item)
        self.day_bookings = rows
        self.table.setRowCount(len(rows))
        for r, b in enumerate(rows):
            sex = {"M": tr("男", "M"), "F": tr("女", "F")}.get(b.guest_sex, "")
            age = f"/{b.guest_age}" if b.guest_age is not None else ""
            package = b.package_name or tr("（单项）", "(items)")
            if b.organisation_name:
                package += f" · {b.organisation_name}"
            values = (b.booking_no, b.half_day.label(), b.guest_name, sex + age, package,
                      "、".join(i.name for i in b.extra_items), b.channel.label(), b.status.label())
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if b.status in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW):
                    item.setForeground(QBrush(QColor("#8a1c1c" if b.status == BookingStatus.NO_SHOW else "#777777")))
                tip = []
                if b.cancel_reason:
                    tip.append(tr("取消原因：{r}", "Cancelled: {r}", r=b.cancel_reason))
                if b.override_reason:
                    tip.append(tr("超额预约（{by}）：{r}", "Over the limit ({by}): {r}", by=b.override_by,
                                  r=b.override_reason))
                if b.note:
                    tip.append(b.note)
                if tip:
                    item.setToolTip("\n".join(tip))
                self.table.setItem(r, c, item)
        live = [b for b in rows if b.live]
        morning = sum(1 for b in live if b.half_day.value == "am")
        self.day_message.setText(tr("共{n}个预约，{k}个待到检（上午{a}，下午{p}）",
                                    "{n} bookings, {k} still to come ({a} morning, {p} afternoon)",
                                    n=len(rows), k=len(live), a=morning, p=len(live) - morning))
        if rows:
            self.table.setCurrentCell(0, 0)
        self._update_actions()

    # -- actions -------------------------------------------------------------------------------------

    def selected(self) -> BookingView | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.day_bookings):
            return self.day_bookings[row]
        return None

    def select_booking(self, booking_no: str) -> bool:
        for row, b in enumerate(self.day_bookings):
            if b.booking_no == booking_no:
                self.table.setCurrentCell(row, 0)
                return True
        return False

    def _update_actions(self) -> None:
        b = self.selected()
        live = b is not None and b.status == BookingStatus.BOOKED
        self.move_button.setEnabled(live)
        self.cancel_button.setEnabled(live)
        self.undo_button.setEnabled(b is not None and b.status == BookingStatus.NO_SHOW)
        self.print_button.setEnabled(live)
        self.new_button.setEnabled(self.selected_day >= clock.today())

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.day_message.setText(exc.message)
            return
        from frontdesk.ui.error_dialogs import show_error

        show_error(self, exc)

    def _done(self, text: str, view: BookingView | None = None) -> None:
        self.status_message.emit(text)
        self.day_message.setText(text)
        if view is not None and view.exam_date != self.selected_day:
            self.show_day(view.exam_date)
        else:
            self.refresh()

    def new_booking(self, *, open_dialog: bool = True):
        from frontdesk.ui.booking_dialog import BookingDialog

        day = max(self.selected_day, clock.today())
        dialog = BookingDialog(self.session, self.settings, day=day, parent=self)
        dialog.setObjectName("bookingDialog")
        self.last_dialog = dialog
        dialog.accepted.connect(lambda: self._booked(dialog))
        if open_dialog:
            dialog.open()
        return dialog

    def _booked(self, dialog) -> None:
        view = dialog.result_view
        if view is None:
            return
        self._done(tr("已预约 {no}：{n} {d} {h}", "Booked {no}: {n} {d} {h}", no=view.booking_no, n=view.guest_name,
                      d=f"{view.exam_date:%Y-%m-%d}", h=view.half_day.label()), view)
        self.preview_slip(view)

    def move_selected(self, *, open_dialog: bool = True):
        b = self.selected()
        if b is None or b.status != BookingStatus.BOOKED:
            return None
        from frontdesk.ui.booking_dialog import BookingDialog

        dialog = BookingDialog(self.session, self.settings, move=b, parent=self)
        dialog.setObjectName("moveDialog")
        self.last_dialog = dialog
        dialog.accepted.connect(lambda: self._moved(dialog))
        if open_dialog:
            dialog.open()
        return dialog

    def _moved(self, dialog) -> None:
        view = dialog.result_view
        if view is not None:
            self._done(tr("{no} 已改到 {d} {h}", "{no} moved to {d} {h}", no=view.booking_no,
                          d=f"{view.exam_date:%Y-%m-%d}", h=view.half_day.label()), view)

    def ask_reason(self, title: str, label: str) -> str | None:
        """The reason typed, or None when the desk cancels (tests replace this)."""
        text, ok = QInputDialog.getText(self, title, label)
        return text if ok else None

    def cancel_selected(self) -> None:
        b = self.selected()
        if b is None or b.status != BookingStatus.BOOKED:
            return
        reason = self.ask_reason(tr("取消预约", "Cancel booking"),
                                 tr("取消 {no}（{n}）的原因：", "Why is {no} ({n}) cancelled?", no=b.booking_no,
                                    n=b.guest_name))
        if reason is None:
            return
        session, booking_id, version = self.session, b.id, b.version  # as read: a change meanwhile is refused
        run_in_background(lambda: bookings.cancel_booking(session, booking_id, reason, version=version),
                          lambda v: self._done(tr("{no} 已取消", "{no} cancelled", no=v.booking_no)), self._failed,
                          context=self)

    def undo_selected(self) -> None:
        b = self.selected()
        if b is None or b.status != BookingStatus.NO_SHOW:
            return
        from frontdesk.ui.supervisor_dialog import authorise

        signed = authorise(self, self.session, tr("撤销“未到”", "Undo a no-show"))
        if signed is None:
            return
        reason = self.ask_reason(tr("撤销未到", "Undo no-show"), tr("原因：", "Reason:"))
        if reason is None:
            return
        booking_id = b.id
        run_in_background(lambda: bookings.undo_no_show(signed, booking_id, reason),
                          lambda v: self._done(tr("{no} 已恢复为已预约", "{no} is booked again", no=v.booking_no)),
                          self._failed, context=self)

    def print_selected(self) -> None:
        b = self.selected()
        if b is not None and b.status == BookingStatus.BOOKED:
            self.preview_slip(b)

    def preview_slip(self, view: BookingView) -> None:
        by = self.session.display_name

        def show(pdf: bytes) -> None:
            from frontdesk.ui.document_preview_dialog import DocumentPreviewDialog

            printer = ""
            if self.settings is not None:
                printer = self.settings.document("list").printer_name
            preview = DocumentPreviewDialog(tr("体检预订单", "Booking slip"), pdf, printer_name=printer,
                                            suggested_name=f"booking-{view.booking_no}.pdf",
                                            page_size_mm=(148.0, 210.0), parent=self)
            preview.setObjectName("bookingSlipPreview")
            self.last_preview = preview
            preview.open()

        booking_id = view.id
        run_in_background(lambda: bookings.slip_pdf(booking_id, issued_by=by), show, self._failed, context=self)

    def edit_capacity(self):
        from frontdesk.ui.capacity_dialog import CapacityDialog
        from frontdesk.ui.supervisor_dialog import authorise

        signed = authorise(self, self.session, tr("接待量设置", "Capacity limits"))
        if signed is None:
            return None
        dialog = CapacityDialog(signed, parent=self)
        self.last_dialog = dialog
        dialog.finished.connect(lambda _r: self.refresh())
        dialog.open()
        return dialog
