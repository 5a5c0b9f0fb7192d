"""Every screen and every dialog fits the desk's 1366 x 768 monitor (with a 40-pixel taskbar).

Each main-window task page (and the states a page changes into) and each dialog is
opened the way the desk opens it, then checked: the window with its frame lies inside
the screen's free area, it needs no more than 1280 x 720, and every push button on it
(dialog button boxes included) that is meant to show is whole and inside the window,
not cut off by a scroll area, a splitter or the window's edge, and not squeezed.

Adding a screen or a dialog: append a ``Screen`` to ``SCREENS`` (a function that
brings the main window to the state to check) or a ``Dialog`` to ``DIALOGS`` (a
function that opens the dialog and returns it), in the desk's own way of opening it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QDialogButtonBox, QPushButton, QScrollArea, QWidget

from frontdesk import config
from frontdesk.ui import screen_fit

from .conftest import settle

SCREEN = QRect(0, 0, 1366, 768)
TASKBAR = 40
AVAILABLE = QRect(0, 0, 1366, 768 - TASKBAR)


@dataclass
class Desk:
    """What the openers work with: the main window (shown as maximised on the desk screen) and today's data."""

    qtbot: object
    window: object
    visit_id: int  # a visit checked in today, with specimens and receipts
    visit_no: str


@dataclass(frozen=True)
class Screen:
    name: str
    open: Callable[[Desk], None]


@dataclass(frozen=True)
class Dialog:
    name: str
    open: Callable[[Desk], QWidget]


# -- screens ---------------------------------------------------------------------------------------------------------

def _task(key: str) -> Callable[[Desk], None]:
    def open_task(desk: Desk) -> None:
        assert desk.window.show_task(key) is not None, key

    return open_task


def _checkin_booking(desk: Desk) -> None:
    from frontdesk.storage import models as m

    page = desk.window.show_task("checkin")
    booking = m.Booking.select().where((m.Booking.exam_date == dt.date.today()) & (m.Booking.status == "booked")).first()
    assert booking is not None, "the demo day has a booking still to come"
    page.search_for(booking.booking_no)
    settle(desk.qtbot)


def _checkin_payment(desk: Desk) -> None:
    _checkin_booking(desk)
    desk.window.pages["checkin"].go_to_payment()


def _checkin_done(desk: Desk) -> None:
    _checkin_payment(desk)
    page = desk.window.pages["checkin"]
    if page.payment.rows:  # a group guest may owe nothing
        page.payment.rows[0].tendered.setText(str(int(page.quote.guest_total) + 100))
    page.do_check_in()
    settle(desk.qtbot)
    assert page.result is not None


def _checkin_new_guest(desk: Desk) -> None:
    page = desk.window.show_task("checkin")
    page.start_new_guest()
    page.guest_form.name.setText("欧阳娜娜")
    page.guest_form.id_number.setText("11010519491231002Y")  # wrong check character: errors under the fields
    page.save_guest()
    settle(desk.qtbot)


def _labels_visit(desk: Desk) -> None:
    desk.window.show_task("labels")
    desk.window.handle_scan(desk.visit_no)
    settle(desk.qtbot)


def _labels_handover(desk: Desk) -> None:
    page = desk.window.show_task("labels")
    page.tabs.setCurrentIndex(1)
    settle(desk.qtbot)


def _reports_tab(index: int) -> Callable[[Desk], None]:
    def open_tab(desk: Desk) -> None:
        page = desk.window.show_task("reports")
        page.tabs.setCurrentIndex(index)
        settle(desk.qtbot)

    return open_tab


def _long_status_message(desk: Desk) -> None:
    desk.window.show_task("checkin")
    desk.window.statusBar().showMessage("标签没有打印：" + "打印机“前台标签机”没有响应，请检查电源和网线。" * 6)


def _closeout_visit(desk: Desk) -> None:
    desk.window.show_task("closeout")
    settle(desk.qtbot)
    desk.window.handle_scan(desk.visit_no)
    settle(desk.qtbot)
    assert desk.window.pages["closeout"].view is not None, "the visit opened in close-out"


