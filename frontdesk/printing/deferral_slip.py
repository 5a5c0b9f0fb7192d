"""The deferral slip (缓检单) given to a guest whose items were deferred to a later date.

It says what to come back for, when, how to prepare (fasting) and the
original visit number, and carries the slip number (domain.codes, "7" +
the original visit) as a Code 128 barcode: scanning it anywhere in the app
opens the make-up check-in with the guest's open deferrals.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from frontdesk.i18n import tr
from frontdesk.printing.receipt import (GREY, LIGHT_FILL, Block, barcode_block_height, baseline, code128_width,
                                        draw_barcode_with_digits, draw_lines, draw_text, hline, line_height,
                                        new_canvas, paginate, text_width, wrap_text)


@dataclass(frozen=True)
class DeferralSlipData:
    site_name: str
    visit_no: str                            # the original visit
    guest_name: str
    sex_label: str
    original_date: date
    deferred_to: date
    items: tuple[tuple[str, str], ...]       # (item, station and where)
    fasting: bool
    instructions: tuple[str, ...]
    issued_by: str
    slip_no: str                             # the barcode: scanning it opens the make-up check-in


_PAGE_W, _PAGE_H = A5
_MARGIN_X = 11 * mm
_MARGIN_TOP = 10 * mm
_FOOTER_H = 12 * mm
_X = _MARGIN_X
_W = _PAGE_W - 2 * _MARGIN_X
_RIGHT = _X + _W
_BODY = 9.5
_SMALL = 8
_MODULE = 0.3 * mm
_BAR_H = 12 * mm
_PAD = 1.5 * mm
_COL_NO = 8 * mm
_COL_STATION = 52 * mm
_COL_ITEM = _W - _COL_NO - _COL_STATION


def _title() -> str:
    return tr("缓检通知单", "Deferred Items Slip")


def _header(data: DeferralSlipData) -> Block:
    barcode_w = code128_width(data.slip_no, _MODULE) + 20 * _MODULE
    text_w = _W - barcode_w - 3 * mm
    site_lines = wrap_text(data.site_name, 10, text_w, bold=True)
    title_lines = wrap_text(_title(), 17, text_w, bold=True)
    text_h = len(site_lines) * line_height(10) + 1 * mm + len(title_lines) * line_height(17)
    height = max(text_h, barcode_block_height(_BAR_H, _BODY)) + 3 * mm

    def draw(c: Canvas, top: float) -> None:
        y = draw_lines(c, _X, top, site_lines, 10, bold=True, color=GREY)
        draw_lines(c, _X, y - 1 * mm, title_lines, 17, bold=True)
        draw_barcode_with_digits(c, _RIGHT - barcode_w / 2, top, data.slip_no, _MODULE, _BAR_H, _BODY)

    return Block(height, draw)


def _facts(data: DeferralSlipData) -> Block:
    rows = [
        (tr("姓名", "Name"), f"{data.guest_name}  {data.sex_label}".strip()),
        (tr("原体检号", "Original visit"), data.visit_no),
        (tr("原体检日期", "Exam date"), data.original_date.isoformat()),
        (tr("补检日期", "Come back on"), data.deferred_to.isoformat()),
    ]
    label_w = max(text_width(label, _BODY) for label, _ in rows) + 2 * _PAD
    row_h = line_height(11) + 2 * _PAD
    height = row_h * len(rows) + 3 * mm

    def draw(c: Canvas, top: float) -> None:
        y = top
        c.saveState()
        c.setStrokeColor(black)
        c.setLineWidth(0.5)
        for label, value in rows:
            c.setFillColor(LIGHT_FILL)
            c.rect(_X, y - row_h, label_w, row_h, stroke=0, fill=1)
            c.rect(_X, y - row_h, _W, row_h, stroke=1, fill=0)
            c.line(_X + label_w, y, _X + label_w, y - row_h)
            draw_text(c, _X + _PAD, baseline(y - _PAD, 11), label, _BODY, color=GREY)
            draw_text(c, _X + label_w + _PAD, baseline(y - _PAD, 11), value, 11, bold=True)
            y -= row_h
        c.restoreState()

    return Block(height, draw)


def _table_header() -> Block:
    height = line_height(_BODY) + 2 * _PAD

    def draw(c: Canvas, top: float) -> None:
        c.saveState()
        c.setFillColor(LIGHT_FILL)
        c.setStrokeColor(black)
        c.setLineWidth(0.6)
        c.rect(_X, top - height, _W, height, stroke=1, fill=1)
        c.restoreState()
        x = _X
        for title, width in ((tr("序号", "No."), _COL_NO), (tr("缓检项目", "Deferred item"), _COL_ITEM),
                             (tr("科室 / 地点", "Station / where"), _COL_STATION)):
            draw_text(c, x + width / 2, baseline(top - _PAD, _BODY), title, _BODY, bold=True, align="centre")
            x += width

    return Block(height, draw, keep_with_next=True)


def _item_row(number: int, item: str, station: str, header: Block) -> Block:
    item_lines = wrap_text(item, _BODY, _COL_ITEM - 2 * _PAD, bold=True)
    station_lines = wrap_text(station, _BODY, _COL_STATION - 2 * _PAD)
    height = max(len(item_lines), len(station_lines)) * line_height(_BODY) + 2 * _PAD

    def draw(c: Canvas, top: float) -> None:
        c.saveState()
        c.setStrokeColor(black)
        c.setLineWidth(0.5)
        c.rect(_X, top - height, _W, height, stroke=1, fill=0)
        c.line(_X + _COL_NO, top, _X + _COL_NO, top - height)
        c.line(_X + _COL_NO + _COL_ITEM, top, _X + _COL_NO + _COL_ITEM, top - height)
        c.restoreState()
        draw_text(c, _X + _COL_NO / 2, baseline(top - _PAD, _BODY), str(number), _BODY, align="centre")
        draw_lines(c, _X + _COL_NO + _PAD, top - _PAD, item_lines, _BODY, bold=True)
        draw_lines(c, _X + _COL_NO + _COL_ITEM + _PAD, top - _PAD, station_lines, _BODY)

    return Block(height, draw, repeat=header)


def _instructions(data: DeferralSlipData) -> Block:
    size = _BODY
    bullet = "•"
    indent = text_width(bullet + " ", size) + 0.5 * mm
    inner_w = _W - 6 * mm - indent
    entries = [(wrap_text(text, size, inner_w, bold=(i == 0 and data.fasting)), i == 0 and data.fasting)
               for i, text in enumerate(data.instructions)]
    heading = tr("补检须知", "Before you come back")
    body_h = sum(len(lines) for lines, _ in entries) * line_height(size) + max(len(entries) - 1, 0) * 0.8 * mm
    box_h = 2.5 * mm + line_height(10.5) + 1 * mm + body_h + 2.5 * mm
    height = box_h + 4 * mm

    def draw(c: Canvas, top: float) -> None:
        top -= 3 * mm
        c.saveState()
        c.setFillColor(LIGHT_FILL)
        c.setStrokeColor(black)
        c.setLineWidth(0.8)
        c.roundRect(_X, top - box_h, _W, box_h, 2 * mm, stroke=1, fill=1)
        c.restoreState()
        x = _X + 3 * mm
        y = draw_lines(c, x, top - 2.5 * mm, [heading], 10.5, bold=True) - 1 * mm
        for lines, bold in entries:
            draw_text(c, x, baseline(y, size), bullet, size, bold=bold)
            y = draw_lines(c, x + indent, y, lines, size, bold=bold) - 0.8 * mm

    return Block(height, draw)


def _footer(data: DeferralSlipData):
    def draw(c: Canvas, page: int, pages: int) -> None:
        rule_y = _FOOTER_H - 3 * mm
        hline(c, _X, _RIGHT, rule_y, width=0.6, color=black)
        y = rule_y - 4.5 * mm
        text = tr("开单：{by}", "Issued by: {by}", by=data.issued_by) if data.issued_by else ""
        draw_text(c, _X, y, text, _SMALL, color=GREY)
        draw_text(c, _RIGHT, y, tr("第 {page} / {pages} 页", "Page {page} of {pages}", page=page, pages=pages),
                  _SMALL, align="right", color=GREY)
    return draw


def render_deferral_slip(data: DeferralSlipData) -> bytes:
    """The slip as A5 portrait PDF bytes (a long list continues on a second page)."""
    header = _table_header()
    blocks = [_header(data), _facts(data), header]
    blocks.extend(_item_row(n, item, station, header) for n, (item, station) in enumerate(data.items, start=1))
    blocks.append(_instructions(data))
    top = _PAGE_H - _MARGIN_TOP
    pages = paginate(blocks, top, top, _FOOTER_H)
    footer = _footer(data)
    buffer = io.BytesIO()
    c = new_canvas(buffer, (_PAGE_W, _PAGE_H), f"{_title()} {data.visit_no}")
    for number, placed in enumerate(pages, start=1):
        for block, block_top in placed:
            block.draw(c, block_top)
        footer(c, number, len(pages))
        c.showPage()
    c.save()
    return buffer.getvalue()
