"""Close-out: the returned guide sheet checked item by item, what blocks closing, closing, belongings."""

import datetime as dt
from decimal import Decimal as D

import pytest

from frontdesk.domain.enums import ItemStatus, PaymentMethod, SpecimenStatus, VisitStatus
from frontdesk.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from frontdesk.services import belongings, checkin, closeout, deferrals, specimens
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.closeout import CloseoutFilter
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


def cash(amount):
    return PaymentInput(PaymentMethod.CASH, D(amount))


@pytest.fixture
def visit_with(desk, make_guest, cat):
    """Check a guest in for the given items (paid in cash)."""

    def make(*codes, name="张三丰", day=TODAY, locker=None):
        guest = make_guest(name=name)
        ids = [cat.item_id(c) for c in codes]
        total = sum((cat.item(c).price for c in codes), D("0"))
        return checkin.check_in(desk, CheckInRequest(guest_id=guest.id, added_item_ids=ids, payments=[cash(total)],
                                                     locker_tag=locker), day=day).visit

    return make


@pytest.fixture
def users(admin, desk, supervisor):
    """The desk's accounts exist, so messages name people by their display names."""
    from frontdesk.services import auth

    for session in (desk, supervisor):
        auth.create_user(admin, session.username, session.display_name, session.role, "Passw0rd!x")


def item_id(view, code):
    return next(i.visit_item_id for i in view.items if i.item_code == code)


def test_view_lists_every_item_with_station_and_state(visit_with):
    visit = visit_with("GENERAL", "ECG", "CBC")
    view = closeout.closeout_view(visit.id)
    assert {(i.item_code, i.station_name, i.status) for i in view.items} == {
        ("GENERAL", "一般检查室", ItemStatus.PENDING), ("ECG", "心电图室", ItemStatus.PENDING),
        ("CBC", "采血室", ItemStatus.PENDING)}
    assert view.status is VisitStatus.CHECKED_IN and not view.can_close


def test_pending_item_blocks_closing_and_is_named(desk, visit_with):
    visit = visit_with("GENERAL", "ECG")
    view = closeout.mark_done(desk, visit.id, [item_id(closeout.closeout_view(visit.id), "GENERAL")])
    assert len(view.blockers) == 1 and "（心电图室）未确认" in view.blockers[0].text
    with pytest.raises(ConflictError, match="心电图室"):
        closeout.close_visit(desk, visit.id)
    assert m.Visit.get_by_id(visit.id).status == VisitStatus.CHECKED_IN.value


def test_mark_done_records_who_and_when(desk, visit_with):
    visit = visit_with("GENERAL", "ECG")
    view = closeout.closeout_view(visit.id)
    closeout.mark_done(desk, visit.id, [item_id(view, "ECG")])
    row = m.VisitItem.get_by_id(item_id(view, "ECG"))
    assert row.status == "done" and row.done_by == "qiantai" and row.done_at is not None
    assert m.VisitItem.get_by_id(item_id(view, "GENERAL")).status == "pending"


def test_all_stamped_marks_only_the_pending_rest(desk, visit_with):
    visit = visit_with("GENERAL", "ECG", "EYE")
    view = closeout.closeout_view(visit.id)
    deferrals.defer_items(desk, visit.id, [item_id(view, "EYE")], TODAY + dt.timedelta(days=3), today=TODAY)
    view = closeout.mark_all_done(desk, visit.id)
    states = {i.item_code: i.status for i in view.items}
    assert states == {"GENERAL": ItemStatus.DONE, "ECG": ItemStatus.DONE, "EYE": ItemStatus.DEFERRED}
    assert view.can_close


def test_close_records_who_and_when_and_awaits_report(desk, visit_with):
    visit = visit_with("GENERAL")
    closeout.mark_all_done(desk, visit.id)
    view = closeout.close_visit(desk, visit.id)
    row = m.Visit.get_by_id(visit.id)
    assert row.status == VisitStatus.CLOSED.value and row.closed_by == "qiantai" and row.closed_at is not None
    assert view.status is VisitStatus.CLOSED and view.status.label() == "已交单待报告"
    assert m.AuditLog.select().where(m.AuditLog.action == "visit.close").count() == 1