def _bookings_page(desk: Desk):
    page = desk.window.show_task("bookings")
    settle(desk.qtbot)
    return page


def _bookings_day(desk: Desk) -> None:
    from frontdesk import clock

    page = _bookings_page(desk)
    page.show_day(clock.today() + dt.timedelta(days=1))
    settle(desk.qtbot)


def _contracts_page(desk: Desk):
    from frontdesk.services import demo_rosters

    page = desk.window.show_task("contracts")
    settle(desk.qtbot)
    row = next(n for n, o in enumerate(page.orgs) if o.name == demo_rosters.ORGANISATION[0])
    page.org_table.selectRow(row)
    settle(desk.qtbot)
    assert page.roster_model.rowCount() > 0, "the demo day imported a roster"
    return page


def _contracts_roster(desk: Desk) -> None:
    _contracts_page(desk)


def _day_closed(desk: Desk) -> None:
    from frontdesk import clock

    page = desk.window.show_task("day")
    settle(desk.qtbot)
    page.show_day(clock.today() - dt.timedelta(days=1))
    settle(desk.qtbot)
    assert page.report is not None and page.report.closing.closed, "the demo closed yesterday, with a correction"


SCREENS = [
    *(Screen(f"task:{key}", _task(key))
      for key in ("checkin", "labels", "closeout", "reports", "bookings", "day", "audit", "settings")),
    Screen("checkin:booking found", _checkin_booking),
    Screen("checkin:payment", _checkin_payment),
    Screen("checkin:checked in", _checkin_done),
    Screen("checkin:new guest with errors", _checkin_new_guest),
    Screen("labels:visit", _labels_visit),
    Screen("labels:hand-over", _labels_handover),
    Screen("status bar:long message", _long_status_message),
    Screen("bookings:tomorrow", _bookings_day),
    *(Screen(f"reports:tab {n}", _reports_tab(n)) for n in range(1, 5)),
    Screen("closeout:visit", _closeout_visit),
    Screen("day:closed yesterday", _day_closed),
    Screen("contracts:imported roster", _contracts_roster),
]


# -- dialogs ---------------------------------------------------------------------------------------------------------

def _shown(desk: Desk, dialog: QWidget) -> QWidget:
    desk.qtbot.addWidget(dialog)
    dialog.show()
    settle(desk.qtbot)
    return dialog


def _login(desk: Desk) -> QWidget:
    from frontdesk.ui.login_dialog import LoginDialog

    return _shown(desk, LoginDialog("前台1", "PostgreSQL frontdesk@db-server.centre.example:5432/frontdesk_main"))


def _login_while_opening(desk: Desk) -> QWidget:
    from frontdesk.ui.login_dialog import LoginDialog

    dialog = _shown(desk, LoginDialog("前台1", None))
    dialog.try_login()  # Enter before the database is open: the message line shows
    return dialog


def _first_admin(desk: Desk) -> QWidget:
    from frontdesk.ui.first_admin_dialog import FirstAdminDialog

    dialog = FirstAdminDialog("前台1")
    dialog.message.setText("两次输入的密码不一致。")
    return _shown(desk, dialog)


def _supervisor(desk: Desk) -> QWidget:
    from frontdesk.ui.supervisor_dialog import SupervisorDialog

    return _shown(desk, SupervisorDialog("前台1", "超过次数的标签补打", desk.window))


def _user(desk: Desk) -> QWidget:
    from frontdesk.ui.user_dialog import UserDialog

    return _shown(desk, UserDialog(desk.window.session, desk.window))


def _visit(desk: Desk) -> QWidget:
    desk.window.open_visit(desk.visit_id)  # (its scanned guide sheet would open the close-out instead)
    settle(desk.qtbot)
    return desk.window.last_visit_dialog


def _add_items(desk: Desk) -> QWidget:
    from frontdesk.ui.add_items_dialog import AddItemsDialog

    return _shown(desk, AddItemsDialog(desk.window.session, desk.visit_id, desk.window.settings, _visit(desk)))


