from frontdesk import i18n
from frontdesk.domain.sex import Sex


def test_values_are_single_letters_for_storage():
    assert (Sex.MALE.value, Sex.FEMALE.value) == ("M", "F")


def test_sex_is_a_string():
    assert Sex("F") is Sex.FEMALE and Sex.FEMALE == "F"


def test_labels_are_chinese_by_default():
    assert (Sex.MALE.label(), Sex.FEMALE.label()) == ("男", "女")


def test_labels_follow_the_language():
    i18n.set_language("en")
    assert (Sex.MALE.label(), Sex.FEMALE.label()) == ("Male", "Female")
