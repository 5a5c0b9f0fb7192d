"""The check-in desk driven through its widgets, keyboard first."""

import datetime as dt
from decimal import Decimal

import pytest
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from frontdesk import clock, config
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.printing.pdf_raster import pdf_page_sizes_mm, pdf_pages_to_images
from frontdesk.services import auth
from frontdesk.storage import models as m
from frontdesk.ui.main_window import MainWindow

from .conftest import settle



@pytest.fixture
def printed(print_to_pdf):
    return print_to_pdf(300)  # the printed receipt and guide sheet are raster: their barcodes must scan


def _scanned(pdf: bytes) -> list[list[str]]:
    """The barcodes a scanner reads off each printed page."""
    return [[r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)]
            for image in pdf_pages_to_images(pdf, 300, grayscale=True)]


@pytest.fixture
def screen(app, qtbot, demo_db):
    session = auth.login("qiantai", "demo-desk-2026", "前台1")
    window = MainWindow(session, config.load(), "SQLite test")
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    page = window.page("checkin")
    return window, page


def _press_enter(qtbot):
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    settle(qtbot)


def test_booked_guest_checked_in_paid_and_printed_with_four_keystroke_groups(screen, qtbot, printed):
    window, page = screen
    booking = m.Booking.select().where((m.Booking.exam_date == clock.today()) & (m.Booking.status == "booked")).first()
    page.search_box.setFocus()
    # 1. scan: the scanner types the booking number and Enter
    qtbot.keyClicks(page.search_box, booking.booking_no)
    _press_enter(qtbot)
    assert page.guest_form.name.text() == booking.guest.name
    assert page.package.currentData() == booking.package_id
    # 2. confirm the person  3. pay (exact cash)  4. print
    _press_enter(qtbot)
    assert page.stage == "pay"
    _press_enter(qtbot)
    assert page.stage == "done"
    _press_enter(qtbot)
    visit = m.Visit.get(m.Visit.booking == booking.id)
    assert m.Booking.get_by_id(booking.id).status == "checked_in"
    receipt = m.Receipt.get(m.Receipt.visit == visit)
    assert receipt.total == booking.package.price
    assert [p.method for p in receipt.payments] == ["cash"]
    assert len(printed) == 2
    receipt_pdf, guide_pdf = (path.read_bytes() for path in printed)
    assert _scanned(receipt_pdf) == [[visit.visit_no]]  # one receipt page, for this visit
    assert {code for codes in _scanned(guide_pdf) for code in codes} == {visit.visit_no}
    assert page.printed_pages == len(pdf_page_sizes_mm(receipt_pdf)) + len(pdf_page_sizes_mm(guide_pdf))


def _register(qtbot, page, *, name, id_number, phone, sex=None, birth=None, id_type=None):
    qtbot.keyClick(page, Qt.Key.Key_F4)
    assert page.guest_form.name.hasFocus()
    page.guest_form.name.insert(name)  # Chinese comes through the input method, not key codes
    if id_type is not None:
        page.guest_form.id_type.setCurrentIndex(page.guest_form.id_type.findData(id_type))
    qtbot.keyClicks(page.guest_form.id_number, id_number)
    if sex is not None:
        page.guest_form.sex.setCurrentIndex(page.guest_form.sex.findData(sex))
    if birth is not None:
        qtbot.keyClicks(page.guest_form.birth_date, birth)
    qtbot.keyClicks(page.guest_form.phone, phone)
    qtbot.keyClick(page.guest_form.phone, Qt.Key.Key_Return)
    settle(qtbot)


