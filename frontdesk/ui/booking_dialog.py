"""Book a person (at the desk or by phone) or move a booking: find or register the person, the date and
half-day, the package and extra items; eligibility and the day's capacity are shown as they change.

Keyboard: the search field has the focus (Enter searches, ↓ and Enter choose), F2 registers a new guest,
Alt+D the date, Alt+P the package, Alt+I the item filter (Space ticks an item), Ctrl+Enter books.  A full
date is refused with the nearest dates that fit as buttons (Alt+1..3); a supervisor may book over the
limit with a reason.  Reads and writes run off the UI thread.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPushButton, QStackedWidget, QVBoxLayout,
                               QWidget)

from frontdesk import clock, config
from frontdesk.domain.sex import Sex
from frontdesk.errors import DuplicateGuestError, UserError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import bookings, capacity, guests, search
from frontdesk.services.bookings import BookingView, Channel, HalfDay
from frontdesk.services.session import Session
from frontdesk.ui.guest_form import GuestForm
from frontdesk.ui.screen_fit import fit_to_screen
from frontdesk.ui.widgets import error_label
from frontdesk.ui.worker import run_in_background

LEVEL_STYLE = {
    "green": "background:#dcefdc; color:#1d4d1d;",
    "amber": "background:#ffe9b3; color:#5c4300;",
    "red": "background:#f7c6c6; color:#6b0f0f;",
    "none": "background:#eeeeee; color:#333333;",
}


def load_text(s: capacity.StationDay) -> str:
    """A station's load against its limit, with a word for the colour (readable without the colour)."""
    if s.closed:
        return tr("{s} 停诊", "{s} closed", s=s.name)
    if s.limit is None:
        return tr("{s} {n}（不限）", "{s} {n} (no limit)", s=s.name, n=s.load)
    mark = {"red": tr(" 满", " full"), "amber": tr(" 紧", " tight")}.get(s.level, "")
    return f"{s.name} {s.load}/{s.limit}{mark}"


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class BookingDialog(QDialog):
    """``move``: the booking to move (only its date and half-day change)."""

    def __init__(self, session: Session, settings: config.WorkstationSettings | None = None, *,
                 day: dt.date | None = None, move: BookingView | None = None, guest_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.moving = move
        self.guest_id: int | None = move.guest_id if move else guest_id
        self.result_view: BookingView | None = None
        self.last_preview: bookings.BookingPreview | None = None
        self._preview_seq = 0
        self._search_seq = 0
        self._accept_mismatches = False
        today = clock.today()
        self.setWindowTitle(tr("改期", "Move booking") if move else tr("新预约", "New booking"))

        # -- the person --------------------------------------------------------------------------------
        self.search_edit = QLineEdit(objectName="bookingSearch",
                                     placeholderText=tr("姓名、拼音首字母、手机号或证件号，回车查找",
                                                        "Name, pinyin initials, mobile or ID number; Enter"))
        self.search_edit.returnPressed.connect(self.run_search)
        self.results = QListWidget(objectName="bookingResults")
        self.results.itemActivated.connect(lambda item: self.choose_guest(item.data(Qt.ItemDataRole.UserRole)))
        self.new_guest_button = QPushButton(tr("新客人 (F2)", "New guest (F2)"), objectName="newGuestButton")
        self.new_guest_button.clicked.connect(self.start_new_guest)
        self.search_message = error_label("searchMessage")
        find_page = QWidget()
        find_layout = QVBoxLayout(find_page)
        find_layout.setContentsMargins(0, 0, 0, 0)
        find_layout.addWidget(self.search_edit)
        find_layout.addWidget(self.results, 1)
        find_layout.addWidget(self.search_message)
        find_layout.addWidget(self.new_guest_button)
        self.guest_form = GuestForm()
        self.guest_form.save_requested.connect(self.save_guest)
        back = QPushButton(tr("返回查找", "Back to search"), objectName="backToSearch")
        back.clicked.connect(self.back_to_search)
        form_page = QWidget()
        form_layout = QVBoxLayout(form_page)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.addWidget(self.guest_form, 1)
        form_layout.addWidget(back)
        self.person_stack = QStackedWidget()
        self.person_stack.addWidget(find_page)
        self.person_stack.addWidget(form_page)
        person = QGroupBox(tr("客人", "Guest"))
        person_layout = QVBoxLayout(person)
        person_layout.addWidget(self.person_stack)
        person.setMinimumWidth(400)

        # -- the booking ---------------------------------------------------------------------------------
        self.guest_label = QLabel(objectName="bookingGuest", wordWrap=True)
        self.guest_label.setStyleSheet("font-weight:bold; font-size:15px;")
        self.date_edit = QDateEdit(objectName="bookingDate", calendarPopup=True, displayFormat="yyyy-MM-dd ddd")
        self.date_edit.setMinimumDate(_qdate(today))
        self.date_edit.setMaximumDate(_qdate(today + dt.timedelta(days=366)))
        self.date_edit.setDate(_qdate(move.exam_date if move else max(day or today, today)))
        self.half_day = QComboBox(objectName="bookingHalfDay")
        for half in HalfDay:
            self.half_day.addItem(half.label(), half.value)
        if move:
            self.half_day.setCurrentIndex(self.half_day.findData(move.half_day.value))
        self.channel = QComboBox(objectName="bookingChannel")
        for how in (Channel.DESK, Channel.PHONE):
            self.channel.addItem(how.label(), how.value)
        self.contract = QComboBox(objectName="bookingContract")
        self.package = QComboBox(objectName="bookingPackage")
        self.item_filter = QLineEdit(objectName="bookingItemFilter",
                                     placeholderText=tr("筛选加项（Alt+I），空格勾选", "Filter items (Alt+I), Space ticks"))
        self.item_filter.textChanged.connect(self._filter_items)
        self.items = QListWidget(objectName="bookingItems")
        self.items.setMinimumHeight(120)
        self.items.itemChanged.connect(lambda _item: self.schedule_preview())
        self.note = QLineEdit(objectName="bookingNote", maxLength=200)
        date_row = QHBoxLayout()
        date_row.addWidget(self.date_edit, 1)
        date_row.addWidget(self.half_day)
        date_row.addWidget(self.channel)
        form = QFormLayout()
        form.addRow(tr("日期/时段 (&D)", "&Date / half-day"), date_row)
        form.addRow(tr("团检合同", "Group contract"), self.contract)
        form.addRow(tr("套餐 (&P)", "&Package"), self.package)
        form.addRow(tr("加项", "Extra items"), self.item_filter)
        form.addRow("", self.items)
        form.addRow(tr("备注", "Note"), self.note)
        for label_widget, buddy in ((0, self.date_edit), (2, self.package)):
            label = form.itemAt(label_widget, QFormLayout.ItemRole.LabelRole)
            if label is not None and isinstance(label.widget(), QLabel):
                label.widget().setBuddy(buddy)
        self.eligibility = QLabel(objectName="eligibilityBanner", wordWrap=True)
        self.capacity_label = QLabel(objectName="capacityLine", wordWrap=True)
        self.refusal = QLabel(objectName="capacityRefusal", wordWrap=True)
        self.refusal.setStyleSheet(LEVEL_STYLE["red"] + "padding:4px;")
        self.nearest_row = QHBoxLayout()
        self.nearest_buttons: list[QPushButton] = []
        self.override_reason = QLineEdit(objectName="overrideReason",
                                         placeholderText=tr("超额原因（主管）", "Reason to book over the limit (supervisor)"))
        self.override_button = QPushButton(tr("主管超额预约…", "Supervisor: book over the limit…"),
                                           objectName="overrideButton")
        self.override_button.clicked.connect(self.book_over_limit)
        override_row = QHBoxLayout()
        override_row.addWidget(self.override_reason, 1)
        override_row.addWidget(self.override_button)
        self.refusal_box = QWidget(objectName="refusalBox")
        refusal_layout = QVBoxLayout(self.refusal_box)
        refusal_layout.setContentsMargins(0, 0, 0, 0)
        refusal_layout.addWidget(self.refusal)
        refusal_layout.addLayout(self.nearest_row)
        refusal_layout.addLayout(override_row)
        self.refusal_box.hide()
        booking_box = QGroupBox(tr("预约", "Booking"))
        booking_layout = QVBoxLayout(booking_box)
        booking_layout.addWidget(self.guest_label)
        booking_layout.addLayout(form)
        booking_layout.addWidget(self.eligibility)
        booking_layout.addWidget(self.capacity_label)
        booking_layout.addWidget(self.refusal_box)
        booking_layout.addStretch()

        self.message = error_label("message")
        self.book_button = QPushButton(tr("确认预约 (Ctrl+Enter)", "Book (Ctrl+Enter)") if not move
                                       else tr("确认改期 (Ctrl+Enter)", "Move (Ctrl+Enter)"), objectName="bookButton")
        self.book_button.clicked.connect(self.book)
        cancel = QPushButton(tr("关闭 (Esc)", "Close (Esc)"), objectName="closeButton")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.book_button)
        columns = QHBoxLayout()
        columns.addWidget(person, 2)
        columns.addWidget(booking_box, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addLayout(buttons)

        for keys, slot in (("Ctrl+Return", self.book), ("Ctrl+Enter", self.book), ("F2", self.start_new_guest),
                           ("Alt+I", self.item_filter.setFocus), ("Alt+D", self.date_edit.setFocus),
                           ("Alt+P", self.package.setFocus)):
            QShortcut(QKeySequence(keys), self, activated=slot)
        for n in range(3):
            QShortcut(QKeySequence(f"Alt+{n + 1}"), self, activated=lambda n=n: self._pick_nearest(n))
        self.date_edit.dateChanged.connect(self._date_changed)
        self.half_day.currentIndexChanged.connect(lambda _i: self.schedule_preview())
        self.package.currentIndexChanged.connect(lambda _i: self.schedule_preview())
        self.contract.currentIndexChanged.connect(self._contract_changed)
        self._preview_timer = QTimer(self, singleShot=True, interval=120)
        self._preview_timer.timeout.connect(self.run_preview)

        self._fill_catalogue()
        if move:
            person.setEnabled(False)
            for widget in (self.channel, self.contract, self.package, self.item_filter, self.items, self.note):
                widget.setEnabled(False)
        fit_to_screen(self, 1180, 700)
        if self.guest_id is not None:
            self.choose_guest(self.guest_id)
        else:
            self._set_guest_text(None)
        (self.date_edit if move else self.search_edit).setFocus()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        # Ctrl+Enter books from any field (also when a field keeps the shortcut from firing).
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            event.accept()
            self.book()
            return
        super().keyPressEvent(event)

    # -- choices -------------------------------------------------------------------------------------

    def _fill_catalogue(self) -> None:
        self.package.blockSignals(True)
        self.package.clear()
        self.package.addItem(tr("（不选套餐，仅加项）", "(no package: items only)"), None)
        for choice in bookings.package_choices():
            self.package.addItem(choice.label, choice.id)
        if self.moving and self.moving.package_id:
            index = self.package.findData(self.moving.package_id)
            if index < 0:
                self.package.addItem(self.moving.package_name, self.moving.package_id)
                index = self.package.count() - 1
            self.package.setCurrentIndex(index)
        self.package.blockSignals(False)
        self.items.blockSignals(True)
        self.items.clear()
        chosen = set(self.moving.extra_item_ids) if self.moving else set()
        for choice in bookings.item_choices():
            item = QListWidgetItem(choice.label)
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if choice.id in chosen else Qt.CheckState.Unchecked)
            self.items.addItem(item)
        self.items.blockSignals(False)

    def _fill_contracts(self) -> None:
        self.contract.blockSignals(True)
        self.contract.clear()
        self.contract.addItem(tr("（个人，非团检）", "(personal, no contract)"), None)
        if self.guest_id is not None:
            for choice in bookings.contract_choices(self.guest_id, self.exam_date):
                self.contract.addItem(choice.label, choice.id)
        if self.moving and self.moving.contract_id:
            index = self.contract.findData(self.moving.contract_id)
            if index < 0:
                self.contract.addItem(self.moving.contract_name, self.moving.contract_id)
                index = self.contract.count() - 1
            self.contract.setCurrentIndex(index)
        self.contract.blockSignals(False)

    def _filter_items(self, text: str) -> None:
        text = text.strip().lower()
        first = None
        for row in range(self.items.count()):
            item = self.items.item(row)
            hidden = bool(text) and text not in item.text().lower()
            item.setHidden(hidden)
            if not hidden and first is None:
                first = item
        if first is not None:
            self.items.setCurrentItem(first)
        else:
            self.items.setCurrentRow(-1)  # nothing shown: Space must not tick a hidden item

    def checked_items(self) -> list[int]:
        return [self.items.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.items.count())
                if self.items.item(r).checkState() == Qt.CheckState.Checked]

    def check_item(self, item_id: int, checked: bool = True) -> None:
        for row in range(self.items.count()):
            item = self.items.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == item_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    @property
    def exam_date(self) -> dt.date:
        return _pydate(self.date_edit.date())

    def _date_changed(self, _value) -> None:
        if self.guest_id is not None and not self.moving:
            current = self.contract.currentData()
            self._fill_contracts()
            self.contract.setCurrentIndex(max(self.contract.findData(current), 0))
        self.schedule_preview()

    def _contract_changed(self, _index: int) -> None:
        grouped = self.contract.currentData() is not None
        if grouped:
            self.package.setCurrentIndex(0)   # the contract decides the package
        self.package.setEnabled(not grouped and not self.moving)
        self.schedule_preview()

    # -- the person ----------------------------------------------------------------------------------

    def run_search(self) -> None:
        text = self.search_edit.text().strip()
        if not text:
            return
        self._search_seq += 1
        seq = self._search_seq
        self.search_message.clear()
        run_in_background(lambda: search.search(text, day=clock.today()), lambda hits: self._show_hits(seq, hits),
                          lambda exc: self._search_failed(seq, exc), context=self)

    def _search_failed(self, seq: int, exc: BaseException) -> None:
        if seq != self._search_seq:
            return
        if isinstance(exc, UserError):
            self.search_message.setText(exc.message)
        else:
            raise exc

    def _show_hits(self, seq: int, hits) -> None:
        if seq != self._search_seq:
            return
        self.results.clear()
        seen = set()
        for hit in hits:
            if hit.guest_id in seen:
                continue
            seen.add(hit.guest_id)
            birth = hit.birth_date.isoformat() if hit.birth_date else ""
            sex = Sex(hit.sex).label() if hit.sex in ("M", "F") else ""
            item = QListWidgetItem(f"{hit.name}  {sex}  {birth}  {hit.phone_masked}  {hit.id_number_masked}")
            item.setData(Qt.ItemDataRole.UserRole, hit.guest_id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
            self.results.setFocus()
        else:
            self.search_message.setText(tr("没有找到，按 F2 登记新客人", "Nobody found; F2 registers a new guest"))

    def choose_guest(self, guest_id: int) -> None:
        self.guest_id = guest_id
        self._fill_contracts()
        run_in_background(lambda: bookings.guest_summary(guest_id), self._set_guest_text, self._failed, context=self)
        if self.contract.count() > 1 and not self.moving:
            self.contract.setCurrentIndex(1)     # on a roster: the group booking is the likely one
        self.schedule_preview()
        if not self.moving:
            self.date_edit.setFocus()

    def _set_guest_text(self, summary) -> None:
        if summary is None:
            self.guest_label.setText(tr("请先查找或登记客人", "Find or register the guest first"))
            return
        self.guest_label.setText(summary.text(self.exam_date))

    def start_new_guest(self) -> None:
        if self.moving:
            return
        self.guest_form.load_organisations()
        self.guest_form.clear()
        self._accept_mismatches = False
        self.person_stack.setCurrentIndex(1)
        self.guest_form.name.setFocus()

    def back_to_search(self) -> None:
        self.person_stack.setCurrentIndex(0)
        self.search_edit.setFocus()

    def save_guest(self) -> None:
        if not self.guest_form.check_fields():
            widget = self.guest_form.first_error_widget()
            if widget is not None:
                widget.setFocus()
            return
        try:
            inp = self.guest_form.read()
            verified = guests.verify(inp, clock.today())
            if verified.mismatches and not self._accept_mismatches:
                self.guest_form.show_mismatches(list(verified.mismatches))
                self._accept_mismatches = True   # Enter again saves what was typed
                return
            guest = guests.register(self.session, inp, today=clock.today(), accept_mismatches=self._accept_mismatches)
        except DuplicateGuestError as exc:
            # The person is on file already: list them to choose instead of registering twice.
            self.person_stack.setCurrentIndex(0)
            self.results.clear()
            for g in exc.candidates:
                item = QListWidgetItem(f"{g.name}  {g.birth_date or ''}  {g.phone or ''}")
                item.setData(Qt.ItemDataRole.UserRole, g.id)
                self.results.addItem(item)
            self.results.setCurrentRow(0)
            self.results.setFocus()
            self.search_message.setText(exc.message)
            return
        except ValidationError as exc:
            if not self.guest_form.show_error(exc.field, exc.message):
                self.message.setText(exc.message)
            return
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.person_stack.setCurrentIndex(0)
        self.choose_guest(guest.id)

    # -- preview -------------------------------------------------------------------------------------

    def schedule_preview(self) -> None:
        self._preview_timer.start()

    def _request(self) -> dict:
        return dict(package_id=self.package.currentData(), item_ids=self.checked_items(),
                    contract_id=self.contract.currentData())

    def run_preview(self) -> None:
        if self.guest_id is None:
            return
        self._preview_seq += 1
        seq = self._preview_seq
        guest_id, day, request = self.guest_id, self.exam_date, self._request()
        exclude = self.moving.id if self.moving else None
        if request["package_id"] is None and request["contract_id"] is None and not request["item_ids"]:
            self.eligibility.setText(tr("请选择套餐或加项", "Choose a package or items"))
            self.eligibility.setStyleSheet(LEVEL_STYLE["none"] + "padding:4px;")
            self.capacity_label.clear()
            return
        run_in_background(lambda: bookings.preview(guest_id, day, exclude_booking_id=exclude, **request),
                          lambda p: self._show_preview(seq, p), self._failed, context=self)

    def _show_preview(self, seq: int, preview: bookings.BookingPreview) -> None:
        if seq != self._preview_seq:
            return
        self.last_preview = preview
        self.eligibility.setText(preview.banner)
        self.eligibility.setStyleSheet(LEVEL_STYLE["green" if preview.eligible else "red"] + "padding:4px;")
        self.capacity_label.setText(tr("{d} 接待量：", "Capacity on {d}: ", d=f"{self.exam_date:%Y-%m-%d}")
                                    + tr("；", "; ").join(load_text(s) for s in preview.needed
                                                         if s.limit is not None or s.station_id is None))
        worst = "red" if preview.full else ("amber" if any(s.level == "amber" for s in preview.needed) else "green")
        self.capacity_label.setStyleSheet(LEVEL_STYLE[worst] + "padding:4px;")
        if preview.full:
            self._show_refusal(tr("{d} 已约满：{w}", "{d} is full: {w}", d=f"{self.exam_date:%Y-%m-%d}",
                                  w=tr("、", ", ").join(load_text(s) for s in preview.full)), preview.nearest)
        else:
            self.refusal_box.hide()

    def _show_refusal(self, text: str, nearest) -> None:
        self.refusal.setText(text + "\n" + tr("最近可约（Alt+1..3 选择）：", "Nearest dates that fit (Alt+1..3):"))
        for button in self.nearest_buttons:
            self.nearest_row.removeWidget(button)
            button.deleteLater()
        self.nearest_buttons = []
        for n, day in enumerate(nearest):
            button = QPushButton(f"{n + 1}. {day:%m-%d} {capacity.weekday_name(day.weekday())}",
                                 objectName=f"nearestDate{n}")
            button.setProperty("day", day.isoformat())
            button.clicked.connect(lambda _checked=False, d=day: self.use_date(d))
            self.nearest_row.addWidget(button)
            self.nearest_buttons.append(button)
        if not nearest:
            none = QPushButton(tr("前后{n}天均无空位", "None within {n} days", n=capacity.HORIZON_DAYS))
            none.setEnabled(False)
            self.nearest_row.addWidget(none)
            self.nearest_buttons.append(none)
        self.refusal_box.show()

    def _pick_nearest(self, n: int) -> None:
        if self.refusal_box.isVisible() and n < len(self.nearest_buttons) and self.nearest_buttons[n].isEnabled():
            self.nearest_buttons[n].click()

    def use_date(self, day: dt.date) -> None:
        self.date_edit.setDate(_qdate(day))
        self.refusal_box.hide()
        self.message.clear()
        self.date_edit.setFocus()

    # -- booking -------------------------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> None:
        self.book_button.setEnabled(True)
        if isinstance(exc, capacity.CapacityFullError):
            self._show_refusal(exc.message.split(tr("。", ". "))[0], exc.nearest)
            self.message.setText(tr("该日已约满，请选其他日期或由主管超额预约",
                                    "That date is full: choose another or a supervisor books over the limit"))
            return
        if isinstance(exc, UserError):
            self.message.setText(exc.message)
            return
        from frontdesk.ui.error_dialogs import show_error

        show_error(self, exc)

    def book(self, override_session: Session | None = None, override_reason: str = "") -> None:
        if not self.book_button.isEnabled():
            return
        if self.guest_id is None:
            self.message.setText(tr("请先查找或登记客人", "Find or register the guest first"))
            self.search_edit.setFocus()
            return
        session = override_session or self.session
        guest_id, day, half = self.guest_id, self.exam_date, self.half_day.currentData()
        self.message.clear()
        self.book_button.setEnabled(False)
        if self.moving:
            booking_id, version = self.moving.id, getattr(self.moving, "version", None)  # as read
            work = lambda: bookings.move_booking(session, booking_id, day, half_day=half,  # noqa: E731
                                                 override_reason=override_reason, version=version)
        else:
            request = self._request()
            channel, note = self.channel.currentData(), self.note.text()
            work = lambda: bookings.create_booking(session, guest_id, day, half_day=half, channel=channel,  # noqa: E731
                                                   note=note, override_reason=override_reason, **request)
        run_in_background(work, self._booked, self._failed, context=self)

    def book_over_limit(self) -> None:
        reason = self.override_reason.text().strip()
        if not reason:
            self.message.setText(tr("请填写超额原因", "Enter the reason to book over the limit"))
            self.override_reason.setFocus()
            return
        from frontdesk.ui.supervisor_dialog import authorise

        signed = authorise(self, self.session, tr("超额预约", "Booking over the limit"))
        if signed is not None:
            self.book(signed, reason)

    def _booked(self, view: BookingView) -> None:
        self.book_button.setEnabled(True)
        self.result_view = view
        self.accept()
