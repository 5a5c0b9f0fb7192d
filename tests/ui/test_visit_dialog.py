"""Changing a visit after check-in: add-ons, refunds and voids from the visit window."""

from decimal import Decimal

import pypdfium2
import pytest
from PySide6.QtWidgets import QInputDialog

from frontdesk import clock
from frontdesk.domain.enums import PaymentMethod
from frontdesk.services import auth, checkin, overview
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m
from frontdesk.ui import supervisor_dialog
from frontdesk.ui.add_items_dialog import AddItemsDialog
from frontdesk.ui.visit_dialog import VisitDialog


def page_texts(pdf: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_bounded() for i in range(len(doc))]
    finally:
        doc.close()


@pytest.fixture
def visit(demo_db):
    session = auth.login("qiantai", "demo-desk-2026", "前台1")
    busy = m.Visit.select(m.Visit.guest).where(m.Visit.visit_date == clock.today())
    guest = m.Guest.select().where((m.Guest.sex == "M") & m.Guest.id.not_in(busy)).first()
    package = m.Package.get(m.Package.code == "BASIC")
    result = checkin.check_in(session, CheckInRequest(guest_id=guest.id, package_id=package.id,
                                                      payments=[PaymentInput(PaymentMethod.CASH, package.price)]))
    return session, result.visit


def _dialog(qtbot, session, visit):
    dialog = VisitDialog(overview.visit_detail(visit.id), session=session, reload=overview.visit_detail)
    qtbot.addWidget(dialog)
    return dialog


def test_add_on_after_check_in_takes_its_payment(app, qtbot, visit):
    session, v = visit
    psa = m.ExamItem.get(m.ExamItem.code == "PSA")
    dialog = AddItemsDialog(session, v.id)
    qtbot.addWidget(dialog)
    dialog.add_item(psa.id)
    assert "60.00" in dialog.totals.text()
    dialog.confirm()
    assert dialog.result is not None and not dialog.message.text()
    added = m.VisitItem.get((m.VisitItem.visit == v.id) & (m.VisitItem.item == psa.id))
    assert added.is_addon and added.status == "pending"
    assert m.Receipt.select().where(m.Receipt.visit == v.id).count() == 2


def test_add_on_for_the_wrong_sex_is_refused_in_the_dialog(app, qtbot, visit):
    session, v = visit
    dialog = AddItemsDialog(session, v.id)
    qtbot.addWidget(dialog)
    dialog.add_item(m.ExamItem.get(m.ExamItem.code == "GYN").id)
    dialog.confirm()
    assert "妇科" in dialog.message.text() and dialog.result is None


def _refund_dialog(qtbot, session, v, *codes):
    from frontdesk.ui.refund_dialog import RefundDialog

    detail = overview.visit_detail(v.id)
    dialog = RefundDialog(session, detail)
    qtbot.addWidget(dialog)
    for code in codes:
        vi = m.VisitItem.get((m.VisitItem.visit == v.id) & (m.VisitItem.item == m.ExamItem.get(m.ExamItem.code == code)))
        dialog.set_checked(vi.id)
    return dialog


def test_refund_dialog_shows_the_amounts_before_anything_is_written(app, qtbot, visit):
    session, v = visit
    dialog = _refund_dialog(qtbot, session, v, "DR_CHEST", "ECG")
    # Each ticked item's amount and the total are on screen, and on the button that commits.
    amounts = {dialog.table.item(r, 0).text(): dialog.table.item(r, 4).text() for r in range(dialog.table.rowCount())}
    assert amounts["胸部正位片(DR)"] == "¥80.00" and amounts["十二导联心电图"] == "¥30.00"
    assert "¥110.00" in dialog.total.text() and "¥110.00" in dialog.confirm.text()
    assert dialog.findChild(type(dialog.reason), "supervisorUser").isVisibleTo(dialog)
    assert not m.Receipt.select().where((m.Receipt.visit == v.id) & (m.Receipt.kind == "refund")).exists()
    dialog.set_checked(dialog.checked_ids()[0], False)
    assert "¥110.00" not in dialog.total.text()


