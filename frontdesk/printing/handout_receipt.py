"""The report hand-out receipt (体检报告领取凭证) as an A5 PDF.

One sheet per hand-out: the visit number as text and as a Code 128 barcode
(the report system can scan it back), the guest (masked), how the report
went out (in person, to a proxy with relation and authorisation, or by
courier with the tracking number), who handed it out and when, and the
recipient's signature as drawn at the desk (or a line to sign by hand).

Text, bars and the two-font runs use the shared helpers in ``receipt``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.colors import black
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader

from frontdesk.domain.enums import HandoutMethod
from frontdesk.i18n import tr
from frontdesk.printing.receipt import (GREY, VOID_RED, barcode_block_height, baseline, code128_width,
                                        draw_barcode_with_digits, draw_lines, draw_text, hline, line_height,
                                        new_canvas, text_width, wrap_text)

PAGE_W, PAGE_H = 148 * mm, 210 * mm
MARGIN_X, MARGIN_TOP = 12 * mm, 11 * mm
BODY, SMALL, TITLE, SITE = 10.0, 8.0, 16.0, 12.0
MODULE, BAR_HEIGHT = 0.33 * mm, 11 * mm
SIGNATURE_BOX_H = 30 * mm


@dataclass(frozen=True)
class HandoutReceiptData:
    site_name: str
    visit_no: str
    guest_name: str            # masked by the caller
    guest_id_masked: str
    visit_date: date
    package: str
    method: HandoutMethod
    recipient_name: str        # masked
    recipient_id_masked: str
    relation: str
    authorisation_seen: bool
    courier_company: str
    tracking_no: str
    handed_at: datetime        # timezone-aware; printed in local time
    handed_by: str
    desk: str
    repeat: bool = False
    authorised_by: str = ""
    shelf_no: str = ""
    signature_png: bytes | None = None

    def __post_init__(self) -> None:
        if self.handed_at.tzinfo is None or self.handed_at.utcoffset() is None:
            raise ValueError("HandoutReceiptData.handed_at must be timezone-aware")


def _fields(d: HandoutReceiptData) -> list[tuple[str, str]]:
    fields = [
        (tr("体检号：", "Visit no.: "), d.visit_no),
        (tr("受检者：", "Guest: "), d.guest_name),
        (tr("证件号：", "ID number: "), d.guest_id_masked or "-"),
        (tr("体检日期：", "Exam date: "), d.visit_date.isoformat()),
        (tr("套餐：", "Package: "), d.package or "-"),
        (tr("领取方式：", "Handed out: "), d.method.label()),
    ]
    if d.method is HandoutMethod.PROXY:
        fields += [
            (tr("代领人：", "Proxy: "), d.recipient_name),
            (tr("代领人证件号：", "Proxy's ID number: "), d.recipient_id_masked),
            (tr("与受检者关系：", "Relation to the guest: "), d.relation),
            (tr("受检者授权：", "Guest's authorisation: "),
             tr("已核验", "checked") if d.authorisation_seen else tr("未要求", "not required")),
        ]
    elif d.method is HandoutMethod.MAILED:
        fields += [
            (tr("快递公司：", "Courier: "), d.courier_company),
            (tr("快递单号：", "Tracking no.: "), d.tracking_no),
        ]
    else:
        fields.append((tr("核验证件：", "ID checked: "), d.recipient_id_masked or "-"))
    fields += [
        (tr("发放时间：", "Handed out at: "), d.handed_at.astimezone().strftime("%Y-%m-%d %H:%M")),
        (tr("发放人：", "Handed out by: "), f"{d.handed_by}（{d.desk}）" if d.desk else d.handed_by),
    ]
    if d.shelf_no:
        fields.append((tr("柜位：", "Shelf: "), d.shelf_no))
    return fields


def render_handout_receipt_pdf(data: HandoutReceiptData) -> bytes:
    """The hand-out receipt as A5 PDF bytes (one page)."""
    buffer = io.BytesIO()
    title = tr("体检报告领取凭证", "Report hand-out receipt")
    c = new_canvas(buffer, (PAGE_W, PAGE_H), f"{title} {data.visit_no}")
    x, width = MARGIN_X, PAGE_W - 2 * MARGIN_X
    right = x + width
    top = PAGE_H - MARGIN_TOP

    site_lines = wrap_text(data.site_name, SITE, width, bold=True)
    y = draw_lines(c, x + width / 2, top, site_lines, SITE, bold=True, align="centre")
    draw_text(c, x + width / 2, baseline(y, TITLE), title, TITLE, bold=True, align="centre")
    y -= line_height(TITLE) + 2 * mm
    if data.repeat:
        text = tr("补发：该报告此前已发放，本次经主管 {s} 授权", "Repeat hand-out: handed out before; authorised by "
                  "supervisor {s}", s=data.authorised_by or "-")
        y = draw_lines(c, x, y, wrap_text(text, BODY, width, bold=True), BODY, bold=True, color=VOID_RED)
        y -= 1 * mm

    # Bars on the right of the first lines; the fields wrap beside them.
    bar_w = code128_width(data.visit_no, MODULE) + 20 * MODULE
    bar_top = y
    draw_barcode_with_digits(c, right - bar_w / 2, bar_top, data.visit_no, MODULE, BAR_HEIGHT, SMALL)
    bar_bottom = bar_top - barcode_block_height(BAR_HEIGHT, SMALL)
    fields = _fields(data)
    label_w = max(text_width(label, BODY) for label, _ in fields) + 1 * mm
    for label, value in fields:
        value_w = (right - bar_w - 2 * mm if y > bar_bottom else right) - (x + label_w)
        lines = wrap_text(value, BODY, value_w) or [""]
        draw_text(c, x, baseline(y, BODY), label, BODY, color=GREY)
        y = draw_lines(c, x + label_w, y, lines, BODY, bold=label == fields[0][0])
    y = min(y, bar_bottom) - 3 * mm
    hline(c, x, right, y, width=0.8, color=GREY)
    y -= 4 * mm

    who = tr("领取人签名：", "Recipient's signature: ")
    draw_text(c, x, baseline(y, BODY), who, BODY)
    box_top = y - line_height(BODY) - 1 * mm
    box_bottom = box_top - SIGNATURE_BOX_H
    if data.signature_png:
        image = ImageReader(io.BytesIO(data.signature_png))
        iw, ih = image.getSize()
        scale = min(width / iw, SIGNATURE_BOX_H / ih) if iw and ih else 1
        w, h = iw * scale, ih * scale
        c.drawImage(image, x + (width - w) / 2, box_bottom + (SIGNATURE_BOX_H - h) / 2, w, h, mask="auto")
        c.saveState()
        c.setStrokeColor(GREY)
        c.setLineWidth(0.4)
        c.setDash(1, 2)
        c.rect(x, box_bottom, width, SIGNATURE_BOX_H, stroke=1, fill=0)
        c.restoreState()
    else:
        hline(c, x + text_width(who, BODY) + 1 * mm, x + width * 0.7, baseline(y, BODY) - 1.2, width=0.6, color=black)
        box_bottom = y - line_height(BODY) - 8 * mm
    y = box_bottom - 6 * mm
    notes = tr("本人已收到上述体检报告。报告内容涉及个人健康隐私，请妥善保管。",
               "I have received the report above. It holds personal health information: keep it safe.")
    draw_lines(c, x, y, wrap_text(notes, SMALL, width), SMALL, color=GREY)
    c.showPage()
    c.save()
    return buffer.getvalue()
