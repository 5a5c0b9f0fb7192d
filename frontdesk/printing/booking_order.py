"""The booking order sheet of an organisation for one day (单位预订单): who is booked, packages, totals.

Sent to the organisation's HR the day before (or kept with the batch): one
row per booked person in booking order (half-day, then number), then the
number of people per package with its list price and the sum, and the
totals.  A4 portrait; a long list continues on the next pages with the
table header repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from frontdesk.i18n import tr
from frontdesk.printing.receipt import (GREY, LIGHT_FILL, Block, draw_lines, draw_text, hline, line_height,
                                        draw_pages, paginate, wrap_text)


@dataclass(frozen=True)
class OrderLine:
    booking_no: str
    guest_name: str
    sex_label: str
    age: int | None
    department: str
    package: str
    half_day: str
    status: str


@dataclass(frozen=True)
class PackageTotal:
    package: str
    people: int
    price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class BookingOrderData:
    site_name: str
    organisation: str
    contracts: str                 # the contract names the bookings fall under
    exam_date: date
    weekday: str
    lines: tuple[OrderLine, ...]
    totals: tuple[PackageTotal, ...]
    people: int
    amount: Decimal
    printed_by: str
    printed_at: str


_PAGE_W, _PAGE_H = A4
_MARGIN_X = 14 * mm
_TOP = _PAGE_H - 13 * mm
_FOOTER_H = 15 * mm
_X = _MARGIN_X
_W = _PAGE_W - 2 * _MARGIN_X
_RIGHT = _X + _W
_BODY = 9
_PAD = 1.2 * mm

# (title, width) of the columns of the people table; the package takes what is left.
_FIXED = (("序号", "No.", 10 * mm), ("预约号", "Booking", 27 * mm), ("姓名", "Name", 24 * mm),
          ("性别", "Sex", 10 * mm), ("年龄", "Age", 10 * mm), ("部门", "Department", 28 * mm))
_TAIL = (("时段", "Half-day", 15 * mm), ("状态", "Status", 16 * mm))


def _columns() -> list[tuple[str, float]]:
    used = sum(w for _, _, w in _FIXED + _TAIL)
    cols = [(tr(zh, en), w) for zh, en, w in _FIXED]
    cols.append((tr("套餐", "Package"), _W - used))
    cols += [(tr(zh, en), w) for zh, en, w in _TAIL]
    return cols


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _title() -> str:
    return tr("单位体检预订单", "Booking order sheet")


def _header(data: BookingOrderData) -> Block:
    facts = [tr("单位：{o}", "Organisation: {o}", o=data.organisation),
             tr("体检日期：{d} {w}", "Exam date: {d} {w}", d=f"{data.exam_date:%Y-%m-%d}", w=data.weekday)]
    if data.contracts:
        facts.append(tr("合同：{c}", "Contract: {c}", c=data.contracts))
    fact_lines = [line for fact in facts for line in wrap_text(fact, 10.5, _W)]
    height = line_height(10) + line_height(17) + 2 * mm + len(fact_lines) * line_height(10.5) + 3 * mm

    def draw(c: Canvas, top: float) -> None:
        y = draw_lines(c, _X, top, [data.site_name], 10, bold=True, color=GREY)
        y = draw_lines(c, _X, y, [_title()], 17, bold=True) - 2 * mm
        draw_lines(c, _X, y, fact_lines, 10.5)

    return Block(height, draw)


def _row_block(cells: list[str], *, bold: bool = False, fill: bool = False, header: Block | None = None,
               columns: list[tuple[str, float]] | None = None) -> Block:
    columns = columns or _columns()
    wrapped = [wrap_text(text, _BODY, width - 2 * _PAD, bold=bold) or [""] for text, (_, width) in zip(cells, columns)]
    height = max(len(lines) for lines in wrapped) * line_height(_BODY) + 2 * _PAD

    def draw(c: Canvas, top: float) -> None:
        c.saveState()
        c.setStrokeColor(black)
        c.setLineWidth(0.5)
        if fill:
            c.setFillColor(LIGHT_FILL)
            c.rect(_X, top - height, _W, height, stroke=0, fill=1)
        c.rect(_X, top - height, _W, height, stroke=1, fill=0)
        x = _X
        for _, width in columns[:-1]:
            x += width
            c.line(x, top, x, top - height)
        c.restoreState()
        x = _X
        for lines, (_, width) in zip(wrapped, columns):
            draw_lines(c, x + _PAD, top - _PAD, lines, _BODY, bold=bold)
            x += width

    return Block(height, draw, repeat=header, keep_with_next=header is None and fill)


def _heading(text: str) -> Block:
    height = line_height(11.5) + 4 * mm

    def draw(c: Canvas, top: float) -> None:
        draw_lines(c, _X, top - 3 * mm, [text], 11.5, bold=True)

    return Block(height, draw, keep_with_next=True)


def _totals_columns() -> list[tuple[str, float]]:
    return [(tr("套餐", "Package"), _W - 3 * 30 * mm), (tr("人数", "People"), 30 * mm),
            (tr("单价（元）", "Price (CNY)"), 30 * mm), (tr("小计（元）", "Amount (CNY)"), 30 * mm)]


def _footer(data: BookingOrderData):
    def draw(c: Canvas, page: int, pages: int) -> None:
        rule_y = _FOOTER_H - 3 * mm
        hline(c, _X, _RIGHT, rule_y, width=0.6, color=black)
        y = rule_y - 4.5 * mm
        draw_text(c, _X, y, tr("打印：{by} {at}", "Printed by {by} at {at}", by=data.printed_by, at=data.printed_at),
                  8, color=GREY)
        draw_text(c, _RIGHT, y, tr("第 {page} / {pages} 页", "Page {page} of {pages}", page=page, pages=pages), 8,
                  align="right", color=GREY)
    return draw


def render_booking_order(data: BookingOrderData) -> bytes:
    """The order sheet as A4 PDF bytes."""
    columns = _columns()
    header = _row_block([title for title, _ in columns], bold=True, fill=True, columns=columns)
    header.keep_with_next = True
    blocks = [_header(data), header]
    for n, line in enumerate(data.lines, start=1):
        blocks.append(_row_block([str(n), line.booking_no, line.guest_name, line.sex_label,
                                  "" if line.age is None else str(line.age), line.department, line.package,
                                  line.half_day, line.status], header=header, columns=columns))
    if not data.lines:
        blocks.append(_heading(tr("（该日没有预约）", "(nobody is booked on this day)")))
    blocks.append(_heading(tr("按套餐汇总", "Totals by package")))
    tcols = _totals_columns()
    theader = _row_block([t for t, _ in tcols], bold=True, fill=True, columns=tcols)
    theader.keep_with_next = True
    blocks.append(theader)
    for total in data.totals:
        blocks.append(_row_block([total.package, str(total.people), _money(total.price), _money(total.amount)],
                                 header=theader, columns=tcols))
    blocks.append(_row_block([tr("合计", "Total"), str(data.people), "", _money(data.amount)], bold=True,
                             header=theader, columns=tcols))
    return draw_pages((_PAGE_W, _PAGE_H), f"{_title()} {data.organisation} {data.exam_date:%Y-%m-%d}",
                      paginate(blocks, _TOP, _TOP, _FOOTER_H), _footer(data))
