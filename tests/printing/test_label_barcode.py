"""Code 128 symbols for specimen numbers."""

from __future__ import annotations

import pytest

from frontdesk.errors import ValidationError
from frontdesk.printing.barcode128 import code128_codewords, code128_modules, zpl_field_data

# Code 128 patterns (bar/space widths) of the code words we expect.
START_C = "11010011100"
STOP = "1100011101011"


def test_twelve_digit_specimen_number_is_101_modules_in_subset_c():
    modules = code128_modules("260509001236")
    assert len(modules) == 101
    assert modules.startswith(START_C)
    assert modules.endswith(STOP)
    assert code128_codewords("260509001236")[:7] == [105, 26, 5, 9, 0, 12, 36]


def test_modules_begin_and_end_with_a_bar():
    modules = code128_modules("123456789012")
    assert set(modules) == {"0", "1"}
    assert modules[0] == "1" and modules[-1] == "1"


def test_same_data_gives_same_symbol_every_time():
    assert code128_modules("260509001236") == code128_modules("260509001236")


@pytest.mark.parametrize("data", ["", "1" * 21, "张三", "12\n34"])
def test_unscannable_data_is_refused(data):
    with pytest.raises(ValidationError):
        code128_modules(data)


@pytest.mark.parametrize("data", ["260509001236", "12345", "A1234567B", "a>b^c~", "7"])
def test_zpl_field_data_gives_the_printer_the_same_codewords(data):
    field = zpl_field_data(data)
    assert "^" not in field and "~" not in field
    words = code128_codewords(data)[:-1]
    assert _zpl_to_codewords_by_subset(field) == words


def _zpl_to_codewords_by_subset(field: str) -> list[int]:
    words: list[int] = []
    subset = "B"
    i = 0
    escapes = {"<": ">", "0": "^", "=": "~"}
    switches = {";": (105, "C"), ":": (104, "B"), "5": (99, "C"), "6": (100, "B")}
    while i < len(field):
        if field[i] == ">":
            code = field[i + 1]
            i += 2
            if code in switches:
                word, subset = switches[code]
                words.append(word)
            else:
                words.append(ord(escapes[code]) - 32)
        elif subset == "C":
            words.append(int(field[i : i + 2]))
            i += 2
        else:
            words.append(ord(field[i]) - 32)
            i += 1
    return words


def test_zpl_field_data_for_a_specimen_number_starts_subset_c():
    assert zpl_field_data("260509001236") == ">;260509001236"
