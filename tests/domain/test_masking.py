import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.masking import mask_id_number, mask_name, mask_phone


def test_three_character_name_keeps_first_and_last():
    assert mask_name("张三丰") == "张*丰"


def test_two_character_name_keeps_the_first():
    assert mask_name("张三") == "张*"


def test_one_character_name_is_unchanged():
    assert mask_name("张") == "张"


def test_long_name_hides_each_middle_character():
    assert mask_name("欧阳娜娜") == "欧**娜"


def test_empty_name_stays_empty():
    assert mask_name("") == ""


def test_id_number_keeps_first_six_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_old_id_number_keeps_first_six_and_last_four():
    assert mask_id_number("110105491231002") == "110105*****1002"


@pytest.mark.parametrize("text, masked", [("E12345678", "E1*****78"), ("1234", "1**4"), ("123", "***")])
def test_short_id_keeps_a_quarter_at_each_end(text, masked):
    assert mask_id_number(text) == masked


def test_phone_keeps_first_three_and_last_four():
    assert mask_phone("13812341234") == "138****1234"


def test_short_phone_keeps_a_quarter_at_each_end():
    assert mask_phone("12345678") == "12****78"


@given(st.text(max_size=30))
def test_masking_keeps_the_length_of_the_trimmed_text(text):
    for mask in (mask_name, mask_id_number, mask_phone):
        assert len(mask(text)) == len(text.strip())


@given(st.text(alphabet="0123456789", max_size=10))
def test_masking_hides_at_least_half_of_a_short_number(number):
    for mask in (mask_id_number, mask_phone):
        assert mask(number).count("*") >= len(number) / 2
