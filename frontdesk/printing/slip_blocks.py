"""The blocks the guest's slips are made of (booking slip, deferral slip, the guide sheet's header).

A slip is a header (site, title, the slip's barcode), a grid of facts, a
numbered table, boxed instructions and a footer with who issued it and the
page number. Each slip keeps its own wording and columns; this module keeps
the drawing, so the slips look alike and a fix to one reaches them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib.colors import black
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from frontdesk.i18n import tr
from frontdesk.printing.receipt import (GREY, LIGHT_FILL, Block, barcode_block_height, baseline, code128_width,
                                        draw_barcode_with_digits, draw_lines, draw_text, hline, line_height,
                                        draw_pages, paginate, text_width, wrap_text)


@dataclass(frozen=True)
class SlipPage:
    """The page a slip is laid out on: size, margins, type sizes and the barcode's module."""

    size: tuple[float, float]
    margin_x: float
    margin_top: float
    footer_h: float          # reserved at the bottom of every page
    body: float = 9.5
    small: float = 8
    module: float = 0.3 * mm
    bar_h: float = 12 * mm
    pad: float = 1.5 * mm

    @property
    def x(self) -> float:
        return self.margin_x

    @property
    def w(self) -> float:
        return self.size[0] - 2 * self.margin_x

    @property
    def right(self) -> float:
        return self.x + self.w


def header(page: SlipPage, site_name: str, title: str, code: str, *, site_size: float = 10,
           title_size: float = 17, gap: float = 3 * mm) -> Block:
    """Site name and title on the left, the code's barcode with its digits on the right."""
    barcode_w = code128_width(code, page.module) + 20 * page.module
    text_w = page.w - barcode_w - gap
    site_lines = wrap_text(site_name, site_size, text_w, bold=True)
    title_lines = wrap_text(title, title_size, text_w, bold=True)
    text_h = len(site_lines) * line_height(site_size) + 1 * mm + len(title_lines) * line_height(title_size)
    height = max(text_h, barcode_block_height(page.bar_h, page.body)) + 3 * mm

    def draw(c: Canvas, top: float) -> None:
        y = draw_lines(c, page.x, top, site_lines, site_size, bold=True, color=GREY)
        draw_lines(c, page.x, y - 1 * mm, title_lines, title_size, bold=True)
        draw_barcode_with_digits(c, page.right - barcode_w / 2, top, code, page.module, page.bar_h, page.body)

    return Block(height, draw)


def facts(page: SlipPage, rows: Sequence[tuple[str, str]], *, value_size: float = 10.5,
          space_after: float = 2 * mm) -> Block:
    """A bordered grid of label / value rows, the values bold and wrapped to the width."""
    pad = page.pad
    label_w = max(text_width(label, page.body) for label, _ in rows) + 2 * pad
    value_w = page.w - label_w - 2 * pad
    wrapped = [(label, wrap_text(value, value_size, value_w, bold=True)) for label, value in rows]
    heights = [len(lines) * line_height(value_size) + 2 * pad for _, lines in wrapped]
    height = sum(heights) + space_after

    def draw(c: Canvas, top: float) -> None:
        x, w, y = page.x, page.w, top
        c.saveState()
        c.setStrokeColor(black)
        c.setLineWidth(0.5)
        for (label, lines), row_h in zip(wrapped, heights):
            c.setFillColor(LIGHT_FILL)
            c.rect(x, y - row_h, label_w, row_h, stroke=0, fill=1)
            c.rect(x, y - row_h, w, row_h, stroke=1, fill=0)
            c.line(x + label_w, y, x + label_w, y - row_h)
            draw_text(c, x + pad, baseline(y - pad, value_size), label, page.body, color=GREY)
            draw_lines(c, x + label_w + pad, y - pad, lines, value_size, bold=True)
            y -= row_h
        c.restoreState()

    return Block(height, draw)


