"""Specimens (标本): one tube or container per tube type per visit, with a barcode.

Items that share a tube type share one tube and one barcode.  Assignment is
idempotent and can run again after any change of items:

- an item already on a live specimen (not cancelled) stays on it;
- a new item joins the open specimen of its tube type (created or label
  printed, i.e. not yet collected); when that tube has been collected
  already, a new specimen is made, since the drawn tube cannot grow;
- refunded items leave their specimen; a specimen left without items is
  cancelled;
- a printed label whose tests changed (an add-on joined its tube, or a test
  on it was refunded) while the tube is not yet collected is void: the
  specimen goes back to "created", keeping its print count and its barcode,
  so the labels screen asks for the label to be printed again and the old
  copy torn off.

After the labels: the desk receives containers by scanning their label
(``receive_specimen``) and hands collected specimens to the lab on a
numbered hand-over list (``create_handover``, 送检单).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from frontdesk import clock
from frontdesk.domain.codes import CodeKind, make_specimen_no, parse_code
from frontdesk.domain.enums import ItemStatus, SpecimenStatus, VisitStatus
from frontdesk.domain.masking import mask_name
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit
from frontdesk.services.session import Session
from frontdesk.storage import db, numbers
from frontdesk.storage import models as m
from frontdesk.storage import specimen_queries as sq

if TYPE_CHECKING:
    from frontdesk.printing.handover_pdf import HandoverData

OPEN_STATUSES = (SpecimenStatus.CREATED.value, SpecimenStatus.LABEL_PRINTED.value)
_DONE_STATUSES = (SpecimenStatus.COLLECTED.value, SpecimenStatus.SENT.value)


def _tube_name(tube: m.TubeType) -> str:
    return tr(tube.name, tube.name_en or tube.name)


def _cap(tube: m.TubeType) -> str:
    return tr(tube.cap_colour, tube.cap_colour_en or tube.cap_colour)


class Assignment(list):
    """The visit's live specimens (a plain list, as before) and what this call changed.

    ``voided``: specimens whose printed label no longer lists their tests
    (reprint it, tear off the old copy); ``new``: specimens made by this
    call; ``new_after_collected``: the new ones made because the tube of
    their type was collected already.
    """

    def __init__(self, specimens: Iterable[m.Specimen] = (), *, voided: Sequence[m.Specimen] = (),
                 new: Sequence[m.Specimen] = (), new_after_collected: Sequence[m.Specimen] = ()) -> None:
        super().__init__(specimens)
        self.voided = list(voided)
        self.new = list(new)
        self.new_after_collected = list(new_after_collected)

    def notice(self) -> str:
        """What the desk must do about the labels, or "" when nothing changed for printed labels."""
        parts = []
        if self.voided:
            parts.append(tr("标签已更新，请重打并撕掉旧标签：{codes}", "Labels updated: reprint them and tear off the "
                            "old ones: {codes}", codes="、".join(s.barcode for s in self.voided)))
        if self.new_after_collected:
            parts.append(tr("该类试管已采集，已新开标本并需打印新标签：{codes}", "That tube was collected already; a new "
                            "specimen needs its own label: {codes}",
                            codes="、".join(s.barcode for s in self.new_after_collected)))
        return "；".join(parts) if parts else ""


def new_barcode(day: dt.date) -> str:
    """The next specimen barcode of ``day``; call inside the transaction that uses it."""
    return make_specimen_no(day, numbers.next_number(f"specimen:{day:%y%m%d}"))


def assign_specimens(session: Session, visit: m.Visit | int, *, day: dt.date | None = None) -> Assignment:
    """Bring the visit's specimens in line with its items; return its live specimens.

    Barcodes carry ``day`` (default: the visit's date).  The result is a list
    of the live specimens that also says which printed labels became void
    and which new specimens were made (see ``Assignment``).
    """
    with db.transaction():
        if isinstance(visit, int):
            visit = m.Visit.get_by_id(visit)
        day = day or visit.visit_date
        specimens = {s.id: s for s in m.Specimen.select().where(m.Specimen.visit == visit.id)}
        live = {sid: s for sid, s in specimens.items() if s.status != SpecimenStatus.CANCELLED.value}
        items = list(m.VisitItem.select(m.VisitItem, m.ExamItem).join(m.ExamItem)
                     .where(m.VisitItem.visit == visit.id).order_by(m.VisitItem.id))
        open_by_tube: dict[int, m.Specimen] = {}
        for specimen in sorted(live.values(), key=lambda s: s.id):
            if specimen.status in OPEN_STATUSES:
                open_by_tube.setdefault(specimen.tube_type_id, specimen)
        used: set[int] = set()
        changed: set[int] = set()  # existing specimens whose tests changed
        created: list[m.Specimen] = []
        links: dict[int | None, list[int]] = {}  # specimen id (None: none) -> visit items to point at it
        # The barcodes the loop below will need, taken in one go (one round trip instead of one per tube).
        needed = {vi.item.tube_type_id for vi in items
                  if vi.status != ItemStatus.REFUNDED.value and vi.item.tube_type_id is not None
                  and not (live.get(vi.specimen_id) is not None
                           and live[vi.specimen_id].tube_type_id == vi.item.tube_type_id)
                  and vi.item.tube_type_id not in open_by_tube}
        fresh = numbers.next_numbers(f"specimen:{day:%y%m%d}", len(needed)) if needed else []
        for vi in items:
            tube = vi.item.tube_type_id
            wanted = vi.status != ItemStatus.REFUNDED.value and tube is not None
            current = live.get(vi.specimen_id)
            if not wanted:
                if vi.specimen_id is not None:
                    changed.add(vi.specimen_id)
                    links.setdefault(None, []).append(vi.id)
                continue
            if current is not None and current.tube_type_id == tube:
                used.add(current.id)
                continue
            if current is not None:
                changed.add(current.id)
            specimen = open_by_tube.get(tube)
            if specimen is None:
                specimen = m.Specimen.create(barcode=make_specimen_no(day, fresh.pop(0)), visit=visit.id,
                                             tube_type=tube, status=SpecimenStatus.CREATED.value)
                live[specimen.id] = specimen
                open_by_tube[tube] = specimen
                created.append(specimen)
            else:
                changed.add(specimen.id)
            links.setdefault(specimen.id, []).append(vi.id)
            used.add(specimen.id)
        # One UPDATE per tube rather than a save per item: fewer statements while check-in holds its locks.
        for specimen_id, item_ids in links.items():
            m.VisitItem.update(specimen=specimen_id).where(m.VisitItem.id.in_(item_ids)).execute()
        now = m.utcnow()
        voided = []
        for specimen in live.values():
            if specimen.id not in used:
                specimen.status = SpecimenStatus.CANCELLED.value
                specimen.cancelled_at = now
                specimen.save()
            elif specimen.id in changed and specimen.status == SpecimenStatus.LABEL_PRINTED.value:
                if sq.void_label(specimen.id):
                    specimen.status = SpecimenStatus.CREATED.value
                    voided.append(specimen)
                    audit.record(session, "label.void", "specimen", specimen.id, barcode=specimen.barcode,
                                 visit_no=visit.visit_no, print_count=specimen.print_count)
        done_tubes = {s.tube_type_id for s in live.values() if s.status in _DONE_STATUSES}
        result = sorted((s for s in live.values() if s.id in used), key=lambda s: s.id)
        return Assignment(result, voided=voided, new=created,
                          new_after_collected=[s for s in created if s.tube_type_id in done_tubes])


def specimens_of(visit_id: int) -> list[m.Specimen]:
    """The visit's live specimens in order of draw (CLSI GP41), then barcode."""
    rows = (m.Specimen.select(m.Specimen, m.TubeType).join(m.TubeType)
            .where(m.Specimen.visit == visit_id, m.Specimen.status != SpecimenStatus.CANCELLED.value))
    return sorted(rows, key=lambda s: (s.tube_type.draw_order, s.barcode))


# --------------------------------------------------------------------------
# Receiving a container by its label (收取/采集)


@dataclass(frozen=True)
class ReceiveResult:
    specimen_id: int
    barcode: str
    visit_id: int
    visit_no: str
    guest_name: str
    container: str           # tube or container name with its cap colour
    status: SpecimenStatus
    already: bool            # it was collected (or sent) before this scan
    collected_at: dt.datetime | None
    collected_by: str
    label_outdated: bool     # its printed label was voided by an add-on: print it again

    def message(self) -> str:
        if self.status is SpecimenStatus.SENT:
            text = tr("{c} {b} 已送检，无需再收取", "{c} {b} was sent to the lab already; nothing to receive",
                      c=self.container, b=self.barcode)
        elif self.already:
            when = self.collected_at.astimezone().strftime("%H:%M") if self.collected_at else ""
            text = tr("{c} {b} 已收取过（{when} {by}），无需重复", "{c} {b} was received already ({when} {by})",
                      c=self.container, b=self.barcode, when=when, by=self.collected_by)
        else:
            text = tr("已收取：{c} {b}", "Received: {c} {b}", c=self.container, b=self.barcode)
        if self.label_outdated:
            text += tr("。该标签已因加项作废，请重打标签贴上", ". Its label was voided by an add-on: print it again")
        return text


def _specimen_code(barcode: str) -> str:
    kind, code = parse_code(barcode)
    if kind is not CodeKind.SPECIMEN:
        raise ValidationError(tr("这不是标本条码（扫到的是{kind}号）", "This is not a specimen barcode (it is a {kind} number)",
                                 kind=_kind_label(kind)), field="code")
    return code


def _kind_label(kind: CodeKind) -> str:
    return {CodeKind.VISIT: tr("体检", "visit"), CodeKind.BOOKING: tr("预约", "booking"),
            CodeKind.RECEIPT: tr("收据", "receipt"), CodeKind.DEFERRAL: tr("缓检单", "deferral slip")}.get(kind, kind.value)


def receive_specimen(session: Session, barcode: str, *, expected_visit_id: int | None = None) -> ReceiveResult:
    """Mark the container whose label was scanned as collected, by this user, now.

    ``expected_visit_id``: the visit open at the desk; a label of any other
    visit is refused (``ConflictError`` naming both, names masked), as are
    cancelled specimens and visits.  Scanning a container that was received
    already changes nothing and says so (``already``).
    """
    code = _specimen_code(barcode)
    with db.transaction():
        specimen = sq.specimen_by_barcode(code)
        if specimen is None:
            raise NotFoundError(tr("条码 {b} 不存在", "Barcode {b} does not exist", b=code), field="code")
        visit, guest = specimen.visit, specimen.visit.guest
        if expected_visit_id is not None and visit.id != expected_visit_id:
            other = sq.visit_with_guest(expected_visit_id)
            raise ConflictError(tr(
                "条码 {b} 属于体检号 {v1}（{n1}），不是当前客人体检号 {v2}（{n2}）的标本。请核对标本和客人！",
                "Barcode {b} belongs to visit {v1} ({n1}), not to the open visit {v2} ({n2}). Check the specimen "
                "and the person!", b=code, v1=visit.visit_no, n1=mask_name(guest.name),
                v2=other.visit_no if other else "?", n2=mask_name(other.guest.name) if other else "?"), field="code")
        if specimen.status == SpecimenStatus.CANCELLED.value:
            raise ConflictError(tr("条码 {b} 已作废（项目已退），不能收取", "Barcode {b} is cancelled (its tests were "
                                   "refunded); it cannot be received", b=code), field="code")
        if visit.status == VisitStatus.PREPARED.value:
            raise ConflictError(tr("体检号 {v} 尚未报到（已备单），请先为客人报到再收取标本",
                                   "Visit {v} is prepared but not checked in; check the guest in before receiving "
                                   "specimens", v=visit.visit_no), field="code")
        if visit.status == VisitStatus.CANCELLED.value:
            raise ConflictError(tr("体检号 {v} 已取消，不能收取其标本", "Visit {v} is cancelled; its specimens cannot be "
                                   "received", v=visit.visit_no), field="code")
        tube = specimen.tube_type
        outdated = specimen.status == SpecimenStatus.CREATED.value and specimen.print_count > 0
        already = specimen.status in _DONE_STATUSES
        if not already:
            now = m.utcnow()
            if not sq.mark_collected(specimen.id, now, session.username):
                raise ConflictError(tr("条码 {b} 的状态刚被其他工作站修改，请重新扫描", "Barcode {b} was just changed at "
                                       "another desk; scan it again", b=code))
            specimen.status, specimen.collected_at, specimen.collected_by = (SpecimenStatus.COLLECTED.value, now,
                                                                             session.username)
            audit.record(session, "specimen.receive", "specimen", specimen.id, barcode=code, visit_no=visit.visit_no,
                         tube=tube.code, label_outdated=outdated)
        return ReceiveResult(specimen.id, code, visit.id, visit.visit_no, guest.name,
                             f"{_cap(tube)} {_tube_name(tube)}", SpecimenStatus(specimen.status), already,
                             specimen.collected_at, specimen.collected_by, outdated)


# --------------------------------------------------------------------------
# Hand-over to the lab (送检单)


@dataclass(frozen=True)
class HandoverCandidate:
    specimen_id: int
    barcode: str
    visit_no: str
    guest_name_masked: str
    tests: tuple[str, ...]
    collected_at: dt.datetime | None


@dataclass(frozen=True)
class CandidateGroup:
    tube_code: str
    tube_name: str
    cap_colour: str
    specimens: tuple[HandoverCandidate, ...]

    @property
    def count(self) -> int:
        return len(self.specimens)


@dataclass(frozen=True)
class HandoverSummary:
    handover_no: str
    sent_at: dt.datetime
    sent_by: str
    count: int


def make_handover_no(day: dt.date, seq: int) -> str:
    """SJ (送检) + YYMMDD + a 3-digit daily sequence, e.g. SJ261123001."""
    return f"SJ{day:%y%m%d}{seq:03d}"


def _groups(rows) -> list[tuple[m.TubeType, list]]:
    groups: dict[int, tuple[m.TubeType, list]] = {}
    for specimen in rows:
        groups.setdefault(specimen.tube_type_id, (specimen.tube_type, []))[1].append(specimen)
    return list(groups.values())


def handover_candidates(day: dt.date | None = None) -> list[CandidateGroup]:
    """Collected specimens not yet sent, grouped by tube type (in order of draw).

    ``day``: only visits of that day or before (default: all), so a tube
    collected yesterday and forgotten still shows up.
    """
    rows = sq.collected_not_sent(day)
    tests = sq.tests_on_specimens(s.id for s in rows)
    return [CandidateGroup(tube.code, _tube_name(tube), _cap(tube), tuple(
        HandoverCandidate(s.id, s.barcode, s.visit.visit_no, mask_name(s.visit.guest.name), tuple(tests[s.id]),
                          s.collected_at) for s in specimens)) for tube, specimens in _groups(rows)]


def create_handover(session: Session, specimen_ids: Sequence[int], *, day: dt.date | None = None) -> str:
    """Hand the specimens to the lab: all become sent under one new hand-over number, or none does.

    Every specimen must be collected and not yet sent; if another desk sent
    one meanwhile the whole hand-over is refused (``ConflictError``).
    """
    ids = list(dict.fromkeys(specimen_ids))
    if not ids:
        raise ValidationError(tr("请选择要送检的标本", "Choose the specimens to send"), field="specimens")
    day = day or clock.today()
    with db.transaction():
        rows = sq.collected_not_sent(specimen_ids=ids)
        if len(rows) != len(ids):
            found = {s.id for s in rows}
            missing = [s.barcode for s in m.Specimen.select().where(m.Specimen.id.in_([i for i in ids if i not in found]))]
            raise ConflictError(tr("以下标本不是“已采集待送检”状态（可能已被其他工作站送检），请刷新后重试：{codes}",
                                   "These specimens are not collected-and-waiting (another desk may have sent them); "
                                   "refresh and try again: {codes}", codes="、".join(missing) or "?"))
        handover_no = make_handover_no(day, numbers.next_number(f"handover:{day:%y%m%d}"))
        if sq.mark_sent(ids, handover_no, m.utcnow(), session.username) != len(ids):
            raise ConflictError(tr("标本状态刚被其他工作站修改，请刷新后重试", "Specimens were just changed at another desk; "
                                   "refresh and try again"))
        audit.record(session, "specimen.handover", "handover", handover_no, count=len(ids),
                     barcodes=[s.barcode for s in rows])
    return handover_no


def handovers_on(day: dt.date) -> list[HandoverSummary]:
    """The hand-overs made on ``day`` (local time), newest first."""
    start = dt.datetime.combine(day, dt.time(0)).astimezone()
    rows = sq.handovers_between(start, start + dt.timedelta(days=1))
    return [HandoverSummary(no, at, by, n) for no, at, by, n in rows]


def handover_data(handover_no: str, site=None) -> HandoverData:
    """What the printed hand-over list (送检单) shows; guests' names masked."""
    from frontdesk.printing.handover_pdf import HandoverData, HandoverGroup, HandoverLine  # ReportLab: lazily
    from frontdesk.services import site_settings

    rows = sq.handover_specimens(handover_no)
    if not rows:
        raise NotFoundError(tr("送检单 {n} 不存在", "Hand-over {n} does not exist", n=handover_no))
    site = site or site_settings.load()
    site_name = site if isinstance(site, str) else tr(site.site_name, site.site_name_en or site.site_name)
    tests = sq.tests_on_specimens(s.id for s in rows)
    first = min(rows, key=lambda s: s.sent_at)
    names = sq.display_names([first.sent_by])
    groups = tuple(HandoverGroup(_tube_name(tube), _cap(tube), tuple(
        HandoverLine(s.barcode, s.visit.visit_no, mask_name(s.visit.guest.name), tuple(tests[s.id]), s.collected_at)
        for s in specimens)) for tube, specimens in _groups(rows))
    desk = ""
    entry = m.AuditLog.get_or_none(m.AuditLog.action == "specimen.handover", m.AuditLog.record_id == handover_no)
    if entry is not None:
        desk = entry.desk
    return HandoverData(site_name=site_name, handover_no=handover_no, sent_at=first.sent_at,
                        sent_by=names.get(first.sent_by, first.sent_by), desk=desk, groups=groups)
