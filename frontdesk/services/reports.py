"""Reports at the desk (发放体检报告、预约领取健康评估报告).

Life of a report, as the visit's status: a closed visit (交单, awaiting the
report) becomes "report ready" when its report arrives at the desk, and
"report handed out" when the guest, a proxy or a courier takes it.

- Arrival: reports are produced elsewhere and scanned in by visit number,
  one after another or as a CSV/XLSX list from the report system, with an
  optional shelf/cabinet number.  A batch is checked whole first: unknown
  numbers, other codes (a specimen label, a receipt) and visits not closed
  yet are listed with the reason and nothing is received
  (``ArrivalRefusedError``).  A report received before is listed as such and
  left as it was, so loading the same list twice is harmless.
- Hand-out: in person (the ID number shown must be the guest's), by proxy
  (name, resident ID number, relation; the guest's authorisation when the
  site setting ``report_proxy_needs_authorisation`` says so) or by courier
  (company, tracking number), with an optional signature (PNG).  A report
  handed out already is refused (``AlreadyHandedOutError``) unless a
  supervisor authorises the repeat; every hand-out is audited, without ID
  numbers in the log.
- Pickup appointments: a day and a time slot (site setting
  ``report_pickup_slots``) with at most ``report_pickup_slot_limit`` guests.
- The call list: reports ready and not collected ``report_uncollected_days``
  days after they arrived, with "called" ticks; exported masked to CSV/XLSX,
  and every export is audited.

Times come from ``frontdesk.clock``; "today" is the desk's local day.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from frontdesk import clock
from frontdesk.domain.codes import CodeKind, parse_code
from frontdesk.domain.enums import HandoutMethod, PickupKind, PickupStatus, Role, VisitStatus
from frontdesk.domain.idnumber import id_number_variants, parse_resident_id
from frontdesk.domain.masking import mask_id_number, mask_name, mask_phone
from frontdesk.domain.text import normalize_digits, normalize_input, validate_person_name
from frontdesk.errors import ConflictError, NotFoundError, PermissionDeniedError, UserError, ValidationError
from frontdesk.i18n import language, tr
from frontdesk.services import audit, site_settings
from frontdesk.services.session import Session
from frontdesk.storage import db, queries
from frontdesk.storage import models as m
from frontdesk.storage import report_queries as rq

READY, HANDED_OUT, CLOSED = (VisitStatus.REPORT_READY.value, VisitStatus.REPORT_HANDED_OUT.value,
                             VisitStatus.CLOSED.value)
MAX_SIGNATURE_BYTES = 512 * 1024
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_SHELF = re.compile(r"[A-Z0-9][A-Z0-9-]{0,15}")
_TRACKING = re.compile(r"[A-Z0-9]{6,30}")
_SLOT = re.compile(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})")
#: Relations a proxy may have to the guest (the desk may type another).
RELATIONS = (("配偶", "Spouse"), ("父母", "Parent"), ("子女", "Child"), ("其他亲属", "Other relative"),
             ("同事", "Colleague"), ("朋友", "Friend"))


def _local_name(row, attr: str = "name") -> str:
    return getattr(row, attr + "_en") if language() == "en" else getattr(row, attr)


def _local_time(moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone().strftime(fmt) if moment else ""


def _midnight(day: dt.date) -> dt.datetime:
    """The start of the desk's local ``day``, aware."""
    return dt.datetime.combine(day, dt.time(0)).astimezone()


def _setting_bool(key: str) -> bool:
    return site_settings.get(key).strip().lower() in ("1", "true", "yes", "on")


def _setting_int(key: str, minimum: int) -> int:
    try:
        return max(minimum, int(site_settings.get(key)))
    except ValueError:
        return max(minimum, int(site_settings.DEFAULTS[key]))


def proxy_needs_authorisation() -> bool:
    return _setting_bool("report_proxy_needs_authorisation")


def uncollected_days() -> int:
    return _setting_int("report_uncollected_days", 1)


def slot_limit() -> int:
    return _setting_int("report_pickup_slot_limit", 1)


def pickup_slots() -> tuple[str, ...]:
    """The day's pickup slots from the site setting ("09:00-10:00,10:00-11:00,..."), in order."""
    slots = []
    for part in site_settings.get("report_pickup_slots").replace("，", ",").split(","):
        part = part.strip().replace(" ", "")
        match = _SLOT.fullmatch(part)
        if match and part[:5] < part[6:] and int(match.group(1)) < 24 and int(match.group(3)) < 25:
            slots.append(part)
    return tuple(sorted(dict.fromkeys(slots))) or tuple(site_settings.DEFAULTS["report_pickup_slots"].split(","))


@dataclass(frozen=True)
class ReportSettings:
    proxy_needs_authorisation: bool
    uncollected_days: int
    pickup_slots: tuple[str, ...]
    slot_limit: int


def report_settings() -> ReportSettings:
    return ReportSettings(proxy_needs_authorisation(), uncollected_days(), pickup_slots(), slot_limit())


def parse_slots(text: str) -> tuple[str, ...]:
    """"09:00-10:00, 10:00-11:00" as slots in order; ``ValidationError`` naming a slot that is not one."""
    slots = []
    for part in re.split(r"[,，;；\s]+", normalize_input(text or "").replace(" - ", "-")):
        if not part:
            continue
        match = _SLOT.fullmatch(part)
        if not match or not (int(match.group(1)) < 24 and int(match.group(2)) < 60 and int(match.group(3)) <= 24
                             and int(match.group(4)) < 60 and part[:5] < part[6:]):
            raise ValidationError(tr("时段“{s}”应写成 09:00-10:00", "The slot “{s}” should read like 09:00-10:00",
                                     s=part), field="slots")
        slots.append(part)
    if not slots:
        raise ValidationError(tr("请至少设置一个领取时段", "Set at least one pickup slot"), field="slots")
    return tuple(sorted(dict.fromkeys(slots)))


