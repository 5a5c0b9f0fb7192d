"""退项退款 in one dialog: the items to refund, what goes back to whom, how, why, and the supervisor's signature.

Before, a refund was three modal dialogs in a row (supervisor, method,
reason) and the amount was first seen on the printed voucher.  Here the desk
ticks the items and sees each amount and the total before anything is
written; the supervisor signs in the same dialog (their user name and
password, checked by ``auth.login`` like the supervisor dialog), and the
refund is one transaction (``services.refunds``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout)

from frontdesk.domain.enums import ItemStatus, PaymentMethod, Role
from frontdesk.domain.money import format_amount
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import auth, refunds
from frontdesk.services.overview import VisitDetail
from frontdesk.services.session import Session
from frontdesk.ui.error_dialogs import show_error
from frontdesk.ui.screen_fit import fit_to_screen
from frontdesk.ui.widgets import error_label

REFUNDABLE = (ItemStatus.PENDING.value, ItemStatus.DEFERRED.value, ItemStatus.ABANDONED.value)
_COL_ITEM, _COL_STATION, _COL_STATUS, _COL_RECEIPT, _COL_AMOUNT = range(5)


class RefundDialog(QDialog):
    """``checked``: visit item ids ticked when the dialog opens (the row selected in the visit window)."""

    def __init__(self, session: Session, detail: VisitDetail, checked: tuple[int, ...] = (), parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.detail = detail
        self.vouchers: list = []
        self.setWindowTitle(tr("退项退款 — 体检 {n}", "Refund items — visit {n}", n=detail.visit_no))
        rows = [(vi_id, row) for vi_id, status, row in zip(detail.item_ids, detail.item_statuses, detail.items)
                if status in REFUNDABLE]
        self.row_ids = [vi_id for vi_id, _ in rows]
        # Each item's amount when refunded alone (shown for unticked rows).
        self.alone = {vi_id: refunds.quote([vi_id]) for vi_id in self.row_ids}

        intro = QLabel(tr("勾选要退的项目。已检查的项目不能退。", "Tick the items to refund. Items already done cannot be "
                          "refunded."), wordWrap=True)
        self.table = QTableWidget(len(rows), 5, objectName="refundItems")
        self.table.setHorizontalHeaderLabels([tr("项目", "Item"), tr("科室", "Station"), tr("状态", "Status"),
                                              tr("原收据", "Receipt"), tr("退款金额", "Refund")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for r, (vi_id, (name, station, status, addon)) in enumerate(rows):
            label = tr("{n}（{a}）", "{n} ({a})", n=name, a=addon) if addon else name
            check = QTableWidgetItem(label)
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            check.setCheckState(Qt.CheckState.Checked if vi_id in checked else Qt.CheckState.Unchecked)
            self.table.setItem(r, _COL_ITEM, check)
            self.table.setItem(r, _COL_STATION, QTableWidgetItem(station))
            self.table.setItem(r, _COL_STATUS, QTableWidgetItem(status))
            self.table.setItem(r, _COL_RECEIPT, QTableWidgetItem(self.alone[vi_id].lines[0].refunds_receipt_no))
            amount = QTableWidgetItem()
            amount.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, _COL_AMOUNT, amount)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemChanged.connect(self._requote)
        self.table.cellDoubleClicked.connect(self._toggle)

        self.total = QLabel(objectName="refundTotal", wordWrap=True)
        self.total.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.method = QComboBox(objectName="refundMethod")
        for method in PaymentMethod:
            if method is not PaymentMethod.ORG_ACCOUNT:  # the organisation's share goes back to its account anyway
                self.method.addItem(method.label(), method)
        self.reason = QLineEdit(objectName="refundReason", placeholderText=tr("如：客人放弃该项目", "e.g. the guest does not "
                                                                               "want the item"))
        details = QFormLayout()
        details.addRow(tr("退款方式", "Refund method"), self.method)
        details.addRow(tr("退项原因", "Reason"), self.reason)

        self.supervisor_box = QGroupBox(tr("主管授权", "Supervisor"))
        self.supervisor_user = QLineEdit(objectName="supervisorUser")
        self.supervisor_password = QLineEdit(objectName="supervisorPassword", echoMode=QLineEdit.EchoMode.Password)
        sign = QFormLayout(self.supervisor_box)
        if session.can(Role.SUPERVISOR):
            sign.addRow(QLabel(tr("由您（{n}）审批。", "Approved by you ({n}).", n=session.display_name)))
        else:
            sign.addRow(QLabel(tr("退项退款需要前台主管输入用户名和密码。", "A refund needs a supervisor's user name and "
                                  "password.")))
            sign.addRow(tr("主管用户名", "Supervisor"), self.supervisor_user)
            sign.addRow(tr("密码", "Password"), self.supervisor_password)

        self.message = error_label("message")
        self.confirm = QPushButton(objectName="confirmRefund")
        self.confirm.clicked.connect(self.commit)
        self.confirm.setDefault(False)
        self.confirm.setAutoDefault(False)
        cancel = QPushButton(tr("取消", "Cancel"), objectName="cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(self.confirm)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total)
        layout.addLayout(details)
        layout.addWidget(self.supervisor_box)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._requote()
        fit_to_screen(self, 820, 620)

    # -- selection and the amounts ---------------------------------------------------
    def checked_ids(self) -> list[int]:
        return [vi_id for r, vi_id in enumerate(self.row_ids)
                if self.table.item(r, _COL_ITEM).checkState() == Qt.CheckState.Checked]

    def set_checked(self, visit_item_id: int, checked: bool = True) -> None:
        r = self.row_ids.index(visit_item_id)
        self.table.item(r, _COL_ITEM).setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _toggle(self, row: int, _column: int) -> None:
        item = self.table.item(row, _COL_ITEM)
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _requote(self, *_args) -> None:
        """Each row's amount and the total for what is ticked now (package items share the package price)."""
        ids = self.checked_ids()
        self.quote = refunds.quote(ids) if ids else refunds.RefundQuote(())
        together = {line.visit_item_id: line for line in self.quote.lines}
        self.table.blockSignals(True)
        for r, vi_id in enumerate(self.row_ids):
            line = together.get(vi_id) or self.alone[vi_id].lines[0]
            text = format_amount(line.amount)
            if line.org_part and line.guest_part:
                text += tr("（单位 {o}）", " (org. {o})", o=format_amount(line.org_part))
            elif line.org_part:
                text += tr("（退回单位）", " (to org.)")
            cell = self.table.item(r, _COL_AMOUNT)
            cell.setText(text)
            # Unticked rows show what the item alone would refund, in grey: only the ticked ones add up.
            cell.setForeground(self.palette().text() if vi_id in together else self.palette().placeholderText())
        self.table.blockSignals(False)
        q = self.quote
        if not ids:
            self.total.setText(tr("请勾选要退的项目。", "Tick the items to refund."))
        elif q.org_total:
            self.total.setText(tr("退款合计 {t}：退给客人 {g}，退回单位账户 {o}",
                                  "Refund {t}: to the guest {g}, to the organisation's account {o}",
                                  t=format_amount(q.total), g=format_amount(q.guest_total), o=format_amount(q.org_total)))
        else:
            self.total.setText(tr("退款合计 {t}（{n} 项）", "Refund {t} ({n} items)", t=format_amount(q.total), n=len(ids)))
        self.confirm.setText(tr("确认退款 {t}", "Refund {t}", t=format_amount(q.total)))
        self.confirm.setEnabled(bool(ids))

    # -- commit -----------------------------------------------------------------------
    def _approver(self) -> Session:
        if self.session.can(Role.SUPERVISOR):
            return self.session
        return auth.supervisor_signature(self.supervisor_user.text(), self.supervisor_password.text(),
                                         self.session.desk, tr("退项退款", "Refund of items"))

    def commit(self) -> None:
        self.message.clear()
        ids = self.checked_ids()
        if not ids:
            self.message.setText(tr("请勾选要退的项目。", "Tick the items to refund."))
            return
        if not self.reason.text().strip():
            self.message.setText(tr("请填写退项原因。", "Enter the reason for the refund."))
            self.reason.setFocus()
            return
        try:
            approver = self._approver()
        except UserError as exc:
            self.message.setText(exc.message)
            self.supervisor_password.clear()
            self.supervisor_password.setFocus()
            return
        try:
            self.vouchers = refunds.refund_items(approver, ids, self.method.currentData(), self.reason.text())
        except UserError as exc:
            self.message.setText(exc.message)
            return
        except Exception as exc:  # a bug: logged and shown, the dialog stays open
            show_error(self, exc)
            return
        self.accept()
