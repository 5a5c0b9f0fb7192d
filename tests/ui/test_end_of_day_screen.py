"""The 日结 screen driven as the desk does: count the drawer, close the day as a supervisor, export."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from PySide6.QtCore import Qt

from frontdesk import clock, config
from frontdesk.domain.enums import IdType, PaymentMethod
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.services import auth, belongings, checkin, demo, guests
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m
from frontdesk.ui import end_of_day_screen
from frontdesk.ui.end_of_day_screen import EndOfDayScreen

from .conftest import settle


@pytest.fixture
def sessions(fdb):
    demo.ensure_catalogue_and_accounts()
    desk = auth.login("qiantai", "demo-desk-2026", "前台1")
    supervisor = auth.login("zhuguan", "demo-super-2026", "前台1")
    return desk, supervisor


@pytest.fixture
def today_paid(sessions):
    """Two guests checked in this morning, ¥298.00 and ¥168.00 in cash."""
    desk, _ = sessions
    for seq, (name, code) in enumerate((("张三丰", "BASIC"), ("李四", "ENTRY")), start=11):
        guest = guests.register(desk, guests.GuestInput(
            name=name, sex="M", birth_date=dt.date(1980, 5, 17), id_type=IdType.RESIDENT_ID,
            id_number=make_resident_id("110105", dt.date(1980, 5, 17), seq * 2 + 1), phone=f"1381234{seq:04d}",
            organisation_id=None))
        package = m.Package.get(m.Package.code == code)
        visit = checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=package.id,
                                                      payments=[PaymentInput(PaymentMethod.CASH, package.price)])).visit
        belongings.store(desk, visit.id, f"A{seq}", "双肩包")  # names on the report: the belongings list
    return D("466.00")


def open_screen(app, qtbot, session):
    page = EndOfDayScreen(session, config.load())
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    settle(qtbot)
    return page


def test_screen_shows_the_days_figures_masked(app, qtbot, sessions, today_paid):
    page = open_screen(app, qtbot, sessions[0])
    assert page.report is not None and page.report.day == clock.today()
    assert page.figures["net"].text() == "¥466.00"
    assert page.expected_label.text() == "¥466.00"
    assert "未日结" in page.banner.text()
    assert page.sections.count() == len(page.tables) and page.table.rowCount() > 10


def test_counting_the_drawer_shows_the_difference_as_typed(app, qtbot, sessions, today_paid):
    page = open_screen(app, qtbot, sessions[0])
    page.counted_edit.setFocus()
    qtbot.keyClicks(page.counted_edit, "465")
    assert "短款 ¥1.00" in page.difference_label.text()
    page.counted_edit.clear()
    qtbot.keyClicks(page.counted_edit, "466.00")
    assert "相符" in page.difference_label.text()
    page.counted_edit.clear()
    qtbot.keyClicks(page.counted_edit, "abc")
    assert "数字" in page.difference_label.text()


def test_reception_cannot_close_without_a_supervisor(app, qtbot, sessions, today_paid, monkeypatch):
    asked = []
    monkeypatch.setattr(end_of_day_screen, "authorise", lambda parent, session, what: asked.append(what))
    page = open_screen(app, qtbot, sessions[0])
    qtbot.keyClicks(page.counted_edit, "466")
    qtbot.keyClick(page.counted_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert asked and m.DayClose.select().count() == 0


def test_close_day_with_the_count_as_supervisor(app, qtbot, sessions, today_paid):
    page = open_screen(app, qtbot, sessions[1])
    page.close_day()
    assert "请先点钞" in page.message.text() and m.DayClose.select().count() == 0
    qtbot.keyClicks(page.counted_edit, "465.00")
    with qtbot.waitSignal(page.report_loaded, timeout=10000):
        qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    row = m.DayClose.get()
    assert (row.day, row.cash_expected, row.cash_counted, row.cash_difference) == (
        clock.today(), D("466.00"), D("465.00"), D("-1.00"))
    assert "已日结" in page.banner.text() and "短款 ¥1.00" in page.banner.text()
    assert not page.close_button.isEnabled() and page.counted_edit.isReadOnly()


def test_exports_are_masked_and_audited(app, qtbot, sessions, today_paid, tmp_path):
    page = open_screen(app, qtbot, sessions[0])
    page.export_csv(tmp_path / "csv")
    settle(qtbot)
    page.export_xlsx(tmp_path / "day.xlsx")
    settle(qtbot)
    files = list((tmp_path / "csv").glob("*.csv"))
    assert len(files) == len(page.tables) and (tmp_path / "day.xlsx").exists()
    text = "".join(p.read_text(encoding="utf-8-sig") for p in files)
    assert "张三丰" not in text and "张*丰" in text
    formats = [json.loads(e.details)["format"] for e in m.AuditLog.select().where(m.AuditLog.action == "eod.export")]
    assert sorted(formats) == ["csv", "xlsx"]
    assert "已导出" in page.banner.text()


def test_export_to_a_place_that_does_not_exist_says_so(app, qtbot, sessions, today_paid, tmp_path):
    page = open_screen(app, qtbot, sessions[0])
    page.export_xlsx(tmp_path / "missing" / "day.xlsx")
    settle(qtbot)
    assert "不存在" in page.message.text()
    assert not (tmp_path / "missing").exists()


def test_full_view_needs_a_supervisor_and_is_audited(app, qtbot, sessions, today_paid, monkeypatch):
    page = open_screen(app, qtbot, sessions[0])
    monkeypatch.setattr(end_of_day_screen, "authorise", lambda parent, session, what: None)
    page.full_button.click()
    settle(qtbot)
    assert not page.full_button.isChecked() and page.report.masked
    monkeypatch.setattr(end_of_day_screen, "authorise", lambda parent, session, what: sessions[1])
    page.full_button.click()
    settle(qtbot)
    assert page.full_button.isChecked() and not page.report.masked
    assert m.AuditLog.get(m.AuditLog.action == "eod.view_unmasked").username == "zhuguan"


def test_a_future_day_cannot_be_chosen(app, qtbot, sessions):
    page = open_screen(app, qtbot, sessions[0])
    page.date_edit.setDate(page.date_edit.maximumDate().addDays(3))
    assert page.date_edit.date().toPython() == clock.today()


def test_preview_prints_the_pdf_and_the_print_is_audited(app, qtbot, sessions, today_paid, print_to_pdf):
    import pypdfium2

    files = print_to_pdf(300)
    page = open_screen(app, qtbot, sessions[1])
    qtbot.keyClick(page, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    dialog = page.last_preview
    assert dialog is not None and dialog.isVisible()
    text = "".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(dialog.pdf_bytes))
    assert "466.00" in text and clock.today().isoformat() in text
    dialog.print_document()
    assert files and files[0].exists()
    entry = m.AuditLog.get(m.AuditLog.action == "eod_report.print")
    assert (entry.record_id, entry.username) == (clock.today().isoformat(), "zhuguan")
