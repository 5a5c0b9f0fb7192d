"""`frontdesk report eod`: the end-of-day report from a script, masked and audited, files written whole."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from frontdesk import cli, clock
from frontdesk.domain.enums import PaymentMethod
from frontdesk.services import checkin
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

DAY = dt.date(2026, 11, 23)
HAVE_PDF = importlib.util.find_spec("frontdesk.printing.eod_pdf") is not None


@pytest.fixture
def a_day(desk, make_guest, cat):
    guest = make_guest(name="张三丰")
    with clock.pinned(dt.datetime.combine(DAY, dt.time(9, 0))):
        checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=cat.package("BASIC").id,
                                              payments=[PaymentInput(PaymentMethod.CASH, D("298.00"))]), day=DAY)


def _methods_csv(folder):
    (path,) = folder.glob("*-payment_methods.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]


@pytest.mark.skipif(not HAVE_PDF, reason="printing/eod_pdf.py (the PDF engineer's renderer) is not in the tree yet")
def test_report_eod_writes_pdf_csv_and_xlsx_masked_and_audited(fdb, a_day, tmp_path, capsys):
    out = tmp_path / "day.pdf"
    code = cli.main(["--db", fdb, "report", "eod", "--date", DAY.isoformat(), "--out", str(out),
                     "--csv", str(tmp_path / "csv"), "--xlsx", str(tmp_path / "day.xlsx")])
    assert code == cli.EXIT_OK, capsys.readouterr().err
    assert out.read_bytes().startswith(b"%PDF")
    assert [r[4] for r in _methods_csv(tmp_path / "csv")] == ["298.00"]
    formats = {json.loads(e.details)["format"] for e in m.AuditLog.select().where(m.AuditLog.action == "eod.export")}
    assert formats == {"pdf", "csv", "xlsx"}


def test_report_eod_csv_and_xlsx_from_the_command_line(fdb, a_day, tmp_path, capsys, monkeypatch):
    from frontdesk.services import eod_export

    # The PDF step is the renderer's own test; here only what the CSV and XLSX say.
    monkeypatch.setattr(eod_export, "export_pdf", lambda session, report, path: path)
    code = cli.main(["--db", fdb, "report", "eod", "--date", DAY.isoformat(), "--out", str(tmp_path / "day.pdf"),
                     "--csv", str(tmp_path / "csv"), "--xlsx", str(tmp_path / "day.xlsx")])
    assert code == cli.EXIT_OK, capsys.readouterr().err
    assert [(r[1], r[4]) for r in _methods_csv(tmp_path / "csv")] == [("298.00", "298.00")]
    text = "".join(p.read_text(encoding="utf-8-sig") for p in (tmp_path / "csv").glob("*.csv"))
    assert "张三丰" not in text
    book = load_workbook(tmp_path / "day.xlsx")
    assert len(book.sheetnames) == len(list((tmp_path / "csv").glob("*.csv")))
    entries = list(m.AuditLog.select().where(m.AuditLog.action == "eod.export"))
    assert {(e.username, json.loads(e.details)["format"]) for e in entries} == {("system", "csv"), ("system", "xlsx")}


def test_report_eod_refuses_a_future_date(fdb, tmp_path, capsys):
    tomorrow = clock.today() + dt.timedelta(days=1)
    code = cli.main(["--db", fdb, "report", "eod", "--date", tomorrow.isoformat(), "--out", str(tmp_path / "x.pdf")])
    assert code == cli.EXIT_USER_ERROR
    assert "还没有到" in capsys.readouterr().err
    assert not list(tmp_path.glob("x.pdf*"))


def test_report_eod_unwritable_place_is_a_message_and_no_file(fdb, a_day, tmp_path, capsys):
    target = tmp_path / "nowhere" / "day.xlsx"
    code = cli.main(["--db", fdb, "report", "eod", "--date", DAY.isoformat(), "--out", str(tmp_path / "x.pdf"),
                     "--xlsx", str(target)])
    assert code == cli.EXIT_USER_ERROR
    assert "不存在" in capsys.readouterr().err
    assert not target.exists() and not (tmp_path / "x.pdf").exists()
