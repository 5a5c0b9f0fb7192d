"""报到登记: the check-in desk.

Keyboard path for a booked guest: scan the booking (or ID card, phone...) ->
Enter confirms the person -> Enter in the payment takes the money and checks
in -> Enter prints the receipt and the guide sheet. New people: F4, type,
Enter. Search runs off the UI thread and is debounced, so typing never
freezes the window.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QMessageBox, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from frontdesk import clock, config
from frontdesk.domain.codes import CodeKind, looks_like_code, may_be_code
from frontdesk.domain.enums import VisitSource
from frontdesk.domain.money import format_amount
from frontdesk.domain.sex import Sex
from frontdesk.domain.text import normalize_digits
from frontdesk.errors import DuplicateGuestError, UserError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import catalogue, checkin, eligibility, guests, payments, search, site_settings
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.session import Session
from frontdesk.storage import models as m
from frontdesk.ui.error_dialogs import show_error
from frontdesk.ui.guest_form import GuestForm
from frontdesk.ui.payment_panel import PaymentPanel
from frontdesk.services.changes import Topic
from frontdesk.ui import live_refresh
from frontdesk.ui.worker import run_in_background
from frontdesk.ui.widgets import error_label

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 250
ZERO = Decimal("0.00")


def _name(row) -> str:
    return tr(row.name, getattr(row, "name_en", "") or row.name)


def route_text(steps: list[checkin.RouteStep]) -> str:
    """The route as on the guide sheet: the same stations, numbers and order, with what the queue counts."""
    stops = []
    for step in steps:
        queue = tr("排队 {n} 人", "{n} waiting", n=step.waiting) if step.waiting else tr("无需排队", "no queue")
        stops.append(tr("{o} {s}（{q}）", "{o} {s} ({q})", o=step.order, s=step.station_name, q=queue))
    legend = tr("排队人数：已报到、在该科室尚未完成的客人", "Waiting: guests checked in and not yet done at that station")
    return tr("路线（同导检单）：", "Route (as on the guide sheet): ") + " → ".join(stops) + "\n" + legend


def _is_today_booking(hit) -> bool:
    return hit.kind == "booking" and hit.rank == search.TODAY_BOOKING and hit.status == "booked"


class CheckInScreen(QWidget):
    checked_in = Signal(object)  # CheckInResult
    print_labels_requested = Signal(int)  # visit id: the labels screen prints them
    # A guide sheet or deferral slip scanned into the search is no new check-in: the main window routes it
    # (an open visit's close-out, the make-up check-in) as it routes any scan.
    code_scanned = Signal(str)

    def __init__(self, session: Session, settings: config.WorkstationSettings, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.request: CheckInRequest | None = None
        self.result: checkin.CheckInResult | None = None
        self._search_seq = 0
        self._hits: list = []
        self._auto_pick = False
        self.eligible = False
        self.booked_package_refusal = ""

        title = QLabel(tr("报到登记", "Check-in"), objectName="pageTitle")
        self.search_box = QLineEdit(objectName="checkinSearch", placeholderText=tr(
            "身份证号 / 手机号 / 体检号 / 预约号 / 姓名 / 拼音首字母（如 zsf）", "ID number / mobile / visit / booking / name "
            "/ pinyin initials (e.g. zsf)"))
        self.search_box.setStyleSheet("font-size: 14pt; padding: 6px;")
        self.search_box.textEdited.connect(self._schedule_search)
        self.search_box.returnPressed.connect(self._search_now_and_pick)
        self.search_message = error_label("searchMessage")
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self._run_search)
        live_refresh.subscribe(self, [Topic.QUEUE], self._refresh_hits)  # arrivals checked in at other desks
        new_guest = QPushButton(tr("新客人 (F4)", "New guest (F4)"), objectName="newGuest")
        new_guest.clicked.connect(self.start_new_guest)
        QShortcut(QKeySequence("F4"), self, activated=self.start_new_guest)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)
        QShortcut(QKeySequence("Escape"), self, activated=self.next_guest)

        self.results = QTableWidget(0, 7, objectName="searchResults")
        self.results.setHorizontalHeaderLabels([tr("类别", "Kind"), tr("姓名", "Name"), tr("性别", "Sex"),
                                                tr("证件号", "ID number"), tr("手机", "Mobile"),
                                                tr("体检号/预约号", "Visit/booking"), tr("日期 · 状态 · 套餐", "Date · status · package")])
        self.results.verticalHeader().setVisible(False)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.horizontalHeader().setStretchLastSection(True)
        self.results.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.results.setMaximumHeight(170)
        self.results.activated.connect(lambda index: self.pick_hit(index.row()))

        self.guest_form = GuestForm()
        self.guest_form.save_requested.connect(self.save_guest)
        self.banner = QLabel(objectName="banner")
        self.banner.setWordWrap(True)
        self.confirm_guest = QPushButton(tr("核对无误，去收费 (Enter)", "Details checked, go to payment (Enter)"),
                                         objectName="confirmGuest")
        self.confirm_guest.clicked.connect(self.go_to_payment)

        self.contract = QComboBox(objectName="contract")
        self.package = QComboBox(objectName="package")
        self.items = QListWidget(objectName="items")
        self.addon = QComboBox(objectName="addon", editable=True)
        self.addon.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        add_item = QPushButton(tr("增项", "Add item"), objectName="addItem")
        add_item.clicked.connect(self.add_selected_item)
        for combo in (self.contract, self.package, self.addon):
            # Long package and item names must not widen the whole window.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
        self.contract.currentIndexChanged.connect(self._contract_changed)
        self.package.currentIndexChanged.connect(self._package_changed)
        self.items.itemChanged.connect(lambda _item: self.refresh_quote())

        self.quote_table = QTableWidget(0, 3, objectName="quoteTable")
        self.quote_table.setHorizontalHeaderLabels([tr("项目", "Item"), tr("支付方", "Payer"), tr("金额", "Amount")])
        self.quote_table.verticalHeader().setVisible(False)
        self.quote_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.quote_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.totals = QLabel(objectName="totals")
        self.totals.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.totals.setWordWrap(True)
        self.payment = PaymentPanel()
        self.payment.submit_requested.connect(self.do_check_in)
        self.locker = QLineEdit(objectName="locker", placeholderText=tr("存衣牌号（可选）", "Belongings tag (optional)"))
        self.check_in_button = QPushButton(tr("确认报到并收费 (F9)", "Check in and take payment (F9)"),
                                           objectName="checkInButton")
        self.check_in_button.setProperty("primary", True)
        self.check_in_button.clicked.connect(self.do_check_in)
        QShortcut(QKeySequence("F9"), self, activated=self.do_check_in)

        self.done_box = QGroupBox(tr("报到完成", "Checked in"), objectName="doneBox")
        self.done_text = QLabel(objectName="doneText")
        self.done_text.setWordWrap(True)
        self.print_all = QPushButton(tr("打印收据和导检单 (Enter)", "Print receipt and guide sheet (Enter)"),
                                     objectName="printAll")
        self.print_all.setProperty("primary", True)
        self.print_all.clicked.connect(self.print_documents)
        preview_receipt = QPushButton(tr("预览收据", "Preview receipt"), objectName="previewReceipt")
        preview_receipt.clicked.connect(lambda: self.preview("receipt"))
        preview_guide = QPushButton(tr("预览导检单", "Preview guide sheet"), objectName="previewGuide")
        preview_guide.clicked.connect(lambda: self.preview("guide"))
        self.labels_button = QPushButton(tr("打印条码 (F12)", "Print labels (F12)"), objectName="printLabels")
        self.labels_button.clicked.connect(self._request_labels)
        QShortcut(QKeySequence("F12"), self, activated=self._request_labels)
        next_button = QPushButton(tr("下一位 (Esc)", "Next guest (Esc)"), objectName="nextGuest")
        next_button.clicked.connect(self.next_guest)
        # The result across the whole width, in the body font: it must leave the columns whole on a 768-pixel screen.
        done_layout = QVBoxLayout(self.done_box)
        done_layout.addWidget(self.done_text)
        done_buttons = QHBoxLayout()
        for button in (self.print_all, preview_receipt, preview_guide, self.labels_button, next_button):
            done_buttons.addWidget(button)
        done_layout.addLayout(done_buttons)
        self.done_box.hide()

        # -- layout -------------------------------------------------------------
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.search_box, 1)
        top.addWidget(new_guest)
        left = QVBoxLayout()
        left.addWidget(self.guest_form)
        left.addWidget(self.banner)
        left.addWidget(self.confirm_guest)
        left.addStretch()
        middle_box = QGroupBox(tr("套餐与项目", "Package and items"))
        middle = QVBoxLayout(middle_box)
        middle.addWidget(QLabel(tr("团检合同", "Group contract")))
        middle.addWidget(self.contract)
        middle.addWidget(QLabel(tr("套餐", "Package")))
        middle.addWidget(self.package)
        middle.addWidget(QLabel(tr("项目（取消勾选为减项）", "Items (untick to remove)")))
        middle.addWidget(self.items, 1)
        addon_row = QHBoxLayout()
        addon_row.addWidget(self.addon, 1)
        addon_row.addWidget(add_item)
        middle.addLayout(addon_row)
        right_box = QGroupBox(tr("收费", "Payment"))
        right = QVBoxLayout(right_box)
        right.addWidget(self.quote_table, 1)
        right.addWidget(self.totals)
        right.addWidget(self.payment)
        right.addWidget(self.locker)
        right.addWidget(self.check_in_button)
        columns = QSplitter()
        left_widget = QWidget()
        left_widget.setLayout(left)
        for widget in (left_widget, middle_box, right_box):
            columns.addWidget(widget)
        columns.setSizes([380, 380, 440])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.search_message)
        layout.addWidget(self.results)
        layout.addWidget(self.done_box)
        layout.addWidget(columns, 1)
        self._loading = False
        self.guest_form.load_organisations()
        self._fill_addons()
        for widget in (self.confirm_guest, self.check_in_button, self.print_all, self.contract, self.package):
            widget.installEventFilter(self)
        self._set_stage("search")

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        """Enter on this screen's buttons presses them (Qt buttons outside dialogs ignore it),
        and Enter on the contract/package choice moves on to confirming the guest.

        A filter sees the key where it was pressed: a key that a line edit passes on
        to its parents after it has moved the focus must not press the next button too.
        """
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if isinstance(obj, QPushButton):
                obj.click()
                return True
            if obj in (self.contract, self.package) and self.stage == "guest" and not obj.view().isVisible():
                self.confirm_guest.setFocus()
                return True
        return False

    # -- stages -----------------------------------------------------------------
    def _set_stage(self, stage: str) -> None:
        """search -> guest (confirm) -> pay -> done; widgets follow the stage."""
        self.stage = stage
        has_guest = self.request is not None
        self.confirm_guest.setVisible(stage == "guest")
        for widget in (self.contract, self.package, self.items, self.addon, self.locker, self.payment):
            widget.setEnabled(has_guest and stage in ("guest", "pay"))
        self.check_in_button.setEnabled(has_guest and stage in ("guest", "pay") and self.eligible)
        # The payment taken is in the result; its fields make room for it (a 768-pixel screen).
        self.payment.setVisible(stage != "done")
        self.locker.setVisible(stage != "done")
        self.banner.setVisible(stage != "done")
        # After check-in the search results are done with: their room goes to the result.
        self.results.setVisible(stage != "done")
        # Shown last: showing it while the rest still takes its room would grow the window off the screen.
        self.done_box.setVisible(stage == "done")

    @property
    def today(self) -> dt.date:
        """The desk's day, read at each use: a desk left open past midnight works on the new day."""
        return clock.today()

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def search_for(self, text: str) -> None:
        """Called by the main window when a scan is not a visit/specimen/receipt code."""
        self.search_box.setText(text)
        self._search_now_and_pick()

    def next_guest(self) -> None:
        self.request = None
        self.result = None
        self.eligible = False
        self.booked_package_refusal = ""
        self.guest_form.clear()
        self.banner.clear()
        self.banner.setProperty("state", "")
        self.results.setRowCount(0)
        self.quote_table.setRowCount(0)
        self.items.clear()
        self.contract.clear()
        self.package.clear()
        self.totals.clear()
        self.locker.clear()
        self.payment.reset(ZERO, ZERO)
        self.search_box.clear()
        self.search_message.clear()
        self._set_stage("search")
        self.focus_search()

    # -- search -----------------------------------------------------------------
    def _schedule_search(self) -> None:
        self._auto_pick = False
        self._timer.start()

    def _search_now_and_pick(self) -> None:
        self._timer.stop()
        text = self.search_box.text().strip()
        digits = normalize_digits(text)
        kind = looks_like_code(digits) if may_be_code(digits) else None  # a mobile phone is searched
        if kind in (CodeKind.DEFERRAL, CodeKind.VISIT):
            self.search_box.clear()  # so the next scan starts afresh when the desk comes back here
            self.code_scanned.emit(text)
            return
        self._auto_pick = True
        self._run_search()

    def _run_search(self) -> None:
        text = self.search_box.text().strip()
        self.search_message.clear()
        if len(text) < 1:
            self.results.setRowCount(0)
            return
        self._search_seq += 1
        seq, day = self._search_seq, self.today
        run_in_background(lambda: search.search(text, day=day, limit=30),
                          lambda hits: self._show_hits(seq, hits), lambda exc: self._search_failed(seq, exc),
                          context=self)

    def _refresh_hits(self) -> None:
        """Another desk checked someone in: the hits shown (today's bookings, visits) reload; nothing is picked."""
        if self.stage == "search" and self.search_box.text().strip() and not self._timer.isActive():
            self._auto_pick = False
            self._run_search()

    def _search_failed(self, seq: int, exc: BaseException) -> None:
        if seq != self._search_seq:
            return
        if isinstance(exc, UserError):
            self.search_message.setText(exc.message)
            self.results.setRowCount(0)
            return
        show_error(self, exc)

    def _show_hits(self, seq: int, hits: list) -> None:
        if seq != self._search_seq:
            return  # an older query answered late: the desk has typed on
        self._hits = hits
        self.results.setRowCount(len(hits))
        kinds = {"booking": tr("预约", "Booking"), "visit": tr("体检", "Visit"), "guest": tr("客人", "Guest")}
        for r, hit in enumerate(hits):
            date_text = hit.date.isoformat() if hit.date else ""
            cells = (kinds.get(hit.kind, hit.kind), hit.name, Sex(hit.sex).label() if hit.sex else "",
                     hit.id_number_masked, hit.phone_masked, hit.number or "",
                     " · ".join(x for x in (date_text, hit.status_label, hit.package_name) if x))
            for c, value in enumerate(cells):
                self.results.setItem(r, c, QTableWidgetItem(value or ""))
        if not hits:
            self.search_message.setText(tr("没有找到。按 F4 登记新客人。", "Nothing found. Press F4 to register a new guest."))
        elif self._auto_pick and (len(hits) == 1 or _is_today_booking(hits[0])):
            self.pick_hit(0)
            return
        if hits:
            self.results.selectRow(0)
        if self._auto_pick and hits:
            self.results.setFocus()

    def pick_hit(self, row: int) -> None:
        if not 0 <= row < len(self._hits):
            return
        hit = self._hits[row]
        try:
            if _is_today_booking(hit):
                request = checkin.draft_from_booking(hit.booking_id)
            elif hit.visit_id is not None and hit.visit_date == self.today:
                self._show_existing_visit(hit.visit_id)
                return
            else:
                request = CheckInRequest(guest_id=hit.guest_id)
            self.load_request(request)
        except UserError as exc:
            show_error(self, exc)

    def _show_existing_visit(self, visit_id: int) -> None:
        window = self.window()
        if hasattr(window, "open_visit"):
            window.open_visit(visit_id)
        self.search_message.setText(tr("该客人今天已报到，已打开其体检记录。", "Already checked in today: the visit is opened."))

    # -- the guest ---------------------------------------------------------------
    def start_new_guest(self) -> None:
        self.next_guest()
        self.guest_form.set_editable(True)
        self.guest_form.name.setFocus()
        self._set_stage("register")

    def save_guest(self) -> None:
        if not self.guest_form.check_fields():
            widget = self.guest_form.first_error_widget()
            if widget is not None:
                widget.setFocus()
            return
        try:
            inp = self.guest_form.read()
            verified = guests.verify(inp, self.today)
            if verified.mismatches:
                self.guest_form.show_mismatches(list(verified.mismatches))
                answer = QMessageBox.question(
                    self, tr("信息不一致", "Details differ"),
                    "\n".join(x.message for x in verified.mismatches) + "\n\n" +
                    tr("是否仍按输入的信息保存？选“否”可改用证件信息。", "Save what was typed anyway? Choose No to use the ID's values."))
                if answer != QMessageBox.StandardButton.Yes:
                    return
            guest = self._store_guest(inp, accept=bool(verified.mismatches))
        except ValidationError as exc:
            if not self.guest_form.show_error(exc.field, exc.message):
                show_error(self, exc)
            widget = self.guest_form.first_error_widget()
            if widget is not None:
                widget.setFocus()
            return
        except UserError as exc:
            show_error(self, exc)
            return
        if guest is not None:
            self.guest_form.load_organisations()
            self.load_request(CheckInRequest(guest_id=guest.id))

    def _store_guest(self, inp, *, accept: bool, allow=None):
        try:
            if self.guest_form.guest_id is None:
                return guests.register(self.session, inp, today=self.today, accept_mismatches=accept,
                                       allow_duplicate_of=allow)
            return guests.update(self.session, self.guest_form.guest_id, inp, today=self.today,
                                 accept_mismatches=accept, allow_duplicate_of=allow,
                                 version=self.guest_form.guest_version)
        except DuplicateGuestError as exc:
            return self._resolve_duplicate(inp, exc, accept)

    def _resolve_duplicate(self, inp, exc: DuplicateGuestError, accept: bool):
        """A likely duplicate: use the existing record rather than create the person twice."""
        from frontdesk.domain.masking import mask_id_number, mask_phone

        lines = [f"{g.name}  {mask_id_number(g.id_number or '')}  {mask_phone(g.phone or '')}  "
                 f"{g.birth_date.isoformat() if g.birth_date else ''}" for g in exc.candidates]
        box = QMessageBox(QMessageBox.Icon.Question, tr("可能是同一个人", "Possibly the same person"),
                          exc.message + "\n\n" + "\n".join(lines), parent=self)
        box.setObjectName("duplicateBox")
        use = box.addButton(tr("使用已有记录", "Use the existing record"), QMessageBox.ButtonRole.AcceptRole)
        same_number = any(g.id_number and g.id_number == guests.normalise_document_number(inp.id_type, inp.id_number)
                          for g in exc.candidates)
        new = None
        if not same_number:
            new = box.addButton(tr("不是同一人，新建", "Different person: register"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(tr("取消", "Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(use)
        box.exec()
        if box.clickedButton() is use:
            return exc.candidates[0]
        if new is not None and box.clickedButton() is new:
            return self._store_guest(inp, accept=accept, allow=[g.id for g in exc.candidates])
        return None

    # -- the request ---------------------------------------------------------------
    def load_request(self, request: CheckInRequest) -> None:
        """Show the guest, the contract and package choices and the live quote."""
        self.request = request
        guest = guests.get_guest(request.guest_id)
        self.guest = guest
        self.guest_form.show_guest(guests.guest_view(guest.id), self.today)  # the form keeps its version
        self._loading = True
        try:
            self.contract.clear()
            self.contract.addItem(tr("（个人体检）", "(individual)"), None)
            for contract in eligibility.active_contracts_for(guest, self.today):
                self.contract.addItem(f"{contract.organisation.name} · {contract.name}", contract.id)
            self.contract.setCurrentIndex(max(self.contract.findData(request.contract_id), 0))
            self._fill_packages()
            if request.package_id is None and request.contract_id is not None:
                check = eligibility.check(guest, package_id=None, contract_id=request.contract_id, day=self.today)
                request.package_id = check.package_id_suggested
            self.booked_package_refusal = self._refusal_of_booked_package(request)
            self.package.setCurrentIndex(max(self.package.findData(request.package_id), 0))
            request.package_id = self.package.currentData()
            self._fill_items()
        finally:
            self._loading = False
        self.refresh_quote()
        self._set_stage("guest")
        # A booking brings its package; otherwise the desk picks one first (arrow keys, Enter).
        (self.confirm_guest if request.package_id is not None else self.package).setFocus()

    def _refusal_of_booked_package(self, request: CheckInRequest) -> str:
        """Why the package the guest came with is not on offer to them (it is left out of the list), or "".

        Without this the booking's package silently vanished and the desk saw only "choose a package".
        """
        if request.package_id is None or self.package.findData(request.package_id) >= 0:
            return ""
        check = eligibility.check(self.guest, package_id=request.package_id, contract_id=request.contract_id,
                                  day=self.today)
        package = m.Package.get_or_none(m.Package.id == request.package_id)
        name = _name(package) if package is not None else "?"
        why = "；".join(check.reasons) if check.reasons else tr("该套餐目前不提供", "the package is not offered now")
        return tr("预约的套餐“{p}”不能使用：{why}。请为客人另选套餐。",
                  "The booked package “{p}” cannot be used: {why}. Choose another package for the guest.",
                  p=name, why=why)

    def _fill_packages(self) -> None:
        from frontdesk.domain.idnumber import age_on

        age = age_on(self.guest.birth_date, self.today) if self.guest.birth_date else None
        self.package.clear()
        self.package.addItem(tr("（不选套餐，单项）", "(no package: single items)"), None)
        for p in catalogue.active_packages():
            if p.sex_restriction not in (None, self.guest.sex):
                continue  # a package that does not fit the sex is not offered at all
            if age is not None and ((p.min_age and age < p.min_age) or (p.max_age and age > p.max_age)):
                continue
            if p.for_groups and self.contract.currentData() is None:
                continue
            self.package.addItem(f"{_name(p)}  {format_amount(p.price)}", p.id)

    def _fill_items(self) -> None:
        self.items.blockSignals(True)
        self.items.clear()
        if self.request.package_id is not None:
            for item in catalogue.package_items(self.request.package_id):
                entry = QListWidgetItem(f"{_name(item)}  {format_amount(item.price)}")
                entry.setData(Qt.ItemDataRole.UserRole, item.id)
                entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                removed = item.id in self.request.removed_item_ids
                entry.setCheckState(Qt.CheckState.Unchecked if removed else Qt.CheckState.Checked)
                self.items.addItem(entry)
        for item in m.ExamItem.select().where(m.ExamItem.id.in_(self.request.added_item_ids or [0])):
            entry = QListWidgetItem(tr("【增项】", "[add-on] ") + f"{_name(item)}  {format_amount(item.price)}")
            entry.setData(Qt.ItemDataRole.UserRole, item.id)
            entry.setData(Qt.ItemDataRole.UserRole + 1, "addon")
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Checked)
            self.items.addItem(entry)
        self.items.blockSignals(False)

    def _fill_addons(self) -> None:
        self.addon.clear()
        for item in catalogue.active_items():
            self.addon.addItem(f"{_name(item)} ({item.code})  {format_amount(item.price)}", item.id)
        self.addon.setCurrentIndex(-1)
        self.addon.completer().setFilterMode(Qt.MatchFlag.MatchContains)

    def _contract_changed(self) -> None:
        if self._loading or self.request is None:
            return
        self.request.contract_id = self.contract.currentData()
        self.request.source = VisitSource.GROUP if self.request.contract_id else (
            VisitSource.BOOKING if self.request.booking_id else VisitSource.WALK_IN)
        self._loading = True
        try:
            self._fill_packages()
            if self.request.contract_id is not None:
                check = eligibility.check(self.guest, package_id=None, contract_id=self.request.contract_id,
                                          day=self.today)
                self.package.setCurrentIndex(max(self.package.findData(check.package_id_suggested), 0))
        finally:
            self._loading = False
        self._package_changed()

    def _package_changed(self) -> None:
        if self._loading or self.request is None:
            return
        self.request.package_id = self.package.currentData()
        self.request.removed_item_ids = []
        self._fill_items()
        self.refresh_quote()

    def add_selected_item(self) -> None:
        item_id = self.addon.currentData()
        if self.request is None or item_id is None:
            return
        package_ids = {self.items.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.items.count())}
        if item_id in package_ids and item_id not in self.request.removed_item_ids:
            self.banner_message(tr("该项目已在套餐内。", "That item is already in the package."), "info")
            return
        if item_id in self.request.removed_item_ids:
            self.request.removed_item_ids.remove(item_id)
        else:
            self.request.added_item_ids.append(item_id)
        self._fill_items()
        self.addon.setCurrentIndex(-1)
        self.refresh_quote()

    def _read_items(self) -> None:
        removed, added = [], []
        for i in range(self.items.count()):
            entry = self.items.item(i)
            item_id = entry.data(Qt.ItemDataRole.UserRole)
            checked = entry.checkState() == Qt.CheckState.Checked
            if entry.data(Qt.ItemDataRole.UserRole + 1) == "addon":
                if checked:
                    added.append(item_id)
            elif not checked:
                removed.append(item_id)
        self.request.removed_item_ids = removed
        self.request.added_item_ids = added

    def refresh_quote(self) -> None:
        """The live total and the eligibility banner, after every change of selection."""
        if self.request is None or self._loading:
            return
        self._read_items()
        try:
            check = eligibility.check(self.guest, package_id=self.request.package_id,
                                      item_ids=self.request.added_item_ids, contract_id=self.request.contract_id,
                                      day=self.today)
            self.banner_message(check.banner(), "ok" if check.ok else "bad")
            self.eligible = check.ok
            quote = checkin.quote(self.request, self.today)
        except UserError as exc:
            self.banner_message(exc.message, "bad")
            self.eligible = False
            return
        self.quote = quote
        self.quote_table.setRowCount(len(quote.lines))
        for r, line in enumerate(quote.lines):
            for c, value in enumerate((line.description, line.payer.label(), format_amount(line.amount))):
                cell = QTableWidgetItem(value)
                if c == 2:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.quote_table.setItem(r, c, cell)
        self.totals.setText(tr("合计 {t}\n个人应付 {g}　单位支付 {o}", "Total {t}\nGuest {g}   Org. {o}",
                               t=format_amount(quote.total), g=format_amount(quote.guest_total),
                               o=format_amount(quote.org_total)))
        self.payment.reset(quote.guest_total, quote.org_total)
        if self.request.package_id is None and not self.request.added_item_ids:
            if self.booked_package_refusal:
                self.banner_message(self.booked_package_refusal, "bad")
            else:
                self.banner_message(tr("请选择套餐或单项。", "Choose a package or single items."), "info")
            self.eligible = False
        self.check_in_button.setEnabled(self.eligible and self.stage in ("guest", "pay"))

    def banner_message(self, text: str, state: str) -> None:
        self.banner.setText(text)
        self.banner.setProperty("state", state)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)

    def go_to_payment(self) -> None:
        if self.request is None:
            return
        self._set_stage("pay")
        target = self.payment.first_input() or self.check_in_button
        target.setFocus()

    # -- check-in -------------------------------------------------------------------
    def do_check_in(self) -> None:
        if self.request is None or self.stage not in ("guest", "pay"):
            return
        if not self.eligible:
            QApplication.beep()  # F9 works even while the button is disabled: say no here too
            return
        self._read_items()
        try:
            self.request.payments = self.payment.read()
            self.request.locker_tag = self.locker.text().strip() or None
            result = checkin.check_in(self.session, self.request, day=self.today)
        except UserError as exc:
            if exc.field in ("payments", "amount"):
                self.payment.show_error(exc.message)
            else:
                show_error(self, exc)
            return
        self.result = result
        self._show_done(result)
        self.checked_in.emit(result)

    def _show_done(self, result) -> None:
        steps = checkin.routing(result.visit.id, self.today)
        first = steps[0] if steps else None
        lines = [tr("体检号 {v}", "Visit {v}", v=result.visit.visit_no)]
        if result.receipt is not None:
            lines.append(tr("收据号 {r}", "Receipt {r}", r=result.receipt.receipt_no))
            change = sum((p.change for p in result.receipt.payments), ZERO)
            if change > ZERO:
                lines.append(tr("找零 {c}", "Change {c}", c=format_amount(change)))
        if getattr(result, "guide_preprinted", False):
            lines.append(tr("导检单和条码已在资料袋中（昨日备单），无需再打印", "The guide sheet and labels are in the "
                            "document bag (prepared the day before): nothing to print again"))
        if first is not None:
            lines.append(tr("请先到：{s}（{l}）— {why}", "First go to: {s} ({l}) — {why}", s=first.station_name,
                            l=first.location, why=first.reason))
        self.done_text.setText("　".join(lines) + "\n" + route_text(steps))
        self._set_stage("done")
        self.print_all.setFocus()

    def _request_labels(self) -> None:
        if self.result is not None:
            self.print_labels_requested.emit(self.result.visit.id)

    # -- printing ---------------------------------------------------------------------
    def _documents(self, kinds: tuple[str, ...] = ("receipt", "guide")):
        """(kind, PDF, what it shows) of the documents asked for; each is rendered only when asked."""
        from frontdesk.printing.guide_sheet import render_guide_sheet_pdf
        from frontdesk.printing.receipt import render_receipt_pdf
        from frontdesk.services.document_audit import PrintedDocument

        site = site_settings.load()
        docs = []
        if "receipt" in kinds and self.result.receipt is not None:
            data = payments.receipt_data(self.result.receipt.id, site)
            docs.append(("receipt", render_receipt_pdf(data, self.settings.receipt_format),
                         PrintedDocument.receipt(self.result.receipt.id, self.result.receipt.receipt_no)))
        if "guide" in kinds:
            guide = render_guide_sheet_pdf(checkin.guide_sheet_data(self.result.visit.id, site))
            docs.append(("guide", guide, PrintedDocument.guide_sheet(self.result.visit.id, self.result.visit.visit_no)))
        return docs

    def print_documents(self) -> None:
        """Print the receipt and the guide sheet, each on this desk's printer for it, off the UI
        thread; a document without a printer here opens its preview, where Enter saves it as PDF."""
        from frontdesk.printing.qt_document_printer import print_pdf_qt
        from frontdesk.services.document_audit import record_document_output
        from frontdesk.ui import document_preview_dialog

        if self.result is None:
            return
        jobs, no_printer = [], []
        try:
            # A prepared visit's guide sheet went into its document bag the day before: not printed again.
            kinds = ("receipt",) if getattr(self.result, "guide_preprinted", False) else ("receipt", "guide")
            for kind, pdf, document in self._documents(kinds):
                target = document_preview_dialog.PrintTarget.for_document(self.settings, kind)
                if target.problem:
                    no_printer.append(kind)
                else:
                    jobs.append((document_preview_dialog.printer_factory(target.printer_name), pdf, target, document))
        except UserError as exc:
            show_error(self, exc)
            return
        for kind in no_printer:
            self.preview(kind)
        if not jobs:
            return
        self.print_all.setEnabled(False)
        session = self.session

        def work():
            pages = 0
            for printer, pdf, target, document in jobs:
                printed = print_pdf_qt(printer, pdf, target.page_size_mm, paper_width_mm=target.paper_width_mm)
                where = printer.printerName() or target.printer_name or tr("默认打印机", "the default printer")
                record_document_output(session, document, pages=printed, destination=where)
                pages += printed
            return pages

        def done(pages):
            self.print_all.setEnabled(True)
            self.done_text.setText(self.done_text.text() + "\n" + tr("已打印 {n} 页。", "{n} pages printed.", n=pages))
            self.printed_pages = pages

        def failed(exc):
            self.print_all.setEnabled(True)
            show_error(self, exc)

        run_in_background(work, done, failed, context=self)

    def preview(self, which: str) -> None:
        from frontdesk.ui.document_preview_dialog import DocumentPreviewDialog

        if self.result is None:
            return
        for kind, pdf, document in self._documents((which,)):
            title = tr("收据", "Receipt") if kind == "receipt" else tr("导检单", "Guide sheet")
            dialog = DocumentPreviewDialog(title, pdf, kind=kind, settings=self.settings, session=self.session,
                                           document=document, parent=self)
            dialog.setObjectName(f"preview_{kind}")
            self.last_preview = dialog
            dialog.open()
