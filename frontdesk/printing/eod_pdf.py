"""The end-of-day summary (日结报表) as an A4 PDF, with ReportLab platypus.

One ``EndOfDayReport`` (services/eod.py) in, one PDF out: the same object the
screen and the CSV/XLSX exports read, so every figure is the same number.

- Every page: site name, title, date, desk(s), who generated it and when,
  whether personal data is masked; at the foot "page x of y" (第 x 页 / 共 y 页,
  counted after layout by ``_NumberedCanvas``).
- Sections each only as long as they need: the day in numbers, two charts,
  packages / organisations / stations, money (by method and cashier with
  totals, refunds and voids with their approver, organisation accounts,
  add-ons, the cash drawer), specimens, reports, belongings; detail tables
  that are empty are left out, long ones continue on the next page with their
  header row repeated.
- A closed day: the signed figures and the corrections booked since.
- Signature lines for the supervisor and the cashier.
- A day without data: a short, valid report that says so.

Words are in the desk's language (i18n.language() when the PDF is made, or
the ``language`` asked for): a day closed in Chinese and printed later by a
desk in English gets English headings around the names as they were signed
(``report.language`` is the language of those names).  The bundled CJK font
has no Latin glyphs: text cells that are all Latin are plain table strings in
Helvetica (fast), anything else a ``_Text`` flowable drawn in runs of the two
fonts (receipt.draw_text).  ReportLab embeds TrueType fonts as subsets, so
the PDF carries only the glyphs it uses.  Money is formatted from Decimal
(format_amount: ¥1,234.50), never through float.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Flowable, Frame, KeepTogether, PageTemplate,
                                Table, TableStyle)

from frontdesk import i18n
from frontdesk.domain.money import format_amount
from frontdesk.printing import eod_charts
from frontdesk.printing.receipt import (GREY, LATIN_BOLD_FONT, LATIN_FONT, LIGHT_FILL, RULE_GREY, baseline,
                                        draw_text, font_runs, hline, line_height, text_width, wrap_text)
from frontdesk.services.eod import (CORRECTION_LATE, CORRECTION_REFUND, CORRECTION_VOID, EndOfDayReport,
                                   MoneyEvent)

PAGE_W, PAGE_H = 210 * mm, 297 * mm
MARGIN_X = 14 * mm
MARGIN_TOP = 30 * mm      # the page header sits above the frame
MARGIN_BOTTOM = 16 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X
BODY, TABLE, SMALL, HEADING, TITLE = 9.0, 8.0, 7.5, 11.5, 15.0
PAD = 1.6                 # table cell padding (points)
GRID = Color(0.72, 0.72, 0.72)
ZERO = Decimal("0.00")


class _Lang:
    """``tr`` for the language of one PDF, fixed when it starts (the desk may switch meanwhile)."""

    def __init__(self, language: str) -> None:
        self.en = language == "en"

    def __call__(self, zh: str, en: str, /, **values: object) -> str:
        text = en if self.en else zh
        return text.format(**values) if values else text


def _local(moment, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone().strftime(fmt) if moment else ""


def _money(value: Decimal | None) -> str:
    return "" if value is None else format_amount(value)


@lru_cache(maxsize=16384)
def _runs(text: str, bold: bool = False) -> tuple[tuple[str, str], ...]:
    """font_runs, remembered: a day's report repeats the same names, stations and words many times."""
    return tuple(font_runs(text, bold))


def _width(text: str, size: float, bold: bool = False) -> float:
    return sum(stringWidth(run, font, size) for font, run in _runs(text, bold))


def _latin_only(text: str) -> bool:
    return all(font in (LATIN_FONT, LATIN_BOLD_FONT) for font, _ in _runs(text))


# --------------------------------------------------------------------------
# Flowables


