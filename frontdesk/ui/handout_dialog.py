"""发放报告: hand one visit's report out, with the identity check on screen.

Left: who the report belongs to (name in full, to compare with the ID card;
ID number and phone masked), the report's state and shelf, and earlier
hand-outs; a report handed out before shows a red warning and needs a
supervisor.  Right: how it goes out (1 in person, 2 proxy, 3 courier, with
Alt+1/2/3), the fields of that way, the signature pad, and "print the
receipt".  Enter moves to the next field, F9 hands the report out.  After the
hand-out the receipt opens in the document preview (Enter prints it).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QButtonGroup, QCheckBox, QComboBox, QDialog, QFormLayout, QFrame,
                               QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton, QStackedWidget,
                               QVBoxLayout, QWidget)

from frontdesk import config
from frontdesk.domain.enums import HandoutMethod, VisitStatus
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import reports
from frontdesk.services.reports import AlreadyHandedOutError, HandoutRecord, HandoutRequest, HandoutView
from frontdesk.services.session import Session
from frontdesk.ui.error_dialogs import show_error
from frontdesk.ui.screen_fit import fit_to_screen
from frontdesk.ui.signature_pad import SignaturePad
from frontdesk.ui.widgets import error_label
from frontdesk.ui.worker import run_in_background

log = logging.getLogger(__name__)

COURIERS = ("顺丰速运", "中国邮政EMS", "京东物流", "圆通速递", "中通快递", "韵达快递")
_METHODS = (HandoutMethod.IN_PERSON, HandoutMethod.PROXY, HandoutMethod.MAILED)


def _local(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""


def report_state_text(view: HandoutView) -> str:
    text = VisitStatus(view.status).label()
    if view.shelf_no:
        text += tr("，柜位 {s}", ", shelf {s}", s=view.shelf_no)
    if view.received_at:
        text += tr("（{t} 到达）", " (arrived {t})", t=_local(view.received_at))
    return text


class HandoutDialog(QDialog):
    handed_out = Signal(object)  # HandoutRecord

    def __init__(self, view: HandoutView, session: Session, settings: config.WorkstationSettings | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("handoutDialog")
        self.view = view
        self.session = session
        self.settings = settings
        self.record: HandoutRecord | None = None
        self.receipt_preview = None
        self._busy = False
        self.setWindowTitle(tr("发放报告 {v}", "Hand out report {v}", v=view.visit_no))

        body = QHBoxLayout()
        body.addWidget(self._identity_card(), 5)
        body.addLayout(self._form(), 7)
        self.hand_out_button = QPushButton(tr("确认发放 (F9)", "Hand out (F9)"), objectName="handOutButton")
        self.hand_out_button.setProperty("primary", True)
        self.hand_out_button.setAutoDefault(False)
        self.hand_out_button.clicked.connect(self.hand_out)
        cancel = QPushButton(tr("取消 (Esc)", "Cancel (Esc)"), objectName="cancelButton")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.hand_out_button)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("F9"), self, activated=self.hand_out)
        self.set_method(HandoutMethod.IN_PERSON)
        if view.blocker():
            self.message.setText(view.blocker())
            self.hand_out_button.setEnabled(False)
        fit_to_screen(self, 1060, 640)

    # -- building --------------------------------------------------------------
    def _identity_card(self) -> QWidget:
        v = self.view
        card = QFrame(objectName="identityCard")
        card.setStyleSheet("QFrame#identityCard { background: #f5f8fb; border: 1px solid #c9d6e3; border-radius: 6px; }")
        name = QLabel(v.guest_name, objectName="guestName")
        name.setStyleSheet("font-size: 26pt; font-weight: bold; color: #1f3a56;")
        name.setWordWrap(True)
        age = tr("{a}岁", "{a} y", a=v.age) if v.age is not None else ""
        facts = [
            (tr("性别/年龄", "Sex / age"), " ".join(p for p in (v.sex, age) if p)),
            (tr("证件号", "ID number"), v.id_number_masked or tr("（未登记）", "(none on file)")),
            (tr("手机", "Mobile"), v.phone_masked or "-"),
            (tr("体检号", "Visit"), v.visit_no),
            (tr("体检日期", "Exam date"), v.visit_date.isoformat()),
            (tr("套餐", "Package"), v.package or "-"),
            (tr("单位", "Organisation"), v.organisation or "-"),
            (tr("报告", "Report"), report_state_text(v)),
        ]
        grid = QGridLayout()
        for row, (label, value) in enumerate(facts):
            key = QLabel(label)
            key.setStyleSheet("color: #555; font-size: 11pt;")
            text = QLabel(value, objectName=f"fact{row}")
            text.setStyleSheet("font-size: 12pt;")
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(key, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(text, row, 1)
        grid.setColumnStretch(1, 1)
        self.warning = QLabel(objectName="handedOutWarning")
        self.warning.setWordWrap(True)
        if v.previous:
            lines = "\n".join("· " + r.summary() for r in v.previous)
            self.warning.setText(tr("⚠ 该报告已发放过：\n{l}\n再次发放需要主管授权。",
                                    "⚠ This report was handed out already:\n{l}\nHanding it out again needs a supervisor.",
                                    l=lines))
            self.warning.setStyleSheet("background: #fdecea; color: #b71c1c; border: 2px solid #b71c1c; "
                                       "border-radius: 4px; padding: 6px; font-size: 12pt; font-weight: bold;")
        else:
            self.warning.hide()
        layout = QVBoxLayout(card)
        layout.addWidget(name)
        layout.addLayout(grid)
        layout.addWidget(self.warning)
        if v.previous:
            reprint = QPushButton(tr("重打上次的领取凭证", "Print the last hand-out receipt again"),
                                  objectName="reprintReceipt")
            reprint.setAutoDefault(False)
            reprint.clicked.connect(lambda: self.print_receipt_of(v.previous[-1]))
            layout.addWidget(reprint, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch()
        return card

    def _form(self) -> QVBoxLayout:
        self.method_group = QButtonGroup(self)
        methods = QHBoxLayout()
        texts = {HandoutMethod.IN_PERSON: tr("&1 本人领取", "&1 In person"), HandoutMethod.PROXY: tr("&2 代领", "&2 Proxy"),
                 HandoutMethod.MAILED: tr("&3 快递邮寄", "&3 Courier")}
        self.method_buttons: dict[HandoutMethod, QRadioButton] = {}
        for index, method in enumerate(_METHODS):
            button = QRadioButton(texts[method], objectName=f"method_{method.value}")
            button.setStyleSheet("font-size: 12pt;")
            self.method_group.addButton(button, index)
            self.method_buttons[method] = button
            methods.addWidget(button)
        methods.addStretch()
        self.method_group.idToggled.connect(lambda index, on: on and self._show_method(_METHODS[index]))

        self.pages = QStackedWidget(objectName="methodPages")
        # In person: the ID number read or typed, compared with the guest's.
        self.id_number = QLineEdit(objectName="idNumber", placeholderText=tr("读卡或输入领取人身份证号",
                                                                            "Read the card or type the ID number"))
        self.id_number.editingFinished.connect(self.check_identity)
        self.id_result = QLabel(objectName="idResult")
        self.id_result.setWordWrap(True)
        person = QWidget()
        form = QFormLayout(person)
        form.addRow(tr("证件号", "ID number"), self.id_number)
        form.addRow("", self.id_result)
        self.pages.addWidget(person)
        # Proxy.
        self.proxy_name = QLineEdit(objectName="proxyName")
        self.proxy_id = QLineEdit(objectName="proxyIdNumber")
        self.relation = QComboBox(objectName="relation", editable=True)
        self.relation.addItems([""] + [tr(zh, en) for zh, en in reports.RELATIONS] + [tr("其他", "Other")])
        self.relation.lineEdit().setPlaceholderText(tr("选择或输入", "choose or type"))
        needed = self.view.proxy_needs_authorisation
        self.authorisation = QCheckBox(tr("已核验受检者的授权（授权书/委托短信）", "Guest's authorisation checked "
                                          "(letter or message)") + (tr("（必需）", " (required)") if needed else ""),
                                       objectName="authorisation")
        proxy = QWidget()
        form = QFormLayout(proxy)
        form.addRow(tr("代领人姓名", "Proxy's name"), self.proxy_name)
        form.addRow(tr("代领人身份证号", "Proxy's ID number"), self.proxy_id)
        form.addRow(tr("与受检者关系", "Relation"), self.relation)
        form.addRow("", self.authorisation)
        self.pages.addWidget(proxy)
        # Courier.
        self.courier = QComboBox(objectName="courierCompany", editable=True)
        self.courier.addItems(COURIERS)
        self.tracking_no = QLineEdit(objectName="trackingNo")
        courier = QWidget()
        form = QFormLayout(courier)
        form.addRow(tr("快递公司", "Courier"), self.courier)
        form.addRow(tr("快递单号", "Tracking no."), self.tracking_no)
        self.pages.addWidget(courier)
        for edit in (self.id_number, self.proxy_name, self.proxy_id, self.tracking_no):
            edit.returnPressed.connect(self.focusNextChild)
        self.relation.lineEdit().returnPressed.connect(lambda: self.authorisation.setFocus())

        self.signature = SignaturePad()
        clear = QPushButton(tr("清除签名", "Clear signature"), objectName="clearSignature")
        clear.setAutoDefault(False)
        clear.clicked.connect(self.signature.clear)
        sign_row = QHBoxLayout()
        sign_row.addWidget(QLabel(tr("领取人签名（可选）", "Recipient's signature (optional)")))
        sign_row.addStretch()
        sign_row.addWidget(clear)
        self.print_receipt = QCheckBox(tr("发放后打印领取凭证", "Print the hand-out receipt"), objectName="printReceipt")
        self.print_receipt.setChecked(True)
        self.message = error_label("message")

        layout = QVBoxLayout()
        layout.addLayout(methods)
        layout.addWidget(self.pages)
        layout.addLayout(sign_row)
        layout.addWidget(self.signature, 1)
        layout.addWidget(self.print_receipt)
        return layout

    # -- behaviour -------------------------------------------------------------
    def method(self) -> HandoutMethod:
        return _METHODS[max(0, self.method_group.checkedId())]

    def set_method(self, method: HandoutMethod) -> None:
        self.method_buttons[method].setChecked(True)
        self._show_method(method)

    def _show_method(self, method: HandoutMethod) -> None:
        self.pages.setCurrentIndex(_METHODS.index(method))
        first = {HandoutMethod.IN_PERSON: self.id_number, HandoutMethod.PROXY: self.proxy_name,
                 HandoutMethod.MAILED: self.tracking_no}[method]
        first.setFocus()

    def check_identity(self) -> bool | None:
        """Compare the typed ID number with the guest's and say so (the full number stays in the service)."""
        typed = self.id_number.text().strip()
        if not typed:
            self.id_result.clear()
            return None
        try:
            same = reports.check_guest_id(self.view.visit_id, typed)
        except UserError as exc:
            self.id_result.setText(exc.message)
            return None
        if same is None:
            self.id_result.setText(tr("受检者未登记证件号，请核对证件上的姓名和照片",
                                      "No ID number on file: check the name and photo on the card"))
            self.id_result.setStyleSheet("color: #b26a00; font-weight: bold;")
        elif same:
            self.id_result.setText(tr("✓ 与登记的证件号一致（{m}）", "✓ Matches the ID number on file ({m})",
                                      m=self.view.id_number_masked))
            self.id_result.setStyleSheet("color: #1b5e20; font-weight: bold;")
        else:
            QApplication.beep()
            self.id_result.setText(tr("✗ 与登记的证件号（{m}）不一致：不是本人，请按代领办理",
                                      "✗ Does not match the ID number on file ({m}): not the guest; use proxy",
                                      m=self.view.id_number_masked))
            self.id_result.setStyleSheet("color: #b71c1c; font-weight: bold;")
        return same

    def request(self) -> HandoutRequest:
        method = self.method()
        if method is HandoutMethod.IN_PERSON:
            return HandoutRequest(self.view.visit_id, method, id_number=self.id_number.text(),
                                  signature_png=self.signature.to_png())
        if method is HandoutMethod.PROXY:
            return HandoutRequest(self.view.visit_id, method, proxy_name=self.proxy_name.text(),
                                  id_number=self.proxy_id.text(), relation=self.relation.currentText(),
                                  authorisation_seen=self.authorisation.isChecked(),
                                  signature_png=self.signature.to_png())
        return HandoutRequest(self.view.visit_id, method, courier_company=self.courier.currentText(),
                              tracking_no=self.tracking_no.text(), signature_png=self.signature.to_png())

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.hand_out_button.setEnabled(not busy and not self.view.blocker())

    def hand_out(self, supervisor: Session | None = None) -> None:
        if self._busy or self.view.blocker() or self.record is not None:
            return
        request = self.request()
        self.message.clear()
        self._set_busy(True)
        run_in_background(lambda: reports.hand_out(self.session, request, supervisor=supervisor),
                          self._done, lambda exc: self._failed(exc, supervisor), context=self)

    def _failed(self, exc: BaseException, supervisor: Session | None) -> None:
        self._set_busy(False)
        if isinstance(exc, AlreadyHandedOutError) and supervisor is None:
            from frontdesk.ui.supervisor_dialog import authorise

            QApplication.beep()
            self.message.setText(exc.message)
            signed = authorise(self, self.session, tr("再次发放已发放的报告", "Handing out a report again"))
            if signed is not None:
                self.hand_out(supervisor=signed)
            return
        if isinstance(exc, UserError):
            QApplication.beep()
            self.message.setText(exc.message)
            field = {"id_number": self.proxy_id if self.method() is HandoutMethod.PROXY else self.id_number,
                     "name": self.proxy_name, "relation": self.relation, "authorisation": self.authorisation,
                     "courier_company": self.courier, "tracking_no": self.tracking_no,
                     "signature": self.signature}.get(exc.field or "")
            if field is not None:
                field.setFocus()
            return
        show_error(self, exc)

    def _done(self, record: HandoutRecord) -> None:
        self.record = record
        self._set_busy(False)
        self.handed_out.emit(record)
        if self.print_receipt.isChecked():
            self.print_receipt_of(record, parent=self.parentWidget())
        self.accept()

    def print_receipt_of(self, record: HandoutRecord, parent: QWidget | None = None) -> None:
        """Render the hand-out receipt off the UI thread and open it in the document preview (Enter prints)."""
        parent = parent or self
        run_in_background(lambda: reports.render_handout_receipt(record.handout_id),
                          lambda pdf: self._open_receipt(record, pdf, parent), lambda exc: show_error(parent, exc),
                          context=parent)

    def _open_receipt(self, record: HandoutRecord, pdf: bytes, parent: QWidget) -> None:
        from frontdesk.services.document_audit import PrintedDocument
        from frontdesk.ui.document_preview_dialog import DocumentPreviewDialog

        settings = self.settings or config.load()
        kind = "receipt" if settings.document("receipt").paper == "a5" else "list"
        dialog = DocumentPreviewDialog(tr("报告领取凭证 {v}", "Hand-out receipt {v}", v=record.visit_no), pdf, kind=kind,
                                       settings=settings, session=self.session,
                                       document=PrintedDocument("report_handout", str(record.handout_id), record.visit_no),
                                       suggested_name=f"handout-{record.visit_no}.pdf", parent=parent)
        dialog.setObjectName("handoutReceiptPreview")
        self.receipt_preview = dialog
        dialog.open()