def update_report_settings(session: Session, settings: ReportSettings) -> ReportSettings:
    """Change the site's report settings (supervisor; each change audited), all or none."""
    session.require(Role.SUPERVISOR)
    if not 1 <= settings.uncollected_days <= 365:
        raise ValidationError(tr("未领取天数应为 1 至 365", "Days uncollected must be 1 to 365"), field="days")
    if not 1 <= settings.slot_limit <= 200:
        raise ValidationError(tr("每个时段人数应为 1 至 200", "Guests per slot must be 1 to 200"), field="slot_limit")
    slots = parse_slots(",".join(settings.pickup_slots))
    values = {"report_proxy_needs_authorisation": "1" if settings.proxy_needs_authorisation else "0",
              "report_uncollected_days": str(settings.uncollected_days), "report_pickup_slots": ",".join(slots),
              "report_pickup_slot_limit": str(settings.slot_limit)}
    with db.transaction():
        for key, value in values.items():
            if site_settings.get(key) != value:
                site_settings.set_value(session, key, value)
    return report_settings()


def normalise_shelf(text: str) -> str:
    """A shelf or cabinet number as written on it: letters, digits and '-', up to 16, upper case; may be empty."""
    shelf = normalize_input(text or "").replace(" ", "").upper()
    if shelf and not _SHELF.fullmatch(shelf):
        raise ValidationError(tr("柜位号应为1至16位字母、数字或“-”", "A shelf number has 1 to 16 letters, digits or '-'"),
                              field="shelf_no")
    return shelf


# --------------------------------------------------------------------------
# Arrival


@dataclass(frozen=True)
class ArrivalEntry:
    """One report to receive: the scanned or listed code, its shelf, and its line in a file."""

    code: str
    shelf_no: str = ""
    line: int | None = None


@dataclass(frozen=True)
class ArrivalProblem:
    code: str
    reason: str
    line: int | None = None

    def text(self) -> str:
        where = tr("第 {n} 行：", "line {n}: ", n=self.line) if self.line else ""
        return f"{where}{self.code or tr('（空）', '(empty)')} — {self.reason}"


@dataclass(frozen=True)
class ArrivalLine:
    visit_id: int
    visit_no: str
    guest_name: str       # masked
    shelf_no: str
    received_at: dt.datetime
    received_by: str


@dataclass(frozen=True)
class ArrivalOutcome:
    received: tuple[ArrivalLine, ...]   # received now
    already: tuple[ArrivalLine, ...]    # received before: left as they were


class ArrivalRefusedError(ValidationError):
    """Some reports of a batch cannot be received; nothing of the batch was."""

    def __init__(self, problems: Sequence[ArrivalProblem], total: int) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(p.text() for p in self.problems[:10])
        more = tr("\n……另有 {n} 条", "\n… and {n} more", n=len(self.problems) - 10) if len(self.problems) > 10 else ""
        super().__init__(tr("{bad} 份报告无法登记，本批 {total} 份均未登记：\n{lines}{more}",
                            "{bad} of {total} reports cannot be received; none of this batch was:\n{lines}{more}",
                            bad=len(self.problems), total=total, lines=lines, more=more), field="code")


def _entry(value: ArrivalEntry | str) -> ArrivalEntry:
    return value if isinstance(value, ArrivalEntry) else ArrivalEntry(str(value))


def _not_a_visit(kind: CodeKind) -> str:
    what = {CodeKind.SPECIMEN: tr("这是标本条码", "this is a specimen label"),
            CodeKind.RECEIPT: tr("这是收据号", "this is a receipt number"),
            CodeKind.BOOKING: tr("这是预约号", "this is a booking number"),
            CodeKind.DEFERRAL: tr("这是缓检单号", "this is a deferral slip")}[kind]
    return tr("{w}，请扫描导检单或报告封面上的体检号", "{w}; scan the visit number on the guide sheet or report cover", w=what)


def _status_problem(status: str) -> str:
    if status == VisitStatus.CHECKED_IN.value:
        return tr("该体检尚未交单（导检单未交回核对），请先在“交单核对”完成交单",
                  "this visit is not closed yet (guide sheet not returned); close it in Close-out first")
    if status == VisitStatus.CANCELLED.value:
        return tr("该体检已取消，没有报告", "this visit was cancelled; it has no report")
    return tr("该体检状态为“{s}”，不能登记报告", "this visit is “{s}”; no report can be received",
              s=VisitStatus(status).label() if status in VisitStatus._value2member_map_ else status)