def test_new_person_registered_checked_in_and_printed(screen, qtbot, printed):
    window, page = screen
    number = make_resident_id("110105", dt.date(1981, 6, 15), 37)
    _register(qtbot, page, name="欧阳娜娜", id_number=number.lower(), phone="138 1234 5678")
    guest = m.Guest.get(m.Guest.id_number == number)
    assert guest.sex == "M" and guest.birth_date == dt.date(1981, 6, 15) and guest.phone == "13812345678"
    assert guest.pinyin_initials == "oynn"
    assert page.package.hasFocus()
    basic = m.Package.get(m.Package.code == "BASIC")
    while page.package.currentData() != basic.id:
        qtbot.keyClick(page.package, Qt.Key.Key_Down)
    _press_enter(qtbot)  # package chosen
    assert page.confirm_guest.hasFocus()
    _press_enter(qtbot)  # details checked
    qtbot.keyClicks(QApplication.focusWidget(), "300")  # cash tendered
    assert "2.00" in page.payment.change_label.text()
    _press_enter(qtbot)
    assert page.stage == "done"
    _press_enter(qtbot)
    visit = m.Visit.get(m.Visit.guest == guest)
    payment = m.Payment.select().join(m.Receipt).where(m.Receipt.visit == visit).get()
    assert payment.tendered == Decimal("300.00") and payment.change == Decimal("2.00")
    assert visit.items.count() == m.PackageItem.select().where(
        m.PackageItem.package == visit.package_id).count()
    assert [{code for codes in _scanned(path.read_bytes()) for code in codes} for path in printed] == [
        {visit.visit_no}] * 2  # the receipt and the guide sheet of this visit


@pytest.mark.parametrize("field,kwargs,message", [
    ("id_number", dict(id_number="110105198106150371"), "校验"),
    ("phone", dict(phone="1381234567"), "11"),
    ("birth_date", dict(id_type="passport", id_number="E12345678", sex="M", birth="2099-01-01"), "将来"),
    ("birth_date", dict(id_type="passport", id_number="E12345678", sex="M", birth="1981-02-30"), "年-月-日"),
])
def test_bad_input_gets_a_message_next_to_its_field_and_saves_nothing(screen, qtbot, field, kwargs, message):
    window, page = screen
    before = m.Guest.select().count()
    values = dict(name="张三丰", id_number=make_resident_id("110105", dt.date(1981, 6, 15), 37), phone="13812345678")
    values.update(kwargs)
    _register(qtbot, page, **values)
    label = page.guest_form.errors[field]
    assert label.isVisible() and message in label.text()
    assert m.Guest.select().count() == before


def test_sex_mismatch_is_shown_not_overwritten(screen, qtbot, monkeypatch):
    window, page = screen
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    number = make_resident_id("110105", dt.date(1981, 6, 15), 38)  # even sequence: female
    _register(qtbot, page, name="李四", id_number=number, phone="13812345678", sex="M")
    assert page.guest_form.errors["sex"].isVisible() and "身份证" in page.guest_form.errors["sex"].text()
    assert not m.Guest.select().where(m.Guest.id_number == number).exists()
    page.guest_form.use_id_values.click()
    assert page.guest_form.sex.currentData() == "F"
    qtbot.keyClick(page.guest_form.phone, Qt.Key.Key_Return)
    settle(qtbot)
    assert m.Guest.get(m.Guest.id_number == number).sex == "F"


def test_short_payment_is_refused_and_nothing_is_written(screen, qtbot):
    window, page = screen
    guest = m.Guest.select().where(m.Guest.sex == "F").first()
    page.load_request(__import__("frontdesk.services.checkin", fromlist=["x"]).CheckInRequest(guest_id=guest.id))
    page.package.setCurrentIndex(page.package.findData(m.Package.get(m.Package.code == "BASIC").id))
    page.go_to_payment()
    page.payment.rows[0].amount.setText("100")
    visits, receipts = m.Visit.select().count(), m.Receipt.select().count()
    page.do_check_in()
    assert "不足" in page.payment.error.text() or "少" in page.payment.error.text()
    assert m.Visit.select().count() == visits and m.Receipt.select().count() == receipts
    page.payment.rows[0].amount.setText("-5")
    page.do_check_in()
    assert page.payment.rows[0].error.text()
    assert m.Visit.select().count() == visits


