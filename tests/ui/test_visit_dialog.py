"""Changing a visit after check-in: add-ons, refunds and voids from the visit window."""

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QInputDialog

from frontdesk.domain.enums import PaymentMethod
from frontdesk.services import auth, checkin, overview
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m
from frontdesk.ui import supervisor_dialog
from frontdesk.ui.add_items_dialog import AddItemsDialog
from frontdesk.ui.visit_dialog import VisitDialog


@pytest.fixture
def visit(demo_db):
    session = auth.login("qiantai", "demo-desk-2026", "前台1")
    busy = m.Visit.select(m.Visit.guest).where(m.Visit.visit_date == dt.date.today())
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


def test_reception_refund_needs_a_supervisor_who_is_audited(app, qtbot, visit, monkeypatch):
    session, v = visit
    dialog = _dialog(qtbot, session, v)
    row = next(i for i, name in enumerate(dialog.detail.items) if name[0] == "胸部正位片(DR)")
    dialog.items_table.selectRow(row)

    def sign(self):
        self.username.setText("zhuguan")
        self.password.setText("demo-super-2026")
        self.check()
        return self.result()

    monkeypatch.setattr(supervisor_dialog.SupervisorDialog, "exec", sign)
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("现金", True)))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("客人不做", True)))
    monkeypatch.setattr("frontdesk.ui.visit_dialog.VisitDialog._preview_receipt", lambda self, rid: None)
    dialog.refund_item()
    item = m.VisitItem.get_by_id(dialog.detail.item_ids[row])
    assert item.status == "refunded"
    refund = m.Receipt.get((m.Receipt.visit == v.id) & (m.Receipt.kind == "refund"))
    assert refund.total == Decimal("80.00")
    entry = m.AuditLog.get(m.AuditLog.action == "visit_item.refund", m.AuditLog.record_id == str(item.id))
    assert entry.username == "zhuguan" and entry.desk == "前台1"
    assert "已退项" in [r[2] for r in dialog.detail.items]


def test_supervisor_declining_leaves_the_item(app, qtbot, visit, monkeypatch):
    session, v = visit
    dialog = _dialog(qtbot, session, v)
    dialog.items_table.selectRow(0)
    monkeypatch.setattr(supervisor_dialog.SupervisorDialog, "exec", lambda self: 0)
    dialog.refund_item()
    assert not m.Receipt.select().where(m.Receipt.visit == v.id, m.Receipt.kind == "refund").exists()


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
    assert preview.pdf_bytes.startswith(b"%PDF")
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
