"""Receipts (收费收据 / 退款凭证) as PDF: an A5 sheet or an 80 mm thermal roll.

The bundled CJK font has no Latin letters or digits, so every string is drawn
in runs: characters the CJK font covers in it, the rest in Helvetica (one of
the PDF standard fonts every viewer and printer has).  The run-splitting,
wrapping, barcode and pagination helpers below are shared with the guide sheet.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas

from frontdesk.domain.money import capital_amount, format_amount
from frontdesk.i18n import tr
from frontdesk.printing.fonts import register_reportlab_font, split_runs

# --------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    amount: Decimal
    payer: str  # already translated, e.g. 个人 / 单位


@dataclass(frozen=True)
class ReceiptPayment:
    method_label: str  # already translated, e.g. 现金 / 微信
    amount: Decimal


@dataclass(frozen=True)
class ReceiptData:
    site_name: str
    receipt_no: str
    visit_no: str
    guest_name: str
    guest_sex: str
    organisation: str | None
    lines: tuple[ReceiptLine, ...]
    payments: tuple[ReceiptPayment, ...]
    total: Decimal
    paid: Decimal
    change: Decimal
    cashier: str
    desk: str
    issued_at: datetime  # timezone-aware; printed in local time
    is_void: bool = False
    is_refund: bool = False
    # A refund voucher: the number of the receipt it refunds ("" when none is
    # known) and the supervisor who approved it (its ``cashier`` is not shown).
    refund_of_no: str = ""
    approved_by: str = ""

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("ReceiptData.issued_at must be timezone-aware")


# --------------------------------------------------------------------------
# Shared drawing helpers (also used by frontdesk.printing.guide_sheet)

LATIN_FONT = "Helvetica"
LATIN_BOLD_FONT = "Helvetica-Bold"
GREY = Color(0.35, 0.35, 0.35)
RULE_GREY = Color(0.55, 0.55, 0.55)
LIGHT_FILL = Color(0.93, 0.93, 0.93)
VOID_RED = Color(0.78, 0.0, 0.0)
LINE_SPACING = 1.4  # line height as a multiple of the font size


@lru_cache(maxsize=1)
def _cjk_font() -> tuple[str, frozenset[int]]:
    name = register_reportlab_font()
    return name, frozenset(getFont(name).face.charToGlyph)


def font_runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """Split ``text`` into (font name, run) pairs: CJK font where it has the glyph."""
    cjk, covered = _cjk_font()
    latin = LATIN_BOLD_FONT if bold else LATIN_FONT
    return split_runs(text, lambda ch: cjk if ord(ch) in covered else latin)


def text_width(text: str, size: float, bold: bool = False) -> float:
    return sum(stringWidth(run, font, size) for font, run in font_runs(text, bold))


def line_height(size: float) -> float:
    return size * LINE_SPACING


def baseline(top: float, size: float) -> float:
    """The baseline of a line of ``size`` whose line box starts at ``top``."""
    return top - size * 1.02


def draw_text(
    c: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    bold: bool = False,
    align: str = "left",
    color: Color = black,
) -> None:
    """Draw one line at baseline ``y``; ``align`` is left, right or centre about ``x``."""
    if not text:
        return
    if align != "left":
        width = text_width(text, size, bold)
        x -= width if align == "right" else width / 2
    cjk, _ = _cjk_font()
    c.saveState()
    # The CJK font has no bold face: bold is faked by stroking the outline.
    c.setLineWidth(size * 0.035)
    c.setStrokeColor(color)
    t = c.beginText(x, y)
    t.setFillColor(color)
    for font, run in font_runs(text, bold):
        t.setFont(font, size)
        t.setTextRenderMode(2 if bold and font == cjk else 0)
        t.textOut(run)
    c.drawText(t)
    c.restoreState()


# What wraps as one word: a run of anything but spaces and CJK, cut after a
# slash ("AFP/CEA/CA19-9" may break after each "/"); each CJK character alone.
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_TOKEN = re.compile(rf"\s+|[^\s{_CJK}/]*/|[^\s{_CJK}/]+|.")
# Chinese punctuation that must not start a line.
_NO_LINE_START = set("，。、；：？！）》」』】〉,.;:?!)%")
# ...and opening brackets that must not end one.
_NO_LINE_END = set("（《「『【〈(")


def _tokens(paragraph: str) -> list[str]:
    tokens: list[str] = []
    for tok in _TOKEN.findall(paragraph):
        if tokens and not tokens[-1].isspace() and (tok[0] in _NO_LINE_START or tokens[-1][-1] in _NO_LINE_END):
            tokens[-1] += tok
        else:
            tokens.append(tok)
    return tokens


def wrap_text(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """Break ``text`` into lines no wider than ``width``.

    Chinese breaks between any two characters, Latin words stay whole unless
    one alone is too wide; explicit newlines are kept.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for tok in _tokens(paragraph):
            if text_width(line + tok, size, bold) <= width:
                line += tok
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            if tok.isspace():
                continue
            if text_width(tok, size, bold) <= width:
                line = tok
                continue
            for ch in tok:  # a single token wider than the line
                if line and text_width(line + ch, size, bold) > width:
                    lines.append(line)
                    line = ch
                else:
                    line += ch
        lines.append(line.rstrip())
    return lines