def test_item_not_for_the_guests_sex_is_refused_with_reason(screen, qtbot):
    window, page = screen
    from frontdesk.services.checkin import CheckInRequest

    man = m.Guest.select().where(m.Guest.sex == "M").first()
    page.load_request(CheckInRequest(guest_id=man.id))
    female_packages = {p.id for p in m.Package.select().where(m.Package.sex_restriction == "F")}
    offered = {page.package.itemData(i) for i in range(page.package.count())}
    assert not offered & female_packages
    gyn = m.ExamItem.get(m.ExamItem.code == "GYN")
    page.addon.setCurrentIndex(page.addon.findData(gyn.id))
    page.add_selected_item()
    assert page.banner.property("state") == "bad" and "妇科检查" in page.banner.text()
    assert not page.check_in_button.isEnabled()


def test_group_member_checked_in_with_organisation_paying(screen, qtbot, printed):
    window, page = screen

    contract = m.Contract.select().join(m.Organisation).where(m.Organisation.name == "星河科技有限公司").get()
    guest = m.Guest.select().where(m.Guest.sex == "M").first()
    m.RosterEntry.create(contract=contract, name=guest.name, sex=guest.sex, birth_date=guest.birth_date,
                         id_number=guest.id_number, phone=guest.phone, guest=guest)
    page.search_box.setFocus()
    qtbot.keyClicks(page.search_box, guest.id_number)
    _press_enter(qtbot)
    if page.request is None:  # several hits: pick the guest row
        page.pick_hit(0)
    page.contract.setCurrentIndex(page.contract.findData(contract.id))
    settle(qtbot)
    assert page.package.currentData() == contract.package_id
    assert page.banner.property("state") == "ok"
    assert page.quote.org_total == contract.package.price and page.quote.guest_total == 0
    page.go_to_payment()
    page.do_check_in()
    assert page.stage == "done"
    # Today's visit (the demo may have prepared one of the guest's coming days already).
    visit = m.Visit.get(m.Visit.guest == guest, m.Visit.visit_date == clock.today())
    assert visit.source == "group" and visit.contract_id == contract.id
    methods = {p.method for p in m.Payment.select().join(m.Receipt).where(m.Receipt.visit == visit)}
    assert methods == {"org_account"}


def test_typing_in_search_does_not_block_and_finds_by_pinyin(screen, qtbot):
    window, page = screen
    guest = m.Guest.select().first()
    page.search_box.setFocus()
    qtbot.keyClicks(page.search_box, guest.pinyin_initials)
    qtbot.waitUntil(lambda: page.results.rowCount() > 0, timeout=3000)
    names = {page.results.item(r, 1).text() for r in range(page.results.rowCount())}
    assert guest.name in names


def test_scan_of_unknown_code_says_so(screen, qtbot):
    window, page = screen
    from frontdesk.domain.codes import make_booking_no

    page.search_for(make_booking_no(99999998))
    settle(qtbot)
    assert page.search_message.text()
    page.search_for("8000000018")  # a booking-number shape with a wrong check digit
    settle(qtbot)
    assert "校验" in page.search_message.text()


def test_nothing_chosen_cannot_be_checked_in(screen, qtbot):
    window, page = screen
    from frontdesk.services.checkin import CheckInRequest

    busy = m.Visit.select(m.Visit.guest).where(m.Visit.visit_date == clock.today())
    guest = m.Guest.select().where(m.Guest.id.not_in(busy)).first()
    page.load_request(CheckInRequest(guest_id=guest.id))
    assert page.package.currentData() is None
    assert page.banner.property("state") == "info" and not page.check_in_button.isEnabled()
    page.go_to_payment()
    qtbot.keyClick(page, Qt.Key.Key_F9)
    assert page.stage == "pay" and not m.Visit.select().where(m.Visit.guest == guest,
                                                              m.Visit.visit_date == clock.today()).exists()


def test_all_field_mistakes_are_shown_at_once(screen, qtbot):
    window, page = screen
    _register(qtbot, page, name="张3", id_number="11010519491231002Y", phone="1381234567")
    errors = {k for k, label in page.guest_form.errors.items() if label.isVisible()}
    assert errors == {"name", "id_number", "phone"}