def test_closing_twice_is_refused_naming_who_closed(desk, supervisor, users, visit_with):
    visit = visit_with("GENERAL")
    closeout.mark_all_done(desk, visit.id)
    closeout.close_visit(supervisor, visit.id)
    with pytest.raises(ConflictError, match="已由 王主管 于"):
        closeout.close_visit(desk, visit.id)


def test_label_printed_container_blocks_even_when_item_done(desk, visit_with):
    visit = visit_with("GENERAL", "STOOL")
    stool = next(s for s in specimens.specimens_of(visit.id) if s.tube_type.container_kind == "stool")
    m.Specimen.update(status=SpecimenStatus.LABEL_PRINTED.value, print_count=1).where(m.Specimen.id == stool.id).execute()
    view = closeout.mark_all_done(desk, visit.id)
    assert len(view.blockers) == 1 and stool.barcode in view.blockers[0].text and "未交回" in view.blockers[0].text
    with pytest.raises(ConflictError, match=stool.barcode):
        closeout.close_visit(desk, visit.id)


def test_collected_container_does_not_block(desk, visit_with):
    visit = visit_with("STOOL")
    stool = specimens.specimens_of(visit.id)[0]
    m.Specimen.update(status=SpecimenStatus.LABEL_PRINTED.value, print_count=1).where(m.Specimen.id == stool.id).execute()
    specimens.receive_specimen(desk, stool.barcode)
    assert closeout.mark_all_done(desk, visit.id).can_close


def test_abandoning_the_item_unblocks_its_container_and_cancels_it_at_close(desk, visit_with):
    visit = visit_with("GENERAL", "STOOL")
    stool = specimens.specimens_of(visit.id)[0]
    m.Specimen.update(status=SpecimenStatus.LABEL_PRINTED.value, print_count=1).where(m.Specimen.id == stool.id).execute()
    view = closeout.closeout_view(visit.id)
    closeout.mark_done(desk, visit.id, [item_id(view, "GENERAL")])
    view = closeout.abandon_items(desk, visit.id, [item_id(view, "STOOL")], "客人无便意", guest_confirmed=True)
    assert view.can_close
    closeout.close_visit(desk, visit.id)
    assert m.Specimen.get_by_id(stool.id).status == SpecimenStatus.CANCELLED.value


def test_deferring_the_item_unblocks_its_container(desk, visit_with):
    visit = visit_with("STOOL")
    stool = specimens.specimens_of(visit.id)[0]
    m.Specimen.update(status=SpecimenStatus.LABEL_PRINTED.value, print_count=1).where(m.Specimen.id == stool.id).execute()
    view = closeout.closeout_view(visit.id)
    view = deferrals.defer_items(desk, visit.id, [item_id(view, "STOOL")], TODAY + dt.timedelta(days=2), today=TODAY)
    assert view.can_close


def test_abandon_needs_reason_and_guest_confirmation(desk, visit_with):
    visit = visit_with("ECG")
    vid = item_id(closeout.closeout_view(visit.id), "ECG")
    with pytest.raises(ValidationError, match="原因"):
        closeout.abandon_items(desk, visit.id, [vid], "  ", guest_confirmed=True)
    with pytest.raises(ValidationError, match="客人本人确认"):
        closeout.abandon_items(desk, visit.id, [vid], "不想做", guest_confirmed=False)
    assert m.VisitItem.get_by_id(vid).status == "pending"
    closeout.abandon_items(desk, visit.id, [vid], "不想做", guest_confirmed=True)
    row = m.VisitItem.get_by_id(vid)
    assert (row.status, row.reason, row.guest_confirmed, row.resolved_by) == ("abandoned", "不想做", True, "qiantai")


def test_done_item_cannot_be_abandoned(desk, visit_with):
    visit = visit_with("ECG")
    vid = item_id(closeout.closeout_view(visit.id), "ECG")
    closeout.mark_done(desk, visit.id, [vid])
    with pytest.raises(ConflictError, match="已检"):
        closeout.abandon_items(desk, visit.id, [vid], "x", guest_confirmed=True)


def test_reset_undoes_a_mark(desk, visit_with):
    visit = visit_with("ECG")
    vid = item_id(closeout.closeout_view(visit.id), "ECG")
    closeout.mark_done(desk, visit.id, [vid])
    view = closeout.reset_items(desk, visit.id, [vid])
    assert view.items[0].status is ItemStatus.PENDING and m.VisitItem.get_by_id(vid).done_by == ""


