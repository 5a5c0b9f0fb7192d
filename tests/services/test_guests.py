import datetime as dt
from decimal import Decimal

import pytest

from frontdesk.domain.enums import IdType, PaymentMethod
from frontdesk.errors import DuplicateGuestError, PermissionDeniedError, ValidationError
from frontdesk.services import checkin, guests, search
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)
STANDARD_EXAMPLE = "11010519491231002X"  # GB 11643's own example: a woman born 1949-12-31


def inp(**changes):
    values = dict(name="张三丰", sex="", birth_date=None, id_type=IdType.RESIDENT_ID, id_number=STANDARD_EXAMPLE,
                  phone="13812341234", organisation_id=None)
    values.update(changes)
    return guests.GuestInput(**values)


def test_verify_folds_full_width_spaces_and_lowercase_x():
    verified = guests.verify(inp(id_number="１１０１０５ １９４９１２３１ ００２ｘ", phone="138 1234-1234",
                                 name=" 张三丰 "), TODAY)
    assert verified.id_number == STANDARD_EXAMPLE
    assert verified.phone == "13812341234"
    assert verified.name == "张三丰"


def test_verify_derives_sex_and_birth_date_from_resident_id():
    verified = guests.verify(inp(), TODAY)
    assert verified.sex == "F" and verified.birth_date == dt.date(1949, 12, 31)
    assert verified.mismatches == () and verified.pinyin_initials == "zsf"


def test_verify_reports_mismatches_without_overwriting_typed_values():
    verified = guests.verify(inp(sex="M", birth_date=dt.date(1949, 12, 30)), TODAY)
    assert verified.sex == "M" and verified.birth_date == dt.date(1949, 12, 30)
    fields = {x.field: x for x in verified.mismatches}
    assert fields["sex"].from_id == "F" and fields["sex"].typed == "M"
    assert fields["birth_date"].from_id == dt.date(1949, 12, 31)
    assert "身份证号显示为女" in fields["sex"].message


def test_verify_refuses_bad_check_digit():
    with pytest.raises(ValidationError, match="校验位") as err:
        guests.verify(inp(id_number="110105194912310021"), TODAY)
    assert err.value.field == "id_number"


def test_verify_refuses_future_birth_date_typed_for_passport():
    with pytest.raises(ValidationError, match="将来") as err:
        guests.verify(inp(id_type=IdType.PASSPORT, id_number="E12345678", sex="M",
                          birth_date=TODAY + dt.timedelta(days=1)), TODAY)
    assert err.value.field == "birth_date"


def test_verify_refuses_ten_digit_phone():
    with pytest.raises(ValidationError, match="11位") as err:
        guests.verify(inp(phone="1381234123"), TODAY)
    assert err.value.field == "mobile"


def test_verify_requires_a_phone_for_new_guests():
    with pytest.raises(ValidationError, match="手机号"):
        guests.verify(inp(phone=""), TODAY)


def test_verify_passport_needs_sex_and_birth_date():
    with pytest.raises(ValidationError) as err:
        guests.verify(inp(id_type=IdType.PASSPORT, id_number="E12345678", birth_date=dt.date(1990, 1, 1)), TODAY)
    assert err.value.field == "sex"
    verified = guests.verify(inp(id_type=IdType.PASSPORT, id_number="e 1234-5678", sex="F",
                                 birth_date=dt.date(1990, 1, 1)), TODAY)
    assert verified.id_number == "E12345678"


def test_register_stores_normalised_values_and_pinyin(desk):
    guest = guests.register(desk, inp(id_number="11010519491231002x"), today=TODAY)
    stored = m.Guest.get_by_id(guest.id)
    assert stored.id_number == STANDARD_EXAMPLE and stored.sex == "F" and stored.pinyin_initials == "zsf"
    entry = m.AuditLog.get(m.AuditLog.action == "guest.register")
    assert STANDARD_EXAMPLE not in entry.details  # the audit log holds the masked number


def test_register_refuses_unconfirmed_mismatch(desk):
    with pytest.raises(ValidationError, match="身份证号显示为") as err:
        guests.register(desk, inp(sex="M"), today=TODAY)
    assert err.value.field == "sex"
    assert m.Guest.select().count() == 0


