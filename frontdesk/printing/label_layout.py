"""Specimen label layout: one description of a label, drawn by every output.

``layout_label`` turns a ``LabelData`` into device-independent primitives
measured in printer dots for one resolution.  The raster (PNG, Qt), ZPL and
PDF outputs only draw those primitives; none of them decides where anything
goes, so the label looks the same on every path.

The layout follows CLSI AUTO12 (see DOMAIN.md, Labels)::

    +--------------------------------------------------+
    | 张三丰                                   男 45岁 |   name: fixed, top-left
    | 26050900120          1/2              2026-05-09 |   visit number, copy, date
    | 紫色 EDTA管  血常规 糖化血红蛋白                 |   cap colour, tube, tests
    |        ||| ||||| || ||| |||| || ||| ||||         |   Code 128, >= 10 mm
    |                 260509001234                     |   its digits
    +--------------------------------------------------+

On 50 x 30 and 60 x 40 mm labels the tests get a row of their own.  The
copy marker (``2/3``) appears only when a tube has more than one label.

The barcode gets the largest whole number of dots per module for which the
symbol and 10-module quiet zones on both sides fit the label width (12 digits
= 101 modules: 3 dots at 203 dpi, 4 at 300 dpi on 50 mm), centred; its bars
take the height left between the text and the digits, never under 10 mm (if
rounding to dots would leave less, the text shrinks by a dot at a time).

Text never wraps, is never squeezed smaller to fit and never grows into the
barcode.  What does not fit is cut by these rules:

* **Name**: the name gets the first row minus the sex/age block and a 1.5 mm
  gap.  If it is wider, characters are dropped from the end and the name ends
  with '…' (``欧阳娜娜娜…``).  Runs of white space count as one space.
* **Tests**: whole short names, separated by spaces, in the order given.  If
  they do not all fit, as many as fit are kept and ``+N`` says how many were
  left off (``血常规 肝功能 +3``); if not even the first fits, it is cut with
  '…' before the ``+N``.
* **Tube**: cap colour then tube name, cut with '…' to at most 60 % of the row
  when the tests share its row.
* **Visit number**: never cut unless it alone is wider than its row (more than
  about 20 characters), then cut with '…'.  The barcode is the identifier the
  lab scans; its digits under the bars are never cut (a symbol that does not
  fit is refused with ``ValidationError``).

Fonts: the bundled CJK font has no Latin glyphs, so digits and Latin letters
are drawn with Bitstream Vera, which ships inside ReportLab (a dependency);
``text_runs`` splits a string between the two.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from frontdesk.errors import ValidationError
from frontdesk.i18n import tr
from frontdesk.printing import fonts
from frontdesk.printing.barcode128 import code128_modules

MM_PER_INCH = 25.4

#: Baseline position and depth of a text line, as fractions of the font size.
#: They cover both fonts' ink: CJK 0.82 up / 0.11 down, Vera 0.93 up / 0.24 down.
ASCENT = 0.93
DESCENT = 0.24
#: Height of Vera's digits above the baseline (the barcode's digits).
DIGIT_HEIGHT = 0.76

MIN_BAR_HEIGHT_MM = 10.0
MIN_MODULE_MM = 0.25
QUIET_ZONE_MODULES = 10
ELLIPSIS = "…"


# --------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class LabelData:
    """What one specimen label says (one copy of it)."""

    guest_name: str
    sex_label: str
    age: int | None
    visit_no: str
    tube_name: str
    cap_colour: str
    tests: tuple[str, ...]
    collected_on: date
    barcode: str
    copy_no: int = 1
    copies: int = 1


@dataclass(frozen=True)
class LabelSize:
    width_mm: float
    height_mm: float

    @property
    def key(self) -> str:
        return f"{self.width_mm:g}x{self.height_mm:g}"


LABEL_SIZES: dict[str, LabelSize] = {
    "50x25": LabelSize(50, 25),
    "50x30": LabelSize(50, 30),
    "60x40": LabelSize(60, 40),
}
DEFAULT_LABEL_SIZE = LABEL_SIZES["50x25"]


def parse_label_size(text: str) -> LabelSize:
    """``"50x25"`` (also ``50×25``, ``50*25 mm``) to a supported ``LabelSize``."""
    key = re.sub(r"\s+|mm$", "", str(text).strip().lower()).replace("×", "x").replace("*", "x")
    try:
        return LABEL_SIZES[key]
    except KeyError:
        raise ValidationError(
            tr(
                "不支持的标签尺寸：{text}（可选 50x25、50x30、60x40 毫米）",
                "Unsupported label size: {text} (choose 50x25, 50x30 or 60x40 mm)",
                text=text,
            ),
            field="label_size",
        ) from None


def mm_to_dots(mm: float, dpi: int) -> int:
    return round(mm * dpi / MM_PER_INCH)


def _mm_to_dots_up(mm: float, dpi: int) -> int:
    # A minimum (bar height, narrow bar) must hold after rounding.
    return math.ceil(mm * dpi / MM_PER_INCH - 1e-9)


# --------------------------------------------------------------------------
# Output primitives (all in dots, origin top-left, y down)


@dataclass(frozen=True)
class TextItem:
    """One line of text.  ``y`` is the top of the line box, ``height`` the font
    size (em) in dots; the baseline is at ``y + ascent``; ``width`` is the
    measured advance of ``text``."""

    x: int
    y: int
    height: int
    text: str
    ascent: int
    width: int

    @property
    def baseline(self) -> int:
        return self.y + self.ascent

    @property
    def bottom(self) -> int:
        return self.y + self.height_box

    @property
    def height_box(self) -> int:
        return line_box(self.height)


@dataclass(frozen=True)
class BarcodeItem:
    """A Code 128 symbol: ``modules`` ('1' bar, '0' space) left to right from
    ``x``, each ``module_width_dots`` wide, bars ``height_dots`` tall.
    ``human_readable`` is the data the bars encode; the layout prints it under
    the bars as a ``TextItem`` so every output draws it the same way."""

    x: int
    y: int
    module_width_dots: int
    height_dots: int
    modules: str
    human_readable: str

    @property
    def width(self) -> int:
        return len(self.modules) * self.module_width_dots

    def bar_runs(self) -> list[tuple[int, int]]:
        """(x, width) in dots of each bar, merged over adjacent bar modules."""
        runs = []
        m = self.module_width_dots
        for match in re.finditer("1+", self.modules):
            runs.append((self.x + match.start() * m, (match.end() - match.start()) * m))
        return runs


@dataclass(frozen=True)
class LabelLayout:
    data: LabelData
    size: LabelSize
    dpi: int
    width: int
    height: int
    texts: tuple[TextItem, ...]
    barcode: BarcodeItem
    digits: TextItem

    @property
    def items(self) -> tuple[TextItem | BarcodeItem, ...]:
        """Everything to draw: the text rows, the digits, the barcode."""
        return (*self.texts, self.digits, self.barcode)

    @property
    def quiet_zone_left(self) -> int:
        return self.barcode.x

    @property
    def quiet_zone_right(self) -> int:
        return self.width - self.barcode.x - self.barcode.width


# --------------------------------------------------------------------------
# Fonts and measuring


def latin_font_path() -> str:
    import reportlab

    return os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")


@lru_cache(maxsize=1)
def _latin_codepoints() -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    cmap = TTFontFile(latin_font_path()).charToGlyph
    return frozenset(cp for cp, glyph in cmap.items() if glyph)


@lru_cache(maxsize=64)
def latin_pil_font(size_px: int):
    from PIL import ImageFont

    return ImageFont.truetype(latin_font_path(), size_px)


def run_pil_font(kind: str, size_px: int):
    return latin_pil_font(size_px) if kind == "latin" else fonts.pil_font(size_px)


@lru_cache(maxsize=4096)
def text_runs(text: str) -> tuple[tuple[str, str], ...]:
    """Split ``text`` into ("latin" | "cjk", segment) runs by which font has the glyphs."""
    latin = _latin_codepoints()
    return tuple(fonts.split_runs(text, lambda ch: "latin" if ord(ch) in latin else "cjk"))


@lru_cache(maxsize=8192)
def text_width(text: str, size_px: int) -> int:
    """Advance width of ``text`` in dots at ``size_px``, as the raster draws it."""
    total = 0.0
    for kind, segment in text_runs(text):
        total += run_pil_font(kind, size_px).getlength(segment)
    return math.ceil(total)


def line_box(size_px: int) -> int:
    return math.ceil(size_px * ASCENT) + math.ceil(size_px * DESCENT)


def fit_text(text: str, size_px: int, budget: int) -> str:
    """``text`` if it fits ``budget`` dots, else its longest prefix + '…' that does."""
    if text_width(text, size_px) <= budget:
        return text
    lo, hi = 0, len(text)  # longest prefix length whose cut form fits: in [lo, hi)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid].rstrip() + ELLIPSIS, size_px) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS if lo else (ELLIPSIS if text_width(ELLIPSIS, size_px) <= budget else "")


def fit_tests(tests: tuple[str, ...], size_px: int, budget: int) -> str:
    """Whole test names that fit, then ``+N`` for those left off (rule in module doc)."""
    names = [" ".join(t.split()) for t in tests if t and t.strip()]
    if not names:
        return ""
    for keep in range(len(names), 0, -1):
        rest = len(names) - keep
        text = " ".join(names[:keep]) + (f" +{rest}" if rest else "")
        if text_width(text, size_px) <= budget:
            return text
    suffix = f" +{len(names) - 1}" if len(names) > 1 else ""
    return fit_text(names[0], size_px, budget - text_width(suffix, size_px)) + suffix


# --------------------------------------------------------------------------
# Layout


@dataclass(frozen=True)
class _Style:
    margin_x_mm: float
    margin_top_mm: float
    margin_bottom_mm: float
    name_mm: float
    info_mm: float
    digits_mm: float
    row_gap_mm: float
    bar_gap_mm: float
    tests_own_row: bool


_COMPACT = _Style(1.5, 0.8, 0.8, 3.4, 2.5, 2.6, 0.25, 0.4, False)  # 50 x 25
_MEDIUM = _Style(1.5, 1.0, 0.9, 3.6, 2.6, 2.7, 0.3, 0.6, True)  # 50 x 30
_LARGE = _Style(2.0, 1.4, 1.2, 4.6, 3.2, 3.2, 0.5, 0.8, True)  # 60 x 40


def _style_for(size: LabelSize) -> _Style:
    if size.height_mm < 28:
        return _COMPACT
    if size.height_mm < 35:
        return _MEDIUM
    return _LARGE


def _text(x: int, y: int, size_px: int, text: str) -> TextItem:
    return TextItem(x, y, size_px, text, math.ceil(size_px * ASCENT), text_width(text, size_px))


def _right(x_right: int, y: int, size_px: int, text: str) -> TextItem:
    return _text(x_right - text_width(text, size_px), y, size_px, text)


def module_width_for(n_modules: int, label_width_dots: int, dpi: int) -> int:
    """Largest whole dots per module that fits the symbol and both quiet zones.

    Raises ``ValidationError`` if even the 0.25 mm minimum narrow bar does not fit.
    """
    module = label_width_dots // (n_modules + 2 * QUIET_ZONE_MODULES)
    if module < _mm_to_dots_up(MIN_MODULE_MM, dpi):
        raise ValidationError(
            tr(
                "条形码太长，放不进标签（需要 {need} 个模块宽）",
                "The barcode is too long for the label ({need} modules wide)",
                need=n_modules + 2 * QUIET_ZONE_MODULES,
            ),
            field="barcode",
        )
    return module


def layout_label(data: LabelData, size: LabelSize = DEFAULT_LABEL_SIZE, dpi: int = 203) -> LabelLayout:
    """Place everything on one label for a printer of ``dpi`` dots per inch.

    Raises ``ValidationError`` if the barcode data is not acceptable or its
    symbol would not fit the label with its quiet zones.
    """
    if not 50 <= dpi <= 2400:
        raise ValueError(f"implausible printer resolution {dpi} dpi")
    if not 1 <= data.copy_no <= data.copies:
        raise ValueError(f"copy {data.copy_no} of {data.copies}")
    modules = code128_modules(data.barcode)
    style = _style_for(size)
    # Rounding to whole dots differs between resolutions; if the bars would
    # come out under 10 mm, the text gives up a dot of size at a time.
    for shrink in range(4):
        layout = _place(data, size, dpi, style, modules, shrink)
        if layout is not None:
            return layout
    raise ValueError(f"no room for 10 mm bars on a {size.key} label at {dpi} dpi")


def _place(
    data: LabelData, size: LabelSize, dpi: int, style: _Style, modules: str, shrink: int
) -> LabelLayout | None:
    d = lambda mm: mm_to_dots(mm, dpi)  # noqa: E731 - local shorthand
    width, height = d(size.width_mm), d(size.height_mm)
    left, right = d(style.margin_x_mm), width - d(style.margin_x_mm)
    content = right - left
    name_px, info_px, digits_px = (d(style.name_mm) - shrink, d(style.info_mm) - shrink, d(style.digits_mm))
    gap = d(style.row_gap_mm)
    col_gap = d(1.5)
    texts: list[TextItem] = []

    # Row 1: the name at a fixed place top-left; sex and age on the right,
    # sharing the name's baseline.
    y = d(style.margin_top_mm)
    baseline = y + math.ceil(name_px * ASCENT)
    sex_age = " ".join(
        part for part in (data.sex_label.strip(), tr("{age}岁", "{age} y", age=data.age) if data.age is not None else "") if part
    )
    name_budget = content
    if sex_age:
        item = _right(right, baseline - math.ceil(info_px * ASCENT), info_px, sex_age)
        texts.append(item)
        name_budget = content - item.width - col_gap
    name = fit_text(" ".join(data.guest_name.split()), name_px, name_budget)
    texts.insert(0, _text(left, y, name_px, name))
    y += line_box(name_px) + gap

    # Row 2: visit number, copy marker centred, collection date on the right.
    date_item = _right(right, y, info_px, data.collected_on.isoformat())
    visit_item = _text(left, y, info_px, fit_text(data.visit_no.strip(), info_px, content - date_item.width - col_gap))
    texts += [visit_item, date_item]
    copy_text = f"{data.copy_no}/{data.copies}" if data.copies > 1 else ""
    if copy_text:
        copy_w = text_width(copy_text, info_px)
        copy_x = max((width - copy_w) // 2, visit_item.x + visit_item.width + col_gap)
        if copy_x + copy_w + col_gap <= date_item.x:
            texts.append(_text(copy_x, y, info_px, copy_text))
            copy_text = ""
    y += line_box(info_px) + gap

    # Row 3 (and 4): tube with cap colour, tests; the copy marker goes to
    # the end of row 3 only if a very long visit number crowded it out.
    row_budget = content
    if copy_text:
        copy_item = _right(right, y, info_px, copy_text)
        texts.append(copy_item)
        row_budget -= copy_item.width + col_gap
    tube = " ".join(part for part in (data.cap_colour.strip(), data.tube_name.strip()) if part)
    if style.tests_own_row:
        texts.append(_text(left, y, info_px, fit_text(tube, info_px, row_budget)))
        y += line_box(info_px) + gap
        tests = fit_tests(data.tests, info_px, content)
        if tests:
            texts.append(_text(left, y, info_px, tests))
        y += line_box(info_px)
    else:
        tests_text = " ".join(t for t in data.tests if t.strip())
        tube_budget = row_budget if not tests_text else min(
            text_width(tube, info_px), int(row_budget * 0.6)
        )
        tube_item = _text(left, y, info_px, fit_text(tube, info_px, tube_budget))
        texts.append(tube_item)
        if tests_text:
            x = left + tube_item.width + (col_gap if tube else 0)
            tests = fit_tests(data.tests, info_px, left + row_budget - x)
            if tests:
                texts.append(_text(x, y, info_px, tests))
        y += line_box(info_px)

    # Barcode: the largest whole module width that fits with both quiet
    # zones, centred; bars fill the height left above the digits.
    module = module_width_for(len(modules), width, dpi)
    bars_w = len(modules) * module
    bar_x = (width - bars_w) // 2
    bar_y = y + d(style.bar_gap_mm)
    digit_ink = math.ceil(digits_px * DIGIT_HEIGHT)
    digits_baseline = height - d(style.margin_bottom_mm)
    bar_h = digits_baseline - digit_ink - d(style.bar_gap_mm) - bar_y
    if bar_h < _mm_to_dots_up(MIN_BAR_HEIGHT_MM, dpi):
        return None
    barcode = BarcodeItem(bar_x, bar_y, module, bar_h, modules, data.barcode)
    digits_w = text_width(data.barcode, digits_px)
    digits = TextItem(
        bar_x + (bars_w - digits_w) // 2,
        digits_baseline - math.ceil(digits_px * ASCENT),
        digits_px,
        data.barcode,
        math.ceil(digits_px * ASCENT),
        digits_w,
    )
    return LabelLayout(data, size, dpi, width, height, tuple(texts), barcode, digits)


def sample_label_data(copy_no: int = 1, copies: int = 1) -> LabelData:
    """A realistic label for previews, printer test prints and the docs."""
    return LabelData(
        guest_name="张三丰",
        sex_label=tr("男", "M"),
        age=45,
        visit_no="26050900120",  # a real visit number: YYMMDD + sequence + Luhn
        tube_name=tr("EDTA抗凝管", "EDTA tube"),
        cap_colour=tr("紫色", "Purple"),
        tests=(tr("血常规", "CBC"), tr("糖化血红蛋白", "HbA1c")),
        collected_on=date(2026, 5, 9),
        barcode="260509001236",
        copy_no=copy_no,
        copies=copies,
    )