def receive_reports(session: Session, entries: Sequence[ArrivalEntry | str], *, shelf_no: str = "") -> ArrivalOutcome:
    """Mark the reports of these visits as arrived at the desk (all or nothing).

    ``shelf_no`` files every report of the batch on that shelf unless an
    entry names its own.  Raises ``ArrivalRefusedError`` listing every entry
    that cannot be received (nothing is written then), ``ValidationError``
    for an empty batch or a bad shelf number.
    """
    entries = [_entry(e) for e in entries]
    if not entries:
        raise ValidationError(tr("没有要登记的体检号", "No visit numbers to receive"), field="code")
    default_shelf = normalise_shelf(shelf_no)
    problems: list[ArrivalProblem] = []
    wanted: dict[str, tuple[ArrivalEntry, str]] = {}  # visit number -> entry, its shelf
    for entry in entries:
        try:
            kind, digits = parse_code(entry.code)
        except ValidationError as exc:
            problems.append(ArrivalProblem(entry.code.strip(), exc.message, entry.line))
            continue
        if kind is not CodeKind.VISIT:
            problems.append(ArrivalProblem(digits, _not_a_visit(kind), entry.line))
            continue
        try:
            shelf = normalise_shelf(entry.shelf_no) if entry.shelf_no else default_shelf
        except ValidationError as exc:
            problems.append(ArrivalProblem(digits, exc.message, entry.line))
            continue
        wanted.setdefault(digits, (entry, shelf))  # the same number twice in a list is one report
    now = clock.now()
    with db.transaction():
        visits = rq.visits_by_number(wanted)
        earlier = rq.arrivals_of(v.id for v in visits.values())
        to_receive, already = [], []
        for number, (entry, shelf) in wanted.items():
            visit = visits.get(number)
            if visit is None:
                problems.append(ArrivalProblem(number, tr("体检号不存在", "no such visit number"), entry.line))
            elif visit.status in (READY, HANDED_OUT):
                arrival = earlier.get(visit.id)
                already.append(ArrivalLine(visit.id, number, mask_name(visit.guest.name),
                                           arrival.shelf_no if arrival else "",
                                           arrival.received_at if arrival else now,
                                           arrival.received_by if arrival else ""))
            elif visit.status != CLOSED:
                problems.append(ArrivalProblem(number, _status_problem(visit.status), entry.line))
            else:
                to_receive.append((visit, shelf))
        if problems:
            problems.sort(key=lambda p: (p.line or 0, p.code))
            raise ArrivalRefusedError(problems, len(entries))
        received = []
        for visit, shelf in to_receive:
            try:
                with db.transaction():  # a savepoint: the unique index refuses a report another desk just filed
                    m.ReportArrival.create(visit=visit.id, received_at=now, received_by=session.username,
                                           desk=session.desk, shelf_no=shelf)
            except queries.IntegrityError:
                raise ConflictError(tr("体检号 {n} 的报告刚被其他工作站登记，请重新扫描本批",
                                       "The report of visit {n} was just received at another desk; scan the batch again",
                                       n=visit.visit_no)) from None
            audit.record(session, "report.receive", "visit", visit.visit_no, shelf=shelf)
            received.append(ArrivalLine(visit.id, visit.visit_no, mask_name(visit.guest.name), shelf, now,
                                        session.username))
        if rq.move_status([v.id for v, _ in to_receive], CLOSED, READY) != len(to_receive):
            raise ConflictError(tr("有体检的状态刚被其他工作站改变，本批未登记，请重新扫描",
                                   "A visit of this batch was just changed at another desk; nothing was received, "
                                   "scan again"))
    return ArrivalOutcome(tuple(received), tuple(already))


def _decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) as the report system writes it, else GBK/GB18030 as Excel on a Chinese Windows."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ValidationError(tr("无法识别文件的文字编码（应为 UTF-8 或 GBK）", "Cannot read the file's text encoding "
                                 "(expected UTF-8 or GBK)"), field="file") from None


