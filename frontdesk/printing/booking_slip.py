"""The booking slip (预订单) handed over at the desk or sent after a phone booking.

It says when to come (date and half-day), for what (package, items and
where they are done), how to prepare (fasting first, in bold), where the
centre is, and carries the booking number as a Code 128 barcode: scanning it
at the desk finds the booking and fills the check-in.
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
class BookingSlipData:
    site_name: str
    site_address: str
    site_phone: str
    booking_no: str                          # the barcode
    guest_name: str
    sex_label: str
    exam_date: date
    weekday: str
    half_day: str                            # 上午 / 下午
    package: str
    organisation: str                        # a group booking's organisation, else ""
    items: tuple[tuple[str, str, bool], ...] # (item, station and where, booked on top of the package)
    fasting: bool
    instructions: tuple[str, ...]
    issued_by: str


_PAGE = SlipPage(A5, margin_x=11 * mm, margin_top=8 * mm, footer_h=12 * mm, bar_h=11 * mm, pad=0.9 * mm)
_COL_NO = 8 * mm
_COL_STATION = 42 * mm
_COL_ITEM = _PAGE.w - _COL_NO - _COL_STATION


def _title() -> str:
    return tr("体检预订单", "Booking Slip")


def _facts(data: BookingSlipData) -> Block:
    rows = [
        (tr("姓名", "Name"), f"{data.guest_name}  {data.sex_label}".strip()),
        (tr("预约号", "Booking no."), data.booking_no),
        (tr("体检日期", "Exam date"), f"{data.exam_date:%Y-%m-%d}  {data.weekday}  {data.half_day}"),
        (tr("套餐", "Package"), data.package or tr("（单项）", "(single items)")),
    ]
    if data.organisation:
        rows.append((tr("单位", "Organisation"), data.organisation))
    return slip.facts(_PAGE, rows)


def _station_row(number: int, station: str, items: list[tuple[str, bool]], header: Block) -> Block:
    """One row per station: where to go, and what is done there (extra items marked)."""
    text = tr("、", ", ").join(name + (tr("（加项）", " (added)") if extra else "") for name, extra in items)
    return slip.table_row(_PAGE, number, _COL_NO, ((station, _COL_STATION, True), (text, _COL_ITEM, False)), header)


def _by_station(items) -> list[tuple[str, list[tuple[str, bool]]]]:
    grouped: dict[str, list[tuple[str, bool]]] = {}
    for name, station, extra in items:
        grouped.setdefault(station, []).append((name, extra))
    return list(grouped.items())


def _where(data: BookingSlipData) -> Block | None:
    lines = []
    if data.site_address:
        lines.append(tr("地址：{a}", "Address: {a}", a=data.site_address))
    if data.site_phone:
        lines.append(tr("咨询电话：{p}", "Phone: {p}", p=data.site_phone))
    if not lines:
        return None
    return slip.notice_box(_PAGE, tr("体检地点", "Where to come"), lines)


def render_booking_slip(data: BookingSlipData) -> bytes:
    """The slip as A5 portrait PDF bytes, one row per station (a long list continues on a second page)."""
    header = slip.table_header(_PAGE, ((tr("序号", "No."), _COL_NO), (tr("科室 / 地点", "Station / where"), _COL_STATION),
                                       (tr("检查项目", "Items"), _COL_ITEM)))
    blocks = [slip.header(_PAGE, data.site_name, _title(), data.booking_no), _facts(data), header]
    blocks.extend(_station_row(n, station, items, header)
                  for n, (station, items) in enumerate(_by_station(data.items), start=1))
    blocks.append(slip.notice_box(_PAGE, tr("检前须知", "Before you come"), data.instructions,
                                  bold_first=data.fasting))
    where = _where(data)
    if where is not None:
        blocks.append(where)
    issued = tr("经办：{by}", "Booked by: {by}", by=data.issued_by) if data.issued_by else ""
    return slip.render(_PAGE, blocks, f"{_title()} {data.booking_no}", issued)
