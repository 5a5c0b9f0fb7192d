"""One visit in full: opened by scanning its visit number, a specimen or a receipt."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from frontdesk.i18n import tr
from frontdesk.services.overview import VisitDetail


def _table(headers: list[str], rows: list[tuple], name: str) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers), objectName=name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(str(value)))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    return table


class VisitDialog(QDialog):
    def __init__(self, detail: VisitDetail, parent=None, *, highlight_barcode: str = "") -> None:
        super().__init__(parent)
        self.detail = detail
        self.setWindowTitle(tr("体检 {n}", "Visit {n}", n=detail.visit_no))
        name = QLabel(detail.guest_name, objectName="guestName")
        name.setStyleSheet("font-size: 22pt; font-weight: bold;")
        age = tr("{a}岁", "{a} y", a=detail.age) if detail.age is not None else ""
        who = QLabel(f"{detail.sex}  {age}", objectName="guestSexAge")
        who.setStyleSheet("font-size: 16pt;")
        form = QFormLayout()
        form.addRow(tr("体检号", "Visit number"), QLabel(detail.visit_no))
        form.addRow(tr("日期", "Date"), QLabel(detail.visit_date.isoformat()))
        form.addRow(tr("状态", "Status"), QLabel(detail.status))
        form.addRow(tr("来源", "Source"), QLabel(detail.source))
        form.addRow(tr("证件号", "ID number"), QLabel(detail.id_number_masked))
        form.addRow(tr("电话", "Phone"), QLabel(detail.phone_masked))
        form.addRow(tr("套餐", "Package"), QLabel(detail.package))
        if detail.organisation:
            form.addRow(tr("单位", "Organisation"), QLabel(detail.organisation))
        head = QVBoxLayout()
        head.addWidget(name)
        head.addWidget(who)
        head.addLayout(form)
        items = QGroupBox(tr("项目（{n}）", "Items ({n})", n=len(detail.items)))
        QVBoxLayout(items).addWidget(_table([tr("项目", "Item"), tr("科室", "Station"), tr("状态", "Status"),
                                             tr("加项", "Add-on")], detail.items, "items"))
        specimens = QGroupBox(tr("标本（{n}）", "Specimens ({n})", n=len(detail.specimens)))
        spec_table = _table([tr("条码号", "Barcode"), tr("容器", "Container"), tr("状态", "Status"),
                             tr("打印次数", "Prints")], detail.specimens, "specimens")
        for r, row in enumerate(detail.specimens):
            if row[0] == highlight_barcode:
                spec_table.selectRow(r)
        QVBoxLayout(specimens).addWidget(spec_table)
        receipts = QGroupBox(tr("收据（{n}）", "Receipts ({n})", n=len(detail.receipts)))
        QVBoxLayout(receipts).addWidget(_table([tr("收据号", "Receipt"), tr("类型", "Kind"), tr("金额", "Amount"),
                                                tr("状态", "Status")], detail.receipts, "receipts"))
        lower = QHBoxLayout()
        lower.addWidget(specimens)
        lower.addWidget(receipts)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(items, 2)
        layout.addLayout(lower, 1)
        layout.addWidget(buttons)
        self.resize(820, 720)
