import datetime as dt

from frontdesk.domain.checkdigit import luhn_valid
from frontdesk.domain.idnumber import parse_resident_id
from frontdesk.services import demo
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


def test_catalogue_is_realistic(fdb, catalogue):
    assert m.ExamItem.select().count() >= 40
    assert m.Station.select().count() >= 10
    assert m.Package.select().count() >= 6
    caps = {t.code: t.cap_colour for t in m.TubeType.select()}
    assert caps["EDTA"] == "紫色" and caps["FLUORIDE"] == "灰色" and caps["CITRATE"] == "浅蓝色"
    assert {t.container_kind for t in m.TubeType.select()} >= {"blood", "urine", "stool"}
    gyn = m.ExamItem.get(m.ExamItem.code == "GYN")
    assert gyn.sex_restriction == "F"
    assert m.Package.get(m.Package.code == "GROUP").for_groups


def test_seeding_twice_does_not_duplicate(fdb, catalogue, admin):
    before = m.PackageItem.select().count()
    catalogue.load_seed_catalogue(admin)
    assert m.PackageItem.select().count() == before
    assert m.ExamItem.select().count() == len({i.code for i in m.ExamItem.select()})


def test_demo_people_are_valid_and_deterministic(fdb):
    demo.ensure_catalogue_and_accounts()
    counts = demo.generate(guests=60, visits=90, days=3, seed=7, today=TODAY)
    assert counts.guests == 60 and m.Visit.select().count() == 90
    people = list(m.Guest.select().order_by(m.Guest.id))
    for guest in people:
        resident = parse_resident_id(guest.id_number, today=TODAY)
        assert resident.birth_date == guest.birth_date and resident.sex == guest.sex
        assert len(guest.phone) == 11 and guest.phone[0] == "1"
        assert guest.pinyin_initials and guest.pinyin_initials.isascii()
    for visit in m.Visit.select():
        assert luhn_valid(visit.visit_no)
    todays = m.Visit.select().where(m.Visit.visit_date == TODAY)
    assert todays.count() == 30 and all(v.status == "checked_in" and v.items.count() > 0 for v in todays)
    names = [g.name for g in people]
    m.VisitItem.delete().execute()
    m.Visit.delete().execute()
    m.Booking.delete().execute()
    m.Guest.delete().execute()
    demo.generate(guests=60, visits=0, days=3, seed=7, today=TODAY)
    assert [g.name for g in m.Guest.select().order_by(m.Guest.id)] == names


def test_demo_visit_numbers_continue_the_day_counter(fdb):
    demo.ensure_catalogue_and_accounts()
    demo.generate(guests=10, visits=4, days=1, seed=1, today=TODAY)
    demo.generate(guests=10, visits=4, days=1, seed=2, today=TODAY)
    numbers = [v.visit_no for v in m.Visit.select()]
    assert len(set(numbers)) == 8


def test_demo_accounts_can_log_in(fdb):
    from frontdesk.services import auth

    demo.ensure_catalogue_and_accounts()
    for username, _, role, password in demo.DEMO_ACCOUNTS:
        assert auth.login(username, password, "d").role is role
