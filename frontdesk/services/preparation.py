"""Before the exam (检前提醒、健检资料袋、预订单): reminders and the next day prepared in one batch.

Reminders
    ``reminder_list(day)`` is every live booking of the day with the guest's
    phone, package, fasting and the other instructions (the same words as
    the booking slip, ``bookings.preparation``).  ``export_reminders``
    writes it as CSV (UTF-8 with BOM, so Excel opens the Chinese) or XLSX
    for the SMS tool.  The SMS tool needs the real numbers, so the export is
    NOT masked; it is audited instead (who, which day, how many, where) and
    the screen masks the numbers.  ``mark_reminded`` keeps who ticked whom
    and when (``booking.reminded_at`` / ``reminded_by``).

Prepared visits (design)
    The guide sheet and the labels carry the visit number and the specimen
    barcodes, which used to be made at check-in.  To print them the day
    before, ``prepare_visit`` makes the visit from the booking ahead of time
    with the status ``prepared`` (已备单): its number of the exam date, its
    items and specimens.  Nothing is paid and nobody has arrived: day lists
    and counts of arrivals leave prepared visits out.  At check-in of the
    booking ``checkin.check_in`` turns the SAME visit ``checked_in`` (the
    payment, the receipt, items changed at the desk), so the papers in the
    bag stay right, and labels printed already are not printed again (the
    labels print "what is still to print").  The one-live-visit-per-guest-
    per-day index (migration 0004) counts a prepared visit as live, so a
    guest never gets two visits that day.  ``cancel_prepared_visit`` undoes
    it: called when the booking is cancelled, moved or marked a no-show.

The batch
    ``run_batch`` prepares a day's (or one group's) bookings in booking order
    (half-day, then number) and, guest by guest, prints the document bag
    (cover sheet and guide sheet, one PDF to the documents output) and the
    check-in labels (the workstation's label output).  Each guest is its own
    transaction: a cancel (checked between guests) or a printer failure
    leaves every guest either fully done or untouched, apart from the guest
    whose papers the failure stopped, whose visit stays prepared and whose
    papers ``reprint_guest`` prints.  A guest already done is not printed
    twice when the batch runs again.

The booking order sheet
    ``order_sheet_pdf(organisation_id, day)``: the organisation's bookings of
    the day with packages and totals (``printing.booking_order``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from frontdesk import clock, config
from frontdesk.domain.codes import make_visit_no
from frontdesk.domain.enums import BookingStatus, ItemStatus, Payer, SpecimenStatus, VisitStatus
from frontdesk.domain.idnumber import age_on
from frontdesk.domain.masking import mask_phone
from frontdesk.domain.sex import Sex
from frontdesk.errors import ConflictError, NotFoundError, PrintError, UserError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit, bookings, capacity, eligibility, site_settings, specimens, versioning
from frontdesk.services.session import Session
from frontdesk.storage import db, numbers, queries
from frontdesk.storage import models as m

log = logging.getLogger(__name__)

_LIVE = (BookingStatus.BOOKED.value,)


def _name(row) -> str:
    return tr(row.name, getattr(row, "name_en", "") or row.name)


# --------------------------------------------------------------------------
# Reminders (检前提醒)


@dataclass(frozen=True)
class ReminderRow:
    booking_id: int
    booking_no: str
    exam_date: dt.date
    half_day: str                 # 上午 / 下午
    guest_name: str
    sex_label: str
    phone: str                    # the full number: for the export to the SMS tool only
    phone_masked: str             # what the screen shows
    package: str
    organisation: str
    fasting: bool
    instructions: tuple[str, ...]
    reminded_at: dt.datetime | None
    reminded_by: str              # user name
    reminded_by_name: str         # display name, for the screen
    visit_no: str                 # the prepared visit's number, or ""
    documents_printed: bool       # the document bag was printed by the batch

    @property
    def reminded(self) -> bool:
        return self.reminded_at is not None

    def instructions_text(self) -> str:
        return " ".join(self.instructions)


def _prepared_visits(booking_ids: Sequence[int]) -> dict[int, m.Visit]:
    rows = m.Visit.select().where(m.Visit.booking.in_(list(booking_ids) or [0]),
                                  m.Visit.status == VisitStatus.PREPARED.value)
    return {v.booking_id: v for v in rows}


def _views(day: dt.date, contract_id: int | None = None) -> list[bookings.BookingView]:
    views = bookings.bookings_on(day, statuses=[BookingStatus.BOOKED])
    if contract_id is not None:
        views = [v for v in views if v.contract_id == contract_id]
    return views


def reminder_list(day: dt.date, *, contract_id: int | None = None) -> list[ReminderRow]:
    """Every live booking of ``day`` (one group's with ``contract_id``), morning first, then by number."""
    views = _views(day, contract_id)
    ids = [v.id for v in views]
    raw = {b.id: b for b in m.Booking.select(m.Booking.id, m.Booking.reminded_at, m.Booking.reminded_by)
           .where(m.Booking.id.in_(ids or [0]))}
    phones = {g.id: g.phone or "" for g in m.Guest.select(m.Guest.id, m.Guest.phone)
              .where(m.Guest.id.in_([v.guest_id for v in views] or [0]))}
    prepared = _prepared_visits(ids)
    who = {u.username: u.display_name for u in m.User.select(m.User.username, m.User.display_name).where(
        m.User.username.in_(sorted({b.reminded_by for b in raw.values() if b.reminded_by}) or [""]))}
    rows = []
    packages: dict = {}
    for v in views:
        held = bookings.contents(v, packages)
        phone = phones.get(v.guest_id, "")
        visit = prepared.get(v.id)
        rows.append(ReminderRow(
            booking_id=v.id, booking_no=v.booking_no, exam_date=v.exam_date, half_day=v.half_day.label(),
            guest_name=v.guest_name, sex_label=Sex(v.guest_sex).label() if v.guest_sex else "", phone=phone,
            phone_masked=mask_phone(phone), package=v.package_name or tr("（单项）", "(single items)"),
            organisation=v.organisation_name, fasting=held.fasting,
            instructions=bookings.preparation_notes(held.items),
            reminded_at=raw[v.id].reminded_at, reminded_by=raw[v.id].reminded_by,
            reminded_by_name=who.get(raw[v.id].reminded_by, raw[v.id].reminded_by),
            visit_no=visit.visit_no if visit else "",
            documents_printed=bool(visit and visit.documents_printed_at is not None)))
    return rows


def mark_reminded(session: Session, booking_ids: Sequence[int], reminded: bool = True) -> int:
    """Tick the guests as reminded (or take the tick back); returns how many changed.

    Only live bookings are ticked; who and when are kept and audited.
    """
    ids = sorted({int(i) for i in booking_ids})
    if not ids:
        raise ValidationError(tr("请先选择要标记的预约", "Choose the bookings to mark first"))
    with db.transaction():
        live = {b.id: b for b in m.Booking.select().where(m.Booking.id.in_(ids))}
        missing = [i for i in ids if i not in live]
        if missing:
            raise NotFoundError(tr("找不到该预约", "Booking not found"))
        not_live = [b.booking_no for b in live.values() if b.status not in _LIVE]
        if not_live:
            raise ConflictError(tr("预约 {n} 已不是“已预约”状态，无需提醒", "Booking {n} is no longer booked; no reminder "
                                   "needed", n="、".join(not_live)))
        if reminded:
            changing = [b for b in live.values() if b.reminded_at is None]
            values = dict(reminded_at=m.utcnow(), reminded_by=session.username)
        else:
            changing = [b for b in live.values() if b.reminded_at is not None]
            values = dict(reminded_at=None, reminded_by="")
        if changing:
            m.Booking.update(**values).where(m.Booking.id.in_([b.id for b in changing])).execute()
            audit.record(session, "booking.remind" if reminded else "booking.remind_undo", "booking",
                         changing[0].id if len(changing) == 1 else "",
                         bookings=[b.booking_no for b in changing][:200], count=len(changing))
    return len(changing)


EXPORT_COLUMNS = (("预约号", "Booking no."), ("姓名", "Name"), ("性别", "Sex"), ("手机", "Mobile"),
                  ("体检日期", "Exam date"), ("时段", "Half-day"), ("套餐", "Package"), ("单位", "Organisation"),
                  ("空腹", "Fasting"), ("检前须知", "Instructions"))


def _export_rows(rows: Sequence[ReminderRow]) -> list[list[str]]:
    yes, no = tr("是", "yes"), tr("否", "no")
    return [[r.booking_no, r.guest_name, r.sex_label, r.phone, f"{r.exam_date:%Y-%m-%d}", r.half_day, r.package,
             r.organisation, yes if r.fasting else no, r.instructions_text()] for r in rows]


def _write_atomically(path: Path, data: bytes) -> None:
    """The whole file or none: a half-written list is never left for the SMS tool to send."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".reminders-", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def reminders_bytes(rows: Sequence[ReminderRow], file_format: str) -> bytes:
    """The reminder list as CSV (UTF-8 with BOM) or XLSX bytes."""
    header = [tr(zh, en) for zh, en in EXPORT_COLUMNS]
    body = _export_rows(rows)
    if file_format == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(body)
        return text.getvalue().encode("utf-8-sig")
    if file_format == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        book = Workbook()
        sheet = book.active
        sheet.title = tr("检前提醒", "Reminders")
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in body:
            sheet.append(row)
        # Phone numbers and booking numbers stay text (an SMS tool reads 138… not 1.38E+10).
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.number_format = "@"
            row[-1].alignment = Alignment(wrap_text=True, vertical="top")
        for letter, width in zip("ABCDEFGHIJ", (14, 10, 6, 14, 12, 8, 22, 20, 6, 80)):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValidationError(tr("导出格式只能是 CSV 或 XLSX", "Export as CSV or XLSX"), field="format")


def export_reminders(session: Session, day: dt.date, path: str | Path, *, contract_id: int | None = None,
                     booking_ids: Sequence[int] | None = None) -> int:
    """Write the day's reminder list to ``path`` (.csv or .xlsx) with full phone numbers; audited.

    ``booking_ids`` limits it to those bookings (e.g. the ones not reminded
    yet).  Refused when there is nobody to remind; returns the rows written.
    """
    path = Path(path)
    file_format = path.suffix.lower().lstrip(".")
    if file_format not in ("csv", "xlsx"):
        raise ValidationError(tr("文件名须以 .csv 或 .xlsx 结尾", "The file name must end in .csv or .xlsx"),
                              field="path")
    rows = reminder_list(day, contract_id=contract_id)
    if booking_ids is not None:
        wanted = set(booking_ids)
        rows = [r for r in rows if r.booking_id in wanted]
    if not rows:
        raise ValidationError(tr("{d} 没有需要提醒的预约", "Nobody to remind on {d}", d=day), field="day")
    data = reminders_bytes(rows, file_format)
    try:
        _write_atomically(path, data)
    except OSError as exc:
        raise PrintError(tr("无法保存文件：{e}", "Cannot save the file: {e}", e=exc)) from exc
    # Recorded once the file is there: it holds names and full phone numbers.
    with db.transaction():
        audit.record(session, "reminders.export", "booking", "", day=day, rows=len(rows), format=file_format,
                     path=str(path), with_phones=sum(bool(r.phone) for r in rows), contract=contract_id or "")
    return len(rows)


# --------------------------------------------------------------------------
# Prepared visits (已备单)


@dataclass(frozen=True)
class PreparedVisit:
    booking_id: int
    booking_no: str
    visit_id: int
    visit_no: str
    guest_name: str
    new: bool                     # made by this call (False: it was prepared before)
    documents_printed: bool


def _priced(booking: m.Booking) -> tuple[list[tuple[int, bool, Decimal, Payer]], int | None]:
    """The booking's items as a check-in would make them: (item, is add-on, price, payer)."""
    from frontdesk.services import checkin

    request = checkin.draft_from_booking(booking.id)
    package_id = checkin._package_for(request)
    q = checkin.quote(request)
    rows: list[tuple[int, bool, Decimal, Payer]] = []
    if package_id is not None:
        package = checkin._priced_package(package_id)
        payer = (Payer.ORGANISATION if q.lines and q.lines[0].item_id is None
                 and q.lines[0].payer is Payer.ORGANISATION else Payer.GUEST)
        rows += [(i.item_id, False, i.price, payer) for i in package.items]
    for item in checkin._priced_items(request.added_item_ids):
        rows.append((item.item_id, package_id is not None, item.price, checkin._addon_payer(q, item.item_id)))
    return rows, package_id


def prepare_visit(session: Session, booking_id: int) -> PreparedVisit:
    """Make the booking's visit ahead of its day (status prepared), with its items and specimens.

    Idempotent: a booking prepared before gives its visit back.  Refused
    (``UserError`` with the reason) for a booking that is not live, of a
    past day, no longer eligible (a contract that ended), or whose guest has
    a visit that day already.
    """
    with db.transaction():
        booking = m.Booking.get_or_none(m.Booking.id == booking_id)
        if booking is None:
            raise NotFoundError(tr("找不到该预约", "Booking not found"))
        guest = m.Guest.get_by_id(booking.guest_id)
        existing = (m.Visit.select().where(m.Visit.booking == booking.id,
                                           m.Visit.status != VisitStatus.CANCELLED.value).first())
        if existing is not None and existing.status == VisitStatus.PREPARED.value:
            return PreparedVisit(booking.id, booking.booking_no, existing.id, existing.visit_no, guest.name, False,
                                 existing.documents_printed_at is not None)
        if booking.status != BookingStatus.BOOKED.value:
            raise ConflictError(tr("预约 {n} 的状态为“{s}”，不能备单", "Booking {n} is “{s}”; it cannot be prepared",
                                   n=booking.booking_no, s=BookingStatus(booking.status).label()))
        day = booking.exam_date
        if day < clock.today():
            raise ValidationError(tr("预约 {n} 的日期 {d} 已过，不能备单", "Booking {n} is for {d}, a past day; it "
                                     "cannot be prepared", n=booking.booking_no, d=day))
        request_package = booking.package_id
        extra = [bi.item_id for bi in m.BookingItem.select().where(m.BookingItem.booking == booking.id)]
        verdict = eligibility.check(guest, package_id=request_package, item_ids=extra,
                                    contract_id=booking.contract_id, day=day)
        if not verdict.ok:
            raise ValidationError(tr("预约 {n}：{why}", "Booking {n}: {why}", n=booking.booking_no,
                                     why=verdict.banner()), field="eligibility")
        items, package_id = _priced(booking)
        if not items:
            raise ValidationError(tr("预约 {n} 没有检查项目", "Booking {n} has no items", n=booking.booking_no))
        other = (m.Visit.select().where(m.Visit.guest == guest.id, m.Visit.visit_date == day,
                                        m.Visit.status != VisitStatus.CANCELLED.value).first())
        if other is not None:
            raise ConflictError(tr("{name} 在 {d} 已有体检（体检号 {no}），不能再备单", "{name} has a visit on {d} already "
                                   "(visit {no}); not prepared", name=guest.name, d=day, no=other.visit_no))
        now = m.utcnow()
        try:
            with db.transaction():  # the unique indexes of 0004 decide between two desks
                visit = m.Visit.create(
                    visit_no=make_visit_no(day, numbers.next_number(f"visit:{day:%y%m%d}")), guest=guest.id,
                    visit_date=day, package=package_id, contract=booking.contract_id, booking=booking.id,
                    source=booking.source, status=VisitStatus.PREPARED.value, desk=session.desk,
                    checked_in_at=now, checked_in_by="", prepared_at=now, prepared_by=session.username)
        except queries.IntegrityError:
            raise ConflictError(tr("预约 {n} 刚被其他工作站备单或报到，请刷新", "Booking {n} was just prepared or checked in "
                                   "at another desk; refresh", n=booking.booking_no)) from None
        for item_id, is_addon, price, payer in items:
            m.VisitItem.create(visit=visit.id, item=item_id, status=ItemStatus.PENDING.value, is_addon=is_addon,
                               price=price, payer=payer.value, added_by=session.username)
        specimens.assign_specimens(session, visit, day=day)
        audit.record(session, "visit.prepare", "visit", visit.id, visit_no=visit.visit_no,
                     booking_no=booking.booking_no, exam_date=day)
        return PreparedVisit(booking.id, booking.booking_no, visit.id, visit.visit_no, guest.name, True, False)


def cancel_prepared_visit(session: Session, booking_id: int, reason: str = "") -> str | None:
    """Cancel the visit prepared for the booking, if there is one; returns its number (else None).

    For the bookings service to call in the same transaction when a booking
    is cancelled, moved to another day or marked a no-show: the papers in
    the bag are then void.  Its specimens are cancelled, so labels printed
    for them are refused at the lab desk; the audit entry lists them.
    """
    with db.transaction():
        visit = (m.Visit.select().where(m.Visit.booking == booking_id,
                                        m.Visit.status == VisitStatus.PREPARED.value).first())
        if visit is None:
            return None
        changed = m.Visit.update(status=VisitStatus.CANCELLED.value).where(
            m.Visit.id == visit.id, m.Visit.status == VisitStatus.PREPARED.value).execute()
        if changed != 1:
            return None  # checked in meanwhile: the check-in decides
        versioning.bump(m.Visit, visit.id, None, session)
        tubes = list(m.Specimen.select().where(m.Specimen.visit == visit.id,
                                               m.Specimen.status != SpecimenStatus.CANCELLED.value))
        if tubes:
            m.Specimen.update(status=SpecimenStatus.CANCELLED.value, cancelled_at=m.utcnow()).where(
                m.Specimen.id.in_([s.id for s in tubes])).execute()
        audit.record(session, "visit.prepare_cancel", "visit", visit.id, visit_no=visit.visit_no,
                     booking=booking_id, reason=(reason or "")[:255],
                     printed_labels=[s.barcode for s in tubes if s.print_count > 0],
                     documents_printed=visit.documents_printed_at is not None)
        return visit.visit_no


# --------------------------------------------------------------------------
# What a batch covers


@dataclass(frozen=True)
class PrepRow:
    booking_id: int
    booking_no: str
    half_day: str
    guest_name: str
    sex_label: str
    package: str
    organisation: str
    contract_id: int | None
    visit_id: int | None          # the prepared visit, if any
    visit_no: str
    documents_printed: bool
    labels_to_print: int          # check-in labels of the prepared visit not printed yet

    @property
    def state(self) -> str:
        if self.visit_id is None:
            return tr("未备单", "Not prepared")
        if self.documents_printed and not self.labels_to_print:
            return tr("已备单，已打印", "Prepared, printed")
        return tr("已备单，待打印", "Prepared, to print")


@dataclass(frozen=True)
class Group:
    contract_id: int
    name: str                     # organisation · contract
    organisation_id: int
    bookings: int


def groups_on(day: dt.date) -> list[Group]:
    """The contracts with live bookings on ``day`` (to prepare one group)."""
    counts: dict[int, int] = {}
    for v in _views(day):
        if v.contract_id:
            counts[v.contract_id] = counts.get(v.contract_id, 0) + 1
    result = []
    for c in m.Contract.select(m.Contract, m.Organisation).join(m.Organisation).where(
            m.Contract.id.in_(list(counts) or [0])).order_by(m.Organisation.name, m.Contract.name):
        result.append(Group(c.id, f"{c.organisation.name} · {c.name}", c.organisation_id, counts[c.id]))
    return result


def _labels_to_print(visit_ids: Sequence[int]) -> dict[int, int]:
    from frontdesk.domain.enums import LabelMoment

    rows = (m.Specimen.select(m.Specimen.visit, m.TubeType.label_moment).join(m.TubeType)
            .where(m.Specimen.visit.in_(list(visit_ids) or [0]), m.Specimen.status == SpecimenStatus.CREATED.value,
                   m.TubeType.label_moment.in_([LabelMoment.CHECK_IN.value, LabelMoment.BOTH.value])).tuples())
    counts: dict[int, int] = {}
    for visit_id, _ in rows:
        counts[visit_id] = counts.get(visit_id, 0) + 1
    return counts


def batch_rows(day: dt.date, *, contract_id: int | None = None) -> list[PrepRow]:
    """The live bookings a batch for ``day`` (and one group) covers, in booking order, with their state."""
    views = _views(day, contract_id)
    prepared = _prepared_visits([v.id for v in views])
    to_print = _labels_to_print([v.id for v in prepared.values()])
    rows = []
    for v in views:
        visit = prepared.get(v.id)
        rows.append(PrepRow(v.id, v.booking_no, v.half_day.label(), v.guest_name,
                            Sex(v.guest_sex).label() if v.guest_sex else "",
                            v.package_name or tr("（单项）", "(single items)"), v.organisation_name, v.contract_id,
                            visit.id if visit else None, visit.visit_no if visit else "",
                            bool(visit and visit.documents_printed_at is not None),
                            to_print.get(visit.id, 0) if visit else 0))
    return rows


# --------------------------------------------------------------------------
# The document bag: cover sheet and guide sheet


def _contents(visit: m.Visit, labels: int) -> tuple[str, ...]:
    lines = [tr("导检单（体检号 {no}）", "Guide sheet (visit {no})", no=visit.visit_no)]
    if labels:
        lines.append(tr("报到条码标签 {n} 张（采血管等，贴管前核对姓名）", "{n} check-in labels (blood tubes etc.; check the "
                        "name before sticking)", n=labels))
    tubes = specimens.specimens_of(visit.id)
    hand_in = [s for s in tubes if s.tube_type.label_moment != "check_in" and s.tube_type.container_kind in
               ("urine", "stool")]
    for s in hand_in:
        lines.append(tr("{c}（交回时在前台贴标签）", "{c} (labelled at the desk when handed in)",
                        c=tr(s.tube_type.name, s.tube_type.name_en)))
    lines.append(tr("检前须知", "Before-the-exam instructions"))
    return tuple(lines)


def _label_count(visit_id: int) -> int:
    from frontdesk.services import labels

    return sum(row.copies for row in labels.visit_labels(visit_id).specimens
               if row.label_moment.value in ("check_in", "both"))


def bag_cover_data(visit_id: int, *, sequence: str = ""):
    """What the document bag's cover shows for the prepared (or checked-in) visit."""
    from frontdesk.printing.bag_cover import BagCoverData

    visit = m.Visit.get_or_none(m.Visit.id == visit_id)
    if visit is None or visit.booking_id is None:
        raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
    view = bookings.booking(visit.booking_id)
    held = bookings.contents(view)
    guest = m.Guest.get_by_id(visit.guest_id)
    entry = m.RosterEntry.get_or_none(m.RosterEntry.id == view.roster_entry_id) if view.roster_entry_id else None
    age = (age_on(guest.birth_date, visit.visit_date)
           if guest.birth_date and guest.birth_date <= visit.visit_date else None)
    return BagCoverData(
        site_name=site_settings.display_name(), booking_no=view.booking_no, visit_no=visit.visit_no,
        guest_name=guest.name, sex_label=Sex(guest.sex).label() if guest.sex else "", age=age,
        exam_date=visit.visit_date, weekday=capacity.weekday_name(visit.visit_date.weekday()),
        half_day=view.half_day.label(), package=view.package_name, organisation=view.organisation_name,
        department=entry.department if entry else "", fasting=held.fasting,
        contents=_contents(visit, _label_count(visit.id)), sequence=sequence)


def bag_pdf(visit_id: int, *, sequence: str = "") -> bytes:
    """The guest's document bag as one PDF: the cover, then the guide sheet."""
    from frontdesk.printing.bag_cover import render_bag_cover
    from frontdesk.printing.guide_sheet import render_guide_sheet_pdf
    from frontdesk.services import checkin

    cover = render_bag_cover(bag_cover_data(visit_id, sequence=sequence))
    guide = render_guide_sheet_pdf(checkin.guide_sheet_data(visit_id))
    return concat_pdfs([cover, guide])


def concat_pdfs(parts: Sequence[bytes]) -> bytes:
    """The pages of ``parts`` one after the other, as one PDF (one print job per bag)."""
    import pypdfium2 as pdfium

    merged = pdfium.PdfDocument.new()
    try:
        for part in parts:
            source = pdfium.PdfDocument(part)
            try:
                merged.import_pages(source)
            finally:
                source.close()
        out = io.BytesIO()
        merged.save(out)
        return out.getvalue()
    finally:
        merged.close()


#: Where the documents of a batch go: ``sink(pdf_bytes, name)`` prints or saves them and returns
#: (where they went, saved as a PDF file?).  The UI passes a Qt printer's; ``folder_sink`` saves files.
DocumentSink = Callable[[bytes, str], tuple[str, bool]]


def folder_sink(folder: str | Path) -> DocumentSink:
    """Save each document as a PDF file in ``folder`` (a desk without a printer)."""
    folder = Path(folder)

    def save(pdf: bytes, name: str) -> tuple[str, bool]:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        try:
            _write_atomically(target, pdf)
        except OSError as exc:
            raise PrintError(tr("无法保存文件：{e}", "Cannot save the file: {e}", e=exc)) from exc
        return str(target), True

    return save


def _page_count(pdf: bytes) -> int:
    from frontdesk.printing.pdf_raster import pdf_page_sizes_mm

    return len(pdf_page_sizes_mm(pdf))


def _print_bag(session: Session, visit_id: int, sink: DocumentSink, *, sequence: str = "", reprint: bool) -> str:
    from frontdesk.services.document_audit import PrintedDocument, record_document_output

    visit = m.Visit.get_by_id(visit_id)
    pdf = bag_pdf(visit_id, sequence=sequence)
    booking = m.Booking.get_by_id(visit.booking_id)
    name = f"{visit.visit_date:%Y%m%d}-{booking.half_day}-{booking.booking_no}-{visit.visit_no}.pdf"
    destination, saved = sink(pdf, name)
    # Recorded once the output has it: the guide sheet's own history, and the bag.
    record_document_output(session, PrintedDocument.guide_sheet(visit.id, visit.visit_no), destination=destination,
                           pages=_page_count(pdf), saved_as_pdf=saved)
    with db.transaction():
        m.Visit.update(documents_printed_at=m.utcnow()).where(m.Visit.id == visit.id).execute()
        audit.record(session, "document_bag.reprint" if reprint else "document_bag.print", "visit", visit.id,
                     visit_no=visit.visit_no, booking_no=booking.booking_no, destination=destination,
                     output="pdf" if saved else "printer")
    return destination


def _print_labels(session: Session, visit_id: int, label_output: config.LabelPrinterSettings, qt_label_print,
                  *, again: bool = False) -> int:
    """The visit's check-in labels still to print (``again``: all of them, as reprints); returns labels printed."""
    from frontdesk.services import labels

    state = labels.visit_labels(visit_id)
    if state.to_print("check_in"):
        outcome = labels.print_labels(session, visit_id, label_output, moment="check_in", qt_print=qt_label_print)
        return outcome.labels
    if not again:
        return 0
    ids = [row.specimen_id for row in state.specimens if row.label_moment.value in ("check_in", "both")]
    if not ids:
        return 0
    outcome = labels.print_labels(session, visit_id, label_output, moment="check_in", specimen_ids=ids,
                                  qt_print=qt_label_print)
    return outcome.labels


# --------------------------------------------------------------------------
# The batch


@dataclass(frozen=True)
class BatchProgress:
    done: int
    total: int
    booking_no: str
    guest_name: str


@dataclass(frozen=True)
class GuestOutcome:
    booking_no: str
    guest_name: str
    visit_no: str
    documents: str                # where the bag went ("" when it was printed before)
    labels: int                   # labels printed now


@dataclass(frozen=True)
class BatchResult:
    total: int
    done: tuple[GuestOutcome, ...]
    skipped: tuple[tuple[str, str, str], ...]   # (booking no, name, why)
    cancelled: bool
    error: str                    # why the batch stopped (a printer failed), or ""

    def message(self) -> str:
        text = tr("已备单 {n} / {t} 人", "{n} of {t} guests prepared", n=len(self.done), t=self.total)
        if self.skipped:
            text += tr("，{k} 人未备单", "; {k} not prepared", k=len(self.skipped))
        if self.cancelled:
            text += tr("（已中途取消，其余未处理）", " (cancelled part-way; the rest untouched)")
        if self.error:
            text += tr("。已停止：{e}", ". Stopped: {e}", e=self.error)
        return text


def run_batch(session: Session, booking_ids: Sequence[int], *, documents: DocumentSink,
              label_output: config.LabelPrinterSettings, qt_label_print=None,
              progress: Callable[[BatchProgress], None] | None = None,
              should_stop: Callable[[], bool] | None = None) -> BatchResult:
    """Prepare the bookings in the order given (booking order) and print each guest's bag and labels.

    Per guest: the prepared visit (its own transaction), then its document
    bag unless printed before, then its check-in labels still to print.  A
    booking that cannot be prepared is skipped with the reason; a printer
    failure stops the batch (``error``); ``should_stop`` is asked between
    guests.  Everything done stays done and is not printed again by a
    second run.
    """
    ids = list(dict.fromkeys(int(i) for i in booking_ids))
    done: list[GuestOutcome] = []
    skipped: list[tuple[str, str, str]] = []
    total = len(ids)
    for number, booking_id in enumerate(ids, start=1):
        if should_stop is not None and should_stop():
            return BatchResult(total, tuple(done), tuple(skipped), True, "")
        booking = m.Booking.select(m.Booking, m.Guest).join(m.Guest).where(m.Booking.id == booking_id).first()
        if progress is not None:
            progress(BatchProgress(number - 1, total, booking.booking_no if booking else "",
                                   booking.guest.name if booking else ""))
        try:
            prepared = prepare_visit(session, booking_id)
        except UserError as exc:
            skipped.append((booking.booking_no if booking else str(booking_id),
                            booking.guest.name if booking else "", str(exc)))
            continue
        try:
            where = ""
            if not prepared.documents_printed:
                where = _print_bag(session, prepared.visit_id, documents, sequence=f"{number} / {total}",
                                   reprint=False)
            printed = _print_labels(session, prepared.visit_id, label_output, qt_label_print)
        except UserError as exc:
            log.warning("preparation batch stopped at %s: %s", prepared.booking_no, exc)
            return BatchResult(total, tuple(done), tuple(skipped), False, str(exc))
        done.append(GuestOutcome(prepared.booking_no, prepared.guest_name, prepared.visit_no, where, printed))
    if progress is not None:
        progress(BatchProgress(total, total, "", ""))
    return BatchResult(total, tuple(done), tuple(skipped), False, "")


def reprint_guest(session: Session, booking_id: int, *, documents: DocumentSink,
                  label_output: config.LabelPrinterSettings, qt_label_print=None, with_labels: bool = True,
                  labels_again: bool = False) -> GuestOutcome:
    """One guest's bag (and labels still to print, or all again with ``labels_again``) without the batch."""
    prepared = prepare_visit(session, booking_id)
    where = _print_bag(session, prepared.visit_id, documents, reprint=prepared.documents_printed)
    printed = (_print_labels(session, prepared.visit_id, label_output, qt_label_print, again=labels_again)
               if with_labels else 0)
    return GuestOutcome(prepared.booking_no, prepared.guest_name, prepared.visit_no, where, printed)


# --------------------------------------------------------------------------
# The booking order sheet (单位预订单)


@dataclass(frozen=True)
class OrganisationDay:
    organisation_id: int
    name: str
    bookings: int


def organisations_on(day: dt.date) -> list[OrganisationDay]:
    """Organisations with bookings (live or checked in) on ``day``."""
    counts: dict[int, int] = {}
    names: dict[int, str] = {}
    rows = (m.Booking.select(m.Organisation.id, m.Organisation.name)
            .join(m.Contract, on=(m.Booking.contract == m.Contract.id))
            .join(m.Organisation, on=(m.Contract.organisation == m.Organisation.id))
            .where(m.Booking.exam_date == day, m.Booking.status.in_(_ORDER_STATUSES)).tuples())
    for org_id, name in rows:
        counts[org_id] = counts.get(org_id, 0) + 1
        names[org_id] = name
    return sorted((OrganisationDay(i, names[i], n) for i, n in counts.items()), key=lambda o: o.name)


_ORDER_STATUSES = [BookingStatus.BOOKED.value, BookingStatus.CHECKED_IN.value]


def order_sheet_data(organisation_id: int, day: dt.date, *, printed_by: str = ""):
    """The organisation's bookings of ``day`` (live and checked in) with package totals."""
    from frontdesk.printing.booking_order import BookingOrderData, OrderLine, PackageTotal

    org = m.Organisation.get_or_none(m.Organisation.id == organisation_id)
    if org is None:
        raise NotFoundError(tr("单位不存在", "The organisation does not exist"), field="organisation")
    contract_ids = {c.id: c.name for c in m.Contract.select().where(m.Contract.organisation == org.id)}
    views = [v for v in bookings.bookings_on(day, statuses=[BookingStatus(s) for s in _ORDER_STATUSES])
             if v.contract_id in contract_ids]
    entries = {e.id: e for e in m.RosterEntry.select().where(
        m.RosterEntry.id.in_([v.roster_entry_id for v in views if v.roster_entry_id] or [0]))}
    prices = {p.id: p.price for p in m.Package.select().where(
        m.Package.id.in_([v.package_id for v in views if v.package_id] or [0]))}
    lines = []
    totals: dict[str, list] = {}
    for v in views:
        entry = entries.get(v.roster_entry_id)
        package = v.package_name or tr("（单项）", "(single items)")
        lines.append(OrderLine(v.booking_no, v.guest_name, Sex(v.guest_sex).label() if v.guest_sex else "",
                               v.guest_age, entry.department if entry else "", package, v.half_day.label(),
                               v.status.label()))
        price = prices.get(v.package_id, Decimal("0.00"))
        slot = totals.setdefault(package, [0, price])
        slot[0] += 1
    package_totals = tuple(PackageTotal(name, n, price, price * n) for name, (n, price) in totals.items())
    used = sorted({contract_ids[v.contract_id] for v in views})
    return BookingOrderData(
        site_name=site_settings.display_name(), organisation=org.name, contracts="、".join(used), exam_date=day,
        weekday=capacity.weekday_name(day.weekday()), lines=tuple(lines), totals=package_totals,
        people=len(lines), amount=sum((t.amount for t in package_totals), Decimal("0.00")), printed_by=printed_by,
        printed_at=clock.local_now().strftime("%Y-%m-%d %H:%M"))


def order_sheet_pdf(session: Session, organisation_id: int, day: dt.date) -> bytes:
    """The booking order sheet as A4 PDF bytes (names on it: printing or saving it is audited by the caller)."""
    from frontdesk.printing.booking_order import render_booking_order

    data = order_sheet_data(organisation_id, day, printed_by=session.display_name or session.username)
    return render_booking_order(data)


def record_order_sheet_output(session: Session, organisation_id: int, day: dt.date, *, destination: str,
                              saved_as_pdf: bool) -> None:
    """Record that the order sheet left the desk (printed or saved): it lists names."""
    with db.transaction():
        audit.record(session, "booking_order.print", "organisation", organisation_id, day=day,
                     destination=destination, output="pdf" if saved_as_pdf else "printer")