def _refund(desk: Desk) -> QWidget:
    from frontdesk.services import auth, overview
    from frontdesk.ui.refund_dialog import RefundDialog

    visit = _visit(desk)
    reception = auth.login("qiantai", "demo-desk-2026", "前台1")  # the supervisor's name and password fields show
    dialog = RefundDialog(reception, overview.visit_detail(desk.visit_id), tuple(visit.detail.item_ids[:2]), visit)
    dialog.message.setText("退项退款需要前台主管输入用户名和密码。")
    return _shown(desk, dialog)


def _audit_entry(desk: Desk) -> QWidget:
    from frontdesk.services import audit
    from frontdesk.ui.audit_screen import AuditDetailDialog

    entry = next(e for e in audit.browse(desk.window.session) if len(e.details) > 80)
    return _shown(desk, AuditDetailDialog(entry, desk.window))


def _visit_receipt_preview(desk: Desk) -> QWidget:
    visit = _visit(desk)
    visit.print_receipt()
    settle(desk.qtbot)
    return visit.last_preview


def _visit_guide_preview(desk: Desk) -> QWidget:
    visit = _visit(desk)
    visit.print_guide()
    settle(desk.qtbot)
    return visit.last_preview


def _checkin_preview(which: str) -> Callable[[Desk], QWidget]:
    def open_preview(desk: Desk) -> QWidget:
        _checkin_done(desk)
        page = desk.window.pages["checkin"]
        page.preview(which)
        settle(desk.qtbot)
        return page.last_preview

    return open_preview


def _roll_receipt_preview(desk: Desk) -> QWidget:
    desk.window.settings.receipt_format = "roll80"
    return _visit_receipt_preview(desk)


def _label_preview(desk: Desk) -> QWidget:
    _labels_visit(desk)
    page = desk.window.pages["labels"]
    page.preview()
    settle(desk.qtbot)
    return page.last_preview


def _handover_preview(desk: Desk) -> QWidget:
    _labels_handover(desk)
    page = desk.window.pages["labels"]
    assert page.checked_handover_ids(), "the demo day has collected specimens to send"
    page.create_handover()
    settle(desk.qtbot)
    return page.last_handover_preview


def _handout(desk: Desk) -> QWidget:
    from frontdesk.storage import models as m

    ready = m.Visit.select().where(m.Visit.status.in_(["report_ready", "report_handed_out"])).order_by(m.Visit.id).first()
    page = desk.window.show_task("reports")
    page.open_handout(ready.id if ready is not None else desk.visit_id)
    settle(desk.qtbot)
    return page.last_handout_dialog


def _report_settings(desk: Desk) -> QWidget:
    page = desk.window.show_task("reports")
    page.edit_settings()
    settle(desk.qtbot)
    return page.last_settings_dialog


def _closeout_page(desk: Desk):
    _closeout_visit(desk)
    return desk.window.pages["closeout"]


def _deferral(desk: Desk) -> QWidget:
    from frontdesk.ui.deferral_dialog import DeferralDialog

    page = _closeout_page(desk)
    pending = [i.visit_item_id for i in page.view.items if i.status.value == "pending"][:3]
    return _shown(desk, DeferralDialog(desk.window.session, page.view, pending, page))


def _abandon(desk: Desk) -> QWidget:
    from frontdesk.ui.deferral_dialog import AbandonDialog

    page = _closeout_page(desk)
    return _shown(desk, AbandonDialog([i.item_name for i in page.view.items[:4]], page))


def _makeup(desk: Desk) -> QWidget:
    page = _closeout_page(desk)
    page.open_makeup(desk.visit_no)
    settle(desk.qtbot)
    return page.last_dialog


def _not_returned(desk: Desk) -> QWidget:
    page = _closeout_page(desk)
    page.open_not_returned()
    settle(desk.qtbot)
    return page.last_dialog


def _deferral_slip_preview(desk: Desk) -> QWidget:
    from frontdesk import clock
    from frontdesk.services import deferrals

    page = _closeout_page(desk)
    pending = [i.visit_item_id for i in page.view.items if i.status.value == "pending"][:2]
    to = clock.today() + dt.timedelta(days=9)
    deferrals.defer_items(desk.window.session, desk.visit_id, pending, to)
    page.preview_slip(desk.visit_id, to)
    settle(desk.qtbot)
    return page.last_preview


