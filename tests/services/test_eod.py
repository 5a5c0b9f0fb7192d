"""End of day: a known day built through the services, every figure checked against the database and the CSV.

The day (2026-11-23, the clock pinned to each moment):

- 08:10 张三丰 walk-in, BASIC ¥298.00 cash (tendered ¥300.00), belongings under tag A01
- 08:40 李四 walk-in, BASIC ¥298.00 WeChat
- 09:05 赵六 group guest, GROUP ¥380.00 on the organisation account
- 09:20 张三丰 adds HBA1C ¥80.00 cash (an add-on receipt)
- 09:50 the supervisor refunds 李四's ORAL (¥15.00 back by WeChat)
- 10:10 王五 walk-in, ENTRY ¥168.00 cash; 10:20 the supervisor voids it
- 10:40 张三丰 gives up EYE (reason given); 李四's US_ABD is deferred three days

Gross ¥1,224.00; refunds ¥15.00; voids ¥168.00; net ¥1,041.00; cash expected ¥378.00.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from frontdesk import clock
from frontdesk.domain.enums import PaymentMethod, ReceiptKind
from frontdesk.errors import ConflictError, PermissionDeniedError, UserError, ValidationError
from frontdesk.services import belongings, checkin, closeout, deferrals, eod, eod_export, payments, site_settings
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

DAY = dt.date(2026, 11, 23)
NEXT = DAY + dt.timedelta(days=1)


def at(day: dt.date, hh: int, mm: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm))  # naive: local time, as the desk sees it


def pay(method, amount, tendered=None):
    return PaymentInput(method, D(amount), D(tendered) if tendered else None)


@pytest.fixture
def users(admin, desk, supervisor):
    from frontdesk.services import auth

    for session in (desk, supervisor):
        auth.create_user(admin, session.username, session.display_name, session.role, "Passw0rd!x")


@pytest.fixture
def known_day(desk, supervisor, users, make_guest, make_contract, cat):
    """The day above; returns the records the tests look at."""
    zhang = make_guest(name="张三丰", phone="13812341234")
    li = make_guest(name="李四", sex="F", birth=dt.date(1990, 1, 2))
    zhao = make_guest(name="赵六")
    wang = make_guest(name="王五")
    contract = make_contract(roster=[zhao], package="GROUP")
    basic, entry = cat.package("BASIC"), cat.package("ENTRY")
    try:
        clock.pin(at(DAY, 8, 10))
        a = checkin.check_in(desk, CheckInRequest(guest_id=zhang.id, package_id=basic.id,
                                                  payments=[pay(PaymentMethod.CASH, "298.00", "300.00")]), day=DAY)
        belongings.store(desk, a.visit.id, "A01", "黑色双肩包")
        clock.pin(at(DAY, 8, 40))
        b = checkin.check_in(desk, CheckInRequest(guest_id=li.id, package_id=basic.id,
                                                  payments=[pay(PaymentMethod.WECHAT, "298.00")]), day=DAY)
        clock.pin(at(DAY, 9, 5))
        c = checkin.check_in(desk, CheckInRequest(guest_id=zhao.id, contract_id=contract.id,
                                                  source="group"), day=DAY)
        clock.pin(at(DAY, 9, 20))
        addon = checkin.add_items(desk, a.visit.id, [cat.item_id("HBA1C")], [pay(PaymentMethod.CASH, "80.00")],
                                  day=DAY)
        clock.pin(at(DAY, 9, 50))
        oral = m.VisitItem.get(m.VisitItem.visit == b.visit.id, m.VisitItem.item == cat.item_id("ORAL"))
        refund = checkin.remove_item(supervisor, oral.id, PaymentMethod.WECHAT, "客人不需要口腔检查")
        clock.pin(at(DAY, 10, 10))
        d = checkin.check_in(desk, CheckInRequest(guest_id=wang.id, package_id=entry.id,
                                                  payments=[pay(PaymentMethod.CASH, "168.00")]), day=DAY)
        clock.pin(at(DAY, 10, 20))
        payments.void_receipt(supervisor, d.receipt.id, "套餐选错")
        clock.pin(at(DAY, 10, 40))
        eye = m.VisitItem.get(m.VisitItem.visit == a.visit.id, m.VisitItem.item == cat.item_id("EYE"))
        closeout.abandon_items(desk, a.visit.id, [eye.id], "客人不愿散瞳", guest_confirmed=True)
        us = m.VisitItem.get(m.VisitItem.visit == b.visit.id, m.VisitItem.item == cat.item_id("US_ABD"))
        deferrals.defer_items(desk, b.visit.id, [us.id], DAY + dt.timedelta(days=3), today=DAY)
        clock.pin(at(DAY, 17, 30))
        yield {"a": a, "b": b, "c": c, "d": d, "addon": addon, "refund": refund, "contract": contract}
    finally:
        clock.unpin()


def _day_bounds():
    return eod.day_bounds(DAY)


def db_money_by_method(day=DAY):
    """Charges, refunds and voids per method for ``day`` straight from the tables."""
    start, end = eod.day_bounds(day)
    result: dict[str, list[D]] = {}

    def add(rows, index):
        for p in rows:
            result.setdefault(p.method, [D("0.00")] * 3)[index] += p.amount

    issued = (m.Receipt.issued_at >= start) & (m.Receipt.issued_at < end)
    add(m.Payment.select().join(m.Receipt).where(issued, m.Receipt.kind == "charge"), 0)
    add(m.Payment.select().join(m.Receipt).where(issued, m.Receipt.kind == "refund"), 1)
    add(m.Payment.select().join(m.Receipt).where(m.Receipt.voided_at >= start, m.Receipt.voided_at < end), 2)
    return result


# --------------------------------------------------------------------------
# The figures


def test_money_of_the_known_day_matches_the_database_to_the_cent(supervisor, known_day):
    report = eod.build_report(supervisor, DAY)
    money = report.money
    assert (money.gross, money.refunds, money.voids, money.net) == (D("1224.00"), D("15.00"), D("168.00"),
                                                                     D("1041.00"))
    start, end = _day_bounds()
    charges = m.Receipt.select().where(m.Receipt.issued_at >= start, m.Receipt.issued_at < end,
                                       m.Receipt.kind == ReceiptKind.CHARGE.value)
    assert money.gross == sum(r.total for r in charges)
    assert money.charge_receipts == charges.count() == 5
    db = db_money_by_method()
    assert {r.method: [r.charges, r.refunds, r.voids] for r in money.by_method} == db
    assert {r.method: r.net for r in money.by_method} == {"cash": D("378.00"), "wechat": D("283.00"),
                                                          "org_account": D("380.00")}
    assert money.cash.expected == D("378.00") and money.cash.counted is None
    assert sum(r.net for r in money.by_method) == money.net


def test_refunds_and_voids_name_the_supervisor_and_the_reason(supervisor, known_day):
    money = eod.build_report(supervisor, DAY).money
    (refund,) = money.refund_events
    assert (refund.amount, refund.approved_by, refund.approved_by_name, refund.reason) == (
        D("15.00"), "zhuguan", "王主管", "客人不需要口腔检查")
    assert refund.original_receipt_no == known_day["b"].receipt.receipt_no
    (void,) = money.void_events
    assert (void.receipt_no, void.amount, void.approved_by, void.reason) == (
        known_day["d"].receipt.receipt_no, D("168.00"), "zhuguan", "套餐选错")
    assert void.corrects_closed_day is None and refund.corrects_closed_day is None


def test_by_cashier_org_accounts_and_addons(supervisor, known_day):
    money = eod.build_report(supervisor, DAY).money
    cashiers = {c.username: c for c in money.by_cashier}
    assert (cashiers["qiantai"].receipts, cashiers["qiantai"].charges, cashiers["qiantai"].cash_net) == (
        5, D("1224.00"), D("546.00"))
    assert (cashiers["zhuguan"].refunds, cashiers["zhuguan"].voids, cashiers["zhuguan"].cash_net) == (
        D("15.00"), D("168.00"), D("-168.00"))
    assert sum(c.net for c in money.by_cashier) == money.net
    (org,) = money.org_accounts
    assert (org.name, org.visits, org.charges, org.net) == (known_day["contract"].organisation.name, 1, D("380.00"),
                                                           D("380.00"))
    assert [(a.count, a.amount) for a in money.addons] == [(1, D("80.00"))] and money.addons_total == D("80.00")


def test_day_in_numbers_stations_and_packages(supervisor, known_day):
    report = eod.build_report(supervisor, DAY)
    n = report.numbers
    assert (n.checked_in, n.walk_ins, n.group, n.individual, n.cancelled_visits, n.still_open) == (3, 2, 1, 2, 1, 3)
    assert (n.items_abandoned, n.items_deferred, n.items_refunded) == (1, 1, 1)
    planned = (m.VisitItem.select().join(m.Visit)
               .where(m.Visit.visit_date == DAY, m.Visit.status != "cancelled", m.VisitItem.status != "refunded"))
    assert n.items_planned == planned.count() == sum(s.planned for s in report.stations)
    assert [(x.deferred_to, x.items) for x in n.deferred] == [(DAY + dt.timedelta(days=3), 1)]
    (abandoned,) = n.abandoned
    assert (abandoned.guest_name, abandoned.reason) == ("张*丰", "客人不愿散瞳")
    assert sum(p.visits for p in report.packages) == n.checked_in
    assert {p.code: p.visits for p in report.packages} == {"BASIC": 2, "GROUP": 1}
    blood = next(s for s in report.stations if s.code == "BLOOD")
    assert blood.capacity == 400
    assert sum(h.check_ins for h in report.check_ins_per_half_hour) == n.checked_in
    by_slot = {h.start: h.check_ins for h in report.check_ins_per_half_hour}
    assert by_slot[dt.time(8, 0)] == 1 and by_slot[dt.time(8, 30)] == 1 and by_slot[dt.time(9, 0)] == 1
    assert report.has_data


def test_belongings_not_returned_are_listed_masked(supervisor, known_day):
    report = eod.build_report(supervisor, DAY)
    assert [(b.tag_no, b.guest_name) for b in report.belongings] == [("A01", "张*丰")]


# --------------------------------------------------------------------------
# Masking and audit


def test_report_is_masked_by_default_and_unmasked_only_for_a_supervisor(desk, supervisor, known_day):
    masked = eod.build_report(desk, DAY)
    assert masked.masked and masked.belongings[0].guest_name == "张*丰"
    assert "张三丰" not in json.dumps(eod._plain(masked), ensure_ascii=False)
    with pytest.raises(PermissionDeniedError):
        eod.build_report(desk, DAY, unmasked=True)
    full = eod.build_report(supervisor, DAY, unmasked=True)
    assert not full.masked and full.belongings[0].guest_name == "张三丰"
    entry = m.AuditLog.get(m.AuditLog.action == "eod.view_unmasked")
    assert (entry.username, entry.record_id) == ("zhuguan", DAY.isoformat())


def test_uncollected_reports_mask_name_id_number_and_phone(desk, catalogue):
    row = eod.UncollectedReport("2611230001", "张三丰", "11010519491231002X", "13812341234", DAY, DAY, 20)
    empty = eod.build_report(desk, DAY)
    full = eod.replace(empty, masked=False, reports=eod.replace(empty.reports, uncollected=(row,)))
    masked = eod.mask_report(full).reports.uncollected[0]
    assert (masked.guest_name, masked.id_number, masked.phone) == ("张*丰", "110105********002X", "138****1234")


# --------------------------------------------------------------------------
# Bad input


def test_future_date_is_refused(desk, fdb):
    with pytest.raises(ValidationError, match="还没有到"):
        eod.build_report(desk, clock.today() + dt.timedelta(days=1))


def test_day_without_data_gives_a_valid_report_saying_so(desk, catalogue):
    report = eod.build_report(desk, DAY)
    assert not report.has_data
    assert report.money.net == D("0.00") and report.numbers.checked_in == 0 and report.stations == ()
    assert report.money.cash.expected == D("0.00")


# --------------------------------------------------------------------------
# Closing a day


def test_closing_needs_a_supervisor(desk, known_day):
    with pytest.raises(PermissionDeniedError):
        eod.close_day(desk, DAY, D("378.00"))
    assert m.DayClose.select().count() == 0


@pytest.mark.parametrize("counted", [D("-1.00"), D("12.345"), "378"])
def test_closing_refuses_a_count_that_is_not_money(supervisor, known_day, counted):
    with pytest.raises(ValidationError):
        eod.close_day(supervisor, DAY, counted)
    assert m.DayClose.select().count() == 0


def test_closing_keeps_the_count_difference_and_signed_figures_and_is_audited(supervisor, known_day):
    report = eod.close_day(supervisor, DAY, D("377.00"))
    assert (report.money.cash.expected, report.money.cash.counted, report.money.cash.difference) == (
        D("378.00"), D("377.00"), D("-1.00"))
    assert report.closing.closed and report.closing.closed_by == "zhuguan" and report.closing.signed_figures
    row = m.DayClose.get()
    assert (row.day, row.desk, row.cash_expected, row.cash_counted, row.cash_difference) == (
        DAY, "", D("378.00"), D("377.00"), D("-1.00"))
    signed = eod.from_json(row.figures)
    assert signed.money.net == D("1041.00") and not signed.masked  # kept in full; masked when shown
    entry = m.AuditLog.get(m.AuditLog.action == "eod.close")
    assert json.loads(entry.details)["difference"] == "-1.00"


def test_a_day_is_closed_only_once(supervisor, known_day):
    eod.close_day(supervisor, DAY, D("378.00"))
    with pytest.raises(ConflictError, match="已日结"):
        eod.close_day(supervisor, DAY, D("378.00"))
    assert m.DayClose.select().count() == 1


def test_void_next_morning_is_a_correction_and_the_signed_figures_stay(supervisor, known_day):
    eod.close_day(supervisor, DAY, D("377.00"))
    # Money entered on the closed day after the close: listed, not folded into the signed figures.
    clock.pin(at(DAY, 17, 45))
    late = checkin.add_items(supervisor, known_day["b"].visit.id, [m.ExamItem.get(code="AFP").id],
                             [pay(PaymentMethod.CARD, "40.00")], day=DAY)
    clock.pin(at(NEXT, 9, 0))
    payments.void_receipt(supervisor, known_day["addon"].receipt.id, "客人不做糖化")

    again = eod.build_report(supervisor, DAY)
    assert again.closing.signed_figures
    assert (again.money.gross, again.money.voids, again.money.net) == (D("1224.00"), D("168.00"), D("1041.00"))
    assert again.money.cash.counted == D("377.00")
    late_c, void_c = again.closing.corrections
    assert (late_c.kind, late_c.receipt_no, late_c.amount, late_c.booked_on) == (
        eod.CORRECTION_LATE, late.receipt.receipt_no, D("40.00"), DAY)
    assert (void_c.kind, void_c.receipt_no, void_c.amount, void_c.cash_amount, void_c.booked_on, void_c.by) == (
        eod.CORRECTION_VOID, known_day["addon"].receipt.receipt_no, D("-80.00"), D("-80.00"), NEXT, "zhuguan")
    assert again.closing.corrections_total == D("-40.00")

    # The next day books the void and says which closed day it corrects.
    next_day = eod.build_report(supervisor, NEXT)
    (void,) = next_day.money.void_events
    assert (void.amount, void.original_day, void.corrects_closed_day) == (D("80.00"), DAY, DAY)
    assert next_day.money.voids == D("80.00") and next_day.money.cash.expected == D("-80.00")
    assert next_day.money.corrections_of_closed_days == (void,)
    entry = m.AuditLog.get(m.AuditLog.action == "eod.correction")
    assert json.loads(entry.details)["closed_day"] == DAY.isoformat()


def test_receipts_stamped_after_the_close_are_corrections_not_also_signed_figures(supervisor, known_day):
    # Another desk's clock runs ahead (or the day is closed early): receipts already in the database carry
    # times after the close. The signed figures are what was there up to the close; each later-stamped
    # receipt is one correction, never counted in both.
    clock.pin(at(DAY, 9, 30))
    report = eod.close_day(supervisor, DAY, D("378.00"))
    # Up to 09:30: 298 + 298 + 380 (organisation account) + 80 = 1056 gross, nothing refunded or voided yet.
    assert (report.money.gross, report.money.refunds, report.money.voids) == (D("1056.00"), D("0"), D("0"))
    again = eod.build_report(supervisor, DAY)
    assert again.money.gross == D("1056.00")
    kinds = sorted((c.kind, c.amount) for c in again.closing.corrections)
    assert kinds == sorted([(eod.CORRECTION_LATE, D("168.00")), (eod.CORRECTION_REFUND, D("-15.00")),
                            (eod.CORRECTION_VOID, D("-168.00"))])
    assert again.money.net + again.closing.corrections_total == D("1041.00")  # the day's real net, once
    (wechat_refund,) = [c for c in again.closing.corrections if c.kind == eod.CORRECTION_REFUND]
    assert str(wechat_refund.cash_amount) == "0.00"  # no cash moved: not "-0.00" in the CSV


def test_refund_of_a_closed_days_receipt_is_a_correction(supervisor, known_day, cat):
    eod.close_day(supervisor, DAY, D("378.00"))
    clock.pin(at(NEXT, 9, 30))
    item = m.VisitItem.get(m.VisitItem.visit == known_day["a"].visit.id, m.VisitItem.item == cat.item_id("GENERAL"))
    refund = checkin.remove_item(supervisor, item.id, PaymentMethod.CASH, "客人提前离开")
    (correction,) = eod.build_report(supervisor, DAY).closing.corrections
    assert (correction.kind, correction.receipt_no, correction.amount, correction.reason) == (
        eod.CORRECTION_REFUND, refund.receipt_no, -refund.total, "客人提前离开")
    (event,) = eod.build_report(supervisor, NEXT).money.refund_events
    assert event.corrects_closed_day == DAY


def test_a_correction_of_a_closed_day_still_needs_a_supervisor(desk, supervisor, known_day):
    eod.close_day(supervisor, DAY, D("378.00"))
    clock.pin(at(NEXT, 9, 0))
    with pytest.raises(PermissionDeniedError):
        payments.void_receipt(desk, known_day["addon"].receipt.id, "x")
    assert eod.build_report(supervisor, DAY).closing.corrections == ()


def test_per_desk_closing_closes_each_desk_on_its_own(supervisor, known_day, admin):
    site_settings.set_value(admin, eod.CLOSE_SCOPE_SETTING, "desk")
    with pytest.raises(ValidationError, match="选择要日结的前台"):
        eod.close_day(supervisor, DAY, D("378.00"))
    report = eod.close_day(supervisor, DAY, D("378.00"), desk="前台1")
    assert report.desk == "前台1" and report.closing.scope == "desk"
    assert eod.build_report(supervisor, DAY, desk="前台1").closing.signed_figures
    assert not eod.build_report(supervisor, DAY, desk="前台2").closing.closed
    assert not eod.build_report(supervisor, DAY, desk="前台2").has_data


# --------------------------------------------------------------------------
# Exports


def read_csv_tables(files):
    tables = {}
    for path in files:
        key = path.stem.split("-", 5)[-1]
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        tables[key] = rows
    return tables


def test_csv_has_one_file_per_section_and_its_rows_add_up_to_the_totals(desk, supervisor, known_day, tmp_path):
    report = eod.build_report(desk, DAY)
    files = eod_export.export_csv(desk, report, tmp_path / "out")
    tables = read_csv_tables(files)
    assert len(files) == len(eod_export.report_tables(report)) and "payment_methods" in tables
    methods = tables["payment_methods"][1:]
    db = db_money_by_method()
    assert sum(D(r[1]) for r in methods) == report.money.gross == sum(v[0] for v in db.values())
    assert sum(D(r[2]) for r in methods) == report.money.refunds == sum(v[1] for v in db.values())
    assert sum(D(r[3]) for r in methods) == report.money.voids == sum(v[2] for v in db.values())
    assert sum(D(r[4]) for r in methods) == report.money.net == D("1041.00")
    assert sum(D(r[6]) for r in tables["cashiers"][1:]) == report.money.net
    assert sum(D(r[5]) for r in tables["refunds"][1:]) == report.money.refunds
    assert sum(D(r[5]) for r in tables["voids"][1:]) == report.money.voids
    assert sum(D(r[2]) for r in tables["addons"][1:]) == report.money.addons_total
    assert sum(int(r[2]) for r in tables["packages"][1:]) == report.numbers.checked_in
    assert sum(int(r[2]) for r in tables["stations"][1:]) == report.numbers.items_planned
    summary = dict(tables["summary"][1:])
    assert summary["净收入"] == "1041.00" and summary["应有现金"] == "378.00"
    text = "".join(p.read_text(encoding="utf-8-sig") for p in files)
    assert "张三丰" not in text and "张*丰" in text  # masked
    entry = m.AuditLog.get(m.AuditLog.action == "eod.export")
    details = json.loads(entry.details)
    assert (entry.username, details["format"], details["masked"], details["files"]) == ("qiantai", "csv", True,
                                                                                     len(files))


def test_xlsx_has_one_sheet_per_section_with_the_same_figures(desk, known_day, tmp_path):
    report = eod.build_report(desk, DAY)
    path = eod_export.export_xlsx(desk, report, tmp_path / "day.xlsx")
    book = load_workbook(path)
    assert len(book.sheetnames) == len(eod_export.report_tables(report))
    sheet = next(book[n] for n in book.sheetnames if "支付方式" in n)
    nets = [D(str(row[4])).quantize(D("0.01")) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sum(nets) == report.money.net
    assert json.loads(m.AuditLog.get(m.AuditLog.action == "eod.export").details)["format"] == "xlsx"


def test_unmasked_export_needs_a_supervisor(desk, supervisor, known_day, tmp_path):
    full = eod.build_report(supervisor, DAY, unmasked=True)
    with pytest.raises(PermissionDeniedError):
        eod_export.export_xlsx(desk, full, tmp_path / "day.xlsx")
    assert not (tmp_path / "day.xlsx").exists()
    eod_export.export_xlsx(supervisor, full, tmp_path / "day.xlsx")
    assert json.loads(m.AuditLog.get(m.AuditLog.action == "eod.export").details)["masked"] is False


def test_unwritable_place_gives_a_clear_message_and_no_file(desk, known_day, tmp_path):
    report = eod.build_report(desk, DAY)
    with pytest.raises(UserError, match="不存在"):
        eod_export.export_xlsx(desk, report, tmp_path / "missing" / "day.xlsx")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(UserError):
        eod_export.export_csv(desk, report, blocker)
    assert m.AuditLog.select().where(m.AuditLog.action == "eod.export").count() == 0


def test_full_disk_leaves_no_half_file_under_the_final_name(desk, known_day, tmp_path, monkeypatch):
    report = eod.build_report(desk, DAY)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "day.xlsx"
    target.write_bytes(b"yesterday's file")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(eod_export.os, "fsync", disk_full)
    with pytest.raises(UserError, match="磁盘已满"):
        eod_export.export_xlsx(desk, report, target)
    with pytest.raises(UserError, match="磁盘已满"):
        eod_export.export_csv(desk, report, out / "csv")
    assert target.read_bytes() == b"yesterday's file"
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["day.xlsx"]


def test_pdf_shows_the_same_figures_as_the_database_and_the_csv(desk, supervisor, known_day, tmp_path):
    import pypdfium2

    from frontdesk.domain.money import format_amount

    eod.close_day(supervisor, DAY, D("377.00"))
    report = eod.build_report(desk, DAY)
    path = eod_export.export_pdf(desk, report, tmp_path / "day.pdf")
    document = pypdfium2.PdfDocument(str(path))
    try:
        text = "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    compact = text.replace(" ", "").replace("\r", "").replace("\n", "")
    tables = read_csv_tables(eod_export.export_csv(desk, report, tmp_path / "csv"))
    for row in tables["payment_methods"][1:]:
        assert format_amount(D(row[4])) in compact, row
    for amount in (report.money.gross, report.money.refunds, report.money.voids, report.money.net,
                   report.money.cash.expected, D("377.00"), D("-1.00")):
        assert format_amount(amount) in compact, amount
    assert DAY.isoformat() in compact and "张三丰" not in compact
    assert json.loads(m.AuditLog.select().where(m.AuditLog.action == "eod.export")
                      .order_by(m.AuditLog.id).first().details)["format"] == "pdf"


def test_specimens_labels_and_reprints_match_the_database_and_the_audit(desk, known_day, tmp_path):
    from frontdesk import config
    from frontdesk.services import labels

    output = config.LabelPrinterSettings(output="png", path=str(tmp_path / "labels"), size="50x25", dpi=203)
    visit_id = known_day["a"].visit.id
    clock.pin(at(DAY, 11, 0))
    first = labels.print_labels(desk, visit_id, output, moment="check_in")
    again = m.Specimen.select().where(m.Specimen.visit == visit_id, m.Specimen.print_count > 0).first()
    clock.pin(at(DAY, 11, 5))
    labels.print_labels(desk, visit_id, output, specimen_ids=[again.id])
    clock.pin(at(DAY, 17, 30))
    sp = eod.build_report(desk, DAY).specimens
    start, end = eod.day_bounds(DAY)
    prints = m.AuditLog.select().where(m.AuditLog.action.in_(["label.print", "label.replace", "label.reprint"]),
                                       m.AuditLog.at >= start, m.AuditLog.at < end)
    assert sp.labels_printed == sum(json.loads(e.details)["copies"] for e in prints) >= len(first.barcodes) + 1
    (reprint,) = sp.reprints
    assert (reprint.barcode, reprint.by, reprint.by_name, reprint.reprint_no) == (again.barcode, "qiantai", "李前台", 1)
    assert "以内" in reprint.why
    live = (m.Specimen.select().join(m.Visit)
            .where(m.Visit.visit_date == DAY, m.Specimen.status != "cancelled"))
    pending = [s for s in live if s.status in ("created", "label_printed")]
    assert sp.specimens == live.count() and sp.pending == len(pending) and sp.collected == 0
    assert sp.cancelled == m.Specimen.select().where(m.Specimen.status == "cancelled").count() > 0  # the void's