def draw_lines(
    c: Canvas,
    x: float,
    top: float,
    lines: Sequence[str],
    size: float,
    *,
    bold: bool = False,
    align: str = "left",
    color: Color = black,
) -> float:
    """Draw lines from ``top`` downwards; return the y below the last line."""
    for line in lines:
        draw_text(c, x, baseline(top, size), line, size, bold=bold, align=align, color=color)
        top -= line_height(size)
    return top


def code128_modules(code: str) -> str:
    """The Code 128 symbol as '1' (bar) / '0' (space) modules, without quiet zones."""
    import barcode

    return barcode.Code128(code).build()[0]


def code128_width(code: str, module: float) -> float:
    return len(code128_modules(code)) * module


def draw_code128(c: Canvas, x: float, y: float, code: str, module: float, height: float) -> float:
    """Draw the bars with their bottom-left corner at (x, y); return the symbol width.

    The caller leaves at least 10 modules of white on either side (quiet zone).
    """
    modules = code128_modules(code)
    c.saveState()
    c.setFillColor(black)
    for bar in re.finditer("1+", modules):
        c.rect(x + bar.start() * module, y, (bar.end() - bar.start()) * module, height, stroke=0, fill=1)
    c.restoreState()
    return len(modules) * module


def draw_barcode_with_digits(
    c: Canvas, centre_x: float, top: float, code: str, module: float, bar_height: float, digit_size: float
) -> float:
    """Bars centred on ``centre_x`` below ``top``, digits underneath; return the bottom y."""
    width = code128_width(code, module)
    draw_code128(c, centre_x - width / 2, top - bar_height, code, module, bar_height)
    digits_top = top - bar_height - 0.8 * mm
    draw_text(c, centre_x, baseline(digits_top, digit_size), code, digit_size, align="centre")
    return digits_top - line_height(digit_size)


def barcode_block_height(bar_height: float, digit_size: float) -> float:
    return bar_height + 0.8 * mm + line_height(digit_size)


def hline(c: Canvas, x1: float, x2: float, y: float, *, width: float = 0.5, color: Color = RULE_GREY, dash=None) -> None:
    c.saveState()
    c.setStrokeColor(color)
    c.setLineWidth(width)
    if dash:
        c.setDash(*dash)
    c.line(x1, y, x2, y)
    c.restoreState()


@dataclass
class Block:
    """A piece of a document that is never split across pages.

    ``draw(canvas, top)`` draws it with its top edge at ``top``.  ``repeat``
    is drawn first when the block opens a new page (a table's header row);
    ``keep_with_next`` keeps a heading on the page of what follows it.
    """

    height: float
    draw: Callable[[Canvas, float], None]
    repeat: Block | None = None
    keep_with_next: bool = False


def paginate(blocks: Sequence[Block], first_top: float, next_top: float, bottom: float) -> list[list[tuple[Block, float]]]:
    """Place blocks top to bottom; return, per page, (block, top) pairs."""
    pages: list[list[tuple[Block, float]]] = [[]]
    y = first_top
    for i, block in enumerate(blocks):
        # A chain of blocks each kept with the next moves to a new page as a whole.
        needed, j = block.height, i
        while blocks[j].keep_with_next and j + 1 < len(blocks):
            j += 1
            needed += blocks[j].height
        if y - needed < bottom and pages[-1]:
            pages.append([])
            y = next_top
            if block.repeat is not None:
                pages[-1].append((block.repeat, y))
                y -= block.repeat.height
        pages[-1].append((block, y))
        y -= block.height
    return pages


