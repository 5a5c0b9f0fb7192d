"""Reports at the desk: arrival (all or nothing), hand-out rules, pickup appointments, the call list."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from openpyxl import Workbook, load_workbook

from frontdesk import clock
from frontdesk.domain.codes import make_specimen_no, make_visit_no
from frontdesk.domain.enums import HandoutMethod, PaymentMethod, PickupKind, PickupStatus, Role, VisitStatus
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.errors import ConflictError, PermissionDeniedError, ValidationError
from frontdesk.services import auth, checkin, closeout, reports, site_settings
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.services.reports import AlreadyHandedOutError, ArrivalEntry, ArrivalRefusedError, HandoutRequest
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)
PROXY_ID = make_resident_id("310104", dt.date(1985, 3, 9), 124)
WRONG_CHECK = PROXY_ID[:-1] + ("1" if PROXY_ID[-1] != "1" else "2")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _clock():
    with clock.pinned(dt.datetime(2026, 11, 23, 10, 0)):
        yield


@pytest.fixture
def visit(desk, make_guest, cat):
    """A checked-in visit (one item, paid) of a new guest."""
    def make(name="张三丰", **guest):
        g = make_guest(name=name, **guest)
        return checkin.check_in(desk, CheckInRequest(guest_id=g.id, added_item_ids=[cat.item_id("GENERAL")],
                                                     payments=[PaymentInput(PaymentMethod.CASH, D("10.00"))]),
                                day=TODAY).visit
    return make


@pytest.fixture
def closed(desk, visit):
    """A visit closed out through the close-out service (awaiting its report)."""
    def make(name="张三丰", **guest):
        v = visit(name, **guest)
        closeout.mark_all_done(desk, v.id)
        closeout.close_visit(desk, v.id)
        return m.Visit.get_by_id(v.id)
    return make


@pytest.fixture
def ready(desk, closed):
    """A visit whose report is at the desk."""
    def make(name="张三丰", shelf="A-01", **guest):
        v = closed(name, **guest)
        reports.receive_reports(desk, [v.visit_no], shelf_no=shelf)
        return m.Visit.get_by_id(v.id)
    return make


def _status(v) -> str:
    return m.Visit.get_by_id(v.id).status


def _actions(action):
    return [json.loads(a.details) | {"_user": a.username} for a in m.AuditLog.select().where(m.AuditLog.action == action)]


# -- arrival -----------------------------------------------------------------------------------------------------


def test_scanned_reports_are_received_on_the_shelf_and_audited(desk, closed):
    a, b = closed(), closed("李四")
    outcome = reports.receive_reports(desk, [a.visit_no, f" {b.visit_no} "], shelf_no="b-12")
    assert {line.visit_no for line in outcome.received} == {a.visit_no, b.visit_no}
    assert _status(a) == _status(b) == VisitStatus.REPORT_READY.value
    arrival = m.ReportArrival.get(m.ReportArrival.visit == a.id)
    assert (arrival.shelf_no, arrival.received_by, arrival.desk) == ("B-12", "qiantai", "前台1")
    assert arrival.received_at == clock.now()
    assert {e["_user"] for e in _actions("report.receive")} == {"qiantai"} and len(_actions("report.receive")) == 2


def test_a_batch_with_an_unknown_or_open_visit_receives_nothing_and_names_each_reason(desk, closed, visit):
    good, still_open = closed(), visit("李四")
    unknown = make_visit_no(TODAY, 9876)
    specimen = make_specimen_no(TODAY, 5)
    mistyped = unknown[:-1] + str((int(unknown[-1]) + 1) % 10)
    with pytest.raises(ArrivalRefusedError) as caught:
        reports.receive_reports(desk, [good.visit_no, still_open.visit_no, unknown, specimen, mistyped])
    reasons = {p.code: p.reason for p in caught.value.problems}
    assert "尚未交单" in reasons[still_open.visit_no]
    assert "不存在" in reasons[unknown]
    assert "标本条码" in reasons[specimen]
    assert "校验位" in reasons[mistyped]
    assert good.visit_no not in reasons
    # Nothing half-applied: the good one was not received either.
    assert _status(good) == VisitStatus.CLOSED.value
    assert m.ReportArrival.select().count() == 0 and not _actions("report.receive")


def test_receiving_a_report_twice_leaves_the_first_arrival(desk, closed):
    v = closed()
    reports.receive_reports(desk, [v.visit_no], shelf_no="A1")
    with clock.pinned(dt.datetime(2026, 11, 24, 9, 0)):
        outcome = reports.receive_reports(desk, [v.visit_no, v.visit_no], shelf_no="Z9")
    assert not outcome.received and [line.shelf_no for line in outcome.already] == ["A1"]
    assert m.ReportArrival.get(m.ReportArrival.visit == v.id).shelf_no == "A1"


def test_bad_shelf_number_is_refused(desk, closed):
    with pytest.raises(ValidationError, match="柜位"):
        reports.receive_reports(desk, [closed().visit_no], shelf_no="A 1/2")


def test_arrival_list_from_gbk_csv_with_header_and_shelves(desk, closed, tmp_path):
    a, b = closed(), closed("李四")
    path = tmp_path / "报告清单.csv"
    path.write_bytes(f"体检号,柜位\n{a.visit_no},C-3\n\n{b.visit_no},\n".encode("gbk"))
    entries = reports.read_arrival_file(path)
    assert [(e.code, e.shelf_no, e.line) for e in entries] == [(a.visit_no, "C-3", 2), (b.visit_no, "", 4)]
    reports.receive_reports(desk, entries, shelf_no="D-1")
    shelves = {r.visit_id: r.shelf_no for r in m.ReportArrival.select()}
    assert shelves == {a.id: "C-3", b.id: "D-1"}


def test_arrival_list_from_xlsx_reports_the_bad_line_by_number(desk, closed, tmp_path):
    a = closed()
    book = Workbook()
    book.active.append(["体检号"])
    book.active.append([int(a.visit_no)])  # Excel keeps numbers as numbers
    book.active.append(["没有这个"])
    path = tmp_path / "list.xlsx"
    book.save(path)
    entries = reports.read_arrival_file(path)
    assert entries[0] == ArrivalEntry(a.visit_no, "", 2)
    with pytest.raises(ArrivalRefusedError) as caught:
        reports.receive_reports(desk, entries)
    assert [p.line for p in caught.value.problems] == [3]
    assert "第 3 行" in caught.value.message and _status(a) == VisitStatus.CLOSED.value


def test_unreadable_or_empty_arrival_file_is_a_clear_message(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(ValidationError, match="CSV"):
        reports.read_arrival_file(tmp_path / "x.pdf")
    (tmp_path / "empty.csv").write_text("体检号\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="没有体检号"):
        reports.read_arrival_file(tmp_path / "empty.csv")


# -- hand-out ------------------------------------------------------------------------------------------------------


def _guest_id(v):
    return m.Visit.get_by_id(v.id).guest.id_number


def test_in_person_hand_out_needs_the_guests_own_id_number(desk, ready):
    v = ready()
    with pytest.raises(ValidationError, match=r"110105\*+"):
        reports.hand_out(desk, HandoutRequest(v.id, HandoutMethod.IN_PERSON, id_number=PROXY_ID))
    assert _status(v) == VisitStatus.REPORT_READY.value
    record = reports.hand_out(desk, HandoutRequest(v.id, HandoutMethod.IN_PERSON, id_number=_guest_id(v).lower(),
                                                   signature_png=PNG))
    assert record.method is HandoutMethod.IN_PERSON and record.has_signature and not record.repeat
    assert _status(v) == VisitStatus.REPORT_HANDED_OUT.value
    row = m.ReportHandout.get()
    assert bytes(row.signature_png) == PNG and row.handed_by == "qiantai" and row.desk == "前台1"


def test_hand_out_before_arrival_is_refused(desk, closed):
    v = closed()
    with pytest.raises(ConflictError, match="尚未到达"):
        reports.hand_out(desk, HandoutRequest(v.id, HandoutMethod.IN_PERSON, id_number=_guest_id(v)))


def test_proxy_needs_authorisation_when_the_site_says_so(desk, supervisor, ready):
    v = ready()
    proxy = HandoutRequest(v.id, HandoutMethod.PROXY, proxy_name="李秀英", id_number=PROXY_ID, relation="配偶")
    with pytest.raises(ValidationError, match="授权"):
        reports.hand_out(desk, proxy)
    assert _status(v) == VisitStatus.REPORT_READY.value
    site_settings.set_value(supervisor, "report_proxy_needs_authorisation", "0")
    record = reports.hand_out(desk, proxy)
    assert (record.method, record.relation, record.recipient_name) == (HandoutMethod.PROXY, "配偶", "李*英")
    assert record.recipient_id_masked == PROXY_ID[:6] + "********" + PROXY_ID[-4:]


def test_proxy_details_are_checked(desk, ready):
    v = ready()
    base = dict(proxy_name="李秀英", id_number=PROXY_ID, relation="配偶", authorisation_seen=True)
    for change, field in [({"proxy_name": ""}, "name"), ({"id_number": WRONG_CHECK}, "id_number"),
                          ({"id_number": _guest_id(v)}, "id_number"), ({"relation": " "}, "relation")]:
        with pytest.raises(ValidationError) as caught:
            reports.hand_out(desk, HandoutRequest(v.id, HandoutMethod.PROXY, **(base | change)))
        assert caught.value.field == field
    assert m.ReportHandout.select().count() == 0


def test_courier_hand_out_needs_company_and_tracking_number(desk, ready):
    v = ready()
    with pytest.raises(ValidationError, match="快递公司"):
        reports.hand_out(desk, HandoutRequest(v.id, HandoutMethod.MAILED, tracking_no="SF1234567890"))
    with pytest.raises(ValidationError, match="快递单号"):
        reports.hand_out(desk, HandoutRequest(v.id, HandoutMethod.MAILED, courier_company="顺丰速运", tracking_no="12"))
    record = reports.hand_out(desk, HandoutRequest(v.id, HandoutMethod.MAILED, courier_company="顺丰速运",
                                                   tracking_no="sf 1234-5678-90"))
    assert record.tracking_no == "SF1234567890"


def test_second_hand_out_needs_a_supervisor_and_both_are_audited(desk, supervisor, ready):
    v = ready()
    first = HandoutRequest(v.id, HandoutMethod.IN_PERSON, id_number=_guest_id(v))
    reports.hand_out(desk, first)
    with pytest.raises(AlreadyHandedOutError) as caught:
        reports.hand_out(desk, first)
    assert "主管" in caught.value.message and len(caught.value.previous) == 1
    assert m.ReportHandout.select().count() == 1
    with pytest.raises(PermissionDeniedError):
        reports.hand_out(desk, first, supervisor=desk)  # a reception session is no supervisor
    again = reports.hand_out(desk, first, supervisor=supervisor)
    assert again.repeat and again.authorised_by == "zhuguan" and again.handed_by == "qiantai"
    assert [e["repeat"] for e in _actions("report.handout")] == [False, True]
    assert [e["_user"] for e in _actions("report.handout.repeat_authorised")] == ["zhuguan"]


def test_hand_out_audit_holds_no_id_numbers(desk, ready):
    v = ready()
    reports.hand_out(desk, HandoutRequest(v.id, HandoutMethod.PROXY, proxy_name="李秀英", id_number=PROXY_ID,
                                          relation="子女", authorisation_seen=True))
    details = m.AuditLog.get(m.AuditLog.action == "report.handout").details
    assert PROXY_ID not in details and PROXY_ID[-4:] not in details and "李秀英" not in details


def test_a_signature_that_is_not_a_png_is_refused(desk, ready):
    v = ready()
    with pytest.raises(ValidationError, match="签名"):
        reports.hand_out(desk, HandoutRequest(v.id, HandoutMethod.IN_PERSON, id_number=_guest_id(v),
                                              signature_png=b"GIF89a"))


def test_find_reports_by_scan_name_and_phone(desk, ready):
    v = ready("欧阳娜娜", phone="13912345678")
    assert [r.visit_id for r in reports.find_reports(v.visit_no)] == [v.id]
    assert [r.visit_id for r in reports.find_reports("欧阳")] == [v.id]
    assert [r.guest_name for r in reports.find_reports("139 1234 5678")] == ["欧**娜"]
    with pytest.raises(ValidationError, match="标本条码"):
        reports.find_reports(make_specimen_no(TODAY, 3))


# -- pickup appointments --------------------------------------------------------------------------------------------


def test_pickup_slot_takes_up_to_the_limit(desk, supervisor, closed):
    site_settings.set_value(supervisor, "report_pickup_slot_limit", "2")
    day = TODAY + dt.timedelta(days=3)
    visits = [closed(n) for n in ("甲一", "乙二", "丙三")]
    for v in visits[:2]:
        reports.book_pickup(desk, v.id, day, "09:00-10:00")
    with pytest.raises(ConflictError, match="约满") as caught:
        reports.book_pickup(desk, visits[2].id, day, "09:00-10:00")
    assert "10:00-11:00" in caught.value.message  # the free slots are offered
    assert {s.slot: s.free for s in reports.slots_on(day)}["09:00-10:00"] == 0
    rows = reports.appointments_on(day)
    assert [r.guest_name for r in rows] == ["甲*", "乙*"] and all(r.kind is PickupKind.REPORT for r in rows)


def test_pickup_refuses_past_days_unknown_slots_and_a_second_open_booking(desk, closed):
    v = closed()
    with pytest.raises(ValidationError, match="过去"):
        reports.book_pickup(desk, v.id, TODAY - dt.timedelta(days=1), "09:00-10:00")
    with pytest.raises(ValidationError, match="时段"):
        reports.book_pickup(desk, v.id, TODAY, "08:00-09:00")
    reports.book_pickup(desk, v.id, TODAY, "14:00-15:00")
    with pytest.raises(ConflictError, match="已有"):
        reports.book_pickup(desk, v.id, TODAY + dt.timedelta(days=1), "14:00-15:00")
    consult = reports.book_pickup(desk, v.id, TODAY, "15:00-16:00", PickupKind.CONSULTATION)
    assert consult.kind is PickupKind.CONSULTATION


def test_cancelled_pickup_frees_its_place_and_hand_out_completes_a_booked_one(desk, supervisor, ready):
    site_settings.set_value(supervisor, "report_pickup_slot_limit", "1")
    a, b = ready(), ready("李四")
    booked = reports.book_pickup(desk, a.id, TODAY, "09:00-10:00")
    reports.cancel_pickup(desk, booked.appointment_id)
    booked_b = reports.book_pickup(desk, b.id, TODAY, "09:00-10:00")
    reports.hand_out(desk, HandoutRequest(b.id, HandoutMethod.IN_PERSON, id_number=_guest_id(b)))
    assert m.PickupAppointment.get_by_id(booked_b.appointment_id).status == PickupStatus.DONE.value
    with pytest.raises(ConflictError, match="已领取"):
        reports.book_pickup(desk, b.id, TODAY, "10:00-11:00")


# -- the call list --------------------------------------------------------------------------------------------------


def _received_on(desk, closed, day, name, **guest):
    v = closed(name, **guest)
    with clock.pinned(dt.datetime.combine(day, dt.time(16, 30))):
        reports.receive_reports(desk, [v.visit_no], shelf_no="K1")
    return v


def test_call_list_holds_reports_waiting_n_days_or_more(desk, supervisor, closed):
    site_settings.set_value(supervisor, "report_uncollected_days", "7")
    old = _received_on(desk, closed, TODAY - dt.timedelta(days=7), "张三丰")
    _received_on(desk, closed, TODAY - dt.timedelta(days=6), "李四")
    collected = _received_on(desk, closed, TODAY - dt.timedelta(days=20), "王五")
    reports.hand_out(desk, HandoutRequest(collected.id, HandoutMethod.IN_PERSON, id_number=_guest_id(collected)))
    rows = reports.call_list(today=TODAY)
    assert [(r.visit_id, r.days_waiting) for r in rows] == [(old.id, 7)]
    assert len(reports.call_list(days=6, today=TODAY)) == 2


def test_called_tick_records_who_when_and_note(desk, admin, closed):
    auth.create_user(admin, "qiantai", "李前台", Role.RECEPTION, "desk-pass-2026")  # the list shows display names
    v = _received_on(desk, closed, TODAY - dt.timedelta(days=30), "张三丰")
    reports.mark_called(desk, v.id, "已短信通知")
    (row,) = reports.call_list(today=TODAY)
    assert row.called and row.calls == 1 and row.last_called_by == "李前台" and row.last_note == "已短信通知"
    assert row.last_called_at == clock.now()


def test_call_list_exports_masked_csv_and_xlsx_and_each_export_is_audited(desk, closed, tmp_path):
    v = _received_on(desk, closed, TODAY - dt.timedelta(days=30), "张三丰", phone="13812341234")
    guest = m.Visit.get_by_id(v.id).guest
    assert reports.export_call_list(desk, tmp_path / "calls.csv", today=TODAY) == 1
    text = (tmp_path / "calls.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][:4] == [v.visit_no, "张*丰", guest.id_number[:6] + "********" + guest.id_number[-4:], "138****1234"]
    assert guest.id_number not in text and "13812341234" not in text and "张三丰" not in text
    reports.export_call_list(desk, tmp_path / "calls.xlsx", today=TODAY)
    sheet = load_workbook(tmp_path / "calls.xlsx").active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert v.visit_no in cells and "张*丰" in cells and "138****1234" in cells
    assert guest.id_number not in cells and "13812341234" not in cells
    exports = _actions("report.call_list.export")
    assert [(e["format"], e["rows"], e["masked"]) for e in exports] == [("csv", 1, True), ("xlsx", 1, True)]


def test_export_to_another_format_is_refused_and_not_audited(desk, tmp_path):
    with pytest.raises(ValidationError):
        reports.export_call_list(desk, tmp_path / "calls.pdf", today=TODAY)
    assert not _actions("report.call_list.export")


# -- the site's report settings ------------------------------------------------------------------------------------


def test_report_settings_need_a_supervisor_and_a_bad_slot_changes_nothing(desk, supervisor):
    before = reports.report_settings()
    wanted = reports.ReportSettings(False, 5, ("14:00-15:00", "08:30-09:30"), 3)
    with pytest.raises(PermissionDeniedError):
        reports.update_report_settings(desk, wanted)
    with pytest.raises(ValidationError, match="25:00"):
        reports.update_report_settings(supervisor, reports.ReportSettings(False, 5, ("08:30-09:30", "24:00-25:00"), 3))
    assert reports.report_settings() == before and not _actions("setting.change")
    after = reports.update_report_settings(supervisor, wanted)
    assert after == reports.ReportSettings(False, 5, ("08:30-09:30", "14:00-15:00"), 3)
    assert {e["_user"] for e in _actions("setting.change")} == {"zhuguan"} and len(_actions("setting.change")) == 4


def test_closed_visits_awaiting_their_report_are_listed_oldest_first(desk, closed, ready):
    waiting, arrived = closed(), ready("李四")
    assert [r.visit_id for r in reports.reports_awaited()] == [waiting.id]
    assert reports.reports_awaited(exam_before=TODAY) == []
    assert arrived.id not in [r.visit_id for r in reports.reports_awaited()]


# -- two desks at once (PostgreSQL: each thread has its own connection) ---------------------------------------------


def test_two_desks_handing_out_one_report_at_once_one_wins_the_other_is_told(fdb, desk, ready, monkeypatch):
    import threading

    from frontdesk.services.session import Session
    from frontdesk.storage import db as storage_db
    from frontdesk.storage import report_queries

    if storage_db.dialect() != "postgresql":
        pytest.skip("SQLite takes the write lock at BEGIN: two desks cannot both get this far")
    v = ready()
    guest_id = _guest_id(v)
    both_read = threading.Barrier(2, timeout=20)
    move = report_queries.move_status

    def move_after_both_read(*args):
        both_read.wait()  # each desk has read "report ready" inside its transaction
        return move(*args)

    monkeypatch.setattr(report_queries, "move_status", move_after_both_read)
    outcomes = {}

    def desk_hands_out(n):
        session = Session(f"desk{n}", f"前台员{n}", desk.role, f"前台{n}")
        try:
            outcomes[n] = reports.hand_out(session, HandoutRequest(v.id, HandoutMethod.IN_PERSON, id_number=guest_id))
        except Exception as exc:  # noqa: BLE001 - the test looks at what each desk got
            outcomes[n] = exc
        finally:
            from frontdesk.storage.db import database

            database.close()

    threads = [threading.Thread(target=desk_hands_out, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    won = [o for o in outcomes.values() if isinstance(o, reports.HandoutRecord)]
    lost = [o for o in outcomes.values() if isinstance(o, ConflictError)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert "其他工作站" in lost[0].message
    assert m.ReportHandout.select().count() == 1 and len(_actions("report.handout")) == 1


def test_days_appointments_export_masked_and_audited(desk, closed, tmp_path):
    v = closed("张三丰")
    reports.book_pickup(desk, v.id, TODAY, "09:00-10:00", note="顺便咨询")
    assert reports.export_appointments(desk, tmp_path / "appts.csv", TODAY) == 1
    text = (tmp_path / "appts.csv").read_text(encoding="utf-8-sig")
    assert v.visit_no in text and "张*丰" in text and "张三丰" not in text and "09:00-10:00" in text
    assert m.Visit.get_by_id(v.id).guest.phone not in text
    assert [(e["format"], e["rows"]) for e in _actions("report.appointments.export")] == [("csv", 1)]
