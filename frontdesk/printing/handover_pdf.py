"""The lab hand-over list (标本送检单) as an A4 PDF.

One list per hand-over number: who sent what when, the specimens grouped
by tube type with counts, and a line per specimen with its barcode drawn as
Code 128 (so the lab can scan the paper if a label is damaged), the visit
number, the guest's masked name and the tests.  Signatures at the end.

Text, bars and pagination use the shared helpers in ``receipt`` (one
run-splitter for the bundled CJK font, one Code 128 drawer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from frontdesk.i18n import tr
from frontdesk.printing.receipt import (GREY, LIGHT_FILL, Block, barcode_block_height, baseline, code128_width,
                                        draw_barcode_with_digits, draw_lines, draw_text, hline, line_height,
                                        draw_pages, paginate, text_width, wrap_text)

PAGE_W, PAGE_H = 210 * mm, 297 * mm
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 15 * mm, 14 * mm, 16 * mm
BODY, SMALL, TITLE, SITE = 9.5, 8.0, 18.0, 12.0
#: Bars on the list: 0.3 mm modules, 8 mm high (a 12-digit code is 101 modules, about 30 mm).
MODULE, BAR_HEIGHT = 0.3 * mm, 8 * mm
HEADER_MODULE, HEADER_BAR_HEIGHT = 0.33 * mm, 10 * mm


@dataclass(frozen=True)
class HandoverLine:
    barcode: str
    visit_no: str
    guest_name: str  # masked by the caller
    tests: tuple[str, ...]
    collected_at: datetime | None


@dataclass(frozen=True)
class HandoverGroup:
    tube_name: str
    cap_colour: str
    lines: tuple[HandoverLine, ...]


@dataclass(frozen=True)
class HandoverData:
    site_name: str
    handover_no: str
    sent_at: datetime  # timezone-aware; printed in local time
    sent_by: str
    desk: str
    groups: tuple[HandoverGroup, ...]

    def __post_init__(self) -> None:
        if self.sent_at.tzinfo is None or self.sent_at.utcoffset() is None:
            raise ValueError("HandoverData.sent_at must be timezone-aware")

    @property
    def total(self) -> int:
        return sum(len(g.lines) for g in self.groups)


def _local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone().strftime(fmt) if moment else ""


class _Layout:
    def __init__(self, data: HandoverData) -> None:
        self.d = data
        self.x = MARGIN_X
        self.w = PAGE_W - 2 * MARGIN_X
        self.right = self.x + self.w
        # Columns: number, barcode, visit, name, tests, collected at.
        widths = [8 * mm, 44 * mm, 30 * mm, 20 * mm, 0.0, 20 * mm]
        widths[4] = self.w - sum(widths)
        self.cols = []
        x = self.x
        for width in widths:
            self.cols.append((x, width))
            x += width

    # -- blocks ----------------------------------------------------------
    def blocks(self) -> list[Block]:
        blocks = [self._header(), self._summary()]
        header = self._table_header()
        header.keep_with_next = True
        blocks.append(header)
        number = 0
        for group in self.d.groups:
            heading = self._group_heading(group, continued=False, repeat=header)
            heading.keep_with_next = True
            blocks.append(heading)
            cont = self._group_heading(group, continued=True, repeat=None)
            continued = Block(header.height + cont.height, lambda c, top, h=header, g=cont: (h.draw(c, top),
                                                                                          g.draw(c, top - h.height)))
            for line in group.lines:
                number += 1
                blocks.append(self._row(number, line, continued))
        blocks.append(self._signatures())
        return blocks

    def _header(self) -> Block:
        d = self.d
        site_lines = wrap_text(d.site_name, SITE, self.w, bold=True)
        title = tr("标本送检单", "Specimen hand-over list")
        fields = [
            (tr("送检单号：", "Hand-over no.: "), d.handover_no),
            (tr("送检时间：", "Sent at: "), _local(d.sent_at)),
            (tr("送检人：", "Sent by: "), d.sent_by),
            (tr("工作站：", "Desk: "), d.desk or "-"),
            (tr("标本数：", "Specimens: "), tr("{n} 管", "{n}", n=d.total)),
        ]
        label_w = max(text_width(label, BODY) for label, _ in fields)
        bar_block_w = code128_width(d.handover_no, HEADER_MODULE) + 20 * HEADER_MODULE
        fields_h = len(fields) * line_height(BODY)
        bar_h = barcode_block_height(HEADER_BAR_HEIGHT, SMALL)
        top_h = len(site_lines) * line_height(SITE) + line_height(TITLE) + 2 * mm
        height = top_h + max(fields_h, bar_h) + 3 * mm

        def draw(c: Canvas, top: float) -> None:
            centre = self.x + self.w / 2
            y = draw_lines(c, centre, top, site_lines, SITE, bold=True, align="centre")
            draw_text(c, centre, baseline(y, TITLE), title, TITLE, bold=True, align="centre")
            y = top - top_h
            for label, value in fields:
                draw_text(c, self.x, baseline(y, BODY), label, BODY, color=GREY)
                draw_text(c, self.x + label_w, baseline(y, BODY), value, BODY, bold=label == fields[0][0])
                y -= line_height(BODY)
            draw_barcode_with_digits(c, self.right - bar_block_w / 2, top - top_h, d.handover_no, HEADER_MODULE,
                                     HEADER_BAR_HEIGHT, SMALL)
            hline(c, self.x, self.right, top - height + 1 * mm, width=0.8, color=GREY)

        return Block(height, draw)

    def _summary(self) -> Block:
        parts = [tr("{cap} {tube} × {n}", "{tube} ({cap}) × {n}", cap=g.cap_colour, tube=g.tube_name, n=len(g.lines))
                 for g in self.d.groups]
        text = tr("按容器汇总：", "By container: ") + "；".join(parts) + tr("；合计 {n} 管", "; total {n}", n=self.d.total)
        lines = wrap_text(text, BODY, self.w, bold=True)
        height = len(lines) * line_height(BODY) + 3 * mm

        def draw(c: Canvas, top: float) -> None:
            draw_lines(c, self.x, top - 1 * mm, lines, BODY, bold=True)

        return Block(height, draw)

    def _table_header(self) -> Block:
        pad = 1.2 * mm
        height = line_height(BODY) + 2 * pad
        names = [tr("序号", "No."), tr("标本条码", "Specimen barcode"), tr("体检号", "Visit"), tr("姓名", "Name"),
                 tr("检验项目", "Tests"), tr("采集时间", "Collected")]

        def draw(c: Canvas, top: float) -> None:
            hline(c, self.x, self.right, top, width=0.8, color=GREY)
            for index, ((x, width), name) in enumerate(zip(self.cols, names)):
                if index == 1:  # over the bars, which are centred in their column
                    draw_text(c, x + width / 2, baseline(top - pad, BODY), name, BODY, bold=True, align="centre")
                else:
                    draw_text(c, x + 1 * mm, baseline(top - pad, BODY), name, BODY, bold=True)
            hline(c, self.x, self.right, top - height, width=0.5)

        return Block(height, draw)

    def _group_heading(self, group: HandoverGroup, *, continued: bool, repeat: Block | None) -> Block:
        text = tr("{tube}（{cap}）　共 {n} 管", "{tube} ({cap}): {n}", tube=group.tube_name, cap=group.cap_colour,
                  n=len(group.lines))
        if continued:
            text += tr("（续）", " (continued)")
        pad = 1.2 * mm
        height = line_height(BODY + 1) + 2 * pad

        def draw(c: Canvas, top: float) -> None:
            c.saveState()
            c.setFillColor(LIGHT_FILL)
            c.rect(self.x, top - height, self.w, height, stroke=0, fill=1)
            c.restoreState()
            draw_text(c, self.x + 1 * mm, baseline(top - pad, BODY + 1), text, BODY + 1, bold=True)

        return Block(height, draw, repeat=repeat)

    def _row(self, number: int, line: HandoverLine, repeat: Block) -> Block:
        pad = 1.5 * mm
        (nx, _), (bx, bw), (vx, vw), (gx, _), (tx, tw), (cx, _) = self.cols
        tests = wrap_text(" ".join(line.tests), BODY, tw - 2 * mm)
        visit = wrap_text(line.visit_no, BODY, vw - 2 * mm)
        bar_h = barcode_block_height(BAR_HEIGHT, SMALL)
        height = max(bar_h, len(tests) * line_height(BODY), len(visit) * line_height(BODY)) + 2 * pad

        def draw(c: Canvas, top: float) -> None:
            y = top - pad
            draw_text(c, nx + 1 * mm, baseline(y, BODY), str(number), BODY)
            draw_barcode_with_digits(c, bx + bw / 2, y, line.barcode, MODULE, BAR_HEIGHT, SMALL)
            draw_lines(c, vx + 1 * mm, y, visit, BODY)
            draw_text(c, gx + 1 * mm, baseline(y, BODY), line.guest_name, BODY)
            draw_lines(c, tx + 1 * mm, y, tests, BODY)
            draw_text(c, cx + 1 * mm, baseline(y, BODY), _local(line.collected_at, "%m-%d %H:%M"), BODY)
            hline(c, self.x, self.right, top - height, width=0.3, dash=(1, 1.5))

        return Block(height, draw, repeat=repeat)

    def _signatures(self) -> Block:
        labels = [tr("送检人签名：", "Sent by (signature): "), tr("接收人签名：", "Received by (signature): "),
                  tr("接收时间：", "Received at: ")]
        height = 16 * mm

        def draw(c: Canvas, top: float) -> None:
            y = baseline(top - 9 * mm, BODY)
            x = self.x
            step = self.w / len(labels)
            for label in labels:
                draw_text(c, x, y, label, BODY)
                start = x + text_width(label, BODY) + 1 * mm
                hline(c, start, x + step - 4 * mm, y - 1.2, width=0.6, color=GREY)
                x += step

        return Block(height, draw)

    def draw_footer(self, c: Canvas, page: int, pages: int) -> None:
        text = tr("送检单 {no}　第 {page} / {pages} 页", "Hand-over {no}   page {page} of {pages}",
                  no=self.d.handover_no, page=page, pages=pages)
        draw_text(c, self.x + self.w / 2, MARGIN_BOTTOM / 2, text, SMALL, align="centre", color=GREY)


def render_handover_pdf(data: HandoverData) -> bytes:
    """The hand-over list as A4 PDF bytes; long lists continue on more pages with the column header repeated."""
    layout = _Layout(data)
    first_top = PAGE_H - MARGIN_TOP
    pages = paginate(layout.blocks(), first_top, first_top, MARGIN_BOTTOM)
    return draw_pages((PAGE_W, PAGE_H), f"{tr('标本送检单', 'Specimen hand-over list')} {data.handover_no}", pages,
                      layout.draw_footer)
