"""Close-out (流程指引单回收、项目核实、确认): the returned guide sheet checked item by item.

The desk scans the guide sheet's visit number and sees every item with its
station and state.  Items the stations stamped are marked done (one by one,
or "all stamped" for the rest); every other item is resolved as deferred
(缓检, to a later date with capacity, see ``services.deferrals``), abandoned
(弃检, with a reason and the guest's confirmation) or refunded (supervisor,
through ``checkin.remove_item``).

Rules:

- A visit closes only when no item is pending and no container it still
  needs is uncollected ("label printed" but never handed in, e.g. the stool
  container).  Deferring or abandoning the item unblocks it; containers no
  live item needs any more are cancelled when the visit closes (the make-up
  visit gets its own).
- Closing records who and when; the visit moves to "awaiting report"
  (``VisitStatus.CLOSED``).  Belongings still stored make the service refuse
  until the desk confirms (``belongings_confirmed``).
- Two desks closing (or changing) the same visit at once: every change here
  first claims the visit's row with a conditional UPDATE (``status =
  checked_in``), so they run one after the other and the second is told who
  closed the visit; no double close, no lost item state.
- An add-on at close-out reopens a closed visit (not one whose report has
  arrived) and goes through ``checkin.add_items``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from frontdesk import clock
from frontdesk.domain.codes import CodeKind, parse_code
from frontdesk.domain.enums import (DeferralState, ItemStatus, PaymentMethod, SpecimenStatus,
                                    VisitStatus)
from frontdesk.domain.masking import mask_name
from frontdesk.domain.sex import Sex
from frontdesk.domain.text import normalize_input
from frontdesk.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.i18n import tr
from frontdesk.services import audit, belongings, checkin, versioning
from frontdesk.services.belongings import BelongingView
from frontdesk.services.payments import PaymentInput
from frontdesk.services.session import Session
from frontdesk.storage import closeout_queries as cq
from frontdesk.storage import db
from frontdesk.storage import models as m

_OPEN_SPECIMEN = (SpecimenStatus.CREATED.value, SpecimenStatus.LABEL_PRINTED.value)
_LIVE_ITEM = (ItemStatus.PENDING.value, ItemStatus.DONE.value)

# Tests set this to hold a claimed visit for a moment (two desks racing); it does nothing otherwise.
_after_claim_hook = None


def _name(row) -> str:
    return tr(row.name, row.name_en or row.name)


@dataclass(frozen=True)
class CloseoutItem:
    visit_item_id: int
    item_code: str
    item_name: str
    station_name: str
    station_location: str
    station_id: int
    status: ItemStatus
    is_addon: bool
    fasting: bool
    specimen_barcode: str
    specimen_status: SpecimenStatus | None
    deferred_to: dt.date | None
    deferral_state: DeferralState | None
    reason: str
    done_by: str
    guest_confirmed: bool

    @property
    def unresolved(self) -> bool:
        return self.status is ItemStatus.PENDING

    def state_text(self) -> str:
        text = self.status.label()
        if self.status is ItemStatus.DEFERRED and self.deferred_to:
            text += f" → {self.deferred_to:%Y-%m-%d}"
            if self.deferral_state and self.deferral_state is not DeferralState.OPEN:
                text += tr("（{s}）", " ({s})", s=self.deferral_state.label())
        elif self.status is ItemStatus.DONE and self.done_by:
            text += tr("（{s}）", " ({s})", s=self.done_by)
        elif self.status in (ItemStatus.ABANDONED, ItemStatus.REFUNDED) and self.reason:
            text += tr("：{r}", ": {r}", r=self.reason)
        return text


class BlockerKind(enum.Enum):
    ITEM = "item"
    SPECIMEN = "specimen"


@dataclass(frozen=True)
class Blocker:
    kind: BlockerKind
    text: str
    visit_item_ids: tuple[int, ...]


@dataclass(frozen=True)
class CloseoutView:
    visit_id: int
    visit_no: str
    visit_date: dt.date
    status: VisitStatus
    guest_name: str
    sex: str
    package: str
    items: tuple[CloseoutItem, ...]
    blockers: tuple[Blocker, ...]
    belongings: tuple[BelongingView, ...]       # still stored
    closed_at: dt.datetime | None
    closed_by: str                              # display name
    original_visit_no: str                      # set on a make-up visit
    notice: str = ""                            # what a scan should tell the desk (another day, closed...)
    version: int = 0                            # the visit's version when read: hand it back to the edits

    @property
    def is_open(self) -> bool:
        return self.status is VisitStatus.CHECKED_IN

    @property
    def can_close(self) -> bool:
        return self.is_open and not self.blockers

    def counts(self) -> dict[ItemStatus, int]:
        result: dict[ItemStatus, int] = {}
        for item in self.items:
            result[item.status] = result.get(item.status, 0) + 1
        return result

    def belongings_warning(self) -> str:
        if not self.belongings:
            return ""
        tags = tr("、", ", ").join(b.tag_no for b in self.belongings)
        return tr("客人还有寄存物品未取（寄存牌 {t}），请先归还。", "The guest still has belongings stored (tag {t}); "
                  "hand them back first.", t=tags)


class CloseoutFilter(enum.Enum):
    ALL = "all"
    READY = "ready"
    BLOCKED = "blocked"
    CLOSED = "closed"


@dataclass(frozen=True)
class CloseoutRow:
    visit_id: int
    visit_no: str
    guest_name_masked: str
    sex: str
    package: str
    status: VisitStatus
    done: int
    pending: int
    deferred: int
    abandoned: int
    open_specimens: int
    belongings_stored: int
    original_visit: bool

    @property
    def blocked(self) -> bool:
        return self.status is VisitStatus.CHECKED_IN and (self.pending > 0 or self.open_specimens > 0)

    @property
    def ready(self) -> bool:
        return self.status is VisitStatus.CHECKED_IN and not self.blocked

    def still_open(self) -> str:
        """What is still open, for the list's column."""
        parts = []
        if self.pending:
            parts.append(tr("未检{n}项", "{n} pending", n=self.pending))
        if self.open_specimens:
            parts.append(tr("标本未交{n}", "{n} container(s) not in", n=self.open_specimens))
        if self.belongings_stored:
            parts.append(tr("寄存未取", "belongings stored"))
        if not parts and self.status is VisitStatus.CHECKED_IN:
            return tr("可交单", "ready to close")
        return tr("，", ", ").join(parts) if parts else "—"


