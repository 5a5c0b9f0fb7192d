"""The close-out part of the demo day (issue 9): guide sheets come back, visits close, items are
deferred or abandoned, make-up visits come in, belongings go back (or stay).

Runs for every demo day after the core (order 20), before the reports
arrive (order 30), through the desk's own services at the moments a desk
would act:

- make-up visits (补检) first thing: guests whose items were deferred to
  this day on an earlier demo day come back with their slip; on past days
  they are done and closed by noon, today they are checked in only;
- past days, from 16:00: every finished visit's sheet is checked and the
  visit closed; about one in seven has an item deferred to one of the next
  days (ultrasound, bone density, breath test, X-ray), about one in twelve an
  item abandoned with the guest's confirmation; a container never handed in
  is abandoned too; bags go back at close-out;
- today (a morning in progress): the finished visits are closed before the
  morning ends, a few of the others have their stamped items marked (one
  item deferred: the queue was too long), and their belongings are still
  stored: the "not returned today" list.

The stage draws from its own generator, seeded from the state of ``ctx.rng``
without advancing it, so adding this stage does not change what the core
and the other stages draw.
"""

from __future__ import annotations

import datetime as dt
import random

from frontdesk.domain.enums import ItemStatus
from frontdesk.errors import UserError
from frontdesk.services import belongings, closeout, deferrals, specimens
from frontdesk.services.demo_context import DemoContext, DemoVisit, register_stage

# Items a desk defers when a station was too busy or the guest could not stay: none needs a container.
_DEFERRABLE_STATIONS = ("US", "BMD", "C13", "RAD", "GYN")
_ABANDON_REASONS = ("客人拒绝检查", "身体不适", "时间来不及", "经期")
_CONTAINER_REASON = "未留取标本"


def _rng(ctx: DemoContext) -> random.Random:
    """A generator of this stage and day: seeded from ``ctx.rng``'s state, which it leaves untouched."""
    return random.Random(sum(ctx.rng.getstate()[1]) * 1_000_003 + ctx.day.toordinal())


@register_stage(order=20, name="close-out")
def closeout_day(ctx: DemoContext) -> None:
    rng = _rng(ctx)
    made_up = _make_up_visits(ctx)
    if ctx.is_today:
        _morning(ctx, rng)
    else:
        _close_day(ctx, rng, made_up)


def _station_code(item: closeout.CloseoutItem, codes: dict[int, str]) -> str:
    return codes.get(item.station_id, "")


def _codes_from_items() -> dict[int, str]:
    from frontdesk.storage import models as m

    return {s.id: s.code for s in m.Station.select()}


def _make_up_visits(ctx: DemoContext) -> list[int]:
    """Guests whose deferral falls on this day come back and are checked in for those items only."""
    day = ctx.day
    made = []
    due = _open_deferrals_due(day)
    if not due:
        return made
    limit = ctx.moment(ctx.now_limit.hour, ctx.now_limit.minute) if ctx.is_today else ctx.moment(11, 0)
    with ctx.at(8, 20):
        for deferral in due:
            if ctx.tick(5) >= limit:
                break
            guest = ctx.guest(deferral.guest_id) if _known(ctx, deferral.guest_id) else None
            id_number = guest.id_number if guest else ""
            # A guest on file without an ID number is vouched for by the supervisor.
            session = ctx.desk if id_number else ctx.supervisor
            try:
                result = deferrals.check_in_makeup(session, deferral.visit_id, deferral.deferred_to, id_number,
                                                   day=day)
            except UserError:
                continue  # e.g. the guest is on a full visit today: the deferral stays open
            made.append(result.visit_id)
            ctx.visits.append(DemoVisit(result.visit_id, result.visit_no, deferral.guest_id, day, ctx.desk.desk,
                                        "arrived"))
    if made:
        ctx.notes.append(f"{day:%m-%d}: {len(made)} make-up visit(s) for deferred items")
    return made


def _known(ctx: DemoContext, guest_id: int) -> bool:
    try:
        ctx.guest(guest_id)
    except KeyError:
        return False
    return True


def _open_deferrals_due(day: dt.date) -> list[deferrals.Deferral]:
    from frontdesk.storage import closeout_queries as cq

    return deferrals._deferrals(cq.open_deferral_items(deferred_to=day))


def _receive_open_containers(ctx: DemoContext, visit_id: int) -> None:
    """Containers the stations took but the desk never scanned in (the core hands in all of a finished visit's)."""
    for specimen in specimens.specimens_of(visit_id):
        if specimen.status in ("created", "label_printed") and specimen.tube_type.container_kind in ("blood", "other"):
            specimens.receive_specimen(ctx.desk2, specimen.barcode)


