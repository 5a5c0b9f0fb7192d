"""The guide sheet (流程指引单 / 导检单) handed to a guest at check-in.

The guest carries it from station to station, each station stamps or signs
its box, and the desk scans the sheet's barcode at close-out to see which
items were not done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from frontdesk.i18n import tr
from frontdesk.printing import slip_blocks as slip
from frontdesk.printing.receipt import (
    GREY,
    LIGHT_FILL,
    Block,
    barcode_block_height,
    baseline,
    code128_width,
    draw_barcode_with_digits,
    draw_lines,
    draw_text,
    hline,
    line_height,
    draw_pages,
    paginate,
    text_width,
    wrap_text,
)


@dataclass(frozen=True)
class GuideStation:
    order: int
    station_name: str
    location: str
    items: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class GuideSheetData:
    site_name: str
    visit_no: str
    guest_name: str
    sex_label: str
    age: int | None
    package_name: str
    organisation: str | None
    visit_date: date
    fasting_required: bool
    stations: tuple[GuideStation, ...]
    specimen_instructions: tuple[str, ...]
    locker_tag: str | None


_PAGE_W, _PAGE_H = A4
_MARGIN_X = 15 * mm
_MARGIN_TOP = 13 * mm
_FOOTER_H = 18 * mm  # reserved at the bottom of every page
_X = _MARGIN_X
_W = _PAGE_W - 2 * _MARGIN_X
_RIGHT = _X + _W

_BODY = 9.5
_SMALL = 8.5
_VALUE = 10.5
_MODULE = 0.3 * mm
_BAR_H = 13 * mm
_CONT_BAR_H = 9 * mm
_SIGN_MIN_H = 14 * mm  # room for a station's stamp
_PAD = 1.6 * mm

# Station table columns: order, station/location, items, stamp box.
_COL_ORDER = 12 * mm
_COL_STATION = 46 * mm
_COL_SIGN = 36 * mm
_COL_ITEMS = _W - _COL_ORDER - _COL_STATION - _COL_SIGN
_SLIP_PAGE = slip.SlipPage(A4, margin_x=_MARGIN_X, margin_top=_MARGIN_TOP, footer_h=_FOOTER_H, body=_BODY,
                           small=_SMALL, module=_MODULE, bar_h=_BAR_H, pad=_PAD)


def _title() -> str:
    return tr("体检流程指引单", "Examination Guide Sheet")


def _return_reminder() -> str:
    return tr("体检结束后请将本单交回前台，谢谢！", "When you have finished, please return this sheet to the front desk.")


def _header(data: GuideSheetData) -> Block:
    return slip.header(_SLIP_PAGE, data.site_name, _title(), data.visit_no, site_size=11, title_size=20, gap=4 * mm)


def _info_grid(data: GuideSheetData) -> Block:
    """The guest's particulars as a bordered grid of label/value cells."""
    age = tr("{age}岁", "{age}", age=data.age) if data.age is not None else "-"
    rows: list[list[tuple[str, str, bool]]] = [
        [(tr("姓名", "Name"), data.guest_name, True), (tr("性别", "Sex"), data.sex_label, False),
         (tr("年龄", "Age"), age, False)],
        [(tr("体检号", "Visit no."), data.visit_no, False),
         (tr("体检日期", "Date"), data.visit_date.isoformat(), False),
         (tr("存衣柜号", "Locker"), data.locker_tag or "-", False)],
        [(tr("套餐", "Package"), data.package_name, True)],
    ]
    if data.organisation:
        rows.append([(tr("单位", "Organisation"), data.organisation, False)])
    label_w = max(text_width(label, _BODY) for row in rows for label, _, _ in row) + 2 * _PAD

    laid: list[tuple[float, list[tuple[float, float, str, list[str], bool]]]] = []
    for row in rows:
        span_w = _W / len(row)
        cells = []
        for i, (label, value, bold) in enumerate(row):
            x = _X + i * span_w
            lines = wrap_text(value, _VALUE, span_w - label_w - 2 * _PAD, bold=bold)
            cells.append((x, span_w, label, lines, bold))
        h = max(len(cell[3]) for cell in cells) * line_height(_VALUE) + 2 * _PAD
        laid.append((h, cells))
    height = sum(h for h, _ in laid) + 3 * mm

    def draw(c: Canvas, top: float) -> None:
        y = top
        c.saveState()
        c.setStrokeColor(black)
        c.setLineWidth(0.5)
        for h, cells in laid:
            for x, span_w, label, lines, bold in cells:
                c.setFillColor(LIGHT_FILL)
                c.rect(x, y - h, label_w, h, stroke=0, fill=1)
                c.rect(x, y - h, span_w, h, stroke=1, fill=0)
                c.line(x + label_w, y, x + label_w, y - h)
                draw_text(c, x + _PAD, baseline(y - _PAD, _VALUE), label, _BODY, color=GREY)
                draw_lines(c, x + label_w + _PAD, y - _PAD, lines, _VALUE, bold=bold)
            y -= h
        c.restoreState()

    return Block(height, draw)


