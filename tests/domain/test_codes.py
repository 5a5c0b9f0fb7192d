from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.domain.checkdigit import luhn_valid
from frontdesk.domain.codes import (
    CodeKind,
    deferral_visit_id,
    looks_like_code,
    make_booking_no,
    make_deferral_no,
    make_receipt_no,
    make_specimen_no,
    make_visit_no,
    parse_code,
)
from frontdesk.errors import ValidationError

DAY = date(2024, 5, 17)


def test_visit_number_is_date_sequence_and_check_digit():
    assert make_visit_no(DAY, 1) == "24051700011"


def test_specimen_number_is_date_sequence_and_check_digit():
    assert make_specimen_no(DAY, 1) == "240517000016"


def test_booking_number_starts_with_8():
    assert make_booking_no(1) == "8000000011"


def test_receipt_number_starts_with_9():
    assert make_receipt_no(1) == "9000000019"


def test_deferral_slip_number_is_7_and_the_original_visit():
    assert make_deferral_no(123) == "7000001235" and deferral_visit_id("7000001235") == 123


@pytest.mark.parametrize(
    "make, seq",
    [
        (lambda s: make_visit_no(DAY, s), 0),
        (lambda s: make_visit_no(DAY, s), 10_000),
        (lambda s: make_specimen_no(DAY, s), 0),
        (lambda s: make_specimen_no(DAY, s), 100_000),
        (make_booking_no, 0),
        (make_booking_no, 100_000_000),
        (make_receipt_no, -1),
        (make_receipt_no, 100_000_000),
        (make_deferral_no, 0),
        (make_deferral_no, 100_000_000),
    ],
)
def test_makers_refuse_sequences_out_of_range(make, seq):
    with pytest.raises(ValueError):
        make(seq)


def test_makers_refuse_dates_outside_this_century():
    with pytest.raises(ValueError):
        make_visit_no(date(1999, 12, 31), 1)


@pytest.mark.parametrize(
    "code, kind",
    [
        (make_visit_no(DAY, 42), CodeKind.VISIT),
        (make_specimen_no(DAY, 42), CodeKind.SPECIMEN),
        (make_booking_no(42), CodeKind.BOOKING),
        (make_receipt_no(42), CodeKind.RECEIPT),
        (make_deferral_no(42), CodeKind.DEFERRAL),
    ],
)
def test_parse_recognises_each_kind(code, kind):
    assert parse_code(code) == (kind, code)


def test_parse_accepts_full_width_digits_and_spaces():
    assert parse_code(" ２４０５１７　0001 1 ") == (CodeKind.VISIT, "24051700011")


def test_parse_rejects_wrong_check_digit():
    with pytest.raises(ValidationError, match="校验位错误") as caught:
        parse_code("24051700012")
    assert caught.value.field == "code"


def test_parse_rejects_swapped_neighbouring_digits():
    with pytest.raises(ValidationError, match="校验位错误"):
        parse_code("24051700101")


def test_eleven_digits_without_a_real_date_are_not_a_visit_number():
    # A mobile number is 11 digits too; 13812341234 has month 81.
    with pytest.raises(ValidationError, match="无法识别"):
        parse_code("13812341234")


def test_ten_digits_starting_with_another_digit_are_unrecognised():
    with pytest.raises(ValidationError, match="无法识别"):
        parse_code("6000000012")


def test_sequence_zero_is_unrecognised():
    with pytest.raises(ValidationError, match="无法识别"):
        parse_code("8000000000")


def test_empty_input_asks_for_a_code():
    with pytest.raises(ValidationError, match="请扫描或输入条码"):
        parse_code("  ")


def test_visit_number_on_29_february_of_a_leap_year_is_recognised():
    code = make_visit_no(date(2024, 2, 29), 7)
    assert looks_like_code(code) is CodeKind.VISIT


def test_looks_like_code_returns_none_for_a_name():
    assert looks_like_code("张三丰") is None


def test_looks_like_code_returns_none_for_a_bad_check_digit():
    assert looks_like_code("24051700012") is None


@given(
    st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    st.integers(1, 9_999),
    st.integers(1, 99_999),
    st.integers(1, 99_999_999),
)
def test_every_made_code_parses_back_to_its_kind(day, visit_seq, specimen_seq, serial):
    assert parse_code(make_visit_no(day, visit_seq))[0] is CodeKind.VISIT
    assert parse_code(make_specimen_no(day, specimen_seq))[0] is CodeKind.SPECIMEN
    assert parse_code(make_booking_no(serial))[0] is CodeKind.BOOKING
    assert parse_code(make_receipt_no(serial))[0] is CodeKind.RECEIPT
    assert parse_code(make_deferral_no(serial))[0] is CodeKind.DEFERRAL


@settings(max_examples=300)
@given(st.text(max_size=20) | st.text(alphabet="0123456789 ８９", max_size=14))
def test_parse_returns_or_raises_validation_error_for_random_text(text):
    try:
        kind, digits = parse_code(text)
    except ValidationError:
        assert looks_like_code(text) is None
    else:
        assert looks_like_code(text) is kind
        assert digits.isascii() and digits.isdigit() and luhn_valid(digits)
        assert parse_code(digits) == (kind, digits)


def test_a_mobile_number_is_never_taken_for_a_visit_number():
    from frontdesk.domain.codes import looks_like_code, make_visit_no, may_be_code

    # 2013-01-20, sequence 1: shaped like a visit number with a valid check digit, and also a mobile number.
    phone = make_visit_no(date(2013, 1, 20), 1)
    assert phone.startswith("1") and len(phone) == 11 and looks_like_code(phone) is CodeKind.VISIT
    assert not may_be_code(phone)  # searched as a phone, not opened as a visit
    assert may_be_code(make_visit_no(date(2026, 12, 7), 1))
    assert may_be_code("7000001235") and may_be_code("261207000017")
    assert not may_be_code("123456789") and not may_be_code("12345678901234")