def test_reception_refund_in_one_dialog_signed_by_a_supervisor_who_is_audited(app, qtbot, visit):
    session, v = visit
    dialog = _refund_dialog(qtbot, session, v, "DR_CHEST", "ECG")
    dialog.method.setCurrentIndex(dialog.method.findData(PaymentMethod.CASH))
    dialog.reason.setText("客人不做")
    dialog.supervisor_user.setText("zhuguan")
    dialog.supervisor_password.setText("demo-super-2026")
    dialog.commit()
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.message.text()
    refund = m.Receipt.get((m.Receipt.visit == v.id) & (m.Receipt.kind == "refund"))
    assert refund.total == Decimal("110.00") and [p.method for p in refund.payments] == ["cash"]
    assert [r.id for r in dialog.vouchers] == [refund.id]
    items = [str(vi.id) for vi in m.VisitItem.select().where(m.VisitItem.visit == v.id)]
    entries = list(m.AuditLog.select().where((m.AuditLog.action == "visit_item.refund")
                                             & m.AuditLog.record_id.in_(items)))
    assert len(entries) == 2 and {(e.username, e.desk) for e in entries} == {("zhuguan", "前台1")}


def test_wrong_supervisor_password_refunds_nothing_and_says_so(app, qtbot, visit):
    session, v = visit
    dialog = _refund_dialog(qtbot, session, v, "DR_CHEST")
    dialog.reason.setText("客人不做")
    dialog.supervisor_user.setText("zhuguan")
    dialog.supervisor_password.setText("wrong-password")
    dialog.commit()
    assert dialog.message.text() and dialog.result() != dialog.DialogCode.Accepted
    assert not m.Receipt.select().where((m.Receipt.visit == v.id) & (m.Receipt.kind == "refund")).exists()
    assert m.VisitItem.select().where((m.VisitItem.visit == v.id) & (m.VisitItem.status == "refunded")).count() == 0


def test_refund_without_a_reason_is_refused_in_the_dialog(app, qtbot, visit):
    supervisor = auth.login("zhuguan", "demo-super-2026", "前台1")
    _, v = visit
    dialog = _refund_dialog(qtbot, supervisor, v, "DR_CHEST")
    assert not dialog.supervisor_user.isVisibleTo(dialog)  # a supervisor approves it themselves
    dialog.commit()
    assert "原因" in dialog.message.text()
    assert not m.Receipt.select().where((m.Receipt.visit == v.id) & (m.Receipt.kind == "refund")).exists()


def test_refund_from_the_visit_window_previews_the_voucher(app, qtbot, visit, monkeypatch):
    from frontdesk.ui.refund_dialog import RefundDialog

    session, v = visit
    dialog = _dialog(qtbot, session, v)
    row = next(i for i, name in enumerate(dialog.detail.items) if name[0] == "胸部正位片(DR)")
    dialog.items_table.selectRow(row)

    def sign(refund):
        assert refund.checked_ids() == [dialog.detail.item_ids[row]]  # the selected row comes ticked
        refund.reason.setText("客人不做")
        refund.supervisor_user.setText("zhuguan")
        refund.supervisor_password.setText("demo-super-2026")
        refund.commit()
        return refund.result()

    monkeypatch.setattr(RefundDialog, "exec", sign)
    dialog.refund_item()
    assert "已退项" in [r[2] for r in dialog.detail.items]
    text = page_texts(dialog.last_preview.pdf_bytes)[0]
    charge = m.Receipt.get((m.Receipt.visit == v.id) & (m.Receipt.kind == "charge"))
    assert "退款凭证" in text and charge.receipt_no in text and "审批人" in text and "¥80.00" in text
    dialog.last_preview.close()


def test_cancelled_refund_dialog_leaves_the_items(app, qtbot, visit, monkeypatch):
    from frontdesk.ui.refund_dialog import RefundDialog

    session, v = visit
    dialog = _dialog(qtbot, session, v)
    dialog.items_table.selectRow(0)
    monkeypatch.setattr(RefundDialog, "exec", lambda self: 0)
    dialog.refund_item()
    assert not m.Receipt.select().where((m.Receipt.visit == v.id) & (m.Receipt.kind == "refund")).exists()


