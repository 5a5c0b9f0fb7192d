"""Code 128 symbols for specimen labels, encoded by python-barcode.

python-barcode starts in subset C and only leaves it for non-digits or a
trailing odd digit, so a 12-digit specimen number is Start C + 6 digit pairs
+ check + Stop = 101 modules: the shortest symbol Code 128 can make.

Every output (raster, ZPL, PDF, Qt) draws the same module string, and the
ZPL output feeds the printer the same code words (see ``zpl_field_data``),
so what the screen shows is what the printer prints.
"""

from __future__ import annotations

from barcode.codex import Code128

from frontdesk.errors import ValidationError
from frontdesk.i18n import tr

#: Analyser scanners read at most 20 characters (see DOMAIN.md, Labels).
MAX_LENGTH = 20

#: Code word values that are not data.
START_A, START_B, START_C = 103, 104, 105
CODE_C, CODE_B, CODE_A = 99, 100, 101


def _check(data: str) -> None:
    if not data:
        raise ValidationError(tr("条形码内容为空", "The barcode is empty"), field="barcode")
    if len(data) > MAX_LENGTH:
        raise ValidationError(
            tr(
                "条形码 {data} 太长：最多 {max} 个字符",
                "Barcode {data} is too long: at most {max} characters",
                data=data,
                max=MAX_LENGTH,
            ),
            field="barcode",
        )
    if not all(" " <= ch <= "~" for ch in data):
        raise ValidationError(
            tr(
                "条形码 {data} 只能包含英文字母、数字和常用符号",
                "Barcode {data} may only hold letters, digits and plain ASCII symbols",
                data=data,
            ),
            field="barcode",
        )


def code128_codewords(data: str) -> list[int]:
    """The symbol's code words: start, data, check (no stop)."""
    _check(data)
    # A fresh instance each time: python-barcode keeps the current subset in
    # the object while building, so a second build of one instance differs.
    symbol = Code128(data)
    words = list(symbol._build())
    words.append(symbol._calculate_checksum(words))
    return words


def code128_modules(data: str) -> str:
    """The '1' (bar) / '0' (space) module string, without quiet zones.

    Raises ``ValidationError`` for data a lab scanner should not be given
    (empty, longer than 20 characters, non-ASCII).
    """
    _check(data)
    modules = Code128(data).build()[0]
    # Sanity: every symbol is 11 modules a code word plus the 13-module stop.
    if (len(modules) - 13) % 11:
        raise AssertionError(f"unexpected Code 128 length {len(modules)} for {data!r}")
    return modules


# Characters ZPL cannot take literally inside ^FD for subset B.
_ZPL_B_ESCAPES = {">": "><", "^": ">0", "~": ">="}


def zpl_field_data(data: str) -> str:
    """``^FD`` data that makes a Zebra printer draw exactly our code words.

    The printer is told the start code and every subset change with ZPL
    invocation codes (``>;`` start C, ``>:`` start B, ``>5`` code C, ``>6``
    code B), so its symbol matches ``code128_modules`` module for module
    and the layout's width and quiet zones hold on paper too.
    """
    words = code128_codewords(data)[:-1]  # the printer adds the check word
    out: list[str] = []
    subset = ""
    for word in words:
        if word == START_C:
            out.append(">;")
            subset = "C"
        elif word == START_B:
            out.append(">:")
            subset = "B"
        elif subset == "C":
            if word == CODE_B:
                out.append(">6")
                subset = "B"
            elif word < 100:
                out.append(f"{word:02d}")
            else:  # pragma: no cover - _check() keeps data in subsets B and C
                raise AssertionError(f"unexpected code word {word} in subset C")
        elif subset == "B":
            if word == CODE_C:
                out.append(">5")
                subset = "C"
            elif word < 95:
                char = chr(word + 32)
                out.append(_ZPL_B_ESCAPES.get(char, char))
            else:  # pragma: no cover
                raise AssertionError(f"unexpected code word {word} in subset B")
        else:  # pragma: no cover - start A needs control characters
            raise AssertionError(f"unexpected start code word {word}")
    return "".join(out)