def test_register_keeps_typed_values_when_mismatch_is_accepted(desk):
    guest = guests.register(desk, inp(sex="M"), today=TODAY, accept_mismatches=True)
    assert m.Guest.get_by_id(guest.id).sex == "M"


def test_same_id_number_is_a_duplicate_that_cannot_be_overridden(desk):
    first = guests.register(desk, inp(), today=TODAY)
    with pytest.raises(DuplicateGuestError) as err:
        guests.register(desk, inp(name="张三", phone="13900000000"), today=TODAY, allow_duplicate_of=first.id)
    assert [g.id for g in err.value.candidates] == [first.id]


def test_same_name_birth_date_and_phone_is_a_likely_duplicate(desk):
    first = guests.register(desk, inp(), today=TODAY)
    other = inp(id_type=IdType.PASSPORT, id_number="E12345678", sex="F", birth_date=dt.date(1949, 12, 31))
    with pytest.raises(DuplicateGuestError) as err:
        guests.register(desk, other, today=TODAY)
    assert [g.id for g in err.value.candidates] == [first.id]
    second = guests.register(desk, other, today=TODAY, allow_duplicate_of=[first.id])
    assert second.id != first.id


def test_old_fifteen_digit_number_finds_the_eighteen_digit_record(desk):
    guest = guests.register(desk, inp(), today=TODAY)
    verified = guests.verify(inp(id_number="110105491231002"), TODAY)
    assert [g.id for g in guests.find_likely_duplicates(verified)] == [guest.id]


def test_update_changes_phone_and_audits(desk):
    guest = guests.register(desk, inp(), today=TODAY)
    guests.update(desk, guest.id, inp(phone="13987654321"), today=TODAY)
    assert m.Guest.get_by_id(guest.id).phone == "13987654321"
    assert "phone" in m.AuditLog.get(m.AuditLog.action == "guest.update").details


def test_merge_moves_visits_and_hides_the_dropped_record(desk, catalogue, cat):
    keep = guests.register(desk, inp(), today=TODAY)
    drop = guests.register(desk, inp(id_type=IdType.PASSPORT, id_number="E12345678", sex="F",
                                     birth_date=dt.date(1949, 12, 31), phone="13900001111"), today=TODAY)
    visit = checkin.check_in(desk, checkin.CheckInRequest(guest_id=drop.id, added_item_ids=[cat.item_id("GENERAL")],
                                                          payments=[PaymentInput(PaymentMethod.CASH, Decimal("10.00"))]),
                             day=TODAY).visit
    # Different numbers: a reception user may not merge two people on their own.
    with pytest.raises(PermissionDeniedError):
        guests.merge(desk, keep.id, drop.id)
    from frontdesk.domain.enums import Role
    from frontdesk.services.session import Session

    boss = Session("zhuguan", "王主管", Role.SUPERVISOR, "前台1")
    guests.merge(boss, keep.id, drop.id)
    assert m.Visit.get_by_id(visit.id).guest_id == keep.id
    assert m.Guest.get_by_id(drop.id).merged_into_id == keep.id
    assert m.AuditLog.select().where(m.AuditLog.action == "guest.merge").count() == 1
    assert search.search("13900001111", day=TODAY) == []  # the dropped record is never found again
    assert [(h.guest_id, h.kind, h.visit_id) for h in search.search("张三丰", day=TODAY)] == [
        (keep.id, "visit", visit.id)]  # its visit now belongs to the kept guest


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(name=st.text(max_size=50), sex=st.text(max_size=3), id_number=st.text(max_size=25),
       phone=st.text(max_size=20), id_type=st.sampled_from(list(IdType)),
       birth=st.one_of(st.none(), st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2100, 1, 1))))
def test_verify_never_crashes_on_random_input(name, sex, id_number, phone, id_type, birth):
    try:
        verified = guests.verify(guests.GuestInput(name, sex, birth, id_type, id_number, phone), TODAY)
    except ValidationError as exc:
        assert exc.message and exc.field
    else:
        assert verified.sex in ("M", "F") and verified.birth_date <= TODAY and len(verified.phone) == 11