def _rows_of_file(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            try:
                book = load_workbook(path, read_only=True, data_only=True)
            except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
                raise ValidationError(tr("无法读取 Excel 文件：{e}", "Cannot read the Excel file: {e}", e=exc),
                                      field="file") from None
            try:
                sheet = book.worksheets[0]
                return [["" if c is None else (str(int(c)) if isinstance(c, float) and c.is_integer() else str(c))
                         for c in row] for row in sheet.iter_rows(values_only=True)]
            finally:
                book.close()
        if suffix in (".csv", ".txt"):
            text = _decode_csv(path.read_bytes())
            dialect = csv.excel_tab if "\t" in text.split("\n", 1)[0] else csv.excel
            return [row for row in csv.reader(io.StringIO(text), dialect)]
    except OSError as exc:
        raise ValidationError(tr("无法打开文件：{e}", "Cannot open the file: {e}", e=exc), field="file") from None
    raise ValidationError(tr("请选择 CSV 或 XLSX 文件", "Choose a CSV or XLSX file"), field="file")


def read_arrival_file(path: str | Path) -> list[ArrivalEntry]:
    """The visit numbers (first column) and shelves (optional second column) of a CSV/XLSX list.

    A first row without digits is a header and skipped, as are empty rows;
    every other row becomes an entry (with its line number), so a bad one is
    reported by ``receive_reports`` with the reason.
    """
    entries = []
    for line, row in enumerate(_rows_of_file(Path(path)), start=1):
        cells = [str(c).strip() for c in row]
        if not any(cells):
            continue
        code = cells[0]
        if line == 1 and not any(ch.isdigit() for ch in code):
            continue
        entries.append(ArrivalEntry(code, cells[1] if len(cells) > 1 else "", line))
    if not entries:
        raise ValidationError(tr("文件中没有体检号", "The file holds no visit numbers"), field="file")
    return entries


# --------------------------------------------------------------------------
# The shelf and finding a report


@dataclass(frozen=True)
class ReportRow:
    visit_id: int
    visit_no: str
    guest_name: str      # masked
    phone: str           # masked
    visit_date: dt.date
    package: str
    status: str          # VisitStatus value
    shelf_no: str
    received_at: dt.datetime | None

    @property
    def status_label(self) -> str:
        return VisitStatus(self.status).label()


def _report_row(v: m.Visit, arrival: m.ReportArrival | None) -> ReportRow:
    return ReportRow(v.id, v.visit_no, mask_name(v.guest.name), mask_phone(v.guest.phone or ""), v.visit_date,
                     _local_name(v.package) if v.package_id else "", v.status,
                     arrival.shelf_no if arrival else "", arrival.received_at if arrival else None)


def _arrival_joined(v: m.Visit) -> m.ReportArrival | None:
    arrival = getattr(v, "arrival", None)
    return arrival if arrival is not None and arrival.id is not None else None


def waiting_reports(limit: int = 1000) -> list[ReportRow]:
    """Reports at the desk, not yet collected: the shelf, oldest first."""
    return [_report_row(v, _arrival_joined(v)) for v in rq.reports_with_status([READY], limit=limit)]


def arrivals_on(day: dt.date, limit: int = 1000) -> list[ReportRow]:
    """The reports that arrived on ``day`` (any desk), newest first: the arrival tab's list when it opens."""
    rows = rq.arrivals_between(_midnight(day), _midnight(day + dt.timedelta(days=1)), limit=limit)
    return [_report_row(v, _arrival_joined(v)) for v in rows]


def reports_awaited(*, exam_before: dt.date | None = None, limit: int = 1000) -> list[ReportRow]:
    """Closed visits whose report has not arrived yet (exams before ``exam_before``), oldest first."""
    rows = rq.reports_with_status([CLOSED], limit=limit, visit_date_before=exam_before)
    return sorted((_report_row(v, None) for v in rows), key=lambda r: (r.visit_date, r.visit_no))


def find_reports(text: str, limit: int = 50) -> list[ReportRow]:
    """Reports (at the desk or handed out) for a scanned visit number, a name, a phone or an ID number."""
    text = normalize_input(text or "")
    if not text:
        return []
    digits = normalize_digits(text).upper()
    statuses = [READY, HANDED_OUT, CLOSED]
    if digits.isdigit() and len(digits) in (10, 11, 12) and not (len(digits) == 11 and digits[0] == "1"):
        kind, number = parse_code(digits)
        if kind is not CodeKind.VISIT:
            raise ValidationError(_not_a_visit(kind), field="code")
        visits = list(rq.visits_by_number([number]).values())
        if not visits:
            raise NotFoundError(tr("体检号 {n} 不存在", "Visit number {n} does not exist", n=number), field="code")
    elif digits.isdigit() and len(digits) == 11:
        visits = rq.report_visits_matching(phone=digits, statuses=statuses, limit=limit)
    elif len(digits) in (15, 18) and digits[:-1].isdigit():
        visits = rq.report_visits_matching(id_numbers=id_number_variants(digits), statuses=statuses, limit=limit)
    else:
        visits = rq.report_visits_matching(name=text, statuses=statuses, limit=limit)
    arrivals = rq.arrivals_of(v.id for v in visits)
    return [_report_row(v, arrivals.get(v.id)) for v in visits]


# --------------------------------------------------------------------------
# Hand-out


@dataclass(frozen=True)
class HandoutRecord:
    handout_id: int
    visit_id: int
    visit_no: str
    guest_name: str          # masked
    method: HandoutMethod
    recipient_name: str      # masked
    recipient_id_masked: str
    relation: str
    authorisation_seen: bool
    courier_company: str
    tracking_no: str
    handed_at: dt.datetime
    handed_by: str
    desk: str
    repeat: bool
    authorised_by: str
    has_signature: bool

    def summary(self) -> str:
        who = {HandoutMethod.IN_PERSON: tr("本人", "the guest"),
               HandoutMethod.PROXY: tr("代领人 {n}（{r}）", "proxy {n} ({r})", n=self.recipient_name, r=self.relation),
               HandoutMethod.MAILED: tr("{c} {t}", "{c} {t}", c=self.courier_company, t=self.tracking_no)}[self.method]
        return tr("{at} 由 {by} 发放给{who}", "{at}: handed out by {by} to {who}", at=_local_time(self.handed_at),
                  by=self.handed_by, who=who)


def _record(h: m.ReportHandout, visit: m.Visit, names: dict[str, str] | None = None) -> HandoutRecord:
    """``names``: display names by user name, for records the desk reads (else user names)."""
    names = names or {}
    method = HandoutMethod(h.method)
    name = h.recipient_name if method is not HandoutMethod.IN_PERSON else visit.guest.name
    return HandoutRecord(
        handout_id=h.id, visit_id=visit.id, visit_no=visit.visit_no, guest_name=mask_name(visit.guest.name),
        method=method, recipient_name=mask_name(name or ""),
        recipient_id_masked=mask_id_number(h.recipient_id_number) if h.recipient_id_number else "",
        relation=h.proxy_relation, authorisation_seen=bool(h.authorisation_seen), courier_company=h.courier_company,
        tracking_no=h.tracking_no, handed_at=h.handed_at, handed_by=names.get(h.handed_by, h.handed_by), desk=h.desk,
        repeat=bool(h.repeat), authorised_by=names.get(h.authorised_by, h.authorised_by),
        has_signature=bool(h.signature_png))


def _records_with_names(handouts: Sequence[m.ReportHandout], visit: m.Visit) -> tuple[HandoutRecord, ...]:
    from frontdesk.storage.specimen_queries import display_names

    names = display_names({h.handed_by for h in handouts} | {h.authorised_by for h in handouts if h.authorised_by})
    return tuple(_record(h, visit, names) for h in handouts)


@dataclass(frozen=True)
class HandoutView:
    """What the hand-out dialog shows for the identity check."""

    visit_id: int
    visit_no: str
    guest_name: str          # in full: the desk compares it with the person's ID card
    sex: str
    age: int | None
    id_number_masked: str
    has_id_number: bool
    phone_masked: str
    visit_date: dt.date
    package: str
    organisation: str
    status: str              # VisitStatus value
    shelf_no: str
    received_at: dt.datetime | None
    previous: tuple[HandoutRecord, ...]
    proxy_needs_authorisation: bool

    @property
    def handed_out(self) -> bool:
        return self.status == HANDED_OUT

    @property
    def ready(self) -> bool:
        return self.status in (READY, HANDED_OUT)

    def blocker(self) -> str:
        """Why no report can be handed out for this visit, or ""."""
        if self.ready:
            return ""
        if self.status == CLOSED:
            return tr("报告尚未到达前台（未登记到达）", "The report has not reached the desk yet (not received)")
        return _status_problem(self.status)


def handout_view(visit_id: int) -> HandoutView:
    from frontdesk.domain.idnumber import age_on
    from frontdesk.domain.sex import Sex

    v = rq.visit_with_guest(visit_id)
    if v is None:
        raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
    g = v.guest
    arrival = rq.arrivals_of([v.id]).get(v.id)
    return HandoutView(
        visit_id=v.id, visit_no=v.visit_no, guest_name=g.name, sex=Sex(g.sex).label(),
        age=age_on(g.birth_date, v.visit_date) if g.birth_date else None,
        id_number_masked=mask_id_number(g.id_number or ""), has_id_number=bool(g.id_number),
        phone_masked=mask_phone(g.phone or ""), visit_date=v.visit_date,
        package=_local_name(v.package) if v.package_id else "",
        organisation=g.organisation.name if g.organisation_id else "", status=v.status,
        shelf_no=arrival.shelf_no if arrival else "", received_at=arrival.received_at if arrival else None,
        previous=_records_with_names(rq.handouts_of(v.id), v),
        proxy_needs_authorisation=proxy_needs_authorisation())


def handout_view_for_code(code: str) -> HandoutView:
    """The hand-out view of a scanned or typed visit number."""
    kind, digits = parse_code(code)
    if kind is not CodeKind.VISIT:
        raise ValidationError(_not_a_visit(kind), field="code")
    visit = rq.visits_by_number([digits]).get(digits)
    if visit is None:
        raise NotFoundError(tr("体检号 {n} 不存在", "Visit number {n} does not exist", n=digits), field="code")
    return handout_view(visit.id)


def check_guest_id(visit_id: int, typed: str) -> bool | None:
    """Whether ``typed`` is the guest's ID number (15/18-digit forms alike); None when none is on file.

    For the identity check on screen: the full number never leaves the service.
    """
    visit = rq.visit_with_guest(visit_id)
    if visit is None:
        raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
    if not visit.guest.id_number:
        return None
    return _same_person_number(normalize_digits(typed or "").upper(), visit.guest.id_number)


@dataclass(frozen=True)
class HandoutRequest:
    visit_id: int
    method: HandoutMethod
    id_number: str = ""          # in person: the guest's ID shown; by proxy: the proxy's
    proxy_name: str = ""
    relation: str = ""
    authorisation_seen: bool = False
    courier_company: str = ""
    tracking_no: str = ""
    signature_png: bytes | None = None


class AlreadyHandedOutError(PermissionDeniedError):
    """The report was handed out before; another hand-out needs a supervisor."""

    def __init__(self, message: str, previous: Sequence[HandoutRecord]) -> None:
        super().__init__(message)
        self.previous = tuple(previous)


def _same_person_number(typed: str, on_file: str) -> bool:
    return bool(on_file) and on_file.upper() in {v.upper() for v in id_number_variants(typed)}


def _check_signature(data: bytes | None) -> bytes | None:
    if not data:
        return None
    if not data.startswith(_PNG_MAGIC):
        raise ValidationError(tr("签名图片格式不对", "The signature is not a PNG image"), field="signature")
    if len(data) > MAX_SIGNATURE_BYTES:
        raise ValidationError(tr("签名图片过大", "The signature image is too large"), field="signature")
    return bytes(data)


def _checked_fields(request: HandoutRequest, guest: m.Guest) -> dict:
    """The columns of the hand-out record, after the rules of its method; raises ``ValidationError``."""
    method = HandoutMethod(request.method)
    fields = {"method": method.value, "recipient_name": "", "recipient_id_number": "", "proxy_relation": "",
              "authorisation_seen": False, "courier_company": "", "tracking_no": ""}
    if method is HandoutMethod.IN_PERSON:
        typed = normalize_digits(request.id_number or "").upper()
        if not typed:
            raise ValidationError(tr("请输入或读取领取人的身份证号", "Enter or read the guest's ID number"),
                                  field="id_number")
        if guest.id_number and not _same_person_number(typed, guest.id_number):
            raise ValidationError(tr("证件号与受检者登记的证件号（{m}）不一致：不是本人，请按代领办理",
                                     "The ID number does not match the guest's ({m}): not the guest; hand out by proxy",
                                     m=mask_id_number(guest.id_number)), field="id_number")
        fields.update(recipient_name=guest.name, recipient_id_number=typed)
    elif method is HandoutMethod.PROXY:
        name = validate_person_name(request.proxy_name or "")
        try:
            number = parse_resident_id(request.id_number or "", today=clock.today()).number
        except ValidationError as exc:
            raise ValidationError(tr("代领人证件号：{e}", "Proxy's ID number: {e}", e=exc.message),
                                  field="id_number") from None
        if guest.id_number and _same_person_number(number, guest.id_number):
            raise ValidationError(tr("这是受检者本人的证件号，请按本人领取办理",
                                     "This is the guest's own ID number; hand out in person"), field="id_number")
        relation = normalize_input(request.relation or "")[:32]
        if not relation:
            raise ValidationError(tr("请选择代领人与受检者的关系", "Choose the proxy's relation to the guest"),
                                  field="relation")
        if proxy_needs_authorisation() and not request.authorisation_seen:
            raise ValidationError(tr("代领需要受检者的授权（授权书或委托短信），请核验后勾选",
                                     "A proxy needs the guest's authorisation (letter or message): check it and tick "
                                     "the box"), field="authorisation")
        fields.update(recipient_name=name, recipient_id_number=number, proxy_relation=relation,
                      authorisation_seen=bool(request.authorisation_seen))
    else:
        company = normalize_input(request.courier_company or "")[:64]
        if not company:
            raise ValidationError(tr("请填写快递公司", "Enter the courier company"), field="courier_company")
        tracking = normalize_digits(request.tracking_no or "").upper()
        if not _TRACKING.fullmatch(tracking):
            raise ValidationError(tr("快递单号应为6至30位字母或数字", "A tracking number has 6 to 30 letters or digits"),
                                  field="tracking_no")
        fields.update(recipient_name=guest.name, courier_company=company, tracking_no=tracking)
    return fields


def hand_out(session: Session, request: HandoutRequest, *, supervisor: Session | None = None) -> HandoutRecord:
    """Hand the visit's report out (in person, by proxy or by courier) and record it.

    A report not received yet cannot be handed out (``ConflictError``); one
    handed out before raises ``AlreadyHandedOutError`` unless ``supervisor``
    (a supervisor's session, e.g. from the authorisation dialog) allows the
    repeat, which is audited under the supervisor's name too.
    """
    if supervisor is not None:
        supervisor.require(Role.SUPERVISOR)
    signature = _check_signature(request.signature_png)
    with db.transaction():
        visit = rq.visit_with_guest(request.visit_id)
        if visit is None:
            raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
        if visit.status == CLOSED:
            raise ConflictError(tr("体检号 {n} 的报告尚未到达前台，不能发放", "The report of visit {n} has not reached the "
                                   "desk yet; it cannot be handed out", n=visit.visit_no))
        if visit.status not in (READY, HANDED_OUT):
            raise ConflictError(tr("体检号 {n}：{r}", "Visit {n}: {r}", n=visit.visit_no, r=_status_problem(visit.status)))
        fields = _checked_fields(request, visit.guest)
        repeat = visit.status == HANDED_OUT
        if repeat and supervisor is None:
            previous = _records_with_names(rq.handouts_of(visit.id), visit)
            last = previous[-1].summary() if previous else ""
            raise AlreadyHandedOutError(tr("该报告已发放过（{last}）。再次发放需要主管授权。",
                                           "This report was handed out already ({last}). Handing it out again needs a "
                                           "supervisor.", last=last), previous)
        if not repeat and rq.move_status([visit.id], READY, HANDED_OUT) != 1:
            raise ConflictError(tr("该报告刚在其他工作站发放，请刷新后再看", "This report was just handed out at another "
                                   "desk; refresh to see it"))
        handout = m.ReportHandout.create(visit=visit.id, handed_at=clock.now(), handed_by=session.username,
                                         desk=session.desk, signature_png=signature, repeat=repeat,
                                         authorised_by=supervisor.username if repeat else "", **fields)
        (m.PickupAppointment.update(status=PickupStatus.DONE.value)
         .where(m.PickupAppointment.visit == visit.id, m.PickupAppointment.kind == PickupKind.REPORT.value,
                m.PickupAppointment.status == PickupStatus.BOOKED.value).execute())
        # The log is read by supervisors: names masked, no ID numbers.
        details = dict(visit_no=visit.visit_no, method=fields["method"], recipient=mask_name(fields["recipient_name"]),
                       relation=fields["proxy_relation"], authorisation_seen=fields["authorisation_seen"],
                       courier=fields["courier_company"], tracking_no=fields["tracking_no"],
                       signature=signature is not None, repeat=repeat)
        audit.record(session, "report.handout", "report_handout", handout.id, **details)
        if repeat:
            audit.record(supervisor, "report.handout.repeat_authorised", "report_handout", handout.id,
                         visit_no=visit.visit_no, handed_by=session.username)
    return _record(handout, visit)


def handout_signature(handout_id: int) -> bytes | None:
    row = m.ReportHandout.get_or_none(m.ReportHandout.id == handout_id)
    return bytes(row.signature_png) if row is not None and row.signature_png else None


def handout_receipt_data(handout_id: int):
    """What the hand-out receipt prints for one hand-out (``printing.handout_receipt``)."""
    from frontdesk.printing.handout_receipt import HandoutReceiptData
    from frontdesk.storage.specimen_queries import display_names

    h = rq.handout_with_visit(handout_id)
    if h is None:
        raise NotFoundError(tr("找不到该发放记录", "Hand-out record not found"))
    visit = rq.visit_with_guest(h.visit_id)
    record = _record(h, visit)
    arrival = rq.arrivals_of([visit.id]).get(visit.id)
    names = display_names([h.handed_by, h.authorised_by] if h.authorised_by else [h.handed_by])
    return HandoutReceiptData(
        site_name=site_settings.display_name(), visit_no=visit.visit_no, guest_name=mask_name(visit.guest.name),
        guest_id_masked=mask_id_number(visit.guest.id_number or ""), visit_date=visit.visit_date,
        package=_local_name(visit.package) if visit.package_id else "", method=record.method,
        recipient_name=record.recipient_name, recipient_id_masked=record.recipient_id_masked,
        relation=record.relation, authorisation_seen=record.authorisation_seen,
        courier_company=record.courier_company, tracking_no=record.tracking_no, handed_at=record.handed_at,
        handed_by=names.get(h.handed_by, h.handed_by), desk=h.desk, repeat=record.repeat,
        authorised_by=names.get(h.authorised_by, h.authorised_by) if h.authorised_by else "",
        shelf_no=arrival.shelf_no if arrival else "", signature_png=bytes(h.signature_png) if h.signature_png else None)


def render_handout_receipt(handout_id: int) -> bytes:
    """The hand-out receipt PDF of one hand-out."""
    from frontdesk.printing.handout_receipt import render_handout_receipt_pdf

    return render_handout_receipt_pdf(handout_receipt_data(handout_id))


# --------------------------------------------------------------------------
# Pickup appointments


@dataclass(frozen=True)
class SlotAvailability:
    slot: str
    booked: int
    limit: int

    @property
    def free(self) -> int:
        return max(0, self.limit - self.booked)


@dataclass(frozen=True)
class AppointmentRow:
    appointment_id: int
    visit_id: int
    visit_no: str
    guest_name: str      # masked
    phone: str           # masked
    day: dt.date
    slot: str
    kind: PickupKind
    status: PickupStatus
    report_status: str   # VisitStatus value of the visit
    note: str


def slots_on(day: dt.date) -> list[SlotAvailability]:
    counts = rq.slot_counts(day, PickupStatus.BOOKED.value)
    limit = slot_limit()
    return [SlotAvailability(slot, counts.get(slot, 0), limit) for slot in pickup_slots()]


def _appointment_row(a: m.PickupAppointment) -> AppointmentRow:
    v = a.visit
    return AppointmentRow(a.id, v.id, v.visit_no, mask_name(a.guest.name), mask_phone(a.guest.phone or ""), a.day,
                          a.slot, PickupKind(a.kind), PickupStatus(a.status), v.status, a.note)


def appointments_on(day: dt.date, *, include_cancelled: bool = False) -> list[AppointmentRow]:
    """The day's pickup appointments by slot."""
    statuses = [s.value for s in PickupStatus if include_cancelled or s is not PickupStatus.CANCELLED]
    return [_appointment_row(a) for a in rq.appointments_on(day, statuses)]


def book_pickup(session: Session, visit_id: int, day: dt.date, slot: str, kind: PickupKind = PickupKind.REPORT,
                note: str = "") -> AppointmentRow:
    """Book a slot for collecting the report (or a consultation about it).

    Refused for a day in the past, a slot that is not offered, a full slot
    (the per-slot limit holds across desks: the slot's counter row is locked
    while counting), a visit not closed yet, a report already collected, or a
    second open appointment of the same kind for the visit.
    """
    kind = PickupKind(kind)
    if day < clock.today():
        raise ValidationError(tr("不能预约过去的日期", "A past day cannot be booked"), field="day")
    if slot not in pickup_slots():
        raise ValidationError(tr("没有“{s}”这个时段", "There is no slot “{s}”", s=slot), field="slot")
    note = normalize_input(note or "")[:128]
    with db.transaction():
        visit = rq.visit_with_guest(visit_id)
        if visit is None:
            raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
        allowed = (CLOSED, READY) if kind is PickupKind.REPORT else (CLOSED, READY, HANDED_OUT)
        if visit.status not in allowed:
            if visit.status == HANDED_OUT:
                raise ConflictError(tr("该报告已领取，不能再预约领取", "This report was collected already; no pickup to "
                                       "book"))
            raise ConflictError(_status_problem(visit.status))
        # Taken for its row lock: two desks booking the same slot count one after the other.
        queries.next_counter(f"pickup_slot:{day.isoformat()}:{slot}")
        if rq.open_appointment(visit.id, kind.value, PickupStatus.BOOKED.value, clock.today()) is not None:
            raise ConflictError(tr("该体检已有未完成的{k}预约", "This visit has an open {k} appointment already",
                                   k=kind.label()))
        booked = rq.slot_counts(day, PickupStatus.BOOKED.value).get(slot, 0)
        if booked >= slot_limit():
            free = [s.slot for s in slots_on(day) if s.free > 0]
            raise ConflictError(tr("{d} {s} 已约满（{n} 人）。{free}", "{d} {s} is full ({n} guests). {free}",
                                   d=day.isoformat(), s=slot, n=booked,
                                   free=tr("当天仍可约：{f}", "Still free that day: {f}", f="、".join(free)) if free
                                   else tr("当天已全部约满", "The whole day is full")), field="slot")
        appt = m.PickupAppointment.create(visit=visit.id, guest=visit.guest_id, day=day, slot=slot, kind=kind.value,
                                          status=PickupStatus.BOOKED.value, note=note, created_by=session.username)
        audit.record(session, "report.pickup.book", "pickup_appointment", appt.id, visit_no=visit.visit_no,
                     day=day.isoformat(), slot=slot, kind=kind.value)
        appt = rq.appointments_on(day, [PickupStatus.BOOKED.value])
        row = next(a for a in appt if a.visit_id == visit.id and a.kind == kind.value and a.slot == slot)
    return _appointment_row(row)


def cancel_pickup(session: Session, appointment_id: int, reason: str = "") -> None:
    with db.transaction():
        appt = m.PickupAppointment.get_or_none(m.PickupAppointment.id == appointment_id)
        if appt is None:
            raise NotFoundError(tr("找不到该预约", "Appointment not found"))
        if appt.status != PickupStatus.BOOKED.value:
            raise ConflictError(tr("该预约已{s}", "This appointment is {s} already",
                                   s=PickupStatus(appt.status).label()))
        appt.status = PickupStatus.CANCELLED.value
        appt.save()
        audit.record(session, "report.pickup.cancel", "pickup_appointment", appt.id,
                     reason=normalize_input(reason or "")[:128])


# --------------------------------------------------------------------------
# The call list


@dataclass(frozen=True)
class CallRow:
    visit_id: int
    visit_no: str
    guest_name: str          # masked
    id_number: str           # masked
    phone: str               # masked
    visit_date: dt.date
    received_at: dt.datetime
    days_waiting: int
    shelf_no: str
    calls: int
    last_called_at: dt.datetime | None
    last_called_by: str
    last_note: str
    appointment: str         # "2026-11-25 09:00-10:00" when one is booked

    @property
    def called(self) -> bool:
        return self.calls > 0


def call_list(*, days: int | None = None, today: dt.date | None = None, limit: int = 5000) -> list[CallRow]:
    """Reports ready at the desk and not collected ``days`` (site setting) or more days after they arrived."""
    days = uncollected_days() if days is None else max(0, int(days))
    today = today or clock.today()
    cutoff = _midnight(today - dt.timedelta(days=days - 1))  # received before the start of that day
    visits = rq.reports_with_status([READY], limit=limit, received_before=cutoff)
    ids = [v.id for v in visits]
    calls = rq.last_calls(ids)
    appts = rq.booked_appointments_of(ids, PickupStatus.BOOKED.value)
    from frontdesk.storage.specimen_queries import display_names

    names = display_names(call.called_by for call, _ in calls.values())
    rows = []
    for v in visits:
        arrival = _arrival_joined(v)
        if arrival is None:
            continue
        last, count = calls.get(v.id, (None, 0))
        appt = appts.get(v.id)
        g = v.guest
        rows.append(CallRow(
            visit_id=v.id, visit_no=v.visit_no, guest_name=mask_name(g.name),
            id_number=mask_id_number(g.id_number or ""), phone=mask_phone(g.phone or ""), visit_date=v.visit_date,
            received_at=arrival.received_at, days_waiting=(today - arrival.received_at.astimezone().date()).days,
            shelf_no=arrival.shelf_no, calls=count, last_called_at=last.called_at if last else None,
            last_called_by=names.get(last.called_by, last.called_by) if last else "", last_note=last.note if last else "",
            appointment=f"{appt.day.isoformat()} {appt.slot}" if appt else ""))
    return rows


def mark_called(session: Session, visit_id: int, note: str = "") -> None:
    """Tick a guest on the call list as called (who, when, what was said)."""
    note = normalize_input(note or "")[:255]
    with db.transaction():
        visit = m.Visit.get_or_none(m.Visit.id == visit_id)
        if visit is None:
            raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
        if visit.status != READY:
            raise ConflictError(tr("该报告不在待领状态，无需通知", "This report is not waiting at the desk; no call needed"))
        call = m.ReportCall.create(visit=visit.id, called_at=clock.now(), called_by=session.username, note=note)
        audit.record(session, "report.call", "visit", visit.visit_no, call_id=call.id, note=note)


def _call_table(rows: Sequence[CallRow]) -> tuple[list[str], list[list[object]]]:
    headers = [tr("体检号", "Visit"), tr("姓名", "Name"), tr("证件号", "ID number"), tr("电话", "Phone"),
               tr("体检日期", "Exam date"), tr("报告到达", "Report arrived"), tr("已等天数", "Days waiting"),
               tr("柜位", "Shelf"), tr("已通知次数", "Calls"), tr("最近通知", "Last call"), tr("通知人", "Called by"),
               tr("备注", "Note"), tr("预约领取", "Pickup booked")]
    body = [[r.visit_no, r.guest_name, r.id_number, r.phone, r.visit_date.isoformat(), _local_time(r.received_at),
             r.days_waiting, r.shelf_no, r.calls, _local_time(r.last_called_at), r.last_called_by, r.last_note,
             r.appointment] for r in rows]
    return headers, body


def _export_kind(path: Path) -> str:
    kind = path.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise ValidationError(tr("请保存为 .csv 或 .xlsx 文件", "Save as a .csv or .xlsx file"), field="file")
    return kind


def _write_table(path: Path, headers: Sequence[str], body: Sequence[Sequence[object]], title: str) -> None:
    """A .csv (UTF-8 with BOM, as Excel wants it) or .xlsx file; visit numbers stay text."""
    try:
        if path.suffix.lower() == ".csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(headers)
            writer.writerows([[f"{c}" for c in row] for row in body])
            path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
        else:
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.title = title[:31]
            sheet.append(list(headers))
            for row in body:
                sheet.append([str(c) if i == 0 else c for i, c in enumerate(row)])
            book.save(path)
    except OSError as exc:
        raise UserError(tr("无法保存文件：{e}", "Cannot save the file: {e}", e=exc), field="file") from None


def export_call_list(session: Session, path: str | Path, *, days: int | None = None,
                     today: dt.date | None = None) -> int:
    """Write the call list, masked, to ``path`` (.csv or .xlsx); audited. Returns the number of guests written."""
    path = Path(path)
    kind = _export_kind(path)
    days = uncollected_days() if days is None else days
    rows = call_list(days=days, today=today)
    headers, body = _call_table(rows)
    _write_table(path, headers, body, tr("待通知领取", "To call"))
    with db.transaction():
        audit.record(session, "report.call_list.export", "file", path.name, rows=len(rows), days=days,
                     format=kind.lstrip("."), masked=True)
    return len(rows)


def export_appointments(session: Session, path: str | Path, day: dt.date) -> int:
    """Write the day's pickup appointments, masked, to ``path`` (.csv or .xlsx); audited."""
    path = Path(path)
    kind = _export_kind(path)
    rows = appointments_on(day)
    headers = [tr("体检号", "Visit"), tr("姓名", "Name"), tr("电话", "Phone"), tr("日期", "Day"), tr("时段", "Slot"),
               tr("类型", "Kind"), tr("预约状态", "Status"), tr("报告", "Report"), tr("备注", "Note")]
    body = [[r.visit_no, r.guest_name, r.phone, r.day.isoformat(), r.slot, r.kind.label(), r.status.label(),
             VisitStatus(r.report_status).label(), r.note] for r in rows]
    _write_table(path, headers, body, tr("领取预约", "Pickup appointments"))
    with db.transaction():
        audit.record(session, "report.appointments.export", "file", path.name, rows=len(rows), day=day.isoformat(),
                     format=kind.lstrip("."), masked=True)
    return len(rows)
