import datetime as dt
import json
from decimal import Decimal as D

import pytest

from frontdesk import cli
from frontdesk.domain.codes import make_booking_no
from frontdesk.domain.enums import PaymentMethod
from frontdesk.errors import ValidationError
from frontdesk.services import checkin, search
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m
from frontdesk.storage.search_queries import next_prefix

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def people(desk, make_guest, cat):
    """张三丰 checked in today, 张三 with a booking today, 李四 with a visit last week."""
    zsf = make_guest(name="张三丰", phone="13812341234")
    zs = make_guest(name="张三", birth=dt.date(1990, 1, 1), phone="13912345678")
    ls = make_guest(name="李四", birth=dt.date(1970, 7, 7), phone="13700001111")
    pay = [PaymentInput(PaymentMethod.CASH, D("298.00"))]
    visit = checkin.check_in(desk, CheckInRequest(guest_id=zsf.id, package_id=cat.package("BASIC").id, payments=pay),
                             day=TODAY)
    old = checkin.check_in(desk, CheckInRequest(guest_id=ls.id, package_id=cat.package("BASIC").id, payments=pay),
                           day=TODAY - dt.timedelta(days=7))
    booking = m.Booking.create(booking_no=make_booking_no(42), guest=zs, exam_date=TODAY,
                               package=cat.package("BASIC"), source="booking", status="booked")
    return {"zsf": zsf, "zs": zs, "ls": ls, "visit": visit, "old": old, "booking": booking}


def ids(hits):
    return [h.guest_id for h in hits]


def test_search_by_id_number(people):
    hits = search.search(people["zsf"].id_number, day=TODAY)
    assert ids(hits) == [people["zsf"].id] and hits[0].kind == "visit" and hits[0].matched_by == "id_number"


def test_search_by_full_width_id_number_with_lowercase_x(desk, people):
    from frontdesk.domain.enums import IdType
    from frontdesk.services import guests

    woman = guests.register(desk, guests.GuestInput("王芳", "", None, IdType.RESIDENT_ID, "11010519491231002X",
                                                    "13600001111"), today=TODAY)
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert ids(search.search(full_width, day=TODAY)) == [woman.id]


def test_search_by_phone_with_spaces(people):
    hits = search.search("138 1234 1234", day=TODAY)
    assert ids(hits) == [people["zsf"].id] and hits[0].matched_by == "phone"


def test_search_by_visit_number_finds_that_visit(people):
    old = people["old"].visit
    hits = search.search(old.visit_no, day=TODAY)
    assert [(h.kind, h.visit_no, h.matched_by) for h in hits] == [("visit", old.visit_no, "visit_no")]
    assert hits[0].visit_date == TODAY - dt.timedelta(days=7) and hits[0].status_label == "已报到"


def test_eleven_digits_are_tried_as_phone_and_as_visit_number(desk, make_guest, cat):
    # A visit on 2013-05-12 is numbered 130512...: shaped like a mobile number too.
    old_day = dt.date(2013, 5, 12)
    walker = make_guest(name="李四")
    visit = checkin.check_in(desk, CheckInRequest(guest_id=walker.id, added_item_ids=[cat.item_id("GENERAL")],
                                                  payments=[PaymentInput(PaymentMethod.CASH, D("10.00"))]),
                             day=old_day).visit
    caller = make_guest(name="赵六", phone=visit.visit_no)
    hits = search.search(visit.visit_no, day=TODAY)
    assert {(h.guest_id, h.matched_by) for h in hits} == {(caller.id, "phone"), (walker.id, "visit_no")}


def test_search_by_booking_number_puts_todays_booking_first(people):
    hits = search.search(people["booking"].booking_no, day=TODAY)
    assert hits[0].kind == "booking" and hits[0].rank == 0 and hits[0].package_name == "基础体检套餐"


def test_search_by_specimen_barcode_finds_its_visit(people):
    barcode = people["visit"].specimens[0].barcode
    hits = search.search(barcode, day=TODAY)
    assert hits[0].visit_id == people["visit"].visit.id and hits[0].matched_by == "specimen"


