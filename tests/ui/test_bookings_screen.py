"""The bookings page (预约排期) and the booking dialog, driven with the keyboard: the capacity calendar's colours,
booking a found guest, a full day refused with the nearest dates as buttons, a supervisor's override, moving,
cancelling, the slip, and the supervisor's capacity dialog."""

from __future__ import annotations

import datetime as dt
import itertools

import pypdfium2
import pytest
from PySide6.QtCore import Qt

from frontdesk import clock, config, i18n
from frontdesk.domain.enums import BookingStatus, IdType, Role
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.services import bookings, capacity, catalogue, guests
from frontdesk.services.session import Session
from frontdesk.storage import models as m
from frontdesk.ui.bookings_screen import BookingsScreen

from .conftest import settle

_seq = itertools.count(11)
_phones = itertools.count(13900000001)


@pytest.fixture
def desk(fdb):
    catalogue.load_seed_catalogue(Session("admin", "管理员", Role.ADMIN, "前台1"))
    return Session("qiantai", "李前台", Role.RECEPTION, "前台1")


@pytest.fixture
def supervisor(desk):
    return Session("zhuguan", "王主管", Role.SUPERVISOR, "前台1")


def register(desk, name="张三丰", sex="M", birth=dt.date(1980, 5, 17)):
    number = make_resident_id("110105", birth, next(_seq) * 2 + (1 if sex == "M" else 0))
    return guests.register(desk, guests.GuestInput(name=name, sex=sex, birth_date=birth, id_type=IdType.RESIDENT_ID,
                                                   id_number=number, phone=str(next(_phones)), organisation_id=None),
                           today=clock.today())


def has_focus(widget) -> bool:
    """The widget that has (or gets, once its window is active) the keyboard focus."""
    return widget.window().focusWidget() is widget


def item(code):
    return m.ExamItem.get(m.ExamItem.code == code)


def station(code):
    return m.Station.get(m.Station.code == code)


@pytest.fixture
def screen_for(app, qtbot):
    def make(session):
        page = BookingsScreen(session, config.load())
        qtbot.addWidget(page)
        page.resize(1160, 680)
        page.show()
        settle(qtbot)
        return page

    return make


def cell_of(page, day):
    for row in range(page.calendar.rowCount()):
        for col in range(7):
            cell = page.calendar.item(row, col)
            if cell is not None and cell.data(Qt.ItemDataRole.UserRole) == day.isoformat():
                return cell
    raise AssertionError(day)


def test_the_calendar_colours_each_day_by_its_load_against_the_limit(qtbot, screen_for, desk, supervisor):
    day = clock.today() + dt.timedelta(days=1)
    capacity.set_weekday_limits(supervisor, station("BMD").id, [2] * 7)
    first = register(desk, "甲一")
    bookings.create_booking(desk, first.id, day, item_ids=[item("BMD").id])
    page = screen_for(desk)
    page.show_day(day)
    settle(qtbot)
    page.station_filter.setCurrentIndex(page.station_filter.findData(station("BMD").id))
    cell = cell_of(page, day)
    assert cell.data(Qt.ItemDataRole.UserRole + 1) == "green" and "骨密度室 1/2" in cell.text()
    bookings.create_booking(desk, register(desk, "乙二").id, day, item_ids=[item("BMD").id])
    page.refresh()
    settle(qtbot)
    cell = cell_of(page, day)
    assert cell.data(Qt.ItemDataRole.UserRole + 1) == "red" and "骨密度室 2/2 满" in cell.text()
    assert cell.background().color().name() == "#f7c6c6"
    assert [page.table.item(r, 2).text() for r in range(page.table.rowCount())] == ["甲一", "乙二"]
    assert any("骨密度室 2/2 满" in page.station_loads.item(r).text() for r in range(page.station_loads.count()))


def test_the_calendar_reads_in_english(qtbot, screen_for, desk, supervisor):
    i18n.set_language("en")
    day = clock.today() + dt.timedelta(days=1)
    capacity.set_date_exception(supervisor, None, day, closed=True, note="holiday")
    page = screen_for(desk)
    page.show_day(day)
    settle(qtbot)
    cell = cell_of(page, day)
    assert "closed" in cell.text() and cell.data(Qt.ItemDataRole.UserRole + 1) == "red"
    assert page.calendar.horizontalHeaderItem(0).text() == "Mon"
    assert "Whole centre" in page.station_loads.item(0).text()