class _Text(Flowable):
    """Text wrapped to the width it is given, drawn in runs of the CJK font and Helvetica."""

    def __init__(self, text: str, size: float = BODY, *, bold: bool = False, align: str = "left",
                 color: Color = black, space_before: float = 0.0, space_after: float = 0.0) -> None:
        super().__init__()
        self.text, self.size, self.bold, self.align, self.color = text, size, bold, align, color
        self.spaceBefore, self.spaceAfter = space_before, space_after
        self._lines: list[str] = []
        self._for_width = -1.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if avail_width != self._for_width:  # tables ask again on every page split: keep the answer
            if "\n" not in self.text and _width(self.text, self.size, self.bold) <= avail_width:
                self._lines = [self.text]   # most cells: one line, no need to break words
            else:
                self._lines = wrap_text(self.text, self.size, avail_width, self.bold)
            self._for_width = avail_width
        self.width, self.height = avail_width, len(self._lines) * line_height(self.size)
        return self.width, self.height

    def draw(self) -> None:
        if self.bold:  # the CJK font's bold is a stroked outline: draw_text sets that up
            x = {"left": 0.0, "right": self.width, "centre": self.width / 2}[self.align]
            top = self.height
            for line in self._lines:
                draw_text(self.canv, x, baseline(top, self.size), line, self.size, bold=True, align=self.align,
                          color=self.color)
                top -= line_height(self.size)
            return
        # Plain text: every line in one text object (a table has thousands of these cells).
        text = self.canv.beginText()
        if self.color is not black:
            text.setFillColor(self.color)
        top = self.height
        for line in self._lines:
            x = 0.0
            if self.align != "left":
                width = _width(line, self.size)
                x = self.width - width if self.align == "right" else (self.width - width) / 2
            text.setTextOrigin(x, baseline(top, self.size))
            for font, run in _runs(line):
                text.setFont(font, self.size)
                text.textOut(run)
            top -= line_height(self.size)
        self.canv.drawText(text)


class _Heading(_Text):
    """A section heading with a rule under it, kept with what follows."""

    def __init__(self, text: str, size: float = HEADING) -> None:
        super().__init__(text, size, bold=True, space_before=5 * mm, space_after=1.5 * mm)
        self.keepWithNext = True

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        width, height = super().wrap(avail_width, avail_height)
        self.height = height + 1.5 * mm
        return width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.translate(0, 1.5 * mm)
        self.height -= 1.5 * mm
        try:
            super().draw()
        finally:
            self.height += 1.5 * mm
            self.canv.restoreState()
        hline(self.canv, 0, self.width, 0.6 * mm, width=0.8, color=GREY)


class _Box(Flowable):
    """A framed block of text lines (the no-data notice, the closed-day block's note)."""

    def __init__(self, lines: Sequence[tuple[str, bool]], size: float = BODY) -> None:
        super().__init__()
        self.items = [_Text(text, size, bold=bold) for text, bold in lines]
        self.spaceBefore, self.spaceAfter = 3 * mm, 2 * mm

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        inner = avail_width - 8 * mm
        self.width = avail_width
        self.height = sum(item.wrap(inner, avail_height)[1] for item in self.items) + 6 * mm
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setStrokeColor(black)
        c.setLineWidth(0.8)
        c.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        c.restoreState()
        top = self.height - 3 * mm
        for item in self.items:
            item.drawOn(c, 4 * mm, top - item.height)
            top -= item.height


class _Signatures(Flowable):
    """Signature lines: supervisor and cashier, with a date."""

    def __init__(self, labels: Sequence[str]) -> None:
        super().__init__()
        self.labels = labels
        self.spaceBefore = 8 * mm

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = avail_width, 14 * mm * ((len(self.labels) + 1) // 2)
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        half = self.width / 2
        for index, label in enumerate(self.labels):
            x = (index % 2) * half
            y = self.height - (index // 2 + 1) * 14 * mm + 4 * mm
            draw_text(c, x, y, label, BODY)
            hline(c, x + text_width(label, BODY) + 2 * mm, x + half - 6 * mm, y - 1.5, width=0.6, color=black)


# --------------------------------------------------------------------------
# Tables


def _cell(value: object, bold: bool = False, align: str = "left") -> object:
    """A table cell: a plain string when Helvetica can draw it all, else a ``_Text``."""
    if isinstance(value, Decimal):
        value = format_amount(value)
    text = "" if value is None else str(value)
    if _latin_only(text) and "\n" not in text:
        return text
    return _Text(text, TABLE, bold=bold, align=align)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float], *,
           right: Sequence[int] = (), total: Sequence[object] | None = None) -> Table:
    """A table spanning the content width, header row repeated on each page; ``right``: numeric columns.

    ``widths`` are relative; ``total`` is an optional last row set in bold over a rule.
    """
    scale = CONTENT_W / sum(widths)
    col_widths = [w * scale for w in widths]
    data = [[_cell(h, bold=True, align="right" if i in right else "left") for i, h in enumerate(headers)]]
    for row in rows:
        data.append([_cell(v, align="right" if i in right else "left") for i, v in enumerate(row)])
    if total is not None:
        data.append([_cell(v, bold=True, align="right" if i in right else "left") for i, v in enumerate(total)])
    style = [
        ("FONTNAME", (0, 0), (-1, -1), LATIN_FONT),
        ("FONTNAME", (0, 0), (-1, 0), LATIN_BOLD_FONT),
        ("FONTSIZE", (0, 0), (-1, -1), TABLE),
        ("LEADING", (0, 0), (-1, -1), line_height(TABLE)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), PAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT_FILL),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, GREY),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, GRID),
    ]
    for column in right:
        style.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
    if rows:  # never a header row alone at the foot of a page
        style.append(("NOSPLIT", (0, 0), (-1, 1)))
    if total is not None:
        style += [("FONTNAME", (0, -1), (-1, -1), LATIN_BOLD_FONT), ("LINEABOVE", (0, -1), (-1, -1), 0.8, black)]
        if rows:  # ...nor a total row alone at the top of one
            style.append(("NOSPLIT", (0, -2), (-1, -1)))
    table = Table(data, colWidths=col_widths, repeatRows=1, style=TableStyle(style), hAlign="LEFT")
    table.spaceBefore, table.spaceAfter = 1 * mm, 2 * mm
    return table