def test_search_by_receipt_number_finds_its_visit(people):
    hits = search.search(people["visit"].receipt.receipt_no, day=TODAY)
    assert hits[0].visit_id == people["visit"].visit.id


def test_search_by_name_prefix_orders_todays_bookings_then_visits_then_the_rest(people):
    hits = search.search("张", day=TODAY)
    assert [(h.kind, h.guest_id) for h in hits] == [("booking", people["zs"].id), ("visit", people["zsf"].id)]
    assert [h.rank for h in hits] == [0, 1]


def test_search_by_pinyin_initials(people):
    assert ids(search.search("zsf", day=TODAY)) == [people["zsf"].id]
    assert set(ids(search.search("zs", day=TODAY))) == {people["zs"].id, people["zsf"].id}


def test_search_by_full_width_upper_case_pinyin(people):
    assert ids(search.search("ＺＳＦ", day=TODAY)) == [people["zsf"].id]


def test_guest_without_visit_today_shows_with_latest_visit(people):
    hits = search.search("李", day=TODAY)
    assert [(h.kind, h.visit_no) for h in hits] == [("guest", people["old"].visit.visit_no)]
    assert hits[0].name_masked == "李*" and hits[0].phone_masked == "137****1111"


def test_rare_character_names_are_found_by_prefix(desk, make_guest):
    rare = make_guest(name="张\U00020000")
    assert rare.id in ids(search.search("张", day=TODAY))
    assert next_prefix("张") == "弡" and next_prefix("a\ud7ff"[:1] + "\ud7ff") == "a\ue000"


def test_search_is_limited(desk, make_guest):
    for n in range(5):
        make_guest(name="王" + "一二三四五"[n], birth=dt.date(1980, 1, n + 1))
    assert len(search.search("王", day=TODAY, limit=3)) == 3


def test_unknown_code_is_refused_with_a_reason(people):
    with pytest.raises(ValidationError, match="校验位"):
        search.search("261123000101", day=TODAY)  # specimen-shaped, check digit wrong
    with pytest.raises(ValidationError, match="无法识别"):
        search.search("12345", day=TODAY)


def test_nothing_found_is_an_empty_list(people):
    assert search.search("欧阳", day=TODAY) == [] and search.search("   ", day=TODAY) == []


def test_cli_search_prints_masked_fields_only(fdb, people, capsys):
    code = cli.main(["--db", fdb, "search", "张三丰", "--date", TODAY.isoformat()])
    out = capsys.readouterr().out
    assert code == 0
    assert "张*丰" in out and people["visit"].visit.visit_no in out and "基础体检套餐" in out
    assert "张三丰" not in out and people["zsf"].id_number not in out and "13812341234" not in out
    assert "1980-05-17" not in out and "19800517" not in out  # the birth date


def test_cli_search_json_is_parseable_and_masked(fdb, people, capsys):
    code = cli.main(["--db", fdb, "search", people["zsf"].id_number, "--json", "--date", TODAY.isoformat()])
    out = capsys.readouterr().out
    rows = json.loads(out)
    assert code == 0 and len(rows) == 1 and rows[0]["visit_no"] == people["visit"].visit.visit_no
    number = people["zsf"].id_number
    assert rows[0]["name_masked"] == "张*丰" and rows[0]["phone_masked"] == "138****1234"
    assert rows[0]["id_number_masked"] == number[:6] + "*" * 8 + number[-4:]
    assert not {"name", "id_number", "phone", "birth_date", "birth", "age"} & set(rows[0])
    birth = people["zsf"].birth_date
    assert birth == dt.date(1980, 5, 17)
    for shown in (birth.isoformat(), f"{birth:%Y%m%d}", f"{birth:%Y/%m/%d}", f"{birth:%Y年%m月%d日}"):
        assert shown not in out, shown
    assert number not in out and "13812341234" not in out and "张三丰" not in out


def test_cli_search_bad_date_is_a_usage_error(fdb, capsys):
    with pytest.raises(SystemExit) as err:
        cli.main(["--db", fdb, "search", "x", "--date", "23/11/2026"])
    assert err.value.code == cli.EXIT_USAGE