def _instructions(data: GuideSheetData) -> Block:
    """The box of things to do before and during the exam: fasting, specimens."""
    size = _BODY
    bullet = "•"
    indent = text_width(bullet + " ", size) + 0.5 * mm
    inner_w = _W - 2 * 3 * mm - indent
    entries: list[tuple[list[str], bool]] = []
    if data.fasting_required:
        entries.append((wrap_text(tr(
            "空腹项目：请保持空腹（可少量饮水），先到采血室空腹采血、做空腹超声，采血后方可用早餐。",
            "Fasting: do not eat before the exam (a little water is fine). Have the fasting blood draw "
            "and fasting ultrasound first; have breakfast only after the blood draw.",
        ), size, inner_w, bold=True), True))
    else:
        entries.append((wrap_text(tr("本次体检无需空腹。", "No fasting is needed for this exam."), size, inner_w), False))
    for text in data.specimen_instructions:
        entries.append((wrap_text(text, size, inner_w), False))
    entries.append((wrap_text(tr(
        "请按下表顺序检查，每完成一项请检查医生在“签章”栏盖章或签名。",
        "Visit the stations in the order below; ask each station to stamp or sign its box.",
    ), size, inner_w), False))
    heading = tr("检前须知", "Before you start")
    body_h = sum(len(lines) for lines, _ in entries) * line_height(size) + (len(entries) - 1) * 0.8 * mm
    box_h = 2.5 * mm + line_height(11) + 1 * mm + body_h + 2.5 * mm
    height = box_h + 4 * mm

    def draw(c: Canvas, top: float) -> None:
        c.saveState()
        c.setFillColor(LIGHT_FILL)
        c.setStrokeColor(black)
        c.setLineWidth(0.8)
        c.roundRect(_X, top - box_h, _W, box_h, 2 * mm, stroke=1, fill=1)
        c.restoreState()
        x = _X + 3 * mm
        y = draw_lines(c, x, top - 2.5 * mm, [heading], 11, bold=True)
        y -= 1 * mm
        for lines, bold in entries:
            draw_text(c, x, baseline(y, size), bullet, size, bold=bold)
            y = draw_lines(c, x + indent, y, lines, size, bold=bold) - 0.8 * mm

    return Block(height, draw)


def _table_header() -> Block:
    height = line_height(_BODY) + 2 * _PAD
    titles = [
        (tr("序号", "No."), _COL_ORDER),
        (tr("科室 / 地点", "Station / where"), _COL_STATION),
        (tr("检查项目", "Items"), _COL_ITEMS),
        (tr("签章", "Stamp / signature"), _COL_SIGN),
    ]

    def draw(c: Canvas, top: float) -> None:
        c.saveState()
        c.setFillColor(LIGHT_FILL)
        c.setStrokeColor(black)
        c.setLineWidth(0.8)
        c.rect(_X, top - height, _W, height, stroke=1, fill=1)
        c.restoreState()
        x = _X
        for title, width in titles:
            draw_text(c, x + width / 2, baseline(top - _PAD, _BODY), title, _BODY, bold=True, align="centre")
            x += width

    return Block(height, draw, keep_with_next=True)