def _figures(pairs: Sequence[tuple[str, object]], columns: int = 2) -> Table:
    """Headline figures as label / value pairs, ``columns`` pairs to a row."""
    cells: list[list[object]] = []
    for start in range(0, len(pairs), columns):
        row: list[object] = []
        for label, value in pairs[start:start + columns]:
            row += [_cell(label), _cell(value, align="right")]
        row += [""] * (2 * columns - len(row))
        cells.append(row)
    widths = [CONTENT_W / columns * 0.64, CONTENT_W / columns * 0.36] * columns
    style = [
        ("FONTNAME", (0, 0), (-1, -1), LATIN_FONT),
        ("FONTSIZE", (0, 0), (-1, -1), BODY),
        ("LEADING", (0, 0), (-1, -1), line_height(BODY)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
    ]
    for column in range(1, 2 * columns, 2):
        style.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
        style.append(("RIGHTPADDING", (column, 0), (column, -1), 8))
    table = Table(cells, colWidths=widths, style=TableStyle(style), hAlign="LEFT")
    table.spaceBefore, table.spaceAfter = 1 * mm, 2 * mm
    return table


# --------------------------------------------------------------------------
# The document


class _Story:
    """Builds the flowables of one report."""

    def __init__(self, report: EndOfDayReport, language: str) -> None:
        self.r = report
        self.t = _Lang(language)

    def heading(self, text: str) -> list[Flowable]:
        """A section heading, on a new page unless the heading and a sub-heading's few rows fit below."""
        return [CondPageBreak(45 * mm), _Heading(text)]

    def sub(self, text: str) -> list[Flowable]:
        """A sub-heading, moved to the next page when fewer than a few rows of what follows would fit.

        (keepWithNext would hold a long table and its heading together and leave half a page empty.)
        """
        item = _Text(text, BODY + 0.5, bold=True, space_before=2.5 * mm, space_after=0.5 * mm)
        return [CondPageBreak(30 * mm), item]

    def flowables(self) -> list[Flowable]:
        r, t = self.r, self.t
        story: list[Flowable] = []
        if not r.has_data:
            story.append(_Box([(t("{d} 没有业务数据", "No activity on {d}", d=r.day.isoformat()), True),
                               (t("当日没有预约、到检、收费、标本、报告或寄存物品记录。",
                                  "No bookings, check-ins, money, specimens, reports or belongings were recorded "
                                  "that day."), False)]))
        else:
            story += self.numbers()
            story += self.charts()
            story += self.work()
            story += self.money()
            story += self.specimens()
            story += self.reports()
            story += self.belongings()
        story += self.closing()
        story.append(KeepTogether([_Signatures([t("主管签字：", "Supervisor: "), t("收费员签字：", "Cashier: "),
                                                t("日期：", "Date: "), t("日期：", "Date: ")])]))
        return story

    # -- sections ----------------------------------------------------------
    def numbers(self) -> list[Flowable]:
        n, t = self.r.numbers, self.t
        out: list[Flowable] = [*self.heading(t("一、当日概况", "1. The day in numbers")), _figures([
            (t("预约人数", "Booked"), n.booked), (t("到检人数", "Checked in"), n.checked_in),
            (t("未到（爽约）", "No-shows"), n.no_shows), (t("取消预约", "Bookings cancelled"), n.cancelled_bookings),
            (t("散客", "Walk-ins"), n.walk_ins), (t("预约到检", "Booked arrivals"), n.booked_arrivals),
            (t("团检", "Group"), n.group), (t("个人", "Individual"), n.individual),
            (t("已交单", "Handed in"), n.closed), (t("未交单", "Still open"), n.still_open),
            (t("已取消体检", "Cancelled visits"), n.cancelled_visits), (t("补检", "Make-up visits"), n.makeup_visits),
            (t("应检项目", "Items planned"), n.items_planned), (t("已检项目", "Items done"), n.items_done),
            (t("缓检项目", "Items deferred"), n.items_deferred), (t("弃检项目", "Items abandoned"), n.items_abandoned),
            (t("退项", "Items refunded"), n.items_refunded)])]
        if n.deferred:
            out += self.sub(t("缓检（按改约日期）", "Deferred items, by the date deferred to"))
            out.append(_table([t("缓检至", "Deferred to"), t("项目数", "Items"), t("人数", "Guests")],
                              [(d.deferred_to.isoformat(), d.items, d.visits) for d in n.deferred], [3, 2, 2],
                              right=(1, 2), total=(t("合计", "Total"), sum(d.items for d in n.deferred),
                                                   sum(d.visits for d in n.deferred))))
        if n.abandoned:
            out += self.sub(t("弃检及原因", "Abandoned items and reasons"))
            out.append(_table([t("体检号", "Visit"), t("姓名", "Name"), t("项目", "Item"), t("科室", "Station"),
                               t("原因", "Reason"), t("经办人", "Recorded by")],
                              [(a.visit_no, a.guest_name, a.item, a.station, a.reason, a.resolved_by)
                               for a in n.abandoned], [22, 14, 24, 18, 46, 16]))
        return out

    def charts(self) -> list[Flowable]:
        r, t = self.r, self.t
        out: list[Flowable] = []
        halves = r.check_ins_per_half_hour
        if any(h.check_ins for h in halves):
            out.append(CondPageBreak(80 * mm))
            out += self.sub(t("每半小时到检人数", "Check-ins per half hour"))
            out.append(eod_charts.check_ins_chart([h.start.strftime("%H:%M") for h in halves],
                                                  [h.check_ins for h in halves], CONTENT_W,
                                                  count_word=t("人数", "Check-ins")))
        stations = [s for s in r.items_per_station if s.planned or s.done]
        if stations:
            chart = eod_charts.station_chart([s.name for s in stations], [s.done for s in stations],
                                             [s.planned for s in stations], CONTENT_W,
                                             done_word=t("已检", "Done"), planned_word=t("应检", "Planned"))
            title = _Text(t("各科室项目数", "Items per station"), BODY + 0.5, bold=True, space_before=2.5 * mm,
                          space_after=0.5 * mm)
            out.append(KeepTogether([title, chart]))
        return out

    def work(self) -> list[Flowable]:
        r, t = self.r, self.t
        out: list[Flowable] = [*self.heading(t("二、套餐、单位与科室", "2. Packages, organisations and stations"))]
        if r.packages:
            out += self.sub(t("按套餐", "By package"))
            out.append(_table([t("编码", "Code"), t("套餐", "Package"), t("人数", "Visits"), t("团检", "Group"),
                               t("个人", "Individual"), t("应检项目", "Items planned"), t("已检项目", "Items done")],
                              [(p.code, p.name or t("无套餐", "No package"), p.visits, p.group_visits,
                                p.individual_visits, p.items_planned, p.items_done) for p in r.packages],
                              [14, 40, 12, 12, 14, 16, 16], right=(2, 3, 4, 5, 6),
                              total=(t("合计", "Total"), "", *(sum(getattr(p, f) for p in r.packages) for f in (
                                  "visits", "group_visits", "individual_visits", "items_planned", "items_done")))))
        if r.organisations:
            out += self.sub(t("按单位", "By organisation"))
            out.append(_table([t("单位", "Organisation"), t("人数", "Visits"), t("已交单", "Handed in"),
                               t("应检项目", "Items planned"), t("已检项目", "Items done")],
                              [(o.name, o.visits, o.closed, o.items_planned, o.items_done) for o in r.organisations],
                              [50, 12, 14, 16, 16], right=(1, 2, 3, 4),
                              total=(t("合计", "Total"), *(sum(getattr(o, f) for o in r.organisations) for f in (
                                  "visits", "closed", "items_planned", "items_done")))))
        if r.stations:
            out += self.sub(t("按科室：完成与接待能力", "By station: done against planned and capacity"))

            def share(value: Decimal | None) -> str:
                return "" if value is None else f"{(value * 100).quantize(Decimal('1'))}%"

            out.append(_table([t("科室", "Station"), t("应检", "Planned"), t("已检", "Done"), t("待检", "Pending"),
                               t("缓检", "Deferred"), t("弃检", "Abandoned"), t("完成率", "Done %"),
                               t("接待上限", "Capacity"), t("占上限", "Of capacity")],
                              [(s.name, s.planned, s.done, s.pending, s.deferred, s.abandoned,
                                share(s.done_share_of_planned), "" if s.capacity is None else s.capacity,
                                share(s.planned_share_of_capacity)) for s in r.stations],
                              [26, 11, 11, 11, 12, 14, 11, 12, 13], right=(1, 2, 3, 4, 5, 6, 7, 8)))
        return out

    def _events(self, events: Sequence[MoneyEvent]) -> Table:
        t = self.t
        rows = []
        for e in events:
            receipt = e.receipt_no if e.original_receipt_no in ("", e.receipt_no) else \
                f"{e.receipt_no}\n{t('原', 'of')} {e.original_receipt_no}"
            rows.append((receipt, e.visit_no, e.guest_name, _local(e.at, "%H:%M"), e.amount, e.methods,
                         e.approved_by_name or e.approved_by, e.reason,
                         e.corrects_closed_day.isoformat() if e.corrects_closed_day else ""))
        return _table([t("收据号", "Receipt"), t("体检号", "Visit"), t("姓名", "Name"), t("时间", "Time"),
                       t("金额", "Amount"), t("方式", "Methods"), t("批准人", "Approved by"), t("原因", "Reason"),
                       t("更正已日结日", "Corrects closed day")],
                      rows, [26, 19, 12, 9, 17, 24, 14, 30, 17], right=(4,),
                      total=(t("合计", "Total"), "", "", "", sum((e.amount for e in events), ZERO), "", "", "", ""))

    def money(self) -> list[Flowable]:
        r, t = self.r, self.t
        m = r.money
        out: list[Flowable] = [*self.heading(t("三、收费", "3. Money")), _figures([
            (t("收费合计", "Gross takings"), m.gross), (t("收费收据", "Charge receipts"), m.charge_receipts),
            (t("退费合计", "Refunds"), m.refunds), (t("退费收据", "Refund receipts"), m.refund_receipts),
            (t("作废合计", "Voids"), m.voids), (t("作废收据", "Voided receipts"), m.void_count),
            (t("净收入", "Net"), m.net), (t("增项合计", "Add-ons"), m.addons_total)])]
        if m.by_method:
            out += self.sub(t("按支付方式", "By payment method"))
            out.append(_table([t("方式", "Method"), t("收费", "Charges"), t("退费", "Refunds"), t("作废", "Voids"),
                               t("净额", "Net")],
                              [(x.label, x.charges, x.refunds, x.voids, x.net) for x in m.by_method],
                              [30, 20, 20, 20, 20], right=(1, 2, 3, 4),
                              total=(t("合计", "Total"), *(sum((getattr(x, f) for x in m.by_method), ZERO)
                                                          for f in ("charges", "refunds", "voids", "net")))))
        if m.by_cashier:
            out += self.sub(t("按收费员", "By cashier"))
            out.append(_table([t("收费员", "Cashier"), t("收据", "Receipts"), t("收费", "Charges"),
                               t("退费", "Refunds"), t("作废", "Voids"), t("净额", "Net"), t("现金净额", "Cash net")],
                              [(f"{x.display_name} ({x.username})" if x.display_name else x.username, x.receipts,
                                x.charges, x.refunds, x.voids, x.net, x.cash_net) for x in m.by_cashier],
                              [30, 11, 17, 17, 17, 17, 17], right=(1, 2, 3, 4, 5, 6),
                              total=(t("合计", "Total"), sum(x.receipts for x in m.by_cashier),
                                     *(sum((getattr(x, f) for x in m.by_cashier), ZERO)
                                       for f in ("charges", "refunds", "voids", "net", "cash_net")))))
        if m.refund_events:
            out += self.sub(t("退费明细（批准人）", "Refunds, with who approved each"))
            out.append(self._events(m.refund_events))
        if m.void_events:
            out += self.sub(t("作废明细（批准人）", "Voids, with who approved each"))
            out.append(self._events(m.void_events))
        if m.org_accounts:
            out += self.sub(t("单位记账（按单位）", "Organisation-account charges, by organisation"))
            out.append(_table([t("单位", "Organisation"), t("人数", "Visits"), t("记账", "Charges"),
                               t("退回", "Refunds"), t("作废", "Voids"), t("净额", "Net")],
                              [(o.name, o.visits, o.charges, o.refunds, o.voids, o.net) for o in m.org_accounts],
                              [40, 10, 17, 17, 17, 17], right=(1, 2, 3, 4, 5),
                              total=(t("合计", "Total"), sum(o.visits for o in m.org_accounts),
                                     *(sum((getattr(o, f) for o in m.org_accounts), ZERO)
                                       for f in ("charges", "refunds", "voids", "net")))))
        if m.addons:
            out += self.sub(t("增项", "Add-ons"))
            out.append(_table([t("项目", "Item"), t("次数", "Count"), t("金额", "Amount")],
                              [(a.item, a.count, a.amount) for a in m.addons], [50, 15, 20], right=(1, 2),
                              total=(t("合计", "Total"), sum(a.count for a in m.addons), m.addons_total)))
        cash = m.cash
        difference = ""
        if cash.difference is not None:
            word = (t("长款", "over") if cash.difference > 0 else t("短款", "short")) if cash.difference else \
                t("相符", "agrees")
            difference = f"{_money(cash.difference)} ({word})" if t.en else \
                f"{_money(cash.difference)}（{word}）"
        out += self.sub(t("钱箱现金", "Cash in the drawer"))
        out.append(_figures([(t("应有现金", "Cash expected"), cash.expected),
                             (t("实点现金", "Cash counted"), _money(cash.counted) or t("未点钞", "not counted")),
                             (t("差额（实点－应有）", "Difference (counted - expected)"), difference or "-")], 1))
        return out

    def specimens(self) -> list[Flowable]:
        s, t = self.r.specimens, self.t
        out: list[Flowable] = [*self.heading(t("四、标本", "4. Specimens")), _figures([
            (t("打印标签张数", "Labels printed"), s.labels_printed), (t("补打次数", "Reprints"), len(s.reprints)),
            (t("标本数", "Specimens"), s.specimens), (t("已采集", "Collected"), s.collected),
            (t("已送检", "Sent to the lab"), s.sent), (t("已取消", "Cancelled"), s.cancelled),
            (t("未采集", "Still pending"), s.pending)])]
        if s.pending_by_tube:
            out += self.sub(t("未采集（按容器）", "Still pending, by tube type"))
            out.append(_table([t("编码", "Code"), t("容器", "Tube"), t("数量", "Count")],
                              [(x.code, x.tube, x.count) for x in s.pending_by_tube], [15, 50, 15], right=(2,),
                              total=(t("合计", "Total"), "", s.pending)))
        if s.reprints:
            out += self.sub(t("标签补打（谁、为何）", "Label reprints: who and why"))
            out.append(_table([t("条码号", "Barcode"), t("体检号", "Visit"), t("容器", "Tube"), t("时间", "Time"),
                               t("补打人", "By"), t("第几次", "No."), t("说明", "Why")],
                              [(x.barcode, x.visit_no, x.tube, _local(x.at, "%H:%M"), x.by_name or x.by,
                                x.reprint_no, x.why) for x in s.reprints], [22, 20, 20, 9, 14, 8, 40], right=(5,)))
        return out

    def reports(self) -> list[Flowable]:
        p, t = self.r.reports, self.t
        pairs: list[tuple[str, object]] = [(t("收到报告", "Reports received"), p.received),
                                           (t("发出报告", "Reports handed out"), p.handed_out_total)]
        pairs += [(f"  {h.label}", h.count) for h in p.handed_out]
        pairs.append((t("超过 {n} 天未领", "Uncollected over {n} days", n=p.uncollected_days), len(p.uncollected)))
        out: list[Flowable] = [*self.heading(t("五、报告", "5. Reports")), _figures(pairs)]
        if p.uncollected:
            out += self.sub(t("超过 {n} 天未领的报告", "Reports waiting more than {n} days", n=p.uncollected_days))
            out.append(_table([t("体检号", "Visit"), t("姓名", "Name"), t("证件号", "ID number"), t("电话", "Phone"),
                               t("体检日期", "Exam date"), t("到达日期", "Received"), t("已等天数", "Days")],
                              [(u.visit_no, u.guest_name, u.id_number, u.phone, u.visit_date.isoformat(),
                                u.received_on.isoformat(), u.days_waiting) for u in p.uncollected],
                              [20, 13, 30, 18, 16, 16, 10], right=(6,)))
        return out

    def belongings(self) -> list[Flowable]:
        b, t = self.r.belongings, self.t
        out: list[Flowable] = [*self.heading(t("六、未归还寄存物品", "6. Belongings not returned"))]
        if not b:
            out.append(_Text(t("无", "None"), BODY))
            return out
        out.append(_table([t("牌号", "Tag"), t("体检号", "Visit"), t("姓名", "Name"), t("物品", "Description"),
                           t("寄存时间", "Stored at"), t("经办人", "Stored by")],
                          [(x.tag_no, x.visit_no, x.guest_name, x.description, _local(x.stored_at, "%H:%M"),
                            x.stored_by) for x in b], [10, 20, 13, 45, 12, 15]))
        return out

    def closing(self) -> list[Flowable]:
        r, t = self.r, self.t
        cl = r.closing
        if not cl.closed:
            return [_Box([(t("本日尚未日结：以上为生成时的数据，日结后以签字数据为准。",
                             "This day is not closed yet: the figures are as of the time printed above; once the "
                             "day is closed its signed figures apply."), False)], SMALL + 0.5)]
        scope = t("全院", "whole site") if cl.scope == "site" or not cl.desk else cl.desk
        out: list[Flowable] = [*self.heading(t("日结（已签字数据）", "Closed day: the signed figures"))]
        lines = [(t("{d} 已日结（{s}），日结人 {who}，时间 {at}", "{d} closed ({s}) by {who} at {at}",
                    d=r.day.isoformat(), s=scope, who=cl.closed_by_name or cl.closed_by, at=_local(cl.closed_at)),
                  True)]
        if cl.signed_figures:
            lines.append((t("本报表各项数据为日结时保存的签字数据；其后的更改列为更正，不改变签字数据。",
                            "Every figure in this report is as it was signed when the day was closed; later changes "
                            "are listed as corrections and do not change the signed figures."), False))
        else:
            lines.append((t("全院已日结：本前台数据为当前数据。", "The whole site is closed: this desk's figures are "
                            "as of now."), False))
        out.append(_Box(lines))
        out.append(_figures([(t("应有现金", "Cash expected"), _money(cl.cash_expected)),
                             (t("实点现金", "Cash counted"), _money(cl.cash_counted)),
                             (t("现金差额", "Cash difference"), _money(cl.cash_difference)),
                             (t("签字净收入", "Signed net"), r.money.net)]))
        out += self.sub(t("日结后更正（{n} 笔）", "Corrections since closing ({n})", n=len(cl.corrections)))
        if not cl.corrections:
            out.append(_Text(t("无", "None"), BODY))
            return out
        kinds = {CORRECTION_VOID: t("作废", "Void"), CORRECTION_REFUND: t("退费", "Refund"),
                 CORRECTION_LATE: t("日结后补录", "Entered after closing")}
        out.append(_table([t("类型", "Kind"), t("发生日", "Booked on"), t("收据号", "Receipt"), t("体检号", "Visit"),
                           t("金额", "Amount"), t("其中现金", "Of it cash"), t("经办人", "By"), t("原因", "Reason")],
                          [(kinds.get(c.kind, c.kind), f"{c.booked_on.isoformat()} {_local(c.at, '%H:%M')}",
                            c.receipt_no if c.original_receipt_no in ("", c.receipt_no)
                            else f"{c.receipt_no}\n{t('原', 'of')} {c.original_receipt_no}",
                            c.visit_no, c.amount, c.cash_amount, c.by_name or c.by, c.reason)
                           for c in cl.corrections], [13, 20, 26, 19, 17, 17, 14, 30], right=(4, 5),
                          total=(t("合计", "Total"), "", "", "", cl.corrections_total,
                                 sum((c.cash_amount for c in cl.corrections), ZERO), "", "")))
        out.append(_figures([(t("签字净收入＋更正", "Signed net + corrections"),
                              r.money.net + cl.corrections_total)], 1))
        return out


# --------------------------------------------------------------------------
# Pages


def _page_header(report: EndOfDayReport, t: _Lang) -> Callable[[Canvas, BaseDocTemplate], None]:
    desks = report.desk or t("全院", "whole site")
    if not report.desk and report.desks:
        desks += ("（" if not t.en else " (") + ("、" if not t.en else ", ").join(report.desks) + \
            ("）" if not t.en else ")")
    title = t("日结报表", "End-of-day report")
    line1 = t("日期：{d}　　前台：{k}", "Date: {d}    Desk: {k}", d=report.day.isoformat(), k=desks)
    line2 = t("生成：{who}　{at}", "Generated by {who} at {at}", who=report.generated_by_name or report.generated_by,
              at=_local(report.generated_at))
    masked = t("个人信息已遮盖", "Personal data masked") if report.masked else \
        t("未遮盖版本：含完整个人信息，仅限内部", "UNMASKED: full personal data, internal use only")
    closed = t("已日结", "Closed") if report.closing.closed else t("未日结", "Not closed")

    def draw(c: Canvas, doc: BaseDocTemplate) -> None:
        left, right = MARGIN_X, PAGE_W - MARGIN_X
        top = PAGE_H - 10 * mm
        draw_text(c, left, top, report.site_name, 12, bold=True)
        draw_text(c, right, top, title, TITLE, bold=True, align="right")
        draw_text(c, left, top - 6 * mm, line1, BODY)
        draw_text(c, right, top - 6 * mm, closed, BODY, bold=True, align="right")
        draw_text(c, left, top - 11 * mm, line2, SMALL, color=GREY)
        draw_text(c, right, top - 11 * mm, masked, SMALL, bold=not report.masked, align="right",
                  color=GREY if report.masked else black)
        hline(c, left, right, top - 13.5 * mm, width=1.0, color=black)

    return draw


def _numbered_canvas(footer: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """A canvas that holds its pages until the end, then stamps "page x of y" on each."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            kwargs.setdefault("invariant", 1)
            kwargs.setdefault("pageCompression", 1)
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                footer(self, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def _footer(report: EndOfDayReport, t: _Lang) -> Callable[[Canvas, int, int], None]:
    left_text = f"{report.site_name}  {t('日结报表', 'End-of-day report')} {report.day.isoformat()}"

    def draw(c: Canvas, page: int, pages: int) -> None:
        y = MARGIN_BOTTOM / 2
        hline(c, MARGIN_X, PAGE_W - MARGIN_X, y + 4 * mm, width=0.4, color=RULE_GREY)
        draw_text(c, MARGIN_X, y, left_text, SMALL, color=GREY)
        draw_text(c, PAGE_W - MARGIN_X, y, t("第 {x} 页 / 共 {y} 页", "Page {x} of {y}", x=page, y=pages), SMALL,
                  align="right")

    return draw


def _render(report: EndOfDayReport, stream: BinaryIO, language: str) -> None:
    t = _Lang(language)
    doc = BaseDocTemplate(stream, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                          topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
                          title=f"{t('日结报表', 'End-of-day report')} {report.day.isoformat()}",
                          author=report.generated_by_name or report.generated_by, creator="FrontDesk")
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, CONTENT_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame], onPage=_page_header(report, t))])
    story = _Story(report, language).flowables()
    doc.build(story, canvasmaker=_numbered_canvas(_footer(report, t)))


def render_eod_pdf(report: EndOfDayReport, out: str | os.PathLike | BinaryIO, *, language: str | None = None) -> None:
    """Write the report as an A4 PDF to ``out``: a binary stream, or a file path.

    ``language`` ("zh" or "en") of the headings and words; the desk's current
    language by default.  A path is written under a temporary name beside it
    and renamed into place when complete, so a failure never leaves half a PDF
    under that name.
    """
    language = language or i18n.language()
    if hasattr(out, "write"):
        _render(report, out, language)  # type: ignore[arg-type]
        return
    path = Path(out)
    buffer = io.BytesIO()
    _render(report, buffer, language)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(buffer.getvalue())
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


__all__ = ["render_eod_pdf"]
