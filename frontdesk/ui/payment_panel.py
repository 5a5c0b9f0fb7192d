"""Taking the guest's money: one or more methods, cash with change.

The organisation's share of a group guest is charged to its account by the
service; this panel covers what the guest pays.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from frontdesk.domain.enums import PaymentMethod
from frontdesk.domain.money import format_amount, parse_amount
from frontdesk.errors import ValidationError
from frontdesk.i18n import tr
from frontdesk.services.payments import GUEST_METHODS, PaymentInput
from frontdesk.ui.widgets import error_label

ZERO = Decimal("0.00")


class _Row:
    def __init__(self, panel: "PaymentPanel", method: PaymentMethod, amount: Decimal) -> None:
        self.method = QComboBox()
        for m in GUEST_METHODS:
            self.method.addItem(m.label(), m.value)
        self.method.setCurrentIndex(self.method.findData(method.value))
        self.amount = QLineEdit(f"{amount:.2f}")
        self.tendered = QLineEdit(placeholderText=tr("实收（现金）", "tendered (cash)"))
        self.error = error_label("")
        self.method.currentIndexChanged.connect(self._method_changed)
        for edit in (self.amount, self.tendered):
            edit.textChanged.connect(panel.update_change)
            edit.returnPressed.connect(panel.submit_requested)
        self._method_changed()

    def _method_changed(self) -> None:
        self.tendered.setEnabled(self.method.currentData() == PaymentMethod.CASH.value)
        if not self.tendered.isEnabled():
            self.tendered.clear()


class PaymentPanel(QWidget):
    submit_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.guest_due = ZERO
        self.org_due = ZERO
        self.rows: list[_Row] = []
        self.grid = QGridLayout()
        self.grid.addWidget(QLabel(tr("支付方式", "Method")), 0, 0)
        self.grid.addWidget(QLabel(tr("金额", "Amount")), 0, 1)
        self.grid.addWidget(QLabel(tr("实收", "Tendered")), 0, 2)
        self.org_label = QLabel(objectName="orgShare")
        self.change_label = QLabel(objectName="change")
        self.change_label.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.error = error_label("paymentError")
        add = QPushButton(tr("+ 组合支付", "+ Split payment"), objectName="addPayment")
        add.clicked.connect(lambda: self.add_row(PaymentMethod.WECHAT, ZERO))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.grid)
        layout.addWidget(add)
        layout.addWidget(self.org_label)
        layout.addWidget(self.change_label)
        layout.addWidget(self.error)
        self.reset(ZERO, ZERO)

    def reset(self, guest_due: Decimal, org_due: Decimal) -> None:
        """One cash row for the whole guest share (the usual case at the desk)."""
        self.guest_due, self.org_due = guest_due, org_due
        for row in self.rows:
            for widget in (row.method, row.amount, row.tendered, row.error):
                self.grid.removeWidget(widget)
                widget.hide()  # gone from the screen now, not at the next turn of the event loop
                widget.deleteLater()
        self.rows = []
        if guest_due > ZERO:
            self.add_row(PaymentMethod.CASH, guest_due)
        self.org_label.setText(tr("单位记账：{a}", "Charged to the organisation: {a}", a=format_amount(org_due))
                               if org_due > ZERO else "")
        self.error.clear()
        self.update_change()

    def add_row(self, method: PaymentMethod, amount: Decimal) -> _Row:
        row = _Row(self, method, amount)
        r = len(self.rows) * 2 + 1
        self.grid.addWidget(row.method, r, 0)
        self.grid.addWidget(row.amount, r, 1)
        self.grid.addWidget(row.tendered, r, 2)
        self.grid.addWidget(row.error, r + 1, 0, 1, 3)
        self.rows.append(row)
        for i, each in enumerate(self.rows):
            each.method.setObjectName(f"payMethod{i}")
            each.amount.setObjectName(f"payAmount{i}")
            each.tendered.setObjectName(f"payTendered{i}")
        return row

    def first_input(self) -> QWidget | None:
        if not self.rows:
            return None
        row = self.rows[0]
        return row.tendered if row.tendered.isEnabled() else row.amount

    def read(self) -> list[PaymentInput]:
        """The payments as typed; bad amounts are refused with a message under their row."""
        payments = []
        self.error.clear()
        for row in self.rows:
            row.error.clear()
            try:
                amount = parse_amount(row.amount.text(), allow_zero=True)
                tendered = parse_amount(row.tendered.text()) if row.tendered.text().strip() else None
            except ValidationError as exc:
                row.error.setText(exc.message)
                raise
            if amount == ZERO and len(self.rows) > 1:
                continue  # an empty extra row of a split payment
            method = PaymentMethod(row.method.currentData())
            if tendered is not None and tendered < amount:
                message = tr("实收 {t} 少于应收 {a}", "Tendered {t} is less than {a}", t=format_amount(tendered),
                             a=format_amount(amount))
                row.error.setText(message)
                raise ValidationError(message, field="payments")
            payments.append(PaymentInput(method, amount, tendered))
        return payments

    def update_change(self) -> None:
        change = ZERO
        for row in self.rows:
            try:
                amount = parse_amount(row.amount.text())
                tendered = parse_amount(row.tendered.text()) if row.tendered.text().strip() else None
            except ValidationError:
                continue
            if tendered is not None and tendered > amount:
                change += tendered - amount
        self.change_label.setText(tr("找零：{c}", "Change: {c}", c=format_amount(change)) if change else "")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
