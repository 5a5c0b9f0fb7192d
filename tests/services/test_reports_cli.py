"""`frontdesk reports receive` and `frontdesk reports calls`: the same services from a script."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from frontdesk import cli, clock
from frontdesk.domain.enums import PaymentMethod, VisitStatus
from frontdesk.services import checkin, closeout, reports
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def closed(desk, make_guest, cat):
    def make(name="张三丰"):
        guest = make_guest(name=name)
        visit = checkin.check_in(desk, CheckInRequest(guest_id=guest.id, added_item_ids=[cat.item_id("GENERAL")],
                                                      payments=[PaymentInput(PaymentMethod.CASH, D("10.00"))]),
                                 day=TODAY).visit
        closeout.mark_all_done(desk, visit.id)
        closeout.close_visit(desk, visit.id)
        return visit
    return make


def test_receive_a_list_from_the_command_line_all_or_nothing(fdb, closed, tmp_path, capsys):
    a, b = closed(), closed("李四")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{a.visit_no}\n{b.visit_no}9\n", encoding="utf-8")
    assert cli.main(["--db", fdb, "reports", "receive", str(bad)]) == cli.EXIT_USER_ERROR
    assert "第 2 行" in capsys.readouterr().err and m.ReportArrival.select().count() == 0
    good = tmp_path / "good.csv"
    good.write_text(f"{a.visit_no}\n{b.visit_no}\n", encoding="utf-8")
    assert cli.main(["--db", fdb, "reports", "receive", str(good), "--shelf", "K-2"]) == cli.EXIT_OK
    assert "已登记 2 份" in capsys.readouterr().out
    assert {v.status for v in m.Visit.select()} == {VisitStatus.REPORT_READY.value}
    assert {r.shelf_no for r in m.ReportArrival.select()} == {"K-2"}


def test_call_list_export_from_the_command_line_is_masked_and_audited(fdb, desk, closed, tmp_path, capsys):
    v = closed()
    with clock.pinned(dt.datetime.now() - dt.timedelta(days=40)):
        reports.receive_reports(desk, [v.visit_no])
    out = tmp_path / "calls.xlsx"
    assert cli.main(["--db", fdb, "reports", "calls", "--out", str(out), "--days", "30"]) == cli.EXIT_OK
    cells = [c.value for row in load_workbook(out).active.iter_rows() for c in row]
    assert v.visit_no in cells and "张*丰" in cells and "张三丰" not in cells
    assert m.AuditLog.select().where(m.AuditLog.action == "report.call_list.export").get().username == "system"
