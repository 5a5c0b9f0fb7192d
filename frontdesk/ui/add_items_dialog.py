"""增项: add items to a checked-in visit and take their payment in one step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout)

from frontdesk.domain.money import format_amount
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import checkin
from frontdesk.services.session import Session
from frontdesk.ui.error_dialogs import show_error
from frontdesk.ui.payment_panel import PaymentPanel
from frontdesk.ui.screen_fit import fit_to_screen
from frontdesk.ui.widgets import error_label


class AddItemsDialog(QDialog):
    def __init__(self, session: Session, visit_id: int, settings=None, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.visit_id = visit_id
        self.result = None
        self.setWindowTitle(tr("增项", "Add items"))
        self.picker = QComboBox(objectName="addonPicker", editable=True)
        self.picker.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # Items the visit already has are not offered (they were refused only at confirm before).
        for item in checkin.addon_candidates(visit_id):
            self.picker.addItem(f"{tr(item.name, item.name_en)} ({item.code})  {format_amount(item.price)}", item.id)
        self.picker.setCurrentIndex(-1)
        self.picker.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        add = QPushButton(tr("加入", "Add"), objectName="addToList")
        add.clicked.connect(self.add_current)
        self.chosen = QListWidget(objectName="chosenItems")
        remove = QPushButton(tr("移除选中", "Remove selected"))
        remove.clicked.connect(self.remove_current)
        self.totals = QLabel(objectName="addonTotals")
        self.message = error_label("message")
        self.payment = PaymentPanel()
        self.payment.submit_requested.connect(self.confirm)
        confirm = QPushButton(tr("确认增项并收费", "Add and take payment"), objectName="confirmAddItems")
        confirm.setDefault(True)
        confirm.clicked.connect(self.confirm)
        cancel = QPushButton(tr("取消", "Cancel"))
        cancel.clicked.connect(self.reject)
        picker_row = QHBoxLayout()
        picker_row.addWidget(self.picker, 1)
        picker_row.addWidget(add)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(cancel)
        buttons.addWidget(confirm)
        layout = QVBoxLayout(self)
        layout.addLayout(picker_row)
        layout.addWidget(self.chosen)
        layout.addWidget(remove)
        layout.addWidget(self.totals)
        layout.addWidget(self.payment)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        fit_to_screen(self, 560, 560)

    def item_ids(self) -> list[int]:
        return [self.chosen.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.chosen.count())]

    def add_item(self, item_id: int) -> None:
        if item_id in self.item_ids():
            return
        index = self.picker.findData(item_id)
        if index < 0:  # not offered: the visit has it already (or it is no longer in the catalogue)
            self.message.setText(tr("该项目已在本次体检中，不能重复增加。", "The visit has this item already."))
            return
        entry = QListWidgetItem(self.picker.itemText(index))
        entry.setData(Qt.ItemDataRole.UserRole, item_id)
        self.chosen.addItem(entry)
        self.requote()

    def add_current(self) -> None:
        if self.picker.currentData() is not None:
            self.add_item(self.picker.currentData())
            self.picker.setCurrentIndex(-1)

    def remove_current(self) -> None:
        for entry in self.chosen.selectedItems():
            self.chosen.takeItem(self.chosen.row(entry))
        self.requote()

    def requote(self) -> None:
        self.message.clear()
        try:
            quote = checkin.quote_addons(self.visit_id, self.item_ids())
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.totals.setText(tr("增项合计 {t}　个人应付 {g}　单位支付 {o}", "Add-ons {t}   guest pays {g}   organisation {o}",
                               t=format_amount(quote.total), g=format_amount(quote.guest_total),
                               o=format_amount(quote.org_total)))
        self.payment.reset(quote.guest_total, quote.org_total)

    def confirm(self) -> None:
        try:
            payments = self.payment.read()
            self.result = checkin.add_items(self.session, self.visit_id, self.item_ids(), payments)
        except UserError as exc:
            self.message.setText(exc.message)
            return
        except Exception as exc:  # a bug: logged and shown, the dialog stays open
            show_error(self, exc)
            return
        self.accept()
