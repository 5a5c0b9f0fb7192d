"""After the labels: receiving containers by scan, add-ons onto labelled tubes, the lab hand-over,
and barcodes that stay unique across desks."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal as D

import pytest

from frontdesk import clock, config
from frontdesk.domain.checkdigit import luhn_valid
from frontdesk.domain.enums import PaymentMethod, SpecimenStatus
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.services import checkin, labels, specimens
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import db
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


def cash(amount):
    return PaymentInput(PaymentMethod.CASH, D(amount))


@pytest.fixture
def check_in(desk, make_guest, cat):
    def go(name="王芳", sex="F", package="COMP_F", birth=dt.date(1985, 2, 3)):
        guest = make_guest(name=name, sex=sex, birth=birth)
        pkg = cat.package(package)
        return checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=pkg.id, payments=[cash(pkg.price)]),
                                day=TODAY).visit
    return go


def specimen(visit_id, tube_code):
    return (m.Specimen.select().join(m.TubeType)
            .where(m.Specimen.visit == visit_id, m.TubeType.code == tube_code,
                   m.Specimen.status != "cancelled").order_by(m.Specimen.id.desc()).first())


def printed(desk, visit_id, tmp_path, moment="check_in"):
    out = config.LabelPrinterSettings(output="png", path=str(tmp_path / "labels"))
    return labels.print_labels(desk, visit_id, out, moment=moment)


# --------------------------------------------------------------------------
# Receiving by scan


def test_scanning_a_container_label_marks_it_collected_by_whom_and_when(desk, check_in, tmp_path):
    visit = check_in()
    printed(desk, visit.id, tmp_path, "hand_in")
    stool = specimen(visit.id, "STOOL")
    result = specimens.receive_specimen(desk, stool.barcode, expected_visit_id=visit.id)
    assert not result.already and result.status is SpecimenStatus.COLLECTED and result.guest_name == "王芳"
    row = m.Specimen.get_by_id(stool.id)
    assert row.status == "collected" and row.collected_by == "qiantai" and row.collected_at is not None
    entry = m.AuditLog.get(m.AuditLog.action == "specimen.receive")
    assert entry.record_id == str(stool.id) and entry.username == "qiantai"
    assert "已收取" in result.message()


def test_scanning_the_same_container_again_changes_nothing_and_says_so(desk, check_in):
    visit = check_in()
    urine = specimen(visit.id, "URINE")
    specimens.receive_specimen(desk, urine.barcode)
    first = m.Specimen.get_by_id(urine.id).collected_at
    again = specimens.receive_specimen(desk, urine.barcode)
    assert again.already and "已收取过" in again.message()
    assert m.Specimen.get_by_id(urine.id).collected_at == first
    assert m.AuditLog.select().where(m.AuditLog.action == "specimen.receive").count() == 1


def test_label_of_another_visit_is_refused_naming_both_visits_masked(desk, check_in):
    wang = check_in(name="王芳")
    zhang = check_in(name="张三丰", sex="M", package="BASIC", birth=dt.date(1980, 5, 17))
    urine = specimen(zhang.id, "URINE")
    with pytest.raises(ConflictError) as refused:
        specimens.receive_specimen(desk, urine.barcode, expected_visit_id=wang.id)
    message = refused.value.message
    assert zhang.visit_no in message and wang.visit_no in message
    assert "张*丰" in message and "王*" in message and "张三丰" not in message
    assert m.Specimen.get_by_id(urine.id).status == "created"


def test_label_of_the_same_guests_other_visit_is_refused(desk, make_guest, cat):
    guest = make_guest(name="王芳", sex="F", birth=dt.date(1985, 2, 3))
    pkg = cat.package("COMP_F")

    def visit_on(day):
        return checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=pkg.id,
                                                     payments=[cash(pkg.price)]), day=day).visit

    earlier, today = visit_on(TODAY - dt.timedelta(days=7)), visit_on(TODAY)
    old_urine = specimen(earlier.id, "URINE")
    with pytest.raises(ConflictError) as refused:
        specimens.receive_specimen(desk, old_urine.barcode, expected_visit_id=today.id)
    assert earlier.visit_no in refused.value.message and today.visit_no in refused.value.message
    assert m.Specimen.get_by_id(old_urine.id).status == "created"
    assert specimens.receive_specimen(desk, specimen(today.id, "URINE").barcode,
                                      expected_visit_id=today.id).visit_id == today.id


def test_cancelled_specimen_cannot_be_received(desk, supervisor, check_in, cat):
    visit = check_in()
    glu = m.VisitItem.get(m.VisitItem.visit == visit.id, m.VisitItem.item == cat.item_id("GLU"))
    tube = m.Specimen.get_by_id(glu.specimen_id)
    checkin.remove_item(supervisor, glu.id, PaymentMethod.CASH, "已进食")
    with pytest.raises(ConflictError, match="作废"):
        specimens.receive_specimen(desk, tube.barcode)


def test_mistyped_barcode_is_refused_by_its_check_digit(desk, check_in):
    visit = check_in()
    code = specimen(visit.id, "URINE").barcode
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(ValidationError, match="校验"):
        specimens.receive_specimen(desk, wrong)


def test_unknown_barcode_and_a_visit_number_are_refused(desk, check_in):
    from frontdesk.domain.codes import make_specimen_no

    visit = check_in()
    with pytest.raises(NotFoundError):
        specimens.receive_specimen(desk, make_specimen_no(TODAY, 99999))
    with pytest.raises(ValidationError, match="不是标本条码"):
        specimens.receive_specimen(desk, visit.visit_no)


# --------------------------------------------------------------------------
# Add-ons after the labels were printed


def test_add_on_onto_a_printed_uncollected_tube_voids_its_label(desk, check_in, cat, tmp_path):
    visit = check_in(name="张三丰", sex="M", package="BASIC", birth=dt.date(1980, 5, 17))
    printed(desk, visit.id, tmp_path)
    sst = specimen(visit.id, "SST")
    added = checkin.add_items(desk, visit.id, [cat.item_id("THY")], [cash("90.00")], day=TODAY)
    assert [s.id for s in added.specimens.voided] == [sst.id] and not added.specimens.new
    assert "请重打并撕掉旧标签" in added.specimens.notice()
    row = m.Specimen.get_by_id(sst.id)
    assert row.status == "created" and row.print_count == 2 and row.barcode == sst.barcode
    assert m.AuditLog.get(m.AuditLog.action == "label.void").record_id == str(sst.id)
    view = labels.visit_labels(visit.id)
    assert "请重打并撕掉旧标签" in view.notice()
    assert next(r for r in view.specimens if r.specimen_id == sst.id).status_text() == "标签已作废，待重打"


def test_reprinted_label_after_an_add_on_lists_the_new_test_and_is_not_a_reprint(desk, supervisor, check_in, cat,
                                                                                 tmp_path):
    from frontdesk.services import site_settings

    site_settings.set_value(supervisor, "label_free_reprints", "0")
    visit = check_in(name="张三丰", sex="M", package="BASIC", birth=dt.date(1980, 5, 17))
    printed(desk, visit.id, tmp_path)
    checkin.add_items(desk, visit.id, [cat.item_id("THY")], [cash("90.00")], day=TODAY)
    outcome = printed(desk, visit.id, tmp_path)  # the desk's "print check-in labels" again: only the voided one
    sst = specimen(visit.id, "SST")
    assert outcome.barcodes == (sst.barcode,) and outcome.replaced == 1 and outcome.reprints == 0
    assert "甲功" in next(l.data.tests for l in labels.labels_for_visit(visit.id, specimen_ids=[sst.id]))
    assert m.Specimen.get_by_id(sst.id).status == "label_printed"


def test_add_on_onto_an_unprinted_tube_joins_it_without_voiding(desk, check_in, cat):
    visit = check_in(name="张三丰", sex="M", package="BASIC", birth=dt.date(1980, 5, 17))
    sst = specimen(visit.id, "SST")
    added = checkin.add_items(desk, visit.id, [cat.item_id("THY")], [cash("90.00")], day=TODAY)
    assert not added.specimens.voided and not added.specimens.new and added.specimens.notice() == ""
    thy = m.VisitItem.get(m.VisitItem.visit == visit.id, m.VisitItem.item == cat.item_id("THY"))
    assert thy.specimen_id == sst.id


def test_add_on_onto_a_collected_tube_issues_a_new_specimen_and_label(desk, check_in, cat, tmp_path):
    visit = check_in(name="张三丰", sex="M", package="BASIC", birth=dt.date(1980, 5, 17))
    printed(desk, visit.id, tmp_path)
    sst = specimen(visit.id, "SST")
    specimens.receive_specimen(desk, sst.barcode)
    added = checkin.add_items(desk, visit.id, [cat.item_id("THY")], [cash("90.00")], day=TODAY)
    (new,) = added.specimens.new_after_collected
    assert new.id != sst.id and luhn_valid(new.barcode) and not added.specimens.voided
    assert "新开" in added.specimens.notice()
    assert m.Specimen.get_by_id(sst.id).status == "collected"
    outcome = printed(desk, visit.id, tmp_path)
    assert outcome.barcodes == (new.barcode,)
    assert next(l.data.tests for l in labels.labels_for_visit(visit.id, specimen_ids=[new.id])) == ("甲功",)


def test_refund_of_a_test_on_a_printed_tube_voids_its_label(desk, supervisor, check_in, cat, tmp_path):
    visit = check_in()
    printed(desk, visit.id, tmp_path)
    afp = m.VisitItem.get(m.VisitItem.visit == visit.id, m.VisitItem.item == cat.item_id("AFP"))
    checkin.remove_item(supervisor, afp.id, PaymentMethod.CASH, "客人不做")
    assert m.Specimen.get_by_id(afp.specimen_id).status == "created"


# --------------------------------------------------------------------------
# Hand-over to the lab


def _collect(desk, visit_id, *tubes):
    for tube in tubes:
        specimens.receive_specimen(desk, specimen(visit_id, tube).barcode)


def test_candidates_are_collected_not_sent_grouped_by_tube_with_counts(desk, check_in):
    wang = check_in(name="王芳")
    zhang = check_in(name="张三丰", sex="M", package="BASIC", birth=dt.date(1980, 5, 17))
    _collect(desk, wang.id, "SST", "EDTA", "URINE")
    _collect(desk, zhang.id, "SST")
    groups = specimens.handover_candidates(TODAY)
    assert [(g.tube_code, g.count) for g in groups] == [("SST", 2), ("EDTA", 1), ("URINE", 1)]
    names = {c.guest_name_masked for g in groups for c in g.specimens}
    assert names == {"王*", "张*丰"}
    assert specimens.handover_candidates(TODAY - dt.timedelta(days=1)) == []


def test_hand_over_marks_sent_under_one_number_by_whom_and_when(desk, check_in):
    with clock.pinned(dt.datetime(2026, 11, 23, 9, 30)):  # the hand-over happens on TODAY, local time
        visit = check_in()
        _collect(desk, visit.id, "SST", "EDTA")
        ids = [c.specimen_id for g in specimens.handover_candidates() for c in g.specimens]
        number = specimens.create_handover(desk, ids, day=TODAY)
        assert number == "SJ261123001"
        for sid in ids:
            row = m.Specimen.get_by_id(sid)
            assert (row.status, row.handover_no, row.sent_by) == ("sent", number, "qiantai") and row.sent_at
        assert specimens.handover_candidates() == []
        entry = m.AuditLog.get(m.AuditLog.action == "specimen.handover")
        assert entry.record_id == number and entry.username == "qiantai"
        clock.advance(dt.timedelta(minutes=40))
        _collect(desk, visit.id, "URINE")
        assert specimens.create_handover(desk, [specimen(visit.id, "URINE").id], day=TODAY) == "SJ261123002"
        assert [h.handover_no for h in specimens.handovers_on(TODAY)] == ["SJ261123002", "SJ261123001"]
    assert specimens.handovers_on(TODAY - dt.timedelta(days=1)) == []


def test_hand_over_of_a_specimen_not_collected_changes_nothing(desk, check_in):
    visit = check_in()
    _collect(desk, visit.id, "SST")
    sst, edta = specimen(visit.id, "SST"), specimen(visit.id, "EDTA")
    with pytest.raises(ConflictError, match=edta.barcode):
        specimens.create_handover(desk, [sst.id, edta.id], day=TODAY)
    assert m.Specimen.get_by_id(sst.id).status == "collected"
    assert not m.AuditLog.select().where(m.AuditLog.action == "specimen.handover").exists()
    assert specimens.create_handover(desk, [sst.id], day=TODAY) == "SJ261123001"  # the number was given back


def test_sent_specimen_scanned_again_says_it_was_sent(desk, check_in):
    visit = check_in()
    _collect(desk, visit.id, "URINE")
    urine = specimen(visit.id, "URINE")
    specimens.create_handover(desk, [urine.id], day=TODAY)
    result = specimens.receive_specimen(desk, urine.barcode)
    assert result.already and result.status is SpecimenStatus.SENT and "已送检" in result.message()


def test_hand_over_data_groups_lines_with_masked_names_and_tests(desk, check_in):
    visit = check_in()
    _collect(desk, visit.id, "SST", "STOOL")
    number = specimens.create_handover(desk, [specimen(visit.id, t).id for t in ("SST", "STOOL")], day=TODAY)
    data = specimens.handover_data(number, "测试体检中心")
    assert data.handover_no == number and data.total == 2 and data.desk == "前台1"
    assert [g.tube_name for g in data.groups] == ["黄头管", "采便器"]
    stool = data.groups[1].lines[0]
    assert stool.guest_name == "王*" and stool.tests == ("便常规", "潜血") and stool.visit_no == visit.visit_no


# --------------------------------------------------------------------------
# Two desks, one database


def test_two_desks_taking_barcodes_at_once_never_get_the_same_one(fdb):
    per_desk = 50
    results: list[list[str]] = [[], []]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def desk(index: int) -> None:
        try:
            start.wait(10)
            for _ in range(per_desk):
                with db.transaction():
                    results[index].append(specimens.new_barcode(TODAY))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            db.database.close()  # this thread's own connection

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    codes = results[0] + results[1]
    assert len(codes) == 2 * per_desk and len(set(codes)) == len(codes)
    assert all(luhn_valid(code) for code in codes)


def test_two_desks_checking_in_at_once_get_distinct_specimen_barcodes(fdb, desk, make_guest, cat):
    guests = [make_guest(name="王芳张丽李娜赵敏刘洋陈静"[2 * i:2 * i + 2], sex="F", birth=dt.date(1980, 1, 1 + i)) for i in range(6)]
    pkg = cat.package("COMP_F")
    errors: list[BaseException] = []

    def desk_thread(batch) -> None:
        try:
            for guest in batch:
                checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=pkg.id, payments=[cash(pkg.price)]),
                                 day=TODAY)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            db.database.close()

    threads = [threading.Thread(target=desk_thread, args=(guests[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    codes = [s.barcode for s in m.Specimen.select()]
    assert len(codes) == 6 * 7 and len(set(codes)) == len(codes)