# --------------------------------------------------------------------------
# Reading


def _items_and_blockers(visit_id: int) -> tuple[tuple[CloseoutItem, ...], tuple[Blocker, ...]]:
    rows = cq.visit_items_full(visit_id)
    specimens = {s.id: s for s in cq.visit_specimens(visit_id)}
    names = cq.display_names(vi.done_by for vi in rows)
    items = []
    for vi in rows:
        specimen = specimens.get(vi.specimen_id)
        items.append(CloseoutItem(
            vi.id, vi.item.code, _name(vi.item), _name(vi.item.station), vi.item.station.location,
            vi.item.station_id, ItemStatus(vi.status), vi.is_addon, vi.item.fasting, specimen.barcode if specimen else "",
            SpecimenStatus(specimen.status) if specimen else None, vi.deferred_to,
            DeferralState(vi.deferral_state) if vi.deferral_state else None, vi.reason, names.get(vi.done_by, vi.done_by),
            vi.guest_confirmed))
    blockers = []
    pending = [i for i in items if i.status is ItemStatus.PENDING]
    for item in pending:
        blockers.append(Blocker(BlockerKind.ITEM, tr("{i}（{s}）未确认：已检、缓检、弃检或退项",
                                                       "{i} ({s}) unresolved: done, deferred, abandoned or refunded",
                                                       i=item.item_name, s=item.station_name), (item.visit_item_id,)))
    by_specimen: dict[int, list] = {}
    for vi in rows:
        if vi.specimen_id in specimens and vi.status in _LIVE_ITEM:
            by_specimen.setdefault(vi.specimen_id, []).append(vi)
    for sid, vis in sorted(by_specimen.items(), key=lambda kv: specimens[kv[0]].barcode):
        specimen = specimens[sid]
        if specimen.status not in _OPEN_SPECIMEN:
            continue
        tube = specimen.tube_type
        names = tr("、", ", ").join(_name(vi.item) for vi in vis)
        if specimen.status == SpecimenStatus.LABEL_PRINTED.value:
            text = tr("{t} {b} 已打印标签但未交回/未采集（{n}）", "{t} {b}: label printed but never handed in ({n})",
                      t=_name(tube), b=specimen.barcode, n=names)
        else:
            text = tr("{t} {b} 未打印标签、未采集（{n}）", "{t} {b}: no label printed, not collected ({n})",
                      t=_name(tube), b=specimen.barcode, n=names)
        blockers.append(Blocker(BlockerKind.SPECIMEN, text, tuple(vi.id for vi in vis)))
    return tuple(items), tuple(blockers)