def test_booking_a_found_guest_with_the_keyboard_and_the_slip_preview(qtbot, screen_for, desk):
    tomorrow = clock.today() + dt.timedelta(days=1)  # read when the test runs
    guest = register(desk, "欧阳娜娜", "F", dt.date(1988, 3, 9))
    page = screen_for(desk)
    page.show_day(tomorrow)
    settle(qtbot)
    qtbot.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = page.last_dialog
    assert dialog is not None and dialog.isVisible() and has_focus(dialog.search_edit)
    qtbot.keyClicks(dialog.search_edit, "oynn")                   # pinyin initials
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    settle(qtbot)
    assert dialog.search_message.text() == "" and dialog.results.count() == 1 and dialog.results.currentRow() == 0
    qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    settle(qtbot)
    assert dialog.guest_id == guest.id and has_focus(dialog.date_edit)
    dialog.half_day.setFocus()
    qtbot.keyClick(dialog.half_day, Qt.Key.Key_Down)            # afternoon
    dialog.package.setFocus()
    basic = m.Package.get(m.Package.code == "BASIC").id
    while dialog.package.currentData() != basic:
        qtbot.keyClick(dialog.package, Qt.Key.Key_Down)
    qtbot.keyClick(dialog, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    assert has_focus(dialog.item_filter)
    dialog.item_filter.setText("血")                               # typed through the input method
    dialog.item_filter.setText("血zzz")                            # ... on until nothing matches
    dialog.items.setFocus()
    qtbot.keyClick(dialog.items, Qt.Key.Key_Space)
    assert dialog.checked_items() == []                            # no hidden item ticked
    dialog.item_filter.setText("骨密度")
    dialog.items.setFocus()
    qtbot.keyClick(dialog.items, Qt.Key.Key_Space)
    assert dialog.checked_items() == [item("BMD").id]
    settle(qtbot)
    qtbot.wait(200)
    settle(qtbot)
    assert dialog.eligibility.text() == "符合体检资格"
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    [view] = bookings.bookings_on(tomorrow)
    assert (view.guest_id, view.half_day.value, view.package_code, view.extra_item_ids) == (
        guest.id, "pm", "BASIC", (item("BMD").id,))
    assert page.last_preview is not None and page.last_preview.objectName() == "bookingSlipPreview"
    document = pypdfium2.PdfDocument(page.last_preview.pdf_bytes)
    text = "".join(document[i].get_textpage().get_text_bounded() for i in range(len(document)))
    assert len(document) == 1                                   # a package and an extra item fit one A5 page
    assert view.booking_no in text and "骨密度" in text
    page.last_preview.close()
    assert page.table.rowCount() == 1 and page.table.item(0, 0).text() == view.booking_no


def test_an_ineligible_package_shows_the_reason_and_books_nothing(qtbot, screen_for, desk):
    guest = register(desk, "小王", "M", dt.date(1999, 6, 1))
    page = screen_for(desk)
    dialog = page.new_booking()
    dialog.choose_guest(guest.id)
    dialog.date_edit.setDate(dialog.date_edit.date().addDays(1))
    dialog.package.setCurrentIndex(dialog.package.findData(m.Package.get(m.Package.code == "SENIOR").id))
    dialog.run_preview()
    settle(qtbot)
    assert "要求年满50岁" in dialog.eligibility.text() and "客人27岁" in dialog.eligibility.text()
    dialog.book()
    settle(qtbot)
    assert "年满50岁" in dialog.message.text() and dialog.isVisible()
    assert not m.Booking.select().exists()


def test_a_full_day_offers_the_nearest_dates_and_a_supervisor_books_over_it(qtbot, screen_for, desk, supervisor):
    day = clock.today() + dt.timedelta(days=2)
    capacity.set_date_exception(supervisor, station("BMD").id, day, limit=1)
    bookings.create_booking(desk, register(desk, "甲一").id, day, item_ids=[item("BMD").id])
    guest = register(desk, "乙二")
    page = screen_for(desk)
    dialog = page.new_booking()
    dialog.choose_guest(guest.id)
    dialog.use_date(day)
    dialog.check_item(item("BMD").id)
    dialog.book()
    settle(qtbot)
    assert dialog.refusal_box.isVisible() and "骨密度室" in dialog.refusal.text()
    assert dialog.nearest_buttons[0].property("day") == (day - dt.timedelta(days=2)).isoformat()
    qtbot.keyClick(dialog, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)    # the third nearest date
    third = dt.date.fromisoformat(dialog.nearest_buttons[2].property("day")) if dialog.nearest_buttons else None
    assert dialog.exam_date != day and dialog.exam_date in {day + dt.timedelta(days=1), third}
    # Back to the full day: the supervisor (signed in here) books over it with a reason.
    dialog.session = supervisor
    dialog.use_date(day)
    dialog.book()
    settle(qtbot)
    dialog.override_button.click()
    assert "超额原因" in dialog.message.text()
    dialog.override_reason.setText("院领导安排")
    dialog.override_button.click()
    settle(qtbot)
    over = [b for b in bookings.bookings_on(day) if b.guest_id == guest.id]
    assert over and over[0].override_reason == "院领导安排" and over[0].override_by == "zhuguan"
    dialog.close()
    settle(qtbot)  # the dialog's last lookup must end before the test's database goes away


def test_move_and_cancel_from_the_day_list(qtbot, screen_for, desk, monkeypatch):
    tomorrow = clock.today() + dt.timedelta(days=1)  # read when the test runs
    guest = register(desk)
    view = bookings.create_booking(desk, guest.id, tomorrow, item_ids=[item("ECG").id])
    page = screen_for(desk)
    page.show_day(tomorrow)
    settle(qtbot)
    assert page.select_booking(view.booking_no)
    qtbot.keyClick(page.table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    dialog = page.last_dialog
    assert dialog.objectName() == "moveDialog" and has_focus(dialog.date_edit)
    later = tomorrow + dt.timedelta(days=3)
    dialog.use_date(later)
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    moved = bookings.booking(view.id)
    assert dialog.message.text() == ""
    assert (moved.booking_no, moved.exam_date) == (view.booking_no, later)
    assert page.selected_day == later and page.select_booking(view.booking_no)
    monkeypatch.setattr(page, "ask_reason", lambda title, label: "客人出差")
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    settle(qtbot)
    assert bookings.booking(view.id).status == BookingStatus.CANCELLED
    assert page.table.item(0, 7).text() == "已取消" and not page.cancel_button.isEnabled()


def test_opening_the_page_marks_yesterdays_unarrived_bookings_no_show_and_a_supervisor_undoes_it(
        qtbot, screen_for, desk, supervisor, monkeypatch):
    yesterday = clock.today() - dt.timedelta(days=1)
    guest = register(desk)
    with clock.pinned(dt.datetime.combine(yesterday, dt.time(9)).astimezone()):
        view = bookings.create_booking(desk, guest.id, yesterday, item_ids=[item("ECG").id])
    page = screen_for(supervisor)
    assert bookings.booking(view.id).status == BookingStatus.NO_SHOW
    page.show_day(yesterday)
    settle(qtbot)
    assert page.select_booking(view.booking_no) and page.undo_button.isEnabled()
    monkeypatch.setattr(page, "ask_reason", lambda title, label: "客人其实到了")
    qtbot.keyClick(page.table, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert bookings.booking(view.id).status == BookingStatus.BOOKED


def test_the_supervisor_sets_weekday_limits_and_a_closure_in_the_capacity_dialog(qtbot, screen_for, supervisor):
    page = screen_for(supervisor)
    dialog = page.edit_capacity()
    settle(qtbot)
    dialog.set_cell(station("BMD").id, 0, "12")
    dialog.set_cell(None, 5, "150")
    qtbot.keyClick(dialog.weekly, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    limits = {s.station_id: s.weekdays for s in capacity.weekday_limits()}
    assert limits[station("BMD").id][0] == 12 and limits[None][5] == 150 and limits[None][0] is None
    dialog.tabs.setCurrentIndex(1)
    day = clock.today() + dt.timedelta(days=10)
    dialog.exc_date.setDate(dialog.exc_date.date().addDays(10))
    dialog.exc_closed.setChecked(True)
    dialog.exc_note.setText("设备检修")
    qtbot.keyClick(dialog.exc_note, Qt.Key.Key_Return)
    settle(qtbot)
    assert capacity.day_load(day).closed and dialog.exception_table.rowCount() == 1
    dialog.exc_closed.setChecked(False)
    dialog.set_cell(station("BMD").id, 1, "abc")
    dialog.save_weekly()
    settle(qtbot)
    assert "整数" in dialog.message.text()
