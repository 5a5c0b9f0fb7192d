import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.domain.text import (
    normalize_digits,
    normalize_input,
    validate_mobile,
    validate_person_name,
)
from frontdesk.errors import ValidationError


def test_normalize_input_turns_full_width_into_half_width():
    assert normalize_input("ＡＢＣ１２３") == "ABC123"


def test_normalize_input_trims_ideographic_spaces():
    assert normalize_input("\u3000张三\u3000") == "张三"


def test_normalize_input_collapses_inner_whitespace():
    assert normalize_input("John \u3000\t Smith") == "John Smith"


def test_normalize_input_drops_zero_width_characters():
    assert normalize_input("张\u200b三\ufeff") == "张三"


def test_normalize_digits_removes_spaces_and_hyphens():
    assert normalize_digits(" 138-1234\u30001234 ") == "13812341234"


def test_normalize_digits_removes_full_width_and_unicode_dashes():
    assert normalize_digits("138－1234\u20141234") == "13812341234"


def test_mobile_returns_eleven_digits():
    assert validate_mobile("13812341234") == "13812341234"


@pytest.mark.parametrize(
    "text", ["+86 138 1234 1234", "86-138-1234-1234", "008613812341234", "１３８１２３４１２３４"]
)
def test_mobile_accepts_country_code_separators_and_full_width(text):
    assert validate_mobile(text) == "13812341234"


def test_mobile_empty_asks_for_a_number():
    with pytest.raises(ValidationError, match="请输入手机号") as caught:
        validate_mobile(" ")
    assert caught.value.field == "mobile"


def test_mobile_with_ten_digits_reports_the_length():
    with pytest.raises(ValidationError, match="应为11位，现在是10位"):
        validate_mobile("1381234123")


@pytest.mark.parametrize("text", ["12812341234", "23812341234", "10012341234"])
def test_mobile_with_wrong_prefix_is_rejected(text):
    with pytest.raises(ValidationError, match="13至19开头"):
        validate_mobile(text)


def test_mobile_with_letters_is_rejected():
    with pytest.raises(ValidationError, match="只能包含数字"):
        validate_mobile("1381234abcd")


def test_name_is_trimmed():
    assert validate_person_name("  张三丰\u3000") == "张三丰"


def test_single_character_name_is_accepted():
    assert validate_person_name("张") == "张"


def test_name_with_rare_extension_character_is_accepted():
    assert validate_person_name("王\U00020000") == "王\U00020000"


def test_foreign_name_with_spaces_is_accepted():
    assert validate_person_name("John  Smith") == "John Smith"


def test_transliterated_name_dot_variants_become_the_middle_dot():
    assert validate_person_name("买买提 • 艾力") == "买买提·艾力"


def test_latin_name_with_hyphen_apostrophe_and_accents_is_accepted():
    assert validate_person_name("Jean-Pierre O'Brien Müller") == "Jean-Pierre O'Brien Müller"


def test_empty_name_is_rejected():
    with pytest.raises(ValidationError, match="请输入姓名") as caught:
        validate_person_name("\u3000")
    assert caught.value.field == "name"


def test_name_of_forty_characters_is_accepted():
    assert validate_person_name("张" * 40) == "张" * 40


def test_name_over_forty_characters_is_rejected():
    with pytest.raises(ValidationError, match="不能超过40个字"):
        validate_person_name("张" * 41)


@pytest.mark.parametrize("text", ["张三1", "张三１", "张三٣"])
def test_name_with_digits_is_rejected(text):
    with pytest.raises(ValidationError, match="不能包含数字"):
        validate_person_name(text)


@pytest.mark.parametrize("text", ["张三!", "张-三", "-John", "张三😀"])
def test_name_with_other_characters_is_rejected(text):
    with pytest.raises(ValidationError, match="不允许的字符"):
        validate_person_name(text)


@pytest.mark.parametrize("text", ["·艾力", "艾力·", "买买提··艾力"])
def test_middle_dot_only_between_name_parts(text):
    with pytest.raises(ValidationError, match="只能用在名字中间"):
        validate_person_name(text)


@settings(max_examples=300)
@given(st.text(max_size=20) | st.text(alphabet="+86 -1234567890１３", max_size=18))
def test_mobile_returns_or_raises_validation_error_for_random_text(text):
    try:
        number = validate_mobile(text)
    except ValidationError:
        return
    assert len(number) == 11 and number.isdigit()


@settings(max_examples=300)
@given(st.text(max_size=50))
def test_name_returns_or_raises_validation_error_for_random_text(text):
    try:
        name = validate_person_name(text)
    except ValidationError:
        return
    assert 1 <= len(name) <= 40 and name == name.strip()


@given(st.text(max_size=30))
def test_normalize_input_is_idempotent(text):
    once = normalize_input(text)
    assert normalize_input(once) == once