def test_refund_at_closeout_needs_a_supervisor_and_unblocks(desk, supervisor, visit_with):
    visit = visit_with("GENERAL", "ECG")
    view = closeout.closeout_view(visit.id)
    closeout.mark_done(desk, visit.id, [item_id(view, "GENERAL")])
    with pytest.raises(PermissionDeniedError):
        closeout.refund_item(desk, item_id(view, "ECG"), PaymentMethod.CASH, "设备故障")
    view = closeout.refund_item(supervisor, item_id(view, "ECG"), PaymentMethod.CASH, "设备故障")
    assert view.can_close
    refund = m.Receipt.get(m.Receipt.kind == "refund")
    assert refund.total == D("30.00")


def test_items_of_a_closed_visit_cannot_change(desk, users, visit_with):
    visit = visit_with("GENERAL", "ECG")
    view = closeout.mark_all_done(desk, visit.id)
    closeout.close_visit(desk, visit.id)
    with pytest.raises(ConflictError, match="已由 李前台"):
        closeout.reset_items(desk, visit.id, [item_id(view, "ECG")])


def test_closing_with_belongings_stored_asks_first(desk, visit_with):
    visit = visit_with("GENERAL", locker="A7")
    view = closeout.mark_all_done(desk, visit.id)
    assert "A7" in view.belongings_warning()
    with pytest.raises(closeout.BelongingsStoredError, match="A7"):
        closeout.close_visit(desk, visit.id)
    assert m.Visit.get_by_id(visit.id).status == "checked_in"
    closeout.close_visit(desk, visit.id, belongings_confirmed=True)
    assert m.Visit.get_by_id(visit.id).status == "closed"


def test_belongings_returned_at_closeout_no_longer_ask(desk, visit_with):
    visit = visit_with("GENERAL", locker="A7")
    view = closeout.mark_all_done(desk, visit.id)
    returned = belongings.return_belonging(desk, view.belongings[0].belonging_id)
    assert returned.returned_by == "qiantai" and returned.returned_at is not None
    assert closeout.close_visit(desk, visit.id).status is VisitStatus.CLOSED


def test_belongings_can_be_stored_any_time_and_not_out_twice(desk, visit_with):
    first, second = visit_with("GENERAL"), visit_with("GENERAL", name="李四")
    belongings.store(desk, first.id, "B2", "雨伞")
    with pytest.raises(ConflictError, match="B2"):
        belongings.store(desk, second.id, "b2")
    assert [b.tag_no for b in closeout.closeout_view(first.id).belongings] == ["B2"]


def test_not_returned_today_lists_only_what_is_still_stored(desk, visit_with):
    kept, back = visit_with("GENERAL", locker="K1"), visit_with("GENERAL", name="李四", locker="K2")
    yesterday = visit_with("GENERAL", name="王五", day=TODAY - dt.timedelta(days=1), locker="K3")
    belongings.return_belonging(desk, belongings.of_visit(back.id)[0].belonging_id)
    listed = belongings.not_returned(TODAY)
    assert sorted(b.tag_no for b in listed) == ["K1", "K3"]
    assert {b.visit_no for b in listed} == {kept.visit_no, yesterday.visit_no}
    assert all("*" in b.guest_name_masked for b in listed)
    assert [b.tag_no for b in belongings.not_returned(TODAY - dt.timedelta(days=1))] == ["K3"]


def test_closeout_list_filters_ready_and_blocked(desk, visit_with):
    ready, blocked, closed = visit_with("GENERAL"), visit_with("ECG", name="李四"), visit_with("EYE", name="王五")
    closeout.mark_all_done(desk, ready.id)
    closeout.mark_all_done(desk, closed.id)
    closeout.close_visit(desk, closed.id)
    assert [r.visit_no for r in closeout.closeout_list(TODAY, CloseoutFilter.READY)] == [ready.visit_no]
    rows = closeout.closeout_list(TODAY, CloseoutFilter.BLOCKED)
    assert [r.visit_no for r in rows] == [blocked.visit_no] and "未检1项" in rows[0].still_open()
    assert [r.visit_no for r in closeout.closeout_list(TODAY, CloseoutFilter.CLOSED)] == [closed.visit_no]
    assert len(closeout.closeout_list(TODAY)) == 3


