"""One visit in full: opened by scanning its visit number, a specimen or a receipt.

Items can change until close-out: add-ons (增项) with their payment, refunds
of items not done (退项, supervisor) and voids of receipts (supervisor), and
receipts and the guide sheet can be printed again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (QAbstractItemView, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QInputDialog, QLabel,
                               QMessageBox, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from frontdesk import config
from frontdesk.domain.enums import VisitStatus
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services.overview import VisitDetail
from frontdesk.services.session import Session
from frontdesk.ui.error_dialogs import show_error
from frontdesk.ui.screen_fit import fit_to_screen


def _table(headers: list[str], rows: list[tuple], name: str) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers), objectName=name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(str(value)))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _show_rows(table: QTableWidget, rows: int) -> None:
    """At least ``rows`` rows stay visible however small the window gets."""
    row_height = table.verticalHeader().defaultSectionSize()
    frame = 2 * table.frameWidth()
    scroll_bar = table.horizontalScrollBar().sizeHint().height()
    table.setMinimumHeight(table.horizontalHeader().sizeHint().height() + rows * row_height + frame + scroll_bar)


class VisitDialog(QDialog):
    def __init__(self, detail: VisitDetail, parent=None, *, highlight_barcode: str = "", session: Session | None = None,
                 settings=None, reload: Callable[[int], VisitDetail] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.reload_detail = reload
        self.highlight_barcode = highlight_barcode
        self.setWindowTitle(tr("体检 {n}", "Visit {n}", n=detail.visit_no))
        self.body = QVBoxLayout(self)
        self.show_detail(detail)
        fit_to_screen(self, 1000, 700)

    def show_detail(self, detail: VisitDetail) -> None:
        """(Re)build the contents: after a change the whole visit is shown afresh."""
        self.detail = detail
        old = getattr(self, "content", None)
        self.content = QWidget(objectName="visitContent")
        body = QVBoxLayout(self.content)
        body.setContentsMargins(0, 0, 0, 0)
        name = QLabel(detail.guest_name, objectName="guestName")
        name.setStyleSheet("font-size: 22pt; font-weight: bold;")
        age = tr("{a}岁", "{a} y", a=detail.age) if detail.age is not None else ""
        who = QLabel(f"{detail.sex}  {age}", objectName="guestSexAge")
        who.setStyleSheet("font-size: 16pt;")
        # Facts in two columns beside the name, so the tables below get the height (a 768-pixel screen).
        form = QFormLayout()
        form.addRow(tr("体检号", "Visit number"), QLabel(detail.visit_no))
        form.addRow(tr("日期", "Date"), QLabel(detail.visit_date.isoformat()))
        form.addRow(tr("状态", "Status"), QLabel(detail.status, objectName="visitStatus"))
        form.addRow(tr("来源", "Source"), QLabel(detail.source))
        form_right = form
        form = QFormLayout()
        form.addRow(tr("证件号", "ID number"), QLabel(detail.id_number_masked))
        form.addRow(tr("电话", "Phone"), QLabel(detail.phone_masked))
        form.addRow(tr("套餐", "Package"), QLabel(detail.package))
        if detail.organisation:
            form.addRow(tr("单位", "Organisation"), QLabel(detail.organisation))
        items = QGroupBox(tr("项目（{n}）", "Items ({n})", n=len(detail.items)))
        self.items_table = _table([tr("项目", "Item"), tr("科室", "Station"), tr("状态", "Status"), tr("加项", "Add-on")],
                                  detail.items, "items")
        QVBoxLayout(items).addWidget(self.items_table)
        specimens = QGroupBox(tr("标本（{n}）", "Specimens ({n})", n=len(detail.specimens)))
        self.specimens_table = _table([tr("条码号", "Barcode"), tr("容器", "Container"), tr("状态", "Status"),
                                       tr("打印次数", "Prints")], detail.specimens, "specimens")
        for r, row in enumerate(detail.specimens):
            if row[0] == self.highlight_barcode:
                self.specimens_table.selectRow(r)
        QVBoxLayout(specimens).addWidget(self.specimens_table)
        receipts = QGroupBox(tr("收据（{n}）", "Receipts ({n})", n=len(detail.receipts)))
        self.receipts_table = _table([tr("收据号", "Receipt"), tr("类型", "Kind"), tr("金额", "Amount"),
                                      tr("状态", "Status")], detail.receipts, "receipts")
        QVBoxLayout(receipts).addWidget(self.receipts_table)
        for table in (self.items_table, self.specimens_table, self.receipts_table):
            _show_rows(table, 4)
        lower = QHBoxLayout()
        lower.addWidget(specimens, 1)
        lower.addWidget(receipts, 1)
        person = QVBoxLayout()
        person.addWidget(name)
        person.addWidget(who)
        person.addStretch()
        header = QHBoxLayout()
        header.addLayout(person, 2)
        header.addLayout(form_right, 3)
        header.addLayout(form, 4)
        body.addLayout(header)
        body.addWidget(items, 3)
        body.addLayout(lower, 2)
        body.addLayout(self._buttons(detail))
        if old is not None:
            self.body.removeWidget(old)
            old.deleteLater()
        self.body.addWidget(self.content)

    def _buttons(self, detail: VisitDetail) -> QHBoxLayout:
        row = QHBoxLayout()
        open_visit = detail.raw_status == VisitStatus.CHECKED_IN.value
        actions = []
        if self.session is not None:
            actions = [
                ("addItems", tr("增项…", "Add items…"), self.add_items, open_visit),
                ("refundItem", tr("退项…", "Refund item…"), self.refund_item, open_visit),
                ("voidReceipt", tr("作废收据…", "Void receipt…"), self.void_receipt, True),
                ("printReceipt", tr("打印收据", "Print receipt"), self.print_receipt, True),
                ("printGuide", tr("打印导检单", "Print guide sheet"), self.print_guide, True),
            ]
        for name, text, slot, enabled in actions:
            button = QPushButton(text, objectName=name)
            button.setEnabled(enabled)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch()
        close = QPushButton(tr("关闭", "Close"), objectName="close")
        close.clicked.connect(self.reject)
        row.addWidget(close)
        return row

    def refresh(self) -> None:
        if self.reload_detail is not None:
            self.show_detail(self.reload_detail(self.detail.visit_id))

    # -- actions ---------------------------------------------------------------------
    def _selected(self, table: QTableWidget, ids: list[int]) -> int | None:
        rows = table.selectionModel().selectedRows()
        return ids[rows[0].row()] if rows else None

    def add_items(self) -> None:
        from frontdesk.ui.add_items_dialog import AddItemsDialog

        dialog = AddItemsDialog(self.session, self.detail.visit_id, self.settings, self)
        if dialog.exec():
            self.refresh()
            notice = dialog.result.specimens.notice() if dialog.result is not None else ""
            if notice:  # a printed tube's label changed, or a collected tube needs a new one
                QMessageBox.information(self, tr("条码标签", "Labels"), notice)
            receipt = dialog.result.receipt if dialog.result is not None else None
            if receipt is not None:  # the add-on's receipt, offered for printing straight away
                self._preview_receipts([receipt.id])

    def refund_item(self) -> None:
        """One dialog: tick the items, see the amounts, method, reason and the supervisor's signature."""
        from frontdesk.ui.refund_dialog import REFUNDABLE, RefundDialog

        if not any(status in REFUNDABLE for status in self.detail.item_statuses):
            show_error(self, UserError(tr("没有可退的项目：已检或已退的项目不能退项。",
                                          "Nothing to refund: items done or refunded already cannot be refunded.")))
            return
        selected = self._selected(self.items_table, self.detail.item_ids)
        checked = (selected,) if selected is not None else ()
        dialog = RefundDialog(self.session, self.detail, checked, self)
        self.refund_dialog = dialog
        if not dialog.exec():
            return
        self.refresh()
        self._preview_receipts([voucher.id for voucher in dialog.vouchers])

    def void_receipt(self) -> None:
        from frontdesk.services import payments
        from frontdesk.ui.supervisor_dialog import authorise

        receipt_id = self._selected(self.receipts_table, self.detail.receipt_ids)
        if receipt_id is None:
            show_error(self, UserError(tr("请先选中要作废的收据。", "Select the receipt to void first.")))
            return
        session = authorise(self, self.session, tr("作废收据", "Void receipt"))
        if session is None:
            return
        reason, ok = QInputDialog.getText(self, tr("作废原因", "Reason"), tr("作废原因", "Reason for voiding"))
        if not ok:
            return
        try:
            payments.void_receipt(session, receipt_id, reason)
        except UserError as exc:
            show_error(self, exc)
            return
        self.refresh()

    def print_receipt(self) -> None:
        receipt_id = self._selected(self.receipts_table, self.detail.receipt_ids)
        if receipt_id is None and self.detail.receipt_ids:
            receipt_id = self.detail.receipt_ids[0]
        if receipt_id is None:
            # Nothing was charged (a visit with nothing to pay), so there is no receipt to print.
            QMessageBox.information(self, tr("打印收据", "Print receipt"), tr(
                "这次体检没有收据，没有打印：报到时没有收费（应付金额为零），之后也没有增项收费或退费。",
                "Nothing was printed: this visit has no receipt. Nothing was charged at check-in (nothing was due) "
                "and there were no add-ons or refunds since."))
            return
        self._preview_receipt(receipt_id)

    def _preview_receipts(self, receipt_ids: list[int]) -> None:
        """Preview receipts one after the other (a refund may issue one voucher per receipt it refunds)."""
        if not receipt_ids:
            return
        self._preview_receipt(receipt_ids[0])
        if len(receipt_ids) > 1:
            self.last_preview.finished.connect(lambda _result: self._preview_receipts(receipt_ids[1:]))

    def _preview_receipt(self, receipt_id: int) -> None:
        from frontdesk.printing.receipt import render_receipt_pdf
        from frontdesk.services import payments, site_settings
        from frontdesk.ui.document_preview_dialog import DocumentPreviewDialog

        from frontdesk.services.document_audit import PrintedDocument

        settings = self.settings or config.WorkstationSettings()
        data = payments.receipt_data(receipt_id, site_settings.load())
        pdf = render_receipt_pdf(data, settings.receipt_format)
        dialog = DocumentPreviewDialog(tr("收据", "Receipt"), pdf, parent=self, kind="receipt", settings=settings,
                                       session=self.session,
                                       document=PrintedDocument.receipt(receipt_id, data.receipt_no))
        dialog.setObjectName("preview_receipt")
        self.last_preview = dialog
        dialog.open()

    def print_guide(self) -> None:
        from frontdesk.printing.guide_sheet import render_guide_sheet_pdf
        from frontdesk.services import checkin, site_settings
        from frontdesk.ui.document_preview_dialog import DocumentPreviewDialog

        from frontdesk.services.document_audit import PrintedDocument

        pdf = render_guide_sheet_pdf(checkin.guide_sheet_data(self.detail.visit_id, site_settings.load()))
        dialog = DocumentPreviewDialog(tr("导检单", "Guide sheet"), pdf, parent=self, kind="guide",
                                       settings=self.settings or config.WorkstationSettings(), session=self.session,
                                       document=PrintedDocument.guide_sheet(self.detail.visit_id, self.detail.visit_no))
        dialog.setObjectName("preview_guide")
        self.last_preview = dialog
        dialog.open()