def _booking_new(desk: Desk) -> QWidget:
    """The booking dialog with a guest chosen and a full date refused: the nearest dates and the override show."""
    from frontdesk import clock
    from frontdesk.services import capacity
    from frontdesk.storage import models as m

    page = _bookings_page(desk)
    day = clock.today() + dt.timedelta(days=3)
    bmd = m.Station.get(m.Station.code == "BMD")
    capacity.set_date_exception(desk.window.session, bmd.id, day, closed=True, note="设备检修")
    dialog = page.new_booking()
    dialog.choose_guest(m.Guest.select().order_by(m.Guest.id).first().id)
    dialog.use_date(day)
    dialog.check_item(m.ExamItem.get(m.ExamItem.code == "BMD").id)
    dialog.book()
    settle(desk.qtbot)
    assert dialog.refusal_box.isVisible()
    return dialog


def _booking_new_guest(desk: Desk) -> QWidget:
    dialog = _bookings_page(desk).new_booking()
    dialog.start_new_guest()
    dialog.guest_form.name.setText("欧阳娜娜")
    dialog.guest_form.id_number.setText("11010519491231002Y")  # wrong check character: errors under the fields
    dialog.save_guest()
    settle(desk.qtbot)
    return dialog


def _booking_move(desk: Desk) -> QWidget:
    from frontdesk import clock

    page = _bookings_page(desk)
    page.show_day(clock.today() + dt.timedelta(days=1))
    settle(desk.qtbot)
    dialog = page.move_selected()
    assert dialog is not None, "the demo day has bookings for tomorrow"
    settle(desk.qtbot)
    return dialog


def _capacity(desk: Desk) -> QWidget:
    dialog = _bookings_page(desk).edit_capacity()
    settle(desk.qtbot)
    return dialog


def _booking_slip_preview(desk: Desk) -> QWidget:
    page = _bookings_page(desk)
    _bookings_day(desk)
    page.print_selected()
    settle(desk.qtbot)
    return page.last_preview


def _contract_editor(desk: Desk) -> QWidget:
    page = _contracts_page(desk)
    page.edit_contract()
    settle(desk.qtbot)
    return page.last_dialog


def _organisation(desk: Desk) -> QWidget:
    page = _contracts_page(desk)
    page.edit_organisation()
    settle(desk.qtbot)
    return page.last_dialog


def _roster_import(mapping: bool) -> Callable[[Desk], QWidget]:
    def open_import(desk: Desk) -> QWidget:
        import random
        import tempfile
        from pathlib import Path

        from frontdesk.services import demo_rosters
        from frontdesk.services.demo_context import DemoContext

        page = _contracts_page(desk)
        page.import_roster()
        settle(desk.qtbot)
        dialog = page.last_dialog
        session = desk.window.session
        ctx = DemoContext(today=dt.date.today(), days=[dt.date.today()], rng=random.Random(1), desk=session,
                          desk2=session, supervisor=session, admin=session, output_dir=Path("."))
        path = demo_rosters.messy_workbook(Path(tempfile.mkdtemp()) / "名单.xlsx", demo_rosters._people(ctx, 30),
                                           demo_rosters._x_number(ctx))
        dialog.load_file(path)
        settle(desk.qtbot)
        if mapping:
            dialog.toggle_mapping()
            settle(desk.qtbot)
        return dialog

    return open_import