def test_add_on_list_does_not_offer_items_already_in_the_visit(app, qtbot, visit):
    session, v = visit
    dialog = AddItemsDialog(session, v.id)
    qtbot.addWidget(dialog)
    offered = {dialog.picker.itemData(i) for i in range(dialog.picker.count())}
    have = {vi.item_id for vi in m.VisitItem.select().where(m.VisitItem.visit == v.id)}
    assert have and not offered & have
    assert m.ExamItem.get(m.ExamItem.code == "PSA").id in offered
    dialog.add_item(next(iter(have)))
    assert dialog.item_ids() == [] and "已在本次体检中" in dialog.message.text()


def test_add_on_offers_its_receipt_for_printing(app, qtbot, visit, monkeypatch):
    session, v = visit
    psa = m.ExamItem.get(m.ExamItem.code == "PSA")

    def add_and_confirm(add):
        add.add_item(psa.id)
        add.confirm()
        return add.result is not None

    monkeypatch.setattr(AddItemsDialog, "exec", add_and_confirm)
    dialog = _dialog(qtbot, session, v)
    dialog.add_items()
    receipt = m.Receipt.select().where(m.Receipt.visit == v.id).order_by(m.Receipt.id.desc()).first()
    assert dialog.last_preview.isVisible()
    text = page_texts(dialog.last_preview.pdf_bytes)[0]
    assert receipt.receipt_no in text and "¥60.00" in text
    dialog.last_preview.close()


def test_print_receipt_on_a_visit_without_receipts_says_why(app, qtbot, visit, monkeypatch):
    import dataclasses

    from PySide6.QtWidgets import QMessageBox

    session, v = visit
    told = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text: told.append(text)))
    detail = dataclasses.replace(overview.visit_detail(v.id), receipts=[], receipt_ids=[])
    dialog = VisitDialog(detail, session=session)
    qtbot.addWidget(dialog)
    dialog.print_receipt()
    assert told and "没有收据" in told[0] and "没有打印" in told[0]
    assert getattr(dialog, "last_preview", None) is None


def test_supervisor_voids_the_check_in_receipt(app, qtbot, visit, monkeypatch):
    _, v = visit
    supervisor = auth.login("zhuguan", "demo-super-2026", "前台1")
    dialog = _dialog(qtbot, supervisor, v)
    dialog.receipts_table.selectRow(0)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("收错套餐", True)))
    dialog.void_receipt()
    assert m.Receipt.get(m.Receipt.visit == v.id).status == "void"
    assert m.Visit.get_by_id(v.id).status == "cancelled"


def test_receipt_reprint_opens_the_preview(app, qtbot, visit):
    session, v = visit
    dialog = _dialog(qtbot, session, v)
    dialog.print_receipt()
    preview = dialog.last_preview
    receipt = m.Receipt.get(m.Receipt.visit == v.id)
    document = pypdfium2.PdfDocument(preview.pdf_bytes)
    try:
        text = document[0].get_textpage().get_text_bounded()
    finally:
        document.close()
    assert "收费收据" in text and receipt.receipt_no in text and v.visit_no in text
    saved = preview.save_pdf(str(qtbot._request.getfixturevalue("tmp_path") / "r.pdf"))
    assert saved.read_bytes() == preview.pdf_bytes
    preview.close()


def test_add_on_onto_a_printed_tube_tells_the_desk_to_reprint(app, qtbot, visit, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from frontdesk.config import LabelPrinterSettings
    from frontdesk.services import labels
    from frontdesk.ui.add_items_dialog import AddItemsDialog

    session, v = visit
    labels.print_labels(session, v.id, LabelPrinterSettings(output="pdf", path=str(tmp_path)), moment="check_in")
    thyroid = m.ExamItem.get(m.ExamItem.code == "THY")  # joins the printed, not yet collected serum tube

    def add_and_confirm(dialog):
        dialog.add_item(thyroid.id)
        dialog.confirm()
        return dialog.result is not None

    told = []
    monkeypatch.setattr(AddItemsDialog, "exec", add_and_confirm)
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text: told.append(text)))
    dialog = _dialog(qtbot, session, v)
    dialog.add_items()
    serum = m.Specimen.get((m.Specimen.visit == v.id) & (m.Specimen.tube_type == thyroid.tube_type_id))
    assert told and "重打" in told[0] and serum.barcode in told[0]
    assert serum.status == "created"  # the old copy is void until the label is printed again