def test_closeout_list_counts_an_uncollected_container_as_blocking(desk, visit_with):
    visit = visit_with("STOOL")
    closeout.mark_all_done(desk, visit.id)
    [row] = closeout.closeout_list(TODAY)
    assert row.blocked and row.open_specimens == 1


# -- scanning ------------------------------------------------------------------


def test_scan_opens_the_visit(visit_with):
    visit = visit_with("GENERAL")
    view = closeout.scan_for_closeout(visit.visit_no, day=TODAY)
    assert view.visit_id == visit.id and view.notice == ""


def test_scan_of_a_specimen_code_says_what_to_scan_instead(visit_with):
    visit = visit_with("CBC")
    barcode = specimens.specimens_of(visit.id)[0].barcode
    with pytest.raises(ValidationError, match="这是标本条码，不是导检单"):
        closeout.scan_for_closeout(barcode, day=TODAY)


def test_scan_of_a_receipt_code_is_refused(visit_with):
    visit = visit_with("GENERAL")
    receipt = m.Receipt.get(m.Receipt.visit == visit.id)
    with pytest.raises(ValidationError, match="这是收据号"):
        closeout.scan_for_closeout(receipt.receipt_no, day=TODAY)


def test_scan_of_an_unknown_visit_number(catalogue):
    from frontdesk.domain.codes import make_visit_no

    with pytest.raises(NotFoundError, match="不存在"):
        closeout.scan_for_closeout(make_visit_no(TODAY, 99), day=TODAY)


def test_scan_of_a_closed_visit_says_who_closed_it(desk, users, visit_with):
    visit = visit_with("GENERAL")
    closeout.mark_all_done(desk, visit.id)
    closeout.close_visit(desk, visit.id)
    view = closeout.scan_for_closeout(visit.visit_no, day=TODAY)
    assert "已由 李前台" in view.notice and "加项" in view.notice and not view.is_open


def test_scan_of_another_days_open_visit_warns(visit_with):
    visit = visit_with("GENERAL", day=TODAY - dt.timedelta(days=2))
    view = closeout.scan_for_closeout(visit.visit_no, day=TODAY)
    assert "2026-11-21" in view.notice and "不是今天" in view.notice and view.is_open


def test_scan_of_a_cancelled_visit_is_refused(desk, supervisor, visit_with):
    from frontdesk.services import payments

    visit = visit_with("GENERAL")
    payments.void_receipt(supervisor, m.Receipt.get(m.Receipt.visit == visit.id).id, "录错")
    with pytest.raises(ConflictError, match="已取消"):
        closeout.scan_for_closeout(visit.visit_no, day=TODAY)


# -- add-on at close-out ---------------------------------------------------------


def test_add_on_at_closeout_reopens_a_closed_visit(desk, visit_with, cat):
    visit = visit_with("GENERAL")
    closeout.mark_all_done(desk, visit.id)
    closeout.close_visit(desk, visit.id)
    closeout.add_items_at_closeout(desk, visit.id, [cat.item_id("ECG")], [cash("30.00")], day=TODAY)
    row = m.Visit.get_by_id(visit.id)
    assert row.status == "checked_in" and row.closed_by == "" and row.closed_at is None
    view = closeout.closeout_view(visit.id)
    assert {i.item_code: i.status for i in view.items}["ECG"] is ItemStatus.PENDING and not view.can_close


def test_failed_add_on_leaves_the_visit_closed(desk, visit_with, cat):
    visit = visit_with("GENERAL")
    closeout.mark_all_done(desk, visit.id)
    closeout.close_visit(desk, visit.id)
    with pytest.raises(ValidationError):
        closeout.add_items_at_closeout(desk, visit.id, [cat.item_id("ECG")], [cash("1.00")], day=TODAY)
    assert m.Visit.get_by_id(visit.id).status == "closed"


def test_add_on_quote_on_a_closed_visit_changes_nothing(desk, visit_with, cat):
    visit = visit_with("GENERAL")
    closeout.mark_all_done(desk, visit.id)
    closeout.close_visit(desk, visit.id)
    quote = closeout.quote_addons_at_closeout(visit.id, [cat.item_id("ECG")])
    assert quote.guest_total == D("30.00")
    assert m.Visit.get_by_id(visit.id).status == "closed"
