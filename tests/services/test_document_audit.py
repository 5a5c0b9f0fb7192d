"""Receipts, guide sheets and lists printed or saved are audited; label files from the CLI are an export."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from decimal import Decimal as D

import pytest

from frontdesk import cli
from frontdesk.domain.enums import PaymentMethod
from frontdesk.services import checkin
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.document_audit import PrintedDocument, record_document_output
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def checked_in(desk, make_guest, cat):
    guest = make_guest(name="王芳", sex="F", birth=dt.date(1985, 2, 3))
    package = cat.package("COMP_F")
    return checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=package.id,
                                                 payments=[PaymentInput(PaymentMethod.CASH, D(package.price))]),
                            day=TODAY)


def _entries(prefix: str):
    return list(m.AuditLog.select().where(m.AuditLog.action.startswith(prefix)).order_by(m.AuditLog.id))


def test_first_receipt_output_is_a_print_and_every_later_one_a_reprint(desk, supervisor, checked_in):
    receipt = PrintedDocument.receipt(checked_in.receipt.id, checked_in.receipt.receipt_no)
    assert record_document_output(desk, receipt, destination="HP", pages=1) == "receipt.print"
    assert record_document_output(supervisor, receipt, destination="/tmp/r.pdf", pages=1,
                                  saved_as_pdf=True) == "receipt.reprint"
    first, second = _entries("receipt.")
    assert (first.username, first.desk, first.record_type, first.record_id) == ("qiantai", "前台1", "receipt",
                                                                                 str(checked_in.receipt.id))
    assert json.loads(first.details) == {"number": checked_in.receipt.receipt_no, "pages": 1, "output": "printer",
                                         "destination": "HP"}
    assert second.username == "zhuguan" and json.loads(second.details)["output"] == "pdf"


def test_guide_sheet_prints_are_counted_per_visit(desk, checked_in, make_guest, cat):
    guide = PrintedDocument.guide_sheet(checked_in.visit.id, checked_in.visit.visit_no)
    receipt = PrintedDocument.receipt(checked_in.receipt.id, checked_in.receipt.receipt_no)
    assert record_document_output(desk, receipt, destination="HP", pages=1) == "receipt.print"
    assert record_document_output(desk, guide, destination="HP", pages=1) == "guide_sheet.print"
    assert record_document_output(desk, guide, destination="HP", pages=1) == "guide_sheet.reprint"
    other = make_guest(name="赵六", sex="M")
    second = checkin.check_in(desk, CheckInRequest(guest_id=other.id, package_id=cat.package("BASIC").id,
                                                   payments=[PaymentInput(PaymentMethod.CASH, D("298.00"))]),
                              day=TODAY)
    # Another visit's guide sheet (same numbers of ids aside) is its own first print.
    assert record_document_output(desk, PrintedDocument.guide_sheet(second.visit.id, second.visit.visit_no),
                                  destination="HP", pages=1) == "guide_sheet.print"
    entry = _entries("guide_sheet.")[0]
    assert entry.record_type == "visit" and entry.record_id == str(checked_in.visit.id)


def test_labels_command_is_audited_as_an_export(capsys, fdb, checked_in, tmp_path):
    out = tmp_path / "out"
    code = cli.main(["--db", fdb, "labels", checked_in.visit.visit_no, "--out", str(out), "--format", "png"])
    capsys.readouterr()
    assert code == 0
    (entry,) = _entries("labels.export")
    details = json.loads(entry.details)
    files = sorted(out.glob("*.png"))
    assert entry.record_type == "visit" and entry.record_id == str(checked_in.visit.id)
    assert entry.username == "system" and entry.desk == "cli"
    assert details["visit_no"] == checked_in.visit.visit_no and details["folder"] == str(out.resolve())
    assert details["format"] == "png" and details["files"] == len(files) == details["labels"] > 0
    assert details["os_user"] == getpass.getuser() and details["host"]


def test_labels_command_that_could_not_write_records_no_export(capsys, fdb, checked_in, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    code = cli.main(["--db", fdb, "labels", checked_in.visit.visit_no, "--out", str(blocked), "--format", "png"])
    assert code == cli.EXIT_USER_ERROR and capsys.readouterr().err
    assert _entries("labels.export") == []