def closeout_view(visit_id: int, *, notice: str = "") -> CloseoutView:
    """The visit as the close-out screen shows it: items, what blocks closing, belongings still stored."""
    visit = m.Visit.get_or_none(m.Visit.id == visit_id)
    if visit is None:
        raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
    guest = m.Guest.get_by_id(visit.guest_id)
    items, blockers = _items_and_blockers(visit.id)
    package = m.Package.get_or_none(m.Package.id == visit.package_id) if visit.package_id else None
    original = m.Visit.get_or_none(m.Visit.id == visit.original_visit_id) if visit.original_visit_id else None
    stored = tuple(belongings.of_visit(visit.id, stored_only=True))
    closed_by = cq.display_names([visit.closed_by]).get(visit.closed_by, visit.closed_by)
    status = VisitStatus(visit.status)
    return CloseoutView(visit.id, visit.visit_no, visit.visit_date, status, guest.name,
                        Sex(guest.sex).label() if guest.sex else "",
                        _name(package) if package else tr("自选项目", "Individual items"), items,
                        blockers if status is VisitStatus.CHECKED_IN else (), stored, visit.closed_at, closed_by,
                        original.visit_no if original else "", notice, visit.version)


def _closed_text(visit: m.Visit) -> str:
    by = cq.display_names([visit.closed_by]).get(visit.closed_by, visit.closed_by) or "?"
    when = visit.closed_at.astimezone().strftime("%Y-%m-%d %H:%M") if visit.closed_at else "?"
    return tr("体检号 {v} 已由 {by} 于 {when} 交单", "Visit {v} was closed by {by} at {when}",
              v=visit.visit_no, by=by, when=when)


def scan_for_closeout(code: str, *, day: dt.date | None = None) -> CloseoutView:
    """Open the close-out of the visit whose guide sheet was scanned.

    Another kind of code is refused with what to do instead; a visit of
    another day, already closed or cancelled opens with a ``notice`` saying
    so and what the next step is.
    """
    day = day or clock.today()
    kind, digits = parse_code(code)
    if kind is CodeKind.SPECIMEN:
        raise ValidationError(tr("这是标本条码，不是导检单。请扫描导检单上的体检号条码；收取标本请到“条码与标本”。",
                                 "This is a specimen barcode, not a guide sheet. Scan the visit number on the guide "
                                 "sheet; receive specimens under “Labels & specimens”."), field="code")
    if kind is CodeKind.RECEIPT:
        raise ValidationError(tr("这是收据号，不是导检单。请扫描导检单上的体检号条码。",
                                 "This is a receipt number, not a guide sheet. Scan the visit number on the guide "
                                 "sheet."), field="code")
    if kind is CodeKind.BOOKING:
        raise ValidationError(tr("这是预约号：客人尚未报到，没有可交单的体检。请先在“报到登记”报到。",
                                 "This is a booking number: the guest has not checked in, so there is nothing to "
                                 "close. Check the guest in first under “Check-in”."), field="code")
    if kind is CodeKind.DEFERRAL:
        raise ValidationError(tr("这是缓检单：客人回来补检，请用“补检报到”。交单请扫描导检单上的体检号条码。",
                                 "This is a deferral slip: the guest is back for a make-up visit; use “Make-up "
                                 "check-in”. To close a visit, scan the visit number on the guide sheet."),
                              field="code")
    visit = m.Visit.get_or_none(m.Visit.visit_no == digits)
    if visit is None:
        raise NotFoundError(tr("体检号 {n} 不存在，请核对导检单", "Visit number {n} does not exist; check the guide sheet",
                               n=digits), field="code")
    status = VisitStatus(visit.status)
    notice = ""
    if status is VisitStatus.CANCELLED:
        raise ConflictError(tr("体检号 {v} 已取消（未报到），不能交单。如客人要体检，请重新报到。",
                               "Visit {v} was cancelled (not checked in); it cannot be closed. Check the guest in "
                               "again if they are to be examined.", v=visit.visit_no), field="code")
    if status is VisitStatus.PREPARED:
        raise ConflictError(tr("体检号 {v} 已备单但客人尚未报到，没有可交单的体检。请先在“报到登记”扫描预订单报到。",
                               "Visit {v} is prepared but the guest has not checked in: nothing to close. Check the "
                               "guest in first under “Check-in”.", v=visit.visit_no), field="code")
    if status is VisitStatus.CHECKED_IN and visit.visit_date != day:
        notice = tr("注意：这是 {d} 的体检，不是今天的。核对后仍可交单（记录今天的时间）。",
                    "Note: this visit is of {d}, not today. It can still be closed after checking (today's time is "
                    "recorded).", d=f"{visit.visit_date:%Y-%m-%d}")
    elif status is not VisitStatus.CHECKED_IN:
        notice = _closed_text(visit) + tr("，无需再交单。", "; nothing to close.")
        if cq.open_deferral_items(visit_ids=[visit.id]):
            notice += tr("客人有缓检项目：按 M 办理补检报到。", " The guest has deferred items: press M to check in the "
                         "make-up visit.")
        elif status is VisitStatus.CLOSED:
            notice += tr("如需加项，按“加项”会重新打开该体检。", " To add items, “Add items” reopens the visit.")
    return closeout_view(visit.id, notice=notice)


