"""The cover sheet of a guest's document bag (健检资料袋封面), printed the day before.

The desk fills one bag per booked guest the evening before: this cover, the
guide sheet and the check-in labels.  The cover says whose bag it is (name,
sex, age, organisation and department), when the guest comes (date,
weekday, half-day), the package, and carries the booking number as a Code
128 barcode: at the desk, scanning the cover finds the booking and checks in
the visit prepared for it (the visit number is printed too, the same as on
the guide sheet inside).  A checklist of what is inside lets whoever fills
the bag tick each piece off.

One A4 page per guest, so the pages of a batch go one per bag.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from frontdesk.i18n import tr
from frontdesk.printing.receipt import (GREY, LIGHT_FILL, baseline, code128_width, draw_barcode_with_digits,
                                        draw_lines, draw_text, hline, line_height, new_canvas, text_width,
                                        wrap_text)


@dataclass(frozen=True)
class BagCoverData:
    site_name: str
    booking_no: str                 # the barcode: check-in finds the booking (and its prepared visit) by it
    visit_no: str                   # the prepared visit's number, as on the guide sheet
    guest_name: str
    sex_label: str
    age: int | None
    exam_date: date
    weekday: str
    half_day: str                   # 上午 / 下午
    package: str
    organisation: str               # "" for a guest booked on their own
    department: str
    fasting: bool
    contents: tuple[str, ...]       # the checklist: what goes into the bag
    sequence: str = ""              # "3 / 40": the bag's place in the batch


_PAGE_W, _PAGE_H = A4
_MARGIN_X = 18 * mm
_TOP = _PAGE_H - 16 * mm
_X = _MARGIN_X
_W = _PAGE_W - 2 * _MARGIN_X
_RIGHT = _X + _W
_MODULE = 0.42 * mm
_BAR_H = 18 * mm
_PAD = 2.2 * mm


def _title() -> str:
    return tr("健检资料袋", "Document bag")


def _facts(data: BagCoverData) -> list[tuple[str, str]]:
    who = "  ".join(p for p in (data.sex_label, tr("{n}岁", "{n} y", n=data.age) if data.age is not None else "") if p)
    rows = [
        (tr("预约号", "Booking no."), data.booking_no),
        (tr("体检号", "Visit no."), data.visit_no),
        (tr("性别 / 年龄", "Sex / age"), who or "—"),
        (tr("体检日期", "Exam date"), f"{data.exam_date:%Y-%m-%d}  {data.weekday}  {data.half_day}"),
        (tr("套餐", "Package"), data.package or tr("（单项）", "(single items)")),
    ]
    if data.organisation:
        rows.append((tr("单位", "Organisation"), data.organisation))
    if data.department:
        rows.append((tr("部门", "Department"), data.department))
    return rows


def _draw_cover(c: Canvas, data: BagCoverData) -> None:
    top = _TOP
    # Site and title on the left, the booking barcode on the right.
    barcode_w = code128_width(data.booking_no, _MODULE) + 20 * _MODULE
    text_w = _W - barcode_w - 4 * mm
    y = draw_lines(c, _X, top, wrap_text(data.site_name, 11, text_w, bold=True), 11, bold=True, color=GREY)
    draw_lines(c, _X, y - 1.5 * mm, [_title()], 22, bold=True)
    bottom = draw_barcode_with_digits(c, _RIGHT - barcode_w / 2, top, data.booking_no, _MODULE, _BAR_H, 11)
    draw_text(c, _RIGHT - barcode_w / 2, baseline(bottom, 8.5), tr("报到时扫描此条码", "Scan at check-in"), 8.5,
              align="centre", color=GREY)
    top = min(bottom - line_height(8.5), y - 1.5 * mm - line_height(22)) - 5 * mm
    hline(c, _X, _RIGHT, top, width=1.2, color=black)
    top -= 6 * mm
    # The name, large: the bag is found by it on a shelf of forty.
    name_lines = wrap_text(data.guest_name, 34, _W, bold=True)
    top = draw_lines(c, _X, top, name_lines, 34, bold=True) - 4 * mm
    # The facts table.
    rows = _facts(data)
    label_w = max(text_width(label, 11) for label, _ in rows) + 2 * _PAD
    value_w = _W - label_w - 2 * _PAD
    c.saveState()
    c.setStrokeColor(black)
    c.setLineWidth(0.6)
    for label, value in rows:
        lines = wrap_text(value, 13, value_w, bold=True)
        row_h = len(lines) * line_height(13) + 2 * _PAD
        c.setFillColor(LIGHT_FILL)
        c.rect(_X, top - row_h, label_w, row_h, stroke=0, fill=1)
        c.setFillColor(black)
        c.rect(_X, top - row_h, _W, row_h, stroke=1, fill=0)
        c.line(_X + label_w, top, _X + label_w, top - row_h)
        draw_text(c, _X + _PAD, baseline(top - _PAD - 1, 11), label, 11, color=GREY)
        draw_lines(c, _X + label_w + _PAD, top - _PAD, lines, 13, bold=True)
        top -= row_h
    c.restoreState()
    top -= 6 * mm
    if data.fasting:
        notice = tr("需空腹：前一晚 20:00 后禁食，采血及腹部彩超后再进食。",
                    "Fasting: nothing to eat after 20:00 the evening before; eat after the blood draw and "
                    "abdominal ultrasound.")
        lines = wrap_text(notice, 12, _W - 6 * mm, bold=True)
        box_h = len(lines) * line_height(12) + 5 * mm
        c.saveState()
        c.setLineWidth(1.4)
        c.rect(_X, top - box_h, _W, box_h, stroke=1, fill=0)
        c.restoreState()
        draw_lines(c, _X + 3 * mm, top - 2.5 * mm, lines, 12, bold=True)
        top -= box_h + 6 * mm
    # What is inside: a box to tick for each.
    draw_lines(c, _X, top, [tr("袋内资料（装袋时逐项打勾）", "Inside (tick each when filling the bag)")], 12.5, bold=True)
    top -= line_height(12.5) + 2 * mm
    box = 4.2 * mm
    for entry in data.contents:
        lines = wrap_text(entry, 11.5, _W - box - 4 * mm)
        c.saveState()
        c.setLineWidth(0.8)
        c.rect(_X, top - box - 0.6 * mm, box, box, stroke=1, fill=0)
        c.restoreState()
        top = draw_lines(c, _X + box + 3 * mm, top, lines, 11.5) - 2.2 * mm
    top -= 6 * mm
    draw_lines(c, _X, top, [tr("装袋人：__________    核对人：__________", "Filled by: __________    Checked by: "
                               "__________")], 11)
    # Footer: the bag's place in the batch.
    hline(c, _X, _RIGHT, 16 * mm, width=0.6, color=black)
    draw_text(c, _X, 11 * mm, tr("体检当天请携带身份证，将本资料袋交前台报到。", "On the day: bring your ID card and hand this "
                                 "bag in at the front desk."), 9, color=GREY)
    if data.sequence:
        draw_text(c, _RIGHT, 11 * mm, data.sequence, 9, align="right", color=GREY)


def render_bag_covers(covers: Sequence[BagCoverData]) -> bytes:
    """The covers as A4 PDF bytes, one page each, in the order given."""
    if not covers:
        raise ValueError("no covers to render")
    buffer = io.BytesIO()
    c = new_canvas(buffer, (_PAGE_W, _PAGE_H), f"{_title()} {covers[0].booking_no}")
    for data in covers:
        _draw_cover(c, data)
        c.showPage()
    c.save()
    return buffer.getvalue()


def render_bag_cover(data: BagCoverData) -> bytes:
    """One guest's cover as a one-page A4 PDF."""
    return render_bag_covers([data])