DIALOGS = [
    Dialog("login", _login),
    Dialog("login while the database opens", _login_while_opening),
    Dialog("first administrator", _first_admin),
    Dialog("supervisor", _supervisor),
    Dialog("add account", _user),
    Dialog("visit", _visit),
    Dialog("add items", _add_items),
    Dialog("refund", _refund),
    Dialog("audit entry", _audit_entry),
    Dialog("receipt preview (visit)", _visit_receipt_preview),
    Dialog("receipt preview 80 mm roll", _roll_receipt_preview),
    Dialog("guide sheet preview (visit)", _visit_guide_preview),
    Dialog("receipt preview (check-in)", _checkin_preview("receipt")),
    Dialog("guide sheet preview (check-in)", _checkin_preview("guide")),
    Dialog("label preview", _label_preview),
    Dialog("hand-over list preview", _handover_preview),
    Dialog("report hand-out", _handout),
    Dialog("report settings", _report_settings),
    Dialog("close-out: defer", _deferral),
    Dialog("close-out: abandon", _abandon),
    Dialog("close-out: make-up check-in", _makeup),
    Dialog("close-out: belongings not returned", _not_returned),
    Dialog("close-out: deferral slip preview", _deferral_slip_preview),
    Dialog("contracts: contract editor", _contract_editor),
    Dialog("contracts: organisation", _organisation),
    Dialog("contracts: roster import preview", _roster_import(False)),
    Dialog("contracts: roster import with the column mapping", _roster_import(True)),
    Dialog("bookings: new booking, full date refused", _booking_new),
    Dialog("bookings: new guest with errors", _booking_new_guest),
    Dialog("bookings: move", _booking_move),
    Dialog("bookings: capacity limits", _capacity),
    Dialog("bookings: booking slip preview", _booking_slip_preview),
]


# -- the checks ------------------------------------------------------------------------------------------------------

def _buttons(window: QWidget) -> list[QPushButton]:
    buttons = set(window.findChildren(QPushButton))
    for box in window.findChildren(QDialogButtonBox):
        buttons.update(box.buttons())
    return [b for b in buttons if b.window() is window and b.isVisibleTo(window)]