def closeout_list(day: dt.date, which: CloseoutFilter = CloseoutFilter.ALL) -> list[CloseoutRow]:
    """The day's visits with what is still open, filtered ready / blocked / closed."""
    visits = cq.visits_of_day(day)
    ids = [v.id for v in visits]
    counts = cq.item_status_counts(ids)
    specimens = cq.blocking_specimen_counts(ids)
    stored = cq.stored_belonging_counts(ids)
    rows = []
    for v in visits:
        c = counts.get(v.id, {})
        row = CloseoutRow(v.id, v.visit_no, mask_name(v.guest.name), Sex(v.guest.sex).label() if v.guest.sex else "",
                          _name(v.package) if v.package_id else tr("自选项目", "Individual items"),
                          VisitStatus(v.status), c.get("done", 0), c.get("pending", 0), c.get("deferred", 0),
                          c.get("abandoned", 0),
                          specimens.get(v.id, 0) if v.status == VisitStatus.CHECKED_IN.value else 0,
                          stored.get(v.id, 0), v.original_visit_id is not None)
        if which is CloseoutFilter.READY and not row.ready:
            continue
        if which is CloseoutFilter.BLOCKED and not row.blocked:
            continue
        if which is CloseoutFilter.CLOSED and row.status is VisitStatus.CHECKED_IN:
            continue
        rows.append(row)
    return rows


# --------------------------------------------------------------------------
# Changing items


def claim_open_visit(visit_id: int, session: Session | None = None, version: int | None = None) -> m.Visit:
    """Lock the checked-in visit for this transaction, or say why it cannot change.

    With a ``session`` the visit's version is bumped (stamped with who and
    where); with a ``version`` too, a visit changed at another desk since the
    screen read it is refused (``StaleEditError``) before anything is written.
    """
    if session is not None and version is not None:
        versioning.bump(m.Visit, visit_id, version, session)
    if not cq.claim_checked_in_visit(visit_id):
        visit = m.Visit.get_or_none(m.Visit.id == visit_id)
        if visit is None:
            raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
        if visit.status in (VisitStatus.CLOSED.value, VisitStatus.REPORT_READY.value,
                            VisitStatus.REPORT_HANDED_OUT.value):
            raise ConflictError(_closed_text(visit) + tr("，项目不能再修改。", "; its items cannot change."))
        raise ConflictError(tr("体检状态为“{s}”，不能交单或修改项目", "The visit is “{s}”; it cannot be closed or changed",
                               s=VisitStatus(visit.status).label()))
    if _after_claim_hook is not None:
        _after_claim_hook()
    if session is not None and version is None:
        versioning.bump(m.Visit, visit_id, None, session)
    return m.Visit.get_by_id(visit_id)


def _ids(item_ids: Sequence[int]) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in item_ids))
    if not ids:
        raise ValidationError(tr("请选择项目", "Choose the items"), field="items")
    return ids


