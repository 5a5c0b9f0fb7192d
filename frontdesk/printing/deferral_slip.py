"""The deferral slip (缓检单) given to a guest whose items were deferred to a later date.

It says what to come back for, when, how to prepare (fasting) and the
original visit number, and carries the slip number (domain.codes, "7" +
the original visit) as a Code 128 barcode: scanning it anywhere in the app
opens the make-up check-in with the guest's open deferrals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm

from frontdesk.i18n import tr
from frontdesk.printing import slip_blocks as slip
from frontdesk.printing.receipt import Block
from frontdesk.printing.slip_blocks import SlipPage


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


_PAGE = SlipPage(A5, margin_x=11 * mm, margin_top=10 * mm, footer_h=12 * mm, bar_h=12 * mm, pad=1.5 * mm)
_COL_NO = 8 * mm
_COL_STATION = 52 * mm
_COL_ITEM = _PAGE.w - _COL_NO - _COL_STATION


def _title() -> str:
    return tr("缓检通知单", "Deferred Items Slip")


def _facts(data: DeferralSlipData) -> Block:
    return slip.facts(_PAGE, [
        (tr("姓名", "Name"), f"{data.guest_name}  {data.sex_label}".strip()),
        (tr("原体检号", "Original visit"), data.visit_no),
        (tr("原体检日期", "Exam date"), data.original_date.isoformat()),
        (tr("补检日期", "Come back on"), data.deferred_to.isoformat()),
    ], value_size=11, space_after=3 * mm)


def render_deferral_slip(data: DeferralSlipData) -> bytes:
    """The slip as A5 portrait PDF bytes (a long list continues on a second page)."""
    header = slip.table_header(_PAGE, ((tr("序号", "No."), _COL_NO), (tr("缓检项目", "Deferred item"), _COL_ITEM),
                                       (tr("科室 / 地点", "Station / where"), _COL_STATION)))
    blocks = [slip.header(_PAGE, data.site_name, _title(), data.slip_no), _facts(data), header]
    blocks.extend(slip.table_row(_PAGE, n, _COL_NO, ((item, _COL_ITEM, True), (station, _COL_STATION, False)), header)
                  for n, (item, station) in enumerate(data.items, start=1))
    blocks.append(slip.notice_box(_PAGE, tr("补检须知", "Before you come back"), data.instructions,
                                  bold_first=data.fasting, space_above=3 * mm))
    issued = tr("开单：{by}", "Issued by: {by}", by=data.issued_by) if data.issued_by else ""
    return slip.render(_PAGE, blocks, f"{_title()} {data.visit_no}", issued)