def _station_row(station: GuideStation, header: Block) -> Block:
    name_lines = wrap_text(station.station_name, _VALUE, _COL_STATION - 2 * _PAD, bold=True)
    where_lines = wrap_text(station.location, _SMALL, _COL_STATION - 2 * _PAD) if station.location else []
    items_lines = wrap_text(tr("、", ", ").join(station.items), _BODY, _COL_ITEMS - 2 * _PAD)
    note = tr("注：{note}", "Note: {note}", note=station.note) if station.note else ""
    note_lines = wrap_text(note, _SMALL, _COL_ITEMS - 2 * _PAD) if note else []
    station_h = len(name_lines) * line_height(_VALUE) + len(where_lines) * line_height(_SMALL)
    items_h = len(items_lines) * line_height(_BODY) + (0.8 * mm + len(note_lines) * line_height(_SMALL) if note_lines else 0)
    height = max(station_h, items_h, line_height(12)) + 2 * _PAD
    height = max(height, _SIGN_MIN_H)

    def draw(c: Canvas, top: float) -> None:
        c.saveState()
        c.setStrokeColor(black)
        c.setLineWidth(0.5)
        c.rect(_X, top - height, _W, height, stroke=1, fill=0)
        x = _X
        for width in (_COL_ORDER, _COL_STATION, _COL_ITEMS):
            x += width
            c.line(x, top, x, top - height)
        c.restoreState()
        draw_text(c, _X + _COL_ORDER / 2, baseline(top - _PAD, 12), str(station.order), 12, bold=True, align="centre")
        sx = _X + _COL_ORDER + _PAD
        y = draw_lines(c, sx, top - _PAD, name_lines, _VALUE, bold=True)
        draw_lines(c, sx, y, where_lines, _SMALL, color=GREY)
        ix = _X + _COL_ORDER + _COL_STATION + _PAD
        y = draw_lines(c, ix, top - _PAD, items_lines, _BODY)
        draw_lines(c, ix, y - 0.8 * mm, note_lines, _SMALL, color=GREY)

    return Block(height, draw, repeat=header)


def _desk_check() -> Block:
    """Lines the desk fills in when the sheet comes back."""
    fields = [
        (tr("未完成项目：", "Items not done: "), 0.5),
        (tr("前台签收：", "Received by: "), 0.28),
        (tr("日期：", "Date: "), 0.22),
    ]
    height = 6 * mm + line_height(_BODY) + 2 * mm

    def draw(c: Canvas, top: float) -> None:
        y = baseline(top - 6 * mm, _BODY)
        x = _X
        for label, share in fields:
            width = _W * share
            draw_text(c, x, y, label, _BODY)
            start = x + text_width(label, _BODY) + 1 * mm
            hline(c, start, x + width - 3 * mm, y - 1 * mm, width=0.6, color=black)
            x += width

    return Block(height, draw)


def _continuation_header(data: GuideSheetData) -> tuple[float, Callable[[Canvas, float], None]]:
    barcode_w = code128_width(data.visit_no, _MODULE) + 20 * _MODULE
    height = max(line_height(13) + line_height(_BODY), barcode_block_height(_CONT_BAR_H, _SMALL)) + 3 * mm

    def draw(c: Canvas, top: float) -> None:
        y = draw_lines(c, _X, top, [tr("{title}（续）", "{title} (continued)", title=_title())], 13, bold=True)
        draw_text(c, _X, baseline(y, _BODY), tr("{name}    体检号：{no}", "{name}    Visit no.: {no}",
                                                 name=data.guest_name, no=data.visit_no), _BODY)
        draw_barcode_with_digits(c, _RIGHT - barcode_w / 2, top, data.visit_no, _MODULE, _CONT_BAR_H, _SMALL)

    return height, draw


def _footer(c: Canvas, page: int, pages: int) -> None:
    rule_y = _FOOTER_H - 5 * mm
    hline(c, _X, _RIGHT, rule_y, width=0.8, color=black)
    y = rule_y - 5.5 * mm
    draw_text(c, _X, y, _return_reminder(), 10.5, bold=True)
    draw_text(c, _RIGHT, y, tr("第 {page} / {pages} 页", "Page {page} of {pages}", page=page, pages=pages),
              _SMALL, align="right", color=GREY)


def render_guide_sheet_pdf(data: GuideSheetData) -> bytes:
    """The guide sheet as A4 portrait PDF bytes.

    Stations that do not fit on the first page continue on the next with the
    table header, the guest's name and the barcode repeated, so any page can
    be scanned at close-out.
    """
    header = _table_header()
    blocks = [_header(data), _info_grid(data), _instructions(data), header]
    blocks.extend(_station_row(station, header) for station in sorted(data.stations, key=lambda s: s.order))
    blocks.append(_desk_check())

    cont_h, draw_cont = _continuation_header(data)
    first_top = _PAGE_H - _MARGIN_TOP
    pages = paginate(blocks, first_top, first_top - cont_h, _FOOTER_H)

    def page_head(c: Canvas, number: int) -> None:
        if number > 1:
            draw_cont(c, first_top)  # the visit number again, so a loose second page finds its guest

    return draw_pages((_PAGE_W, _PAGE_H), f"{_title()} {data.visit_no}", pages, _footer, page_head)