def _check_items(visit_id: int, ids: list[int], allowed: Sequence[str], action: str) -> list[m.VisitItem]:
    rows = {vi.id: vi for vi in cq.visit_items_full(visit_id)}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFoundError(tr("项目不属于该体检", "An item does not belong to this visit"), field="items")
    wrong = [rows[i] for i in ids if rows[i].status not in allowed]
    if wrong:
        vi = wrong[0]
        raise ConflictError(tr("“{i}”状态为“{s}”，不能{a}", "“{i}” is “{s}”; it cannot be {a}", i=_name(vi.item),
                               s=ItemStatus(vi.status).label(), a=action), field="items")
    return [rows[i] for i in ids]


def mark_done(session: Session, visit_id: int, item_ids: Sequence[int], *, version: int | None = None) -> CloseoutView:
    """Mark the items the stations stamped as done (by this user, now)."""
    ids = _ids(item_ids)
    with db.transaction():
        visit = claim_open_visit(visit_id, session, version)
        rows = _check_items(visit.id, ids, (ItemStatus.PENDING.value,), tr("标记已检", "marked done"))
        cq.set_items(ids, visit.id, (ItemStatus.PENDING.value,), status=ItemStatus.DONE.value, done_at=m.utcnow(),
                     done_by=session.username)
        audit.record(session, "visit_item.done", "visit", visit.id, visit_no=visit.visit_no,
                     items=[vi.item.code for vi in rows])
    return closeout_view(visit_id)


def mark_all_done(session: Session, visit_id: int, *, version: int | None = None) -> CloseoutView:
    """"All stamped": every item still pending becomes done."""
    with db.transaction():
        visit = claim_open_visit(visit_id, session, version)
        pending = [vi for vi in cq.visit_items_full(visit.id) if vi.status == ItemStatus.PENDING.value]
        if pending:
            cq.set_items([vi.id for vi in pending], visit.id, (ItemStatus.PENDING.value,),
                         status=ItemStatus.DONE.value, done_at=m.utcnow(), done_by=session.username)
            audit.record(session, "visit_item.done", "visit", visit.id, visit_no=visit.visit_no,
                         items=[vi.item.code for vi in pending], all_stamped=True)
    return closeout_view(visit_id)


def abandon_items(session: Session, visit_id: int, item_ids: Sequence[int], reason: str,
                  guest_confirmed: bool, *, version: int | None = None) -> CloseoutView:
    """Record that the guest gives the items up (弃检): a reason and the guest's confirmation are required."""
    ids = _ids(item_ids)
    reason = normalize_input(reason or "").strip()
    if not reason:
        raise ValidationError(tr("请填写弃检原因", "Enter the reason for abandoning"), field="reason")
    if not guest_confirmed:
        raise ValidationError(tr("弃检需客人本人确认（签字）", "The guest must confirm (sign) giving the item up"),
                              field="guest_confirmed")
    with db.transaction():
        visit = claim_open_visit(visit_id, session, version)
        rows = _check_items(visit.id, ids, (ItemStatus.PENDING.value,), tr("弃检", "abandoned"))
        cq.set_items(ids, visit.id, (ItemStatus.PENDING.value,), status=ItemStatus.ABANDONED.value,
                     reason=reason[:255], guest_confirmed=True, resolved_by=session.username,
                     resolved_at=m.utcnow())
        audit.record(session, "visit_item.abandon", "visit", visit.id, visit_no=visit.visit_no,
                     items=[vi.item.code for vi in rows], reason=reason)
    return closeout_view(visit_id)


def reset_items(session: Session, visit_id: int, item_ids: Sequence[int], *, version: int | None = None) -> CloseoutView:
    """Undo a mark made by mistake: done, abandoned or (still open) deferred items go back to pending."""
    ids = _ids(item_ids)
    with db.transaction():
        visit = claim_open_visit(visit_id, session, version)
        rows = _check_items(visit.id, ids, (ItemStatus.DONE.value, ItemStatus.ABANDONED.value,
                                            ItemStatus.DEFERRED.value), tr("撤销", "reset"))
        for vi in rows:
            if vi.status == ItemStatus.DEFERRED.value and vi.deferral_state != DeferralState.OPEN.value:
                raise ConflictError(tr("“{i}”的缓检已{s}，不能撤销", "The deferral of “{i}” is {s}; it cannot be undone",
                                       i=_name(vi.item), s=DeferralState(vi.deferral_state).label()), field="items")
        cq.set_items(ids, visit.id, (ItemStatus.DONE.value, ItemStatus.ABANDONED.value, ItemStatus.DEFERRED.value),
                     status=ItemStatus.PENDING.value, done_at=None, done_by="", deferred_to=None, deferral_state="",
                     reason="", guest_confirmed=False, resolved_by="", resolved_at=None)
        audit.record(session, "visit_item.reset", "visit", visit.id, visit_no=visit.visit_no,
                     items=[(vi.item.code, vi.status) for vi in rows])
    return closeout_view(visit_id)


