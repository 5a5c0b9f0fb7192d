"""Before the exam: the reminder list and its audited export, reminded ticks, the next day prepared in one
batch (prepared visits, document bags, labels, in booking order), check-in reusing the prepared visit
without printing again, a cancelled booking cancelling its prepared visit, a batch cancelled or stopped
part-way, one guest reprinted, and the organisation's booking order sheet."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pypdfium2
import pytest
import zxingcpp

from frontdesk import clock, config
from frontdesk.domain.enums import BookingStatus, PaymentMethod, SpecimenStatus, VisitStatus
from frontdesk.errors import ConflictError, PrintError, ValidationError
from frontdesk.services import bookings, checkin, closeout, contracts, eod, labels, overview, preparation, search, specimens
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)
TOMORROW = TODAY + dt.timedelta(days=1)
NOON = dt.datetime(2026, 11, 23, 12, 0).astimezone()
NEXT_MORNING = dt.datetime(2026, 11, 24, 8, 0).astimezone()


@pytest.fixture(autouse=True)
def _at_noon():
    with clock.pinned(NOON):
        yield


@pytest.fixture
def booked(desk, cat, make_guest):
    """Two guests booked for tomorrow (the afternoon one booked first) and one cancelled booking."""
    pm = bookings.create_booking(desk, make_guest(name="王五", phone="13900000002").id, TOMORROW,
                                 package_id=cat.package("BASIC").id, half_day="pm")
    am = bookings.create_booking(desk, make_guest(name="赵六", sex="F", birth=dt.date(1985, 3, 9),
                                                  phone="13900000001").id, TOMORROW,
                                 package_id=cat.package("BASIC").id, half_day="am")
    gone = bookings.create_booking(desk, make_guest(name="钱七").id, TOMORROW, package_id=cat.package("BASIC").id)
    bookings.cancel_booking(desk, gone.id, "客人改约")
    return am, pm


def label_settings(tmp_path) -> config.LabelPrinterSettings:
    return config.LabelPrinterSettings(output="pdf", path=str(tmp_path / "labels"), size="50x25", dpi=203)


def decode_pages(pdf: bytes | Path) -> list[list[str]]:
    document = pypdfium2.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    try:
        return [[r.text for r in zxingcpp.read_barcodes(document[i].render(scale=200 / 72).to_pil().convert("L"))]
                for i in range(len(document))]
    finally:
        document.close()


def page_texts(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[i].get_textpage().get_text_bounded() for i in range(len(document))]
    finally:
        document.close()


def paid(request: CheckInRequest) -> CheckInRequest:
    request.payments = [PaymentInput(PaymentMethod.CASH, checkin.quote(request).guest_total)]
    return request


def run(desk, tmp_path, ids, **kw):
    return preparation.run_batch(desk, ids, documents=preparation.folder_sink(tmp_path / "docs"),
                                 label_output=label_settings(tmp_path), **kw)


def batch_ids(day=TOMORROW, **kw):
    return [r.booking_id for r in preparation.batch_rows(day, **kw)]


# --------------------------------------------------------------------------
# Reminders


def test_the_reminder_list_has_every_live_booking_with_phone_package_and_instructions(booked):
    am, pm = booked
    rows = preparation.reminder_list(TOMORROW)
    assert [r.booking_no for r in rows] == [am.booking_no, pm.booking_no]  # morning first; the cancelled one out
    first = rows[0]
    assert (first.guest_name, first.phone, first.phone_masked, first.half_day) == ("赵六", "13900000001",
                                                                                  "139****0001", "上午")
    assert first.package == "基础体检套餐" and first.fasting
    # The same instructions as the booking slip, fasting first.
    assert first.instructions == bookings.preparation_notes(bookings.contents(am).items)
    assert "空腹" in first.instructions[0]
    assert not first.reminded and first.visit_no == ""


def test_the_reminder_list_reads_the_same_few_tables_for_ten_guests_as_for_two(desk, booked, cat, make_guest,
                                                                              make_contract):
    """A day of a 500-person group must not cost a query per guest (its organisation, its package)."""
    import logging

    statements = []

    class Count(logging.Handler):
        def emit(self, record):
            statements.append(record)

    def count() -> int:
        statements.clear()
        handler, log = Count(), logging.getLogger("peewee")
        old = log.level
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)
        try:
            preparation.reminder_list(TOMORROW)
        finally:
            log.removeHandler(handler)
            log.setLevel(old)
        return len(statements)

    people = [make_guest(name="孙" + "一二三四五六七八九"[n]) for n in range(9)]
    group = make_contract(package="BASIC", roster=people)
    bookings.create_booking(desk, people[0].id, TOMORROW, package_id=cat.package("BASIC").id, contract_id=group.id)
    few = count()
    for guest in people[1:]:
        bookings.create_booking(desk, guest.id, TOMORROW, package_id=cat.package("BASIC").id, contract_id=group.id)
    assert len(preparation.reminder_list(TOMORROW)) == 11
    assert count() == few


def test_the_export_holds_the_full_phone_numbers_and_is_audited(desk, booked, tmp_path):
    am, pm = booked
    assert preparation.export_reminders(desk, TOMORROW, tmp_path / "tomorrow.csv") == 2
    with open(tmp_path / "tomorrow.csv", encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0][:4] == ["预约号", "姓名", "性别", "手机"]
    assert [row[:4] for row in table[1:]] == [[am.booking_no, "赵六", "女", "13900000001"],
                                              [pm.booking_no, "王五", "男", "13900000002"]]
    assert "空腹" in table[1][-1]
    preparation.export_reminders(desk, TOMORROW, tmp_path / "tomorrow.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "tomorrow.xlsx").active
    assert [c.value for c in sheet[2]][:4] == [am.booking_no, "赵六", "女", "13900000001"]
    assert isinstance(sheet["D2"].value, str)  # a phone number stays text for the SMS tool
    entries = list(m.AuditLog.select().where(m.AuditLog.action == "reminders.export").order_by(m.AuditLog.id))
    assert len(entries) == 2
    details = json.loads(entries[0].details)
    assert (details["rows"], details["with_phones"], details["format"]) == (2, 2, "csv")
    assert details["path"].endswith("tomorrow.csv") and entries[0].username == "qiantai"


def test_nothing_to_export_or_a_wrong_format_writes_no_file_and_no_audit(desk, booked, tmp_path):
    with pytest.raises(ValidationError, match="没有需要提醒"):
        preparation.export_reminders(desk, TOMORROW + dt.timedelta(days=3), tmp_path / "empty.csv")
    with pytest.raises(ValidationError, match=r"\.csv"):
        preparation.export_reminders(desk, TOMORROW, tmp_path / "list.txt")
    assert not list(tmp_path.glob("*.csv")) and not (tmp_path / "list.txt").exists()
    assert not m.AuditLog.select().where(m.AuditLog.action == "reminders.export").exists()


def test_a_reminded_tick_keeps_who_and_when_and_can_be_taken_back(desk, booked):
    am, pm = booked
    assert preparation.mark_reminded(desk, [am.id]) == 1
    assert preparation.mark_reminded(desk, [am.id]) == 0  # ticked already: nothing changes
    rows = {r.booking_id: r for r in preparation.reminder_list(TOMORROW)}
    assert rows[am.id].reminded and rows[am.id].reminded_by == "qiantai"
    assert rows[am.id].reminded_at == clock.now() and not rows[pm.id].reminded
    assert preparation.mark_reminded(desk, [am.id], reminded=False) == 1
    assert not preparation.reminder_list(TOMORROW)[0].reminded
    actions = [a.action for a in m.AuditLog.select().where(m.AuditLog.action.startswith("booking.remind"))]
    assert actions == ["booking.remind", "booking.remind_undo"]


def test_a_cancelled_booking_cannot_be_ticked(desk, booked):
    gone = m.Booking.get(m.Booking.status == BookingStatus.CANCELLED.value)
    with pytest.raises(ConflictError, match="不是“已预约”"):
        preparation.mark_reminded(desk, [gone.id])


# --------------------------------------------------------------------------
# The batch


def test_the_batch_prepares_visits_and_prints_bags_and_labels_in_booking_order(desk, booked, tmp_path):
    am, pm = booked
    seen = []
    result = run(desk, tmp_path, batch_ids(), progress=seen.append)
    assert not result.cancelled and not result.error and not result.skipped
    assert [g.booking_no for g in result.done] == [am.booking_no, pm.booking_no]
    assert [(p.done, p.total) for p in seen] == [(0, 2), (1, 2), (2, 2)]
    visits = {v.booking_id: v for v in m.Visit.select()}
    for view in (am, pm):
        visit = visits[view.id]
        assert (visit.status, visit.visit_date, visit.prepared_by) == (VisitStatus.PREPARED.value, TOMORROW, "qiantai")
        assert visit.visit_no.startswith("261124") and visit.documents_printed_at is not None
    # The bags, one PDF each, named so that they sort in booking order: cover, then the guide sheet.
    files = sorted((tmp_path / "docs").iterdir())
    assert [f.name.split("-")[2] for f in files] == [am.booking_no, pm.booking_no]
    bag = files[0].read_bytes()
    cover, guide = page_texts(bag)[:2]
    visit = visits[am.id]
    for expected in ("健检资料袋", "赵六", am.booking_no, visit.visit_no, "基础体检套餐", "2026-11-24", "上午",
                     "导检单（体检号", "需空腹"):
        assert expected in cover, expected
    assert "1 / 2" in cover
    assert "赵六" in guide and visit.visit_no in guide
    codes = decode_pages(bag)
    assert codes[0] == [am.booking_no] and codes[1] == [visit.visit_no]
    # The check-in labels were printed: their files decode to the visit's blood tubes.
    tubes = {s.barcode for s in m.Specimen.select().where(m.Specimen.visit == visit.id)
             if s.tube_type.label_moment in ("check_in", "both")}
    assert tubes and all(s.status == SpecimenStatus.LABEL_PRINTED.value for s in
                         m.Specimen.select().where(m.Specimen.barcode.in_(list(tubes))))
    printed = {code for f in (tmp_path / "labels").glob(f"labels-{visit.visit_no}-*.pdf")
               for page in decode_pages(f) for code in page}
    assert printed == tubes
    assert preparation.batch_rows(TOMORROW)[0].state == "已备单，已打印"
    assert m.AuditLog.select().where(m.AuditLog.action == "document_bag.print").count() == 2


def test_a_second_run_prints_nothing_again(desk, booked, tmp_path):
    run(desk, tmp_path, batch_ids())
    files = set((tmp_path / "docs").iterdir()) | set((tmp_path / "labels").iterdir())
    again = run(desk, tmp_path, batch_ids())
    assert [(g.documents, g.labels) for g in again.done] == [("", 0), ("", 0)]
    assert set((tmp_path / "docs").iterdir()) | set((tmp_path / "labels").iterdir()) == files
    assert m.Visit.select().count() == 2


def test_one_group_is_prepared_alone(desk, supervisor, cat, make_guest, booked, tmp_path):
    org = contracts.create_organisation(supervisor, "星河科技有限公司")
    contract_id = contracts.create_contract(supervisor, org, contracts.ContractTermsInput(
        "2026年度员工体检", dt.date(2026, 1, 1), dt.date(2026, 12, 31), package_id=cat.package("GROUP").id))
    guest = make_guest(name="孙八")
    contracts.add_roster_entry(desk, contract_id, contracts.RosterPerson(guest.name, guest.id_number,
                                                                         department="研发部"), today=TODAY)
    group = bookings.create_booking(desk, guest.id, TOMORROW, contract_id=contract_id, channel="roster")
    assert [g.contract_id for g in preparation.groups_on(TOMORROW)] == [contract_id]
    result = run(desk, tmp_path, batch_ids(contract_id=contract_id))
    assert [g.booking_no for g in result.done] == [group.booking_no]
    assert [v.booking_id for v in m.Visit.select()] == [group.id]
    cover = page_texts(next((tmp_path / "docs").iterdir()).read_bytes())[0]
    assert "星河科技有限公司" in cover and "研发部" in cover


def test_check_in_of_a_prepared_booking_reuses_its_visit_and_prints_no_labels_again(desk, booked, tmp_path):
    am, _ = booked
    run(desk, tmp_path, batch_ids())
    prepared = m.Visit.get(m.Visit.booking == am.id)
    barcodes = sorted(s.barcode for s in m.Specimen.select().where(m.Specimen.visit == prepared.id))
    with clock.pinned(NEXT_MORNING):
        result = checkin.check_in(desk, paid(checkin.draft_from_booking(am.id)))
        visit = m.Visit.get_by_id(result.visit.id)
        assert (visit.id, visit.visit_no, visit.status) == (prepared.id, prepared.visit_no, VisitStatus.CHECKED_IN.value)
        assert visit.checked_in_by == "qiantai" and visit.checked_in_at == clock.now() and visit.version == 2
        assert result.receipt is not None and result.guide_preprinted
        assert m.Visit.select().where(m.Visit.guest == am.guest_id).count() == 1
        assert sorted(s.barcode for s in m.Specimen.select().where(m.Specimen.visit == visit.id)) == barcodes
        assert m.Booking.get_by_id(am.id).status == BookingStatus.CHECKED_IN.value
        # The labels went into the bag last night: nothing is left to print at check-in.
        assert labels.visit_labels(visit.id).to_print("check_in") == []
        with pytest.raises(ConflictError, match="没有待打印"):
            labels.print_labels(desk, visit.id, label_settings(tmp_path), moment="check_in")
        # Now the guest counts as arrived: the close-out list shows the visit.
        assert [r.visit_no for r in closeout.closeout_list(TOMORROW)] == [visit.visit_no]


def test_prepared_visits_are_not_arrivals(desk, booked, tmp_path):
    am, _ = booked
    run(desk, tmp_path, batch_ids())
    visit = m.Visit.get(m.Visit.booking == am.id)
    tube = (m.Specimen.select().where(m.Specimen.visit == visit.id,
                                      m.Specimen.status == SpecimenStatus.LABEL_PRINTED.value)
            .order_by(m.Specimen.id).first())
    with clock.pinned(NEXT_MORNING):
        assert closeout.closeout_list(TOMORROW) == []
        assert overview.visits_in_progress(TOMORROW).rows == []
        # The desk's search finds the booking to check in, not a visit "already here".
        assert [h.kind for h in search.search(am.booking_no, day=TOMORROW)] == ["booking"]
        assert [h.kind for h in search.search("赵六", day=TOMORROW)] == ["booking"]
        with pytest.raises(ConflictError, match="尚未报到"):
            closeout.scan_for_closeout(visit.visit_no, day=TOMORROW)
        with pytest.raises(ConflictError, match="尚未报到"):
            specimens.receive_specimen(desk, tube.barcode)
        # Nor does the end of day count their pre-printed tubes as the day's specimens still to collect.
        day = eod.build_report(desk, TOMORROW)
        assert day.specimens.specimens == 0 and day.specimens.pending_by_tube == ()
    assert m.Specimen.get_by_id(tube.id).status == SpecimenStatus.LABEL_PRINTED.value


def test_an_item_dropped_at_check_in_leaves_the_prepared_visit_and_only_its_tube(desk, cat, booked, tmp_path):
    am, _ = booked
    run(desk, tmp_path, batch_ids())
    visit = m.Visit.get(m.Visit.booking == am.id)
    before = {s.tube_type.code: s for s in m.Specimen.select().where(m.Specimen.visit == visit.id)}
    with clock.pinned(NEXT_MORNING):
        request = checkin.draft_from_booking(am.id)
        request.removed_item_ids = [cat.item_id("CBC")]  # alone on the EDTA tube
        checkin.check_in(desk, paid(request))
    items = {vi.item.code for vi in m.VisitItem.select().where(m.VisitItem.visit == visit.id)}
    assert "CBC" not in items and "LFT" in items
    after = {s.tube_type.code: s for s in m.Specimen.select().where(m.Specimen.visit == visit.id)}
    assert after["EDTA"].status == SpecimenStatus.CANCELLED.value
    # The other tubes keep their barcodes and their printed labels (not voided, not printed again).
    assert (after["SST"].barcode, after["SST"].status) == (before["SST"].barcode, SpecimenStatus.LABEL_PRINTED.value)


def test_a_walk_in_check_in_of_a_guest_with_a_prepared_visit_points_to_the_booking(desk, cat, booked, tmp_path):
    am, _ = booked
    run(desk, tmp_path, batch_ids())
    with clock.pinned(NEXT_MORNING):
        with pytest.raises(ConflictError, match="已备单的预约") as refused:
            checkin.check_in(desk, paid(CheckInRequest(guest_id=am.guest_id, package_id=cat.package("BASIC").id)))
    assert am.booking_no in refused.value.message
    assert m.Visit.select().count() == 2


def test_cancelling_or_moving_a_booking_cancels_its_prepared_visit(desk, booked, tmp_path):
    am, pm = booked
    run(desk, tmp_path, batch_ids())
    bookings.cancel_booking(desk, am.id, "客人出差")
    visit = m.Visit.get(m.Visit.booking == am.id)
    assert visit.status == VisitStatus.CANCELLED.value and visit.version == 2  # a window open on it is told
    assert {s.status for s in m.Specimen.select().where(m.Specimen.visit == visit.id)} == {
        SpecimenStatus.CANCELLED.value}
    entry = m.AuditLog.get(m.AuditLog.action == "visit.prepare_cancel")
    assert json.loads(entry.details)["reason"] == "客人出差" and json.loads(entry.details)["printed_labels"]
    bookings.move_booking(desk, pm.id, TOMORROW + dt.timedelta(days=2))
    assert m.Visit.get(m.Visit.booking == pm.id).status == VisitStatus.CANCELLED.value
    assert preparation.batch_rows(TOMORROW) == []


def test_a_no_show_cancels_its_prepared_visit(desk, booked, tmp_path):
    am, _ = booked
    run(desk, tmp_path, [am.id])
    bookings.mark_no_shows(desk, before=TOMORROW + dt.timedelta(days=1))
    assert m.Visit.get(m.Visit.booking == am.id).status == VisitStatus.CANCELLED.value


def test_a_batch_cancelled_part_way_leaves_each_guest_done_or_untouched(desk, booked, tmp_path):
    am, pm = booked
    seen = []
    result = run(desk, tmp_path, batch_ids(), progress=seen.append, should_stop=lambda: len(seen) >= 1)
    assert result.cancelled and [g.booking_no for g in result.done] == [am.booking_no]
    first = m.Visit.get(m.Visit.booking == am.id)
    assert first.documents_printed_at is not None and labels.visit_labels(first.id).to_print("check_in") == []
    assert not m.Visit.select().where(m.Visit.booking == pm.id).exists()
    assert len(list((tmp_path / "docs").iterdir())) == 1
    # Running it again finishes the rest without printing the first guest twice.
    again = run(desk, tmp_path, batch_ids())
    assert [(g.booking_no, bool(g.documents)) for g in again.done] == [(am.booking_no, False), (pm.booking_no, True)]


def test_a_printer_failure_stops_the_batch_and_the_guest_is_reprinted_alone(desk, booked, tmp_path):
    am, pm = booked
    sink = preparation.folder_sink(tmp_path / "docs")
    calls = []

    def failing(pdf, name):
        calls.append(name)
        if len(calls) == 2:
            raise PrintError("打印机缺纸")
        return sink(pdf, name)

    result = preparation.run_batch(desk, batch_ids(), documents=failing, label_output=label_settings(tmp_path))
    assert result.error == "打印机缺纸" and [g.booking_no for g in result.done] == [am.booking_no]
    second = m.Visit.get(m.Visit.booking == pm.id)
    assert second.status == VisitStatus.PREPARED.value and second.documents_printed_at is None
    assert preparation.batch_rows(TOMORROW)[1].state == "已备单，待打印"
    outcome = preparation.reprint_guest(desk, pm.id, documents=sink, label_output=label_settings(tmp_path))
    assert outcome.documents and outcome.labels > 0
    assert m.Visit.get_by_id(second.id).documents_printed_at is not None
    # A reprint of a bag printed before is audited as a reprint, and prints no labels twice.
    again = preparation.reprint_guest(desk, am.id, documents=sink, label_output=label_settings(tmp_path))
    assert again.labels == 0
    assert [a.action for a in m.AuditLog.select().where(m.AuditLog.action.startswith("document_bag"))
            .order_by(m.AuditLog.id)] == ["document_bag.print", "document_bag.print", "document_bag.reprint"]


def test_a_booking_that_cannot_be_prepared_is_skipped_with_the_reason(desk, cat, booked, make_guest, tmp_path):
    am, pm = booked
    with clock.pinned(NEXT_MORNING):
        # The afternoon guest came in the morning as a walk-in: a live visit that day already.
        checkin.check_in(desk, paid(CheckInRequest(guest_id=pm.guest_id, package_id=cat.package("BASIC").id)))
        result = run(desk, tmp_path, batch_ids())
    assert [g.booking_no for g in result.done] == [am.booking_no]
    [(number, name, why)] = result.skipped
    assert (number, name) == (pm.booking_no, "王五") and "已有体检" in why


# --------------------------------------------------------------------------
# The booking order sheet


def test_the_order_sheet_lists_the_organisations_people_with_package_totals(desk, supervisor, cat, make_guest):
    org = contracts.create_organisation(supervisor, "星河科技有限公司")
    contract_id = contracts.create_contract(supervisor, org, contracts.ContractTermsInput(
        "2026年度员工体检", dt.date(2026, 1, 1), dt.date(2026, 12, 31), package_id=cat.package("GROUP").id))
    names = ["孙八", "周九", "吴十"]
    for n, name in enumerate(names):
        guest = make_guest(name=name)
        contracts.add_roster_entry(desk, contract_id, contracts.RosterPerson(guest.name, guest.id_number,
                                                                             department="财务部"), today=TODAY)
        bookings.create_booking(desk, guest.id, TOMORROW, contract_id=contract_id, channel="roster",
                                half_day="pm" if n else "am")
    bookings.create_booking(desk, make_guest(name="散客甲").id, TOMORROW, package_id=cat.package("BASIC").id)
    [listed] = preparation.organisations_on(TOMORROW)
    assert (listed.name, listed.bookings) == ("星河科技有限公司", 3)
    data = preparation.order_sheet_data(listed.organisation_id, TOMORROW)
    assert [line.guest_name for line in data.lines] == names and data.people == 3
    price = cat.package("GROUP").price
    assert [(t.people, t.amount) for t in data.totals] == [(3, price * 3)] and data.amount == price * 3
    text = "".join(page_texts(preparation.order_sheet_pdf(desk, listed.organisation_id, TOMORROW)))
    for expected in ("单位体检预订单", "星河科技有限公司", "2026-11-24", *names, "财务部", "按套餐汇总", "合计",
                     f"{price * 3:,.2f}"):
        assert expected in text, expected
    assert "散客甲" not in text
    with pytest.raises(Exception, match="单位不存在"):
        preparation.order_sheet_data(99999, TOMORROW)


def test_a_prepared_booking_counts_once_against_capacity(desk, booked, tmp_path):
    from frontdesk.services import capacity

    before = capacity.day_load(TOMORROW).centre.load
    run(desk, tmp_path, batch_ids())
    assert before == 2 and capacity.day_load(TOMORROW).centre.load == 2


def test_a_prepared_booking_checked_in_a_day_early_gets_a_new_visit_and_the_prepared_one_is_cancelled(
        desk, booked, tmp_path):
    am, _ = booked
    run(desk, tmp_path, batch_ids())
    prepared = m.Visit.get(m.Visit.booking == am.id)
    result = checkin.check_in(desk, paid(checkin.draft_from_booking(am.id)))  # today, not tomorrow
    assert result.visit.id != prepared.id and result.visit.visit_date == TODAY and not result.guide_preprinted
    assert m.Visit.get_by_id(prepared.id).status == VisitStatus.CANCELLED.value
    assert json.loads(m.AuditLog.get(m.AuditLog.action == "visit.prepare_cancel").details)["reason"] == (
        "checked in on another day")


def test_a_make_up_visit_on_the_day_of_a_prepared_booking_says_to_check_the_booking_in(desk, cat, make_guest,
                                                                                         tmp_path):
    from frontdesk.services import deferrals

    guest = make_guest(name="周九")
    visit = checkin.check_in(desk, paid(CheckInRequest(guest_id=guest.id, added_item_ids=[cat.item_id("GENERAL"),
                                                                                         cat.item_id("BMD")]))).visit
    bmd = next(i.visit_item_id for i in closeout.closeout_view(visit.id).items if i.item_code == "BMD")
    deferrals.defer_items(desk, visit.id, [bmd], TOMORROW, today=TODAY)
    closeout.mark_all_done(desk, visit.id)
    closeout.close_visit(desk, visit.id)
    booking = bookings.create_booking(desk, guest.id, TOMORROW, package_id=cat.package("BASIC").id)
    run(desk, tmp_path, [booking.id])
    with pytest.raises(ConflictError, match="已备单的预约"):
        deferrals.check_in_makeup(desk, visit.id, TOMORROW, guest.id_number, day=TOMORROW)