def _whole(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _visible_part(widget: QWidget, window: QWidget) -> QRect:
    """The part of ``widget`` (in window coordinates) not cut off by any of its parents.

    A page that chose a scroll area (a long settings form) scrolls its buttons into view: those count
    as reachable when they are whole inside the scrolled content and the scroll area itself is whole.
    """
    rect = _whole(widget, window)
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        area = parent.parentWidget()
        if isinstance(area, QScrollArea) and parent is area.viewport():
            return rect if _visible_part(area, window) == _whole(area, window) else QRect()
        rect = rect.intersected(QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return rect.intersected(window.rect())


def fit_problems(window: QWidget, name: str) -> list[str]:
    """What keeps ``window`` from fitting the desk screen, in words; empty when it fits."""
    problems = []
    outer = window.geometry().marginsAdded(screen_fit.frame_margins(window))
    if not AVAILABLE.contains(outer):
        problems.append(f"{name}: window with frame {outer.getRect()} is outside the free screen area "
                        f"{AVAILABLE.getRect()} (its minimum {window.minimumSize().width()}x{window.minimumSize().height()})")
    needed = window.minimumSizeHint().expandedTo(window.minimumSize())
    if needed.width() > screen_fit.DESIGN_SIZE.width() or needed.height() > screen_fit.DESIGN_SIZE.height():
        problems.append(f"{name}: needs at least {needed.width()}x{needed.height()}, more than 1280x720")
    for button in _buttons(window):
        label = f"{name}: button {button.text()!r} ({button.objectName() or 'unnamed'})"
        whole = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        if not button.isVisible():
            problems.append(f"{label} is not visible")
        elif _visible_part(button, window) != whole:
            problems.append(f"{label} at {whole.getRect()} is cut off (window {window.width()}x{window.height()})")
        elif button.width() < button.minimumSizeHint().width() or button.height() < button.minimumSizeHint().height():
            problems.append(f"{label} is squeezed to {button.width()}x{button.height()}")
    return problems


@pytest.fixture
def desk_screen(monkeypatch):
    """Dialogs size themselves against a 1366 x 768 screen with a taskbar, whatever screen the test runs on."""
    monkeypatch.setattr(screen_fit, "available_geometry", lambda widget=None: QRect(AVAILABLE))
    return AVAILABLE


def _desk(qtbot, username: str = "zhuguan", password: str = "demo-super-2026") -> Desk:
    from frontdesk.domain.enums import VisitStatus
    from frontdesk.services import auth
    from frontdesk.storage import models as m
    from frontdesk.ui.main_window import MainWindow

    session = auth.login(username, password, "前台1")
    settings = config.load()
    window = MainWindow(session, settings, "PostgreSQL frontdesk@db-server.centre.example:5432/frontdesk_main")
    qtbot.addWidget(window)
    # Maximised on the desk screen: the free area less the title bar and borders.
    window.setGeometry(AVAILABLE.marginsRemoved(screen_fit.FRAME_ALLOWANCE))
    window.show()
    settle(qtbot)
    visit = (m.Visit.select().join(m.Specimen).switch(m.Visit).join(m.Receipt)
             .where((m.Visit.visit_date == dt.date.today()) & (m.Visit.status == VisitStatus.CHECKED_IN.value))
             .order_by(m.Visit.id).first())
    assert visit is not None, "the demo day has a visit in progress with specimens and receipts"
    return Desk(qtbot, window, visit.id, visit.visit_no)


@pytest.mark.parametrize("fdb", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_screen_fits_a_1366x768_desk(app, qtbot, demo_db, desk_screen, lang, print_to_pdf):
    from frontdesk import i18n

    i18n.set_language(lang)
    print_to_pdf(300)
    problems = []
    for screen in SCREENS:
        desk = _desk(qtbot)
        screen.open(desk)
        settle(qtbot)
        problems += fit_problems(desk.window, screen.name)
        desk.window.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("fdb", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_dialog_fits_a_1366x768_desk(app, qtbot, demo_db, desk_screen, lang, print_to_pdf):
    from frontdesk import i18n

    i18n.set_language(lang)
    print_to_pdf(300)
    problems = []
    for case in DIALOGS:
        desk = _desk(qtbot)
        dialog = case.open(desk)
        assert dialog is not None and dialog.isVisible(), f"{case.name} did not open"
        problems += fit_problems(dialog, case.name)
        dialog.close()
        desk.window.close()
    assert not problems, "\n".join(problems)


def test_the_check_fails_for_a_dialog_taller_than_the_screen_or_a_button_off_screen(app, qtbot, desk_screen):
    """The checks above can fail: a 900-pixel dialog and a button pushed out of the window are both reported."""
    from PySide6.QtWidgets import QDialog, QVBoxLayout

    tall = QDialog()
    qtbot.addWidget(tall)
    QVBoxLayout(tall).addWidget(QPushButton("OK"))
    tall.setGeometry(100, 20, 600, 900)
    tall.show()
    assert any("outside the free screen area" in p for p in fit_problems(tall, "tall"))

    cut = QDialog()
    qtbot.addWidget(cut)
    cut.setGeometry(100, 100, 400, 300)
    button = QPushButton("Print", cut)
    button.setGeometry(350, 280, 120, 30)
    cut.show()
    assert any("cut off" in p for p in fit_problems(cut, "cut"))

    fitted = QDialog()
    qtbot.addWidget(fitted)
    QVBoxLayout(fitted).addWidget(QPushButton("OK"))
    screen_fit.fit_to_screen(fitted, 600, 900)
    fitted.show()
    assert fitted.height() <= AVAILABLE.height() - 40
    assert fit_problems(fitted, "fitted") == []


def test_fit_to_screen_keeps_the_preferred_size_when_it_fits(app, qtbot, desk_screen):
    from PySide6.QtWidgets import QDialog

    dialog = QDialog()
    qtbot.addWidget(dialog)
    screen_fit.fit_to_screen(dialog, 500, 400)
    assert dialog.size() == QSize(500, 400)


@pytest.mark.parametrize("fdb", ["sqlite"], indirect=True)
def test_an_a4_preview_shows_the_page_across_the_width_and_zooms(app, qtbot, demo_db, desk_screen, print_to_pdf):
    print_to_pdf(300)
    desk = _desk(qtbot)
    preview = _visit_guide_preview(desk)
    view = preview.pages
    width = view.available_width()
    assert view.fits_width() and abs(view.page_labels[0].width() - 2 - width) <= 1  # the A4 page spans the view
    assert width > 0.85 * preview.width()
    view.zoom_in()
    assert view.page_labels[0].width() > width + 100 and not view.fits_width()
    view.fit_width()
    assert abs(view.page_labels[0].width() - 2 - width) <= 1
    preview.close()