def test_registering_someone_on_file_offers_the_existing_record(screen, qtbot, monkeypatch):
    window, page = screen
    from PySide6.QtWidgets import QMessageBox

    existing = m.Guest.select().first()
    shown = []

    def choose_default(box):
        shown.append(box.text())
        box.defaultButton().click()  # 使用已有记录
        return 0

    monkeypatch.setattr(QMessageBox, "exec", choose_default)
    before = m.Guest.select().count()
    _register(qtbot, page, name=existing.name, id_number=existing.id_number, phone=existing.phone)
    assert shown and existing.name in shown[0]
    assert m.Guest.select().count() == before
    assert page.request is not None and page.request.guest_id == existing.id


def test_booked_group_member_checked_in_with_the_keyboard(screen, qtbot, printed):
    window, page = screen
    contract = m.Contract.select().join(m.Organisation).where(m.Organisation.name == "东方物流集团").get()
    busy = m.Visit.select(m.Visit.guest).where(m.Visit.visit_date == clock.today())
    guest = m.Guest.select().where((m.Guest.sex == "F") & m.Guest.id.not_in(busy)).first()
    entry = m.RosterEntry.create(contract=contract, name=guest.name, sex=guest.sex, birth_date=guest.birth_date,
                                 id_number=guest.id_number, phone=guest.phone, guest=guest)
    booking = m.Booking.create(booking_no="8999999991", guest=guest, exam_date=clock.today(), contract=contract,
                               roster_entry=entry, source="group", status="booked")
    page.search_box.setFocus()
    qtbot.keyClicks(page.search_box, booking.booking_no)
    _press_enter(qtbot)  # scan
    assert page.contract.currentData() == contract.id
    assert page.package.currentData() == contract.female_package_id  # the contract's package for women
    assert page.banner.property("state") == "ok"
    _press_enter(qtbot)  # confirm
    _press_enter(qtbot)  # pay: nothing for the guest, the organisation's account is charged
    assert page.stage == "done"
    _press_enter(qtbot)  # print
    visit = m.Visit.get(m.Visit.booking == booking.id)
    assert visit.source == "group" and m.Booking.get_by_id(booking.id).status == "checked_in"
    payments = list(m.Payment.select().join(m.Receipt).where(m.Receipt.visit == visit))
    assert [(p.method, p.amount) for p in payments] == [("org_account", contract.female_package.price)]
    assert [{code for codes in _scanned(path.read_bytes()) for code in codes} for path in printed] == [
        {visit.visit_no}] * 2  # the receipt and the guide sheet of this visit


def test_preview_buttons_show_the_receipt_and_the_guide_sheet(screen, qtbot):
    import pypdfium2

    from frontdesk.services.checkin import CheckInRequest

    window, page = screen
    busy = m.Visit.select(m.Visit.guest).where(m.Visit.visit_date == clock.today())
    guest = m.Guest.select().where(m.Guest.id.not_in(busy)).first()
    page.load_request(CheckInRequest(guest_id=guest.id, package_id=m.Package.get(m.Package.code == "BASIC").id))
    page.go_to_payment()
    page.do_check_in()
    texts = {}
    for which in ("receipt", "guide"):
        page.preview(which)
        preview = page.last_preview
        assert preview.objectName() == f"preview_{which}"
        doc = pypdfium2.PdfDocument(preview.pdf_bytes)
        texts[which] = doc[0].get_textpage().get_text_bounded()
        doc.close()
        preview.close()
    assert "收费收据" in texts["receipt"] and page.result.receipt.receipt_no in texts["receipt"]
    assert "体检流程指引单" in texts["guide"] and page.result.visit.visit_no in texts["guide"]