def _close_visit(ctx: DemoContext, rng: random.Random, record: DemoVisit, codes: dict[int, str], *,
                 later_days: list[dt.date]) -> str:
    """Check one returned guide sheet and close the visit; returns what happened ("closed", "deferred", ...)."""
    session = ctx.desk if rng.random() < 0.6 else ctx.desk2
    view = closeout.closeout_view(record.visit_id)
    if not view.is_open:
        return ""
    pending = [i for i in view.items if i.status is ItemStatus.PENDING]
    outcome = "closed"
    deferrable = [i for i in pending if _station_code(i, codes) in _DEFERRABLE_STATIONS]
    roll = rng.random()
    if deferrable and later_days and roll < 0.15:
        item = rng.choice(deferrable)
        for to in later_days:
            try:
                deferrals.defer_items(session, view.visit_id, [item.visit_item_id], to)
                outcome = "deferred"
                break
            except UserError:
                continue
    elif pending and roll < 0.23:
        item = rng.choice([i for i in pending if not i.specimen_barcode] or pending)
        closeout.abandon_items(session, view.visit_id, [item.visit_item_id], rng.choice(_ABANDON_REASONS),
                               guest_confirmed=True)
        outcome = "abandoned"
    ctx.tick(1)
    view = closeout.mark_all_done(session, view.visit_id)
    for blocker in view.blockers:  # a container that never came back: the guest gives the item up
        still = [i for i in blocker.visit_item_ids
                 if next(x for x in view.items if x.visit_item_id == i).status is ItemStatus.DONE]
        if still:
            closeout.reset_items(session, view.visit_id, still)
            closeout.abandon_items(session, view.visit_id, still, _CONTAINER_REASON, guest_confirmed=True)
    for b in belongings.of_visit(view.visit_id, stored_only=True):
        belongings.return_belonging(session, b.belonging_id)
    ctx.tick(1)
    closeout.close_visit(session, view.visit_id)
    return outcome


def _close_day(ctx: DemoContext, rng: random.Random, made_up: list[int]) -> None:
    day = ctx.day
    codes = _codes_from_items()
    later = [d for d in ctx.days if d > day][:2] + [day + dt.timedelta(days=7)]
    tally: dict[str, int] = {}
    with ctx.at(11, 30):
        for visit_id in made_up:  # the make-up guests are done by noon
            record = next(v for v in ctx.visits if v.visit_id == visit_id)
            _receive_open_containers(ctx, visit_id)
            ctx.tick(4)
            _close_visit(ctx, rng, record, codes, later_days=[])
    with ctx.at(16, 0):
        records = sorted((v for v in ctx.visits_on(day) if v.visit_id not in made_up), key=lambda v: v.visit_id)
        for record in records:
            ctx.tick(1.5)
            if record.progress != "done":
                _receive_open_containers(ctx, record.visit_id)
            outcome = _close_visit(ctx, rng, record, codes, later_days=later)
            if outcome:
                tally[outcome] = tally.get(outcome, 0) + 1
    if tally:
        ctx.notes.append(f"{day:%m-%d}: closed {sum(tally.values())} visit(s), {tally.get('deferred', 0)} with a "
                         f"deferred item, {tally.get('abandoned', 0)} with an abandoned one")


def _morning(ctx: DemoContext, rng: random.Random) -> None:
    """Today up to the end of the morning: finished guests closed, others part-checked, bags still stored."""
    codes = _codes_from_items()
    later = [ctx.day + dt.timedelta(days=d) for d in (2, 3, 7)]
    records = sorted((v for v in ctx.visits_on(ctx.day) if v.progress == "done"), key=lambda v: v.visit_id)
    start = ctx.moment(9, 40)
    limit = ctx.moment(ctx.now_limit.hour, ctx.now_limit.minute)
    if start >= limit:
        return
    closed = 0
    with ctx.at(9, 40):
        for record in records:
            if ctx.tick(2) >= limit:
                break
            if _close_visit(ctx, rng, record, codes, later_days=later):
                closed += 1
        # Two guests still in the building handed their sheet in early for a first check.
        for record in sorted((v for v in ctx.visits_on(ctx.day) if v.progress == "midway"),
                             key=lambda v: v.visit_id)[:2]:
            if ctx.tick(2) >= limit:
                break
            view = closeout.closeout_view(record.visit_id)
            stamped = [i.visit_item_id for i in view.items if i.status is ItemStatus.PENDING and
                       _station_code(i, codes) in ("GEN", "IM", "SURG", "EYE", "ENT", "ORAL")]
            if view.is_open and stamped:
                closeout.mark_done(ctx.desk, view.visit_id, stamped)
            deferrable = [i for i in view.items if i.status is ItemStatus.PENDING
                          and _station_code(i, codes) in _DEFERRABLE_STATIONS]
            if view.is_open and deferrable and not closed:
                # The queue at the station is long: the guest comes back another day (slip printed).
                for to in later:
                    try:
                        deferrals.defer_items(ctx.desk, view.visit_id, [deferrable[0].visit_item_id], to)
                        break
                    except UserError:
                        continue
    if closed:
        ctx.notes.append(f"today: {closed} visit(s) closed so far")