def draw_pages(pagesize: tuple[float, float], title: str, pages: list[list[tuple[Block, float]]],
               footer: Callable[[Canvas, int, int], None],
               page_head: Callable[[Canvas, int], None] | None = None) -> bytes:
    """Draw paginated blocks as PDF bytes: on every page its head (if any), its blocks, then the footer
    (which gets the page number and the page count)."""
    buffer = io.BytesIO()
    c = new_canvas(buffer, pagesize, title)
    for number, placed in enumerate(pages, start=1):
        if page_head is not None:
            page_head(c, number)
        for block, top in placed:
            block.draw(c, top)
        footer(c, number, len(pages))
        c.showPage()
    c.save()
    return buffer.getvalue()


def new_canvas(buffer: io.BytesIO, pagesize: tuple[float, float], title: str) -> Canvas:
    # invariant: no timestamps or random IDs, so the same data gives the same bytes.
    c = Canvas(buffer, pagesize=pagesize, invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setCreator("FrontDesk")
    return c


# --------------------------------------------------------------------------
# Receipt layout


@dataclass(frozen=True)
class _Format:
    width: float
    height: float | None  # None: a roll, as long as the content
    margin_x: float
    margin_top: float
    margin_bottom: float
    body: float
    small: float
    title: float
    site: float
    module: float
    bar_height: float
    barcode_in_header: bool
    payer_col: float
    amount_col: float


_FORMATS = {
    "a5": _Format(
        width=148 * mm, height=210 * mm, margin_x=12 * mm, margin_top=11 * mm, margin_bottom=14 * mm,
        body=9.5, small=8, title=17, site=12, module=0.3 * mm, bar_height=11 * mm,
        barcode_in_header=True, payer_col=20 * mm, amount_col=26 * mm,
    ),
    # 80 mm paper, 72 mm printable; 0.25 mm modules are 2 dots at 203 dpi.
    "roll80": _Format(
        width=80 * mm, height=None, margin_x=4 * mm, margin_top=4 * mm, margin_bottom=8 * mm,
        body=8.5, small=7.5, title=14, site=10.5, module=0.25 * mm, bar_height=10 * mm,
        barcode_in_header=False, payer_col=12 * mm, amount_col=21 * mm,
    ),
}

RECEIPT_FORMATS = tuple(_FORMATS)


def _title(data: ReceiptData) -> str:
    return tr("退款凭证", "Refund Receipt") if data.is_refund else tr("收费收据", "Receipt")


def _void_word() -> str:
    return tr("作废", "VOID")


def _local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _stack(*parts: Block) -> Block:
    """One block made of ``parts`` drawn one under the other."""

    def draw(c: Canvas, top: float) -> None:
        for part in parts:
            part.draw(c, top)
            top -= part.height

    return Block(sum(part.height for part in parts), draw)


class _ReceiptLayout:
    def __init__(self, data: ReceiptData, fmt: _Format) -> None:
        self.data = data
        self.f = fmt
        self.x = fmt.margin_x
        self.w = fmt.width - 2 * fmt.margin_x
        self.right = self.x + self.w

    # -- blocks ---------------------------------------------------------
    def blocks(self) -> list[Block]:
        blocks = [self._header(), self._info()]
        header = self._table_header()
        header.keep_with_next = True
        blocks.append(header)
        rows = [self._item_row(line, header) for line in self.data.lines]
        if rows:
            rows[-1].keep_with_next = True  # no page of sums without an item above them
        blocks.extend(rows)
        # The sums never sit alone on a page without the cashier's line.
        totals = self._totals()
        totals.keep_with_next = True
        blocks.append(totals)
        # The words and the signature stay together, and with the sums above them.
        blocks.append(_stack(self._capitals(), self._signature()))
        if not self.f.barcode_in_header:
            blocks.append(self._barcode_block())
        return blocks

    def _header(self) -> Block:
        f, d = self.f, self.data
        site_lines = wrap_text(d.site_name, f.site, self.w, bold=True)
        title = _title(d)
        if d.is_void:
            title = tr("{title}（作废）", "{title} (VOID)", title=title)
        title_lines = wrap_text(title, f.title, self.w, bold=True)
        height = len(site_lines) * line_height(f.site) + len(title_lines) * line_height(f.title) + 2.5 * mm

        def draw(c: Canvas, top: float) -> None:
            centre = self.x + self.w / 2
            y = draw_lines(c, centre, top, site_lines, f.site, bold=True, align="centre")
            color = VOID_RED if d.is_void else black
            draw_lines(c, centre, y, title_lines, f.title, bold=True, align="centre", color=color)

        return Block(height, draw)

    def _fields(self) -> list[tuple[str, str]]:
        d = self.data
        fields = [
            (tr("收据号：", "Receipt no.: "), d.receipt_no),
            (tr("时间：", "Time: "), _local_time(d.issued_at)),
            (tr("姓名：", "Name: "), tr("{name}（{sex}）", "{name} ({sex})", name=d.guest_name, sex=d.guest_sex)),
            (tr("体检号：", "Visit no.: "), d.visit_no),
        ]
        if d.is_refund and d.refund_of_no:
            fields.insert(1, (tr("原收据号：", "Original receipt: "), d.refund_of_no))
        if d.organisation:
            fields.append((tr("单位：", "Organisation: "), d.organisation))
        return fields

    def _info(self) -> Block:
        f = self.f
        barcode_w = code128_width(self.data.visit_no, f.module) + 20 * f.module if f.barcode_in_header else 0.0
        text_w = self.w - barcode_w - (3 * mm if barcode_w else 0)
        label_w = max(text_width(label, f.body) for label, _ in self._fields())
        rows = []
        for label, value in self._fields():
            # Values hang under themselves, not under the label.
            rows.append((label, wrap_text(value, f.body, text_w - label_w)))
        text_h = sum(len(lines) for _, lines in rows) * line_height(f.body)
        bar_h = barcode_block_height(f.bar_height, f.small) if f.barcode_in_header else 0.0
        height = max(text_h, bar_h) + 2 * mm

        def draw(c: Canvas, top: float) -> None:
            y = top
            for label, lines in rows:
                draw_text(c, self.x, baseline(y, f.body), label, f.body, color=GREY)
                y = draw_lines(c, self.x + label_w, y, lines, f.body)
            if f.barcode_in_header:
                centre = self.right - barcode_w / 2
                draw_barcode_with_digits(c, centre, top, self.data.visit_no, f.module, f.bar_height, f.small)

        return Block(height, draw)

    def _columns(self) -> tuple[float, float, float]:
        """x of the name column, x of the payer column, right edge of amounts."""
        payer_x = self.right - self.f.amount_col - self.f.payer_col
        return self.x, payer_x, self.right

    def _table_header(self) -> Block:
        f = self.f
        pad = 1.2 * mm
        height = line_height(f.body) + 2 * pad

        def draw(c: Canvas, top: float) -> None:
            name_x, payer_x, right = self._columns()
            hline(c, self.x, self.right, top, width=0.8, color=black)
            y = baseline(top - pad, f.body)
            draw_text(c, name_x, y, tr("项目", "Item"), f.body, bold=True)
            draw_text(c, payer_x, y, tr("支付方", "Paid by"), f.body, bold=True)
            draw_text(c, right, y, tr("金额", "Amount"), f.body, bold=True, align="right")
            hline(c, self.x, self.right, top - height, width=0.5)

        return Block(height, draw)

    def _item_row(self, line: ReceiptLine, header: Block) -> Block:
        f = self.f
        pad = 1.0 * mm
        name_x, payer_x, right = self._columns()
        name_lines = wrap_text(line.name, f.body, payer_x - name_x - 2 * mm)
        payer_lines = wrap_text(line.payer, f.body, f.payer_col - 1.5 * mm)
        amount = format_amount(line.amount)
        height = max(len(name_lines), len(payer_lines)) * line_height(f.body) + 2 * pad

        def draw(c: Canvas, top: float) -> None:
            draw_lines(c, name_x, top - pad, name_lines, f.body)
            draw_lines(c, payer_x, top - pad, payer_lines, f.body, color=GREY)
            draw_text(c, right, baseline(top - pad, f.body), amount, f.body, align="right")
            hline(c, self.x, self.right, top - height, width=0.3, dash=(1, 1.5))

        return Block(height, draw, repeat=header)

    def _money_rows(self) -> list[tuple[str, str, bool]]:
        """(label, amount, emphasised) rows under the item table."""
        d = self.data
        rows: list[tuple[str, str, bool]] = []
        payers: dict[str, Decimal] = {}
        for line in d.lines:
            payers[line.payer] = payers.get(line.payer, Decimal(0)) + line.amount
        if len(payers) > 1:
            for payer, amount in payers.items():
                rows.append((tr("其中{payer}：", "of which {payer}: ", payer=payer), format_amount(amount), False))
        if d.is_refund:
            rows.append((tr("退款合计：", "Total refund: "), format_amount(d.total), True))
            for payment in d.payments:
                rows.append((tr("退回{method}：", "Refunded by {method}: ", method=payment.method_label),
                             format_amount(payment.amount), False))
            rows.append((tr("实退：", "Refunded: "), format_amount(d.paid), False))
        else:
            rows.append((tr("合计：", "Total: "), format_amount(d.total), True))
            for payment in d.payments:
                rows.append((f"{payment.method_label}{tr('：', ': ')}", format_amount(payment.amount), False))
            rows.append((tr("实收：", "Paid: "), format_amount(d.paid), False))
        if d.change or not d.is_refund:
            rows.append((tr("找零：", "Change: "), format_amount(d.change), False))
        return rows

    def _totals(self) -> Block:
        f = self.f
        rows = self._money_rows()
        big = f.body + 2
        heights = [line_height(big if strong else f.body) for _, _, strong in rows]
        height = sum(heights) + 3 * mm
        # A5: the sums sit in the right half like a bill; on the roll they use the width.
        label_x = self.x + self.w * 0.45 if f.height is not None else self.x

        def draw(c: Canvas, top: float) -> None:
            y = top - 1.5 * mm
            for (label, amount, strong), h in zip(rows, heights):
                size = big if strong else f.body
                draw_text(c, label_x, baseline(y, size), label, size, bold=strong)
                draw_text(c, self.right, baseline(y, size), amount, size, bold=strong, align="right")
                y -= h
            hline(c, self.x, self.right, top - height + 0.5 * mm, width=0.8, color=black)

        return Block(height, draw)

    def _capitals(self) -> Block:
        """The total in capital numerals (大写) across the width: a changed figure must also match the words."""
        f, d = self.f, self.data
        size = f.body + 1
        label = tr("退款合计（大写）：", "Refund total in words: ") if d.is_refund else tr("合计（大写）：",
                                                                                        "Total in words: ")
        words = tr("人民币{c}", "RMB {c}", c=capital_amount(d.total))
        label_w = text_width(label, size, bold=True)
        if label_w > self.w * 0.45:  # the narrow roll: the words go under the label
            rows = [(label, 0.0, "")] + [("", 0.0, line) for line in wrap_text(words, size, self.w)]
        else:
            lines = wrap_text(words, size, self.w - label_w)
            rows = [(label, label_w, lines[0])] + [("", label_w, line) for line in lines[1:]]
        pad = 1.5 * mm
        height = len(rows) * line_height(size) + 2 * pad

        def draw(c: Canvas, top: float) -> None:
            y = top - pad
            for head, indent, text in rows:
                draw_text(c, self.x, baseline(y, size), head, size, bold=True)
                draw_text(c, self.x + indent, baseline(y, size), text, size)
                y -= line_height(size)
            hline(c, self.x, self.right, top - height + 0.3 * mm, width=0.3)

        return Block(height, draw)

    def _signature(self) -> Block:
        f, d = self.f, self.data
        if d.is_refund:
            # The supervisor approved the refund; calling them the cashier would misname their part.
            who = tr("审批人：{who}    前台：{desk}", "Approved by: {who}    Desk: {desk}",
                     who=d.approved_by or d.cashier, desk=d.desk)
            note = tr("退款凭证请与原收据一并留存。", "Keep this voucher with the receipt it refunds.")
        else:
            who = tr("收款员：{cashier}    前台：{desk}", "Cashier: {cashier}    Desk: {desk}", cashier=d.cashier,
                     desk=d.desk)
            note = tr("请妥善保管本收据，退费时须出示。", "Please keep this receipt; it is needed for any refund.")
        # The seal (收费专用章) goes in a box of its own beside the names.
        seal = 32 * mm if f.height is not None else 26 * mm
        text_w = self.w - seal - 3 * mm
        who_lines = wrap_text(who, f.body, text_w)
        note_lines = wrap_text(note, f.small, text_w)
        text_h = len(who_lines) * line_height(f.body) + 1 * mm + len(note_lines) * line_height(f.small)
        height = 2 * mm + max(text_h, seal) + 1 * mm
        seal_word = tr("盖章处", "Seal")

        def draw(c: Canvas, top: float) -> None:
            y = draw_lines(c, self.x, top - 2 * mm, who_lines, f.body)
            draw_lines(c, self.x, y - 1 * mm, note_lines, f.small, color=GREY)
            c.saveState()
            c.setStrokeColor(RULE_GREY)
            c.setLineWidth(0.6)
            c.setDash(2, 2)
            c.rect(self.right - seal, top - 2 * mm - seal, seal, seal, stroke=1, fill=0)
            c.restoreState()
            draw_text(c, self.right - seal / 2, top - 2 * mm - seal / 2 - f.small * 0.35, seal_word, f.small,
                      align="centre", color=GREY)

        return Block(height, draw)

    def _barcode_block(self) -> Block:
        f = self.f
        height = 2 * mm + barcode_block_height(f.bar_height, f.small)

        def draw(c: Canvas, top: float) -> None:
            draw_barcode_with_digits(c, self.x + self.w / 2, top - 2 * mm, self.data.visit_no, f.module, f.bar_height, f.small)

        return Block(height, draw)

    # -- page furniture ------------------------------------------------
    def continuation_header_height(self) -> float:
        return line_height(self.f.small) + 3 * mm

    def draw_continuation_header(self, c: Canvas, top: float) -> None:
        f, d = self.f, self.data
        text = tr("{title}（续）  收据号：{no}  姓名：{name}", "{title} (continued)  Receipt no.: {no}  Name: {name}",
                  title=_title(d), no=d.receipt_no, name=d.guest_name)
        draw_text(c, self.x, baseline(top, f.small), text, f.small, color=GREY)
        hline(c, self.x, self.right, top - line_height(f.small) - 1 * mm, width=0.3)

    def draw_page_number(self, c: Canvas, page: int, pages: int) -> None:
        f = self.f
        text = tr("第 {page} / {pages} 页", "Page {page} of {pages}", page=page, pages=pages)
        draw_text(c, self.x + self.w / 2, f.margin_bottom / 2, text, f.small, align="centre", color=GREY)

    def draw_void_stamp(self, c: Canvas, page_height: float) -> None:
        """A red rotated stamp across the page: a void receipt must not pass as paid."""
        f = self.f
        word = _void_word()
        size = min(self.w / 3.2, 48) if len(word) <= 2 else min(self.w / 4.0, 40)
        text_w = text_width(word, size, bold=True)
        box_w, box_h = text_w + size * 0.8, size * 1.5
        centre_y = min(page_height * 0.55, page_height - f.margin_top - box_h)
        c.saveState()
        c.translate(self.x + self.w / 2, centre_y)
        c.rotate(18)
        # Translucent, so the amounts under the stamp stay legible.
        c.setFillAlpha(0.6)
        c.setStrokeAlpha(0.6)
        c.setStrokeColor(VOID_RED)
        c.setLineWidth(max(2.0, size * 0.06))
        c.roundRect(-box_w / 2, -box_h / 2, box_w, box_h, size * 0.15, stroke=1, fill=0)
        draw_text(c, 0, -size * 0.36, word, size, bold=True, align="centre", color=VOID_RED)
        c.restoreState()


def render_receipt_pdf(data: ReceiptData, fmt: str = "a5") -> bytes:
    """The receipt as PDF bytes; ``fmt`` is "a5" (portrait sheet) or "roll80" (80 mm roll).

    Long item lists continue on further A5 pages with the table header
    repeated; on the roll the page simply grows.
    """
    try:
        f = _FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown receipt format {fmt!r}; expected one of {RECEIPT_FORMATS}") from None
    buffer = io.BytesIO()
    c = new_canvas(buffer, (f.width, f.height or 100 * mm), f"{_title(data)} {data.receipt_no}")
    _draw_receipt(c, data, f)
    c.save()
    return buffer.getvalue()


def _draw_receipt(c: Canvas, data: ReceiptData, f: _Format) -> None:
    layout = _ReceiptLayout(data, f)
    blocks = layout.blocks()
    if f.height is None:
        page_height = f.margin_top + sum(b.height for b in blocks) + f.margin_bottom
        first_top = page_height - f.margin_top
        pages = paginate(blocks, first_top, first_top, 0.0)
    else:
        page_height = f.height
        first_top = page_height - f.margin_top
        next_top = first_top - layout.continuation_header_height()
        pages = paginate(blocks, first_top, next_top, f.margin_bottom)
    for number, placed in enumerate(pages, start=1):
        c.setPageSize((f.width, page_height))
        if number > 1:
            layout.draw_continuation_header(c, first_top)
        for block, top in placed:
            block.draw(c, top)
        if len(pages) > 1:
            layout.draw_page_number(c, number, len(pages))
        if data.is_void:
            layout.draw_void_stamp(c, page_height)
        c.showPage()