def test_booked_package_the_guest_is_not_eligible_for_says_why_and_lets_the_desk_choose(screen, qtbot):
    window, page = screen
    senior = m.Package.get(m.Package.code == "SENIOR")  # from 50 years of age
    busy = m.Visit.select(m.Visit.guest).where(m.Visit.visit_date == clock.today())
    young = clock.today().replace(year=clock.today().year - 27) - dt.timedelta(days=3)
    guest = m.Guest.select().where(m.Guest.id.not_in(busy) & m.Guest.birth_date.is_null(False)).first()
    m.Guest.update(birth_date=young).where(m.Guest.id == guest.id).execute()
    from frontdesk.domain.codes import make_booking_no

    booking = m.Booking.create(booking_no=make_booking_no(99999990), guest=guest, exam_date=clock.today(), package=senior,
                               source="phone", status="booked")
    page.search_box.setFocus()
    qtbot.keyClicks(page.search_box, booking.booking_no)
    _press_enter(qtbot)
    text = page.banner.text()
    # The banner names the booked package and the eligibility rule it breaks, not just "choose a package".
    assert "中老年体检套餐" in text and "50" in text and "27" in text, text
    assert "另选套餐" in text
    assert page.banner.property("state") == "bad"
    assert not page.check_in_button.isEnabled()
    # The desk chooses another package from the list and can go on.
    other = next(i for i in range(page.package.count()) if page.package.itemData(i) is not None)
    page.package.setCurrentIndex(other)
    settle(qtbot)
    assert page.banner.property("state") == "ok", page.banner.text()
    assert page.check_in_button.isEnabled()


def test_route_after_check_in_is_the_guide_sheets_list_in_its_order(screen, qtbot):
    import re

    import pypdfium2

    from frontdesk.services import checkin
    from frontdesk.services.checkin import CheckInRequest

    window, page = screen
    busy = m.Visit.select(m.Visit.guest).where(m.Visit.visit_date == clock.today())
    guest = m.Guest.select().where(m.Guest.id.not_in(busy) & (m.Guest.sex == "F")).first()
    page.load_request(CheckInRequest(guest_id=guest.id, package_id=m.Package.get(m.Package.code == "COMP_F").id))
    page.go_to_payment()
    page.do_check_in()
    assert page.stage == "done"
    route_line = next(line for line in page.done_text.text().splitlines() if line.startswith("路线"))
    shown = re.findall(r"(\d+) ([^（→]+)（", route_line)
    page.preview("guide")
    doc = pypdfium2.PdfDocument(page.last_preview.pdf_bytes)
    sheet_text = "".join(doc[i].get_textpage().get_text_bounded() for i in range(len(doc)))
    doc.close()
    page.last_preview.close()
    stations = [s.station_name for s in checkin.guide_sheet_data(page.result.visit.id).stations]
    assert [(int(n), name.strip()) for n, name in shown] == list(enumerate(stations, start=1))
    # The printed sheet numbers them the same: each table row starts "<number> <station>".
    printed = re.findall(r"(?m)^(\d+) (\S+)\r?$", sheet_text)
    assert [(int(n), name) for n, name in printed] == list(enumerate(stations, start=1))
    # The queue figure says what it counts.
    assert "排队人数：已报到、在该科室尚未完成的客人" in page.done_text.text()


def test_a_desk_left_open_past_midnight_checks_in_on_the_new_day(screen, qtbot):
    # The screen was built "yesterday"; the desk scans a booking of the day it is now.
    window, page = screen
    assert page.today == clock.today()  # the desk worked "yesterday"
    tomorrow = clock.today() + dt.timedelta(days=1)
    booking = m.Booking.select().where((m.Booking.exam_date == tomorrow) & (m.Booking.status == "booked")).first()
    with clock.pinned(dt.datetime.combine(tomorrow, dt.time(7, 40))):
        page.search_box.setFocus()
        qtbot.keyClicks(page.search_box, booking.booking_no)
        _press_enter(qtbot)
        assert page.guest_form.name.text() == booking.guest.name
        assert page.package.currentData() == booking.package_id  # its booking is today's, not "another day's"
