import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.domain.pinyin import pinyin_full, pinyin_initials


def test_initials_of_a_chinese_name():
    assert pinyin_initials("张三丰") == "zsf"


def test_full_pinyin_is_lowercase_without_spaces():
    assert pinyin_full("张三丰") == "zhangsanfeng"


@pytest.mark.parametrize(
    "name, initials, full",
    [
        ("单田芳", "stf", "shantianfang"),
        ("曾国藩", "zgf", "zengguofan"),
        ("解缙", "xj", "xiejin"),
        ("仇英", "qy", "qiuying"),
        ("区志强", "ozq", "ouzhiqiang"),
        ("查良镛", "zly", "zhaliangyong"),
    ],
)
def test_first_character_uses_its_surname_reading(name, initials, full):
    assert (pinyin_initials(name), pinyin_full(name)) == (initials, full)


@pytest.mark.parametrize(
    "name, full",
    [("尉迟恭", "yuchigong"), ("万俟卨", "moqixie"), ("长孙无忌", "zhangsunwuji"), ("单于丹", "chanyudan")],
)
def test_compound_surnames_use_their_joint_reading(name, full):
    assert pinyin_full(name) == full


def test_surname_reading_applies_to_the_first_character_only():
    assert pinyin_full("张曾") == "zhangceng"


def test_transliterated_names_do_not_use_surname_readings():
    assert pinyin_initials("查理·卓别林") == "clzbl"


def test_latin_letters_are_kept_lowercased():
    assert pinyin_initials("李Mary") == "lmary"


def test_accents_are_dropped_from_latin_letters():
    assert pinyin_full("José Müller") == "josemuller"


def test_digits_and_punctuation_are_dropped():
    assert pinyin_initials("张三·3号!") == "zsh"


def test_full_width_latin_letters_are_folded():
    assert pinyin_initials("ＡＢ") == "ab"


def test_empty_name_gives_empty_pinyin():
    assert (pinyin_initials(""), pinyin_full("")) == ("", "")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_random_text_gives_lowercase_ascii_letters(text):
    for result in (pinyin_initials(text), pinyin_full(text)):
        assert result == "" or (result.isascii() and result.isalpha() and result.islower())
