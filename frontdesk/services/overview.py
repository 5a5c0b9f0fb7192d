"""Read-only views of the day the desk works in: bookings, open visits,
reports waiting, the day's figures, and one visit in full (opened by a scan).

Names, ID numbers and phones are masked here: reception screens show the
masked forms (the check-in screen shows a verified guest in full).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from frontdesk.domain.enums import (BookingStatus, ItemStatus, PaymentMethod, ReceiptKind, ReceiptStatus,
                                    SpecimenStatus, VisitSource, VisitStatus)
from frontdesk.domain.codes import CodeKind, deferral_visit_id, parse_code
from frontdesk.domain.idnumber import age_on
from frontdesk.domain.masking import mask_id_number, mask_name, mask_phone
from frontdesk.domain.sex import Sex
from frontdesk.errors import NotFoundError, ValidationError
from frontdesk.i18n import language, tr
from frontdesk.storage import overview_queries as q


def _local_name(row, attr: str = "name") -> str:
    return getattr(row, attr + "_en") if language() == "en" else getattr(row, attr)


@dataclass(frozen=True)
class Table:
    """Rows for a list screen: headers in the current language, cells as text."""

    headers: tuple[str, ...]
    rows: list[tuple]
    keys: list[object] = field(default_factory=list)  # the record behind each row (e.g. visit id)


def bookings_on(day: dt.date) -> Table:
    rows, keys = [], []
    for b in q.bookings_on(day):
        rows.append((b.booking_no, mask_name(b.guest.name), Sex(b.guest.sex).label(),
                     _local_name(b.package) if b.package_id else "", VisitSource(b.source).label(),
                     BookingStatus(b.status).label(), b.note))
        keys.append(b.id)
    return Table((tr("预约号", "Booking"), tr("姓名", "Name"), tr("性别", "Sex"), tr("套餐", "Package"),
                  tr("来源", "Source"), tr("状态", "Status"), tr("备注", "Note")), rows, keys)


def visits_in_progress(day: dt.date) -> Table:
    rows, keys = [], []
    for v, pending, done in q.visits_with_item_counts(day):
        rows.append((v.visit_no, mask_name(v.guest.name), Sex(v.guest.sex).label(),
                     _local_name(v.package) if v.package_id else "", VisitStatus(v.status).label(),
                     str(done), str(pending)))
        keys.append(v.id)
    return Table((tr("体检号", "Visit"), tr("姓名", "Name"), tr("性别", "Sex"), tr("套餐", "Package"),
                  tr("状态", "Status"), tr("已检", "Done"), tr("未检", "Pending")), rows, keys)


def reports_waiting(limit: int = 500) -> Table:
    rows, keys = [], []
    for v in q.visits_with_status(VisitStatus.REPORT_READY.value, limit):
        rows.append((v.visit_no, mask_name(v.guest.name), mask_phone(v.guest.phone or ""),
                     v.visit_date.isoformat(), _local_name(v.package) if v.package_id else ""))
        keys.append(v.id)
    return Table((tr("体检号", "Visit"), tr("姓名", "Name"), tr("电话", "Phone"), tr("体检日期", "Exam date"),
                  tr("套餐", "Package")), rows, keys)


def specimens_on(day: dt.date) -> Table:
    rows, keys = [], []
    for s in q.specimens_on(day):
        rows.append((s.barcode, s.visit.visit_no, mask_name(s.visit.guest.name), _local_name(s.tube_type),
                     SpecimenStatus(s.status).label(), str(s.print_count)))
        keys.append(s.visit_id)
    return Table((tr("条码号", "Barcode"), tr("体检号", "Visit"), tr("姓名", "Name"), tr("容器", "Container"),
                  tr("状态", "Status"), tr("打印次数", "Prints")), rows, keys)


@dataclass(frozen=True)
class DaySummary:
    day: dt.date
    visits_by_status: dict[str, int]
    bookings_by_status: dict[str, int]
    money_by_method: dict[str, Decimal]
    receipts: int
    refunds: int

    def table(self) -> Table:
        rows = [(tr("体检", "Visits"), VisitStatus(k).label(), str(n)) for k, n in sorted(self.visits_by_status.items())]
        rows += [(tr("预约", "Bookings"), BookingStatus(k).label(), str(n))
                 for k, n in sorted(self.bookings_by_status.items())]
        rows += [(tr("收款", "Takings"), PaymentMethod(k).label(), f"¥{v:,.2f}")
                 for k, v in sorted(self.money_by_method.items())]
        rows.append((tr("收据", "Receipts"), tr("收费 / 退费", "charges / refunds"), f"{self.receipts} / {self.refunds}"))
        return Table((tr("类别", "Kind"), tr("项目", "What"), tr("数量/金额", "Count/amount")), rows)


def day_summary(day: dt.date, tz: dt.tzinfo | None = None) -> DaySummary:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz or _local_tz())
    end = start + dt.timedelta(days=1)
    money: dict[str, Decimal] = {}
    for method, kind, amount in q.payments_between(start, end, ReceiptStatus.ISSUED.value):
        sign = -1 if kind == ReceiptKind.REFUND.value else 1
        money[method] = money.get(method, Decimal("0.00")) + sign * amount
    receipts = q.receipt_counts_between(start, end, ReceiptStatus.ISSUED.value)
    return DaySummary(day, q.visit_status_counts(day), q.booking_status_counts(day), money,
                      receipts.get(ReceiptKind.CHARGE.value, 0), receipts.get(ReceiptKind.REFUND.value, 0))


def _local_tz() -> dt.tzinfo:
    return dt.datetime.now().astimezone().tzinfo


@dataclass(frozen=True)
class VisitDetail:
    visit_id: int
    visit_no: str
    visit_date: dt.date
    status: str
    source: str
    guest_name: str
    sex: str
    age: int | None
    id_number_masked: str
    phone_masked: str
    package: str
    organisation: str
    items: list[tuple[str, str, str, str]]       # item, station, status, add-on
    specimens: list[tuple[str, str, str, int]]   # barcode, container, status, prints
    receipts: list[tuple[str, str, str, str]]    # number, kind, amount, status
    item_ids: list[int] = field(default_factory=list)       # visit item id per row of ``items``
    item_statuses: list[str] = field(default_factory=list)
    receipt_ids: list[int] = field(default_factory=list)
    raw_status: str = ""


def visit_detail(visit_id: int) -> VisitDetail:
    v = q.visit_by_id(visit_id)
    if v is None:
        raise NotFoundError(tr("找不到这次体检。", "No such visit."))
    g = v.guest
    visit_items = q.visit_items(v.id)
    items = [(_local_name(vi.item), _local_name(vi.item.station), ItemStatus(vi.status).label(),
              tr("加项", "add-on") if vi.is_addon else "") for vi in visit_items]
    specimens = [(s.barcode, _local_name(s.tube_type), SpecimenStatus(s.status).label(), s.print_count)
                 for s in q.visit_specimens(v.id)]
    visit_receipts = q.visit_receipts(v.id)
    receipts = [(r.receipt_no, ReceiptKind(r.kind).label(), f"¥{r.total:,.2f}", ReceiptStatus(r.status).label())
                for r in visit_receipts]
    return VisitDetail(
        visit_id=v.id, visit_no=v.visit_no, visit_date=v.visit_date, status=VisitStatus(v.status).label(),
        source=VisitSource(v.source).label(), guest_name=g.name, sex=Sex(g.sex).label(),
        age=age_on(g.birth_date, v.visit_date) if g.birth_date else None,
        id_number_masked=mask_id_number(g.id_number or ""), phone_masked=mask_phone(g.phone or ""),
        package=_local_name(v.package) if v.package_id else "",
        organisation=g.organisation.name if g.organisation_id else "", items=items, specimens=specimens,
        receipts=receipts, item_ids=[vi.id for vi in visit_items], item_statuses=[vi.status for vi in visit_items],
        receipt_ids=[r.id for r in visit_receipts], raw_status=v.status)


def find_visit(code: str) -> tuple[int, str]:
    """The visit a scanned visit number, specimen barcode or receipt number names.

    Returns (visit id, the specimen barcode or ""); a mistyped check digit or
    an unknown number is a ``UserError`` saying so.
    """
    kind, digits = parse_code(code)
    if kind is CodeKind.VISIT:
        visit = q.visit_by_number(digits)
        if visit is None:
            raise NotFoundError(tr("体检号 {n} 不存在", "Visit number {n} does not exist", n=digits), field="code")
        return visit.id, ""
    if kind is CodeKind.SPECIMEN:
        specimen = q.specimen_by_barcode(digits)
        if specimen is None:
            raise NotFoundError(tr("条码 {n} 不存在", "Barcode {n} does not exist", n=digits), field="code")
        return specimen.visit_id, digits
    if kind is CodeKind.RECEIPT:
        receipt = q.receipt_by_number(digits)
        if receipt is None:
            raise NotFoundError(tr("收据号 {n} 不存在", "Receipt {n} does not exist", n=digits), field="code")
        return receipt.visit_id, ""
    if kind is CodeKind.DEFERRAL:
        visit = q.visit_by_id(deferral_visit_id(digits))
        if visit is None:
            raise NotFoundError(tr("缓检单 {n} 不存在", "Deferral slip {n} does not exist", n=digits), field="code")
        return visit.id, ""
    raise ValidationError(tr("请扫描体检号、标本条码或收据号", "Scan a visit number, a specimen barcode or a receipt number"),
                          field="code")
