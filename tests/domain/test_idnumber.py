from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.domain.idnumber import (
    ResidentId,
    age_on,
    id_check_char,
    make_resident_id,
    parse_resident_id,
)
from frontdesk.domain.sex import Sex
from frontdesk.errors import ValidationError

TODAY = date(2024, 5, 17)
STANDARD_EXAMPLE = "11010519491231002X"  # the example printed in GB 11643-1999


def parse(text):
    return parse_resident_id(text, today=TODAY)


def rejected(text, message):
    with pytest.raises(ValidationError, match=message) as caught:
        parse(text)
    assert caught.value.field == "id_number"


def test_check_char_of_the_standard_example_is_x():
    assert id_check_char(STANDARD_EXAMPLE[:17]) == "X"


def test_check_char_refuses_wrong_length():
    with pytest.raises(ValueError):
        id_check_char("1234")


def test_standard_example_parses_to_region_birth_date_and_sex():
    assert parse(STANDARD_EXAMPLE) == ResidentId(
        number=STANDARD_EXAMPLE,
        region="110105",
        birth_date=date(1949, 12, 31),
        sex=Sex.FEMALE,
    )


def test_odd_sequence_is_male():
    assert parse(make_resident_id("310104", date(1980, 6, 1), 13)).sex is Sex.MALE


def test_lowercase_x_is_normalised_to_uppercase():
    assert parse("11010519491231002x").number == STANDARD_EXAMPLE


def test_full_width_characters_and_spaces_are_normalised():
    assert parse("１１０１０５　19491231 002Ｘ").number == STANDARD_EXAMPLE


def test_old_fifteen_digit_number_keeps_fifteen_characters():
    resident = parse("110105491231002")
    assert resident.number == "110105491231002"
    assert resident.birth_date == date(1949, 12, 31)
    assert resident.sex is Sex.FEMALE


def test_empty_input_asks_for_a_number():
    rejected("   ", "请输入身份证号")


@pytest.mark.parametrize("text", ["1101051949123100", "11010519491231002X1", "1"])
def test_wrong_length_is_rejected(text):
    rejected(text, "应为18位")


@pytest.mark.parametrize("text", ["11010519491231002Y", "1101051949123100?X", "11010519491231002é"])
def test_illegal_characters_are_rejected(text):
    rejected(text, "只能包含数字")


def test_x_anywhere_but_last_is_rejected():
    rejected("1101051949123100X2", "只能包含数字")


def test_x_on_a_fifteen_digit_number_is_rejected():
    rejected("11010549123100X", "只能包含数字")


def test_wrong_check_char_is_rejected():
    rejected("110105194912310021", "校验位错误")


def test_impossible_birth_date_is_rejected():
    first17 = "110105" + "19490230" + "002"
    rejected(first17 + id_check_char(first17), "出生日期19490230不存在")


def test_29_february_of_a_leap_year_is_accepted():
    assert parse(make_resident_id("110105", date(2000, 2, 29), 1)).birth_date == date(2000, 2, 29)


def test_29_february_of_a_common_year_is_rejected():
    first17 = "110105" + "19000229" + "001"  # 1900 was not a leap year
    rejected(first17 + id_check_char(first17), "出生日期19000229不存在")


def test_29_february_of_a_common_year_on_an_old_card_is_rejected():
    rejected("110105490229001", "不存在")


def test_birth_date_in_the_future_is_rejected():
    rejected(make_resident_id("110105", date(2024, 5, 18), 1), "将来")


def test_birth_date_today_is_accepted():
    assert parse(make_resident_id("110105", TODAY, 1)).birth_date == TODAY


def test_birth_before_1900_is_rejected_even_with_a_correct_check_char():
    # 440524188001010014 is a widely published example with a correct check
    # character; nobody born in 1880 comes to the desk, so it is a typo here.
    assert id_check_char("44052418800101001") == "4"
    rejected("440524188001010014", "早于1900年")


@pytest.mark.parametrize("region", ["000000", "100000", "240101", "720000", "990000"])
def test_region_outside_the_provinces_is_rejected(region):
    rejected(make_resident_id(region, date(1980, 1, 1), 1), "地区代码")


@pytest.mark.parametrize("region", ["110000", "460100", "540100", "650100", "710000", "810000", "830000", "910000"])
def test_every_kind_of_province_code_is_accepted(region):
    assert parse(make_resident_id(region, date(1980, 1, 1), 1)).region == region


def test_make_resident_id_refuses_bad_region():
    with pytest.raises(ValueError):
        make_resident_id("11010", date(1980, 1, 1), 1)


@pytest.mark.parametrize("sequence", [-1, 1000])
def test_make_resident_id_refuses_sequence_out_of_range(sequence):
    with pytest.raises(ValueError):
        make_resident_id("110105", date(1980, 1, 1), sequence)


def test_age_counts_whole_years():
    assert age_on(date(1949, 12, 31), date(2024, 12, 30)) == 74


def test_age_goes_up_on_the_birthday():
    assert age_on(date(1949, 12, 31), date(2024, 12, 31)) == 75


def test_leap_day_birthday_turns_a_year_older_on_1_march_of_a_common_year():
    assert age_on(date(2000, 2, 29), date(2023, 2, 28)) == 22
    assert age_on(date(2000, 2, 29), date(2023, 3, 1)) == 23


def test_age_refuses_a_day_before_birth():
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


@given(
    st.sampled_from(["110105", "440524", "650102", "810000"]),
    st.dates(date(1900, 1, 1), TODAY),
    st.integers(0, 999),
)
def test_made_numbers_parse_back(region, birth_date, sequence):
    resident = parse(make_resident_id(region, birth_date, sequence))
    assert (resident.region, resident.birth_date) == (region, birth_date)
    assert resident.sex is (Sex.MALE if sequence % 2 else Sex.FEMALE)


@settings(max_examples=300)
@given(st.text(max_size=25) | st.text(alphabet="0123456789Xx １", min_size=14, max_size=19))
def test_random_text_returns_or_raises_validation_error(text):
    try:
        resident = parse(text)
    except ValidationError:
        return
    assert len(resident.number) in (15, 18) and parse(resident.number) == resident  # normalised, and stable
    if len(resident.number) == 18:
        assert resident.number[6:14] == f"{resident.birth_date:%Y%m%d}"
        assert resident.number[17] == id_check_char(resident.number[:17])
        assert resident.sex is (Sex.MALE if int(resident.number[16]) % 2 else Sex.FEMALE)