def refund_item(session: Session, visit_item_id: int, refund_method: PaymentMethod, reason: str) -> CloseoutView:
    """Refund an item that was not done (supervisor), through the visit window's refund path."""
    vi = m.VisitItem.get_or_none(m.VisitItem.id == visit_item_id)
    if vi is None:
        raise NotFoundError(tr("找不到该项目", "Item not found"))
    checkin.remove_item(session, visit_item_id, refund_method, reason)
    return closeout_view(vi.visit_id)


def close_visit(session: Session, visit_id: int, *, belongings_confirmed: bool = False,
                version: int | None = None) -> CloseoutView:
    """Close the visit (交单): who and when, status "awaiting report".

    Refused while an item is unresolved or a container it needs is
    uncollected (the blockers are named), while belongings are still stored
    and the desk has not confirmed, or when another desk closed it first.
    """
    with db.transaction():
        visit = claim_open_visit(visit_id, session, version)
        _, blockers = _items_and_blockers(visit.id)
        if blockers:
            raise ConflictError(tr("还不能交单：{b}", "Cannot close yet: {b}",
                                   b=tr("；", "; ").join(b.text for b in blockers)), field="blockers")
        stored = cq.belongings(visit_id=visit.id, stored_only=True)
        if stored and not belongings_confirmed:
            raise BelongingsStoredError(tr("客人还有寄存物品未取（寄存牌 {t}）。仍要交单吗？",
                                           "The guest still has belongings stored (tag {t}). Close anyway?",
                                           t=tr("、", ", ").join(b.tag_no for b in stored)), field="belongings")
        now = m.utcnow()
        cancelled = cq.cancel_unused_open_specimens(visit.id, now)
        if not cq.close_visit_row(visit.id, now, session.username, VisitStatus.CLOSED.value):
            raise ConflictError(_closed_text(m.Visit.get_by_id(visit.id)))  # cannot happen under the claim
        audit.record(session, "visit.close", "visit", visit.id, visit_no=visit.visit_no,
                     cancelled_specimens=cancelled, belongings_stored=[b.tag_no for b in stored])
    return closeout_view(visit_id)


class BelongingsStoredError(ConflictError):
    """Closing would leave belongings stored: the desk confirms and calls again with ``belongings_confirmed``."""


def add_items_at_closeout(session: Session, visit_id: int, item_ids: Sequence[int],
                          payments_in: Sequence[PaymentInput], *, day: dt.date | None = None) -> checkin.ItemsAdded:
    """An add-on at close-out: a closed visit is reopened, then the items go through the add-on path."""
    with db.transaction():
        visit = m.Visit.get_or_none(m.Visit.id == visit_id)
        if visit is None:
            raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
        if visit.status == VisitStatus.CLOSED.value:
            if not cq.reopen_visit_row(visit.id, VisitStatus.CLOSED.value):
                raise ConflictError(tr("体检状态刚被其他工作站修改，请刷新", "The visit was just changed at another desk; "
                                       "refresh"))
            audit.record(session, "visit.reopen", "visit", visit.id, visit_no=visit.visit_no,
                         closed_by=visit.closed_by, reason="add-on")
        result = checkin.add_items(session, visit.id, item_ids, payments_in, day=day)
    return result


class _QuoteOnly(Exception):
    """Carries a quote out of a transaction that must not keep its changes."""


def quote_addons_at_closeout(visit_id: int, item_ids: Sequence[int]):
    """What an add-on at close-out would cost; a closed visit is quoted as if reopened, nothing is changed."""
    try:
        with db.transaction():
            visit = m.Visit.get_or_none(m.Visit.id == visit_id)
            if visit is not None and visit.status == VisitStatus.CLOSED.value:
                cq.reopen_visit_row(visit.id, VisitStatus.CLOSED.value)
            raise _QuoteOnly(checkin.quote_addons(visit_id, item_ids))
    except _QuoteOnly as carried:
        return carried.args[0]