def table_header(page: SlipPage, columns: Sequence[tuple[str, float]]) -> Block:
    """The shaded header row of a numbered table: (title, width) per column; it repeats on every page."""
    height = line_height(page.body) + 2 * page.pad

    def draw(c: Canvas, top: float) -> None:
        c.saveState()
        c.setFillColor(LIGHT_FILL)
        c.setStrokeColor(black)
        c.setLineWidth(0.6)
        c.rect(page.x, top - height, page.w, height, stroke=1, fill=1)
        c.restoreState()
        x = page.x
        for title, width in columns:
            draw_text(c, x + width / 2, baseline(top - page.pad, page.body), title, page.body, bold=True,
                      align="centre")
            x += width

    return Block(height, draw, keep_with_next=True)


def table_row(page: SlipPage, number: int, number_w: float, cells: Sequence[tuple[str, float, bool]],
              repeat: Block) -> Block:
    """A numbered row: the number, then each (text, column width, bold) wrapped in its column."""
    size, pad = page.body, page.pad
    laid = [(wrap_text(text, size, width - 2 * pad, bold=bold), bold) for text, width, bold in cells]
    height = max(len(lines) for lines, _ in laid) * line_height(size) + 2 * pad
    lefts = [page.x + number_w]  # each cell's left edge
    for _, width, _ in cells[:-1]:
        lefts.append(lefts[-1] + width)

    def draw(c: Canvas, top: float) -> None:
        c.saveState()
        c.setStrokeColor(black)
        c.setLineWidth(0.5)
        c.rect(page.x, top - height, page.w, height, stroke=1, fill=0)
        for left in lefts:
            c.line(left, top, left, top - height)
        c.restoreState()
        draw_text(c, page.x + number_w / 2, baseline(top - pad, size), str(number), size, align="centre")
        for (lines, bold), left in zip(laid, lefts):
            draw_lines(c, left + pad, top - pad, lines, size, bold=bold)

    return Block(height, draw, repeat=repeat)


def notice_box(page: SlipPage, heading: str, texts: Sequence[str], *, bold_first: bool = False,
               space_above: float = 2 * mm) -> Block:
    """A rounded, shaded box: a heading and bulleted lines (the first in bold when it matters most)."""
    size = page.body
    bullet = "•"
    indent = text_width(bullet + " ", size) + 0.5 * mm
    inner_w = page.w - 6 * mm - indent
    entries = [(wrap_text(text, size, inner_w, bold=(i == 0 and bold_first)), i == 0 and bold_first)
               for i, text in enumerate(texts)]
    body_h = sum(len(lines) for lines, _ in entries) * line_height(size) + max(len(entries) - 1, 0) * 0.8 * mm
    box_h = 2.5 * mm + line_height(10.5) + 1 * mm + body_h + 2.5 * mm
    height = box_h + space_above + 0.5 * mm

    def draw(c: Canvas, top: float) -> None:
        top -= space_above
        c.saveState()
        c.setFillColor(LIGHT_FILL)
        c.setStrokeColor(black)
        c.setLineWidth(0.8)
        c.roundRect(page.x, top - box_h, page.w, box_h, 2 * mm, stroke=1, fill=1)
        c.restoreState()
        x = page.x + 3 * mm
        y = draw_lines(c, x, top - 2.5 * mm, [heading], 10.5, bold=True) - 1 * mm
        for lines, bold in entries:
            draw_text(c, x, baseline(y, size), bullet, size, bold=bold)
            y = draw_lines(c, x + indent, y, lines, size, bold=bold) - 0.8 * mm

    return Block(height, draw)


def footer(page: SlipPage, issued: str) -> Callable[[Canvas, int, int], None]:
    """A rule, who issued the slip on the left and "page x of y" on the right."""
    def draw(c: Canvas, number: int, pages: int) -> None:
        rule_y = page.footer_h - 3 * mm
        hline(c, page.x, page.right, rule_y, width=0.6, color=black)
        y = rule_y - 4.5 * mm
        draw_text(c, page.x, y, issued, page.small, color=GREY)
        draw_text(c, page.right, y, tr("第 {page} / {pages} 页", "Page {page} of {pages}", page=number, pages=pages),
                  page.small, align="right", color=GREY)
    return draw


def render(page: SlipPage, blocks: Sequence[Block], pdf_title: str, issued: str) -> bytes:
    """The blocks paginated (a long table continues on the next page) as PDF bytes."""
    top = page.size[1] - page.margin_top
    return draw_pages(page.size, pdf_title, paginate(blocks, top, top, page.footer_h), footer(page, issued))
