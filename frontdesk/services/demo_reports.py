"""The reports part of the demo day (issue 9): reports arrive, go out, are booked and chased.

Runs for every demo day after the close-out stage (order 30), through the
desk's own services with the clock at the moments a desk would act:

- 15:00 (today: 08:40): the reports of visits closed on earlier days arrive
  from the report system, filed on the day's shelf; about one in eight is
  still at the lab.
- through the day: more than half of the reports waiting at the desk are
  handed out (a quarter of the guests never come: the call list), in person
  (ID checked), to a proxy (relation, authorisation, a drawn signature) or by
  courier (tracking number); on one past day a report is handed out a second
  time with the supervisor's authorisation;
- pickup appointments are booked for the next days (today's list fills from
  earlier days), a few as consultations;
- today, the desk calls two of the guests on the uncollected list.

A demo spans a few days, so the site's "uncollected after N days" setting is
set (by the supervisor, audited) to fit the span: the call list shows.
"""

from __future__ import annotations

import datetime as dt
import io

from frontdesk.domain.enums import HandoutMethod, PickupKind
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.errors import UserError
from frontdesk.services import reports, site_settings
from frontdesk.services.demo_context import DemoContext, register_stage

_PROXY_NAMES = ("王丽", "陈刚", "刘洋", "张敏", "李强", "赵静", "孙伟", "周婷")
_RELATIONS = ("配偶", "父母", "子女", "同事", "其他亲属")
_COURIERS = ("顺丰速运", "中国邮政EMS", "京东物流")


def _signature(rng) -> bytes:
    """A scrawl as the signature pad would save it (black on transparent)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (420, 140), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    x, points = 20, []
    while x < 400:
        points.append((x, rng.randint(25, 115)))
        x += rng.randint(25, 60)
    draw.line(points, fill=(16, 24, 32, 255), width=6, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _proxy_request(ctx: DemoContext, visit_id: int) -> reports.HandoutRequest:
    rng = ctx.rng
    birth = dt.date(rng.randint(1955, 2000), rng.randint(1, 12), rng.randint(1, 28))
    return reports.HandoutRequest(visit_id, HandoutMethod.PROXY, proxy_name=rng.choice(_PROXY_NAMES),
                                  id_number=make_resident_id(rng.choice(("310104", "320106", "330102")), birth,
                                                             rng.randint(10, 998)),
                                  relation=rng.choice(_RELATIONS), authorisation_seen=True,
                                  signature_png=_signature(rng))


def _request(ctx: DemoContext, visit_id: int, guest_id: int) -> reports.HandoutRequest:
    roll = ctx.rng.random()
    if roll < 0.6:
        guest = ctx.guest(guest_id)
        signature = _signature(ctx.rng) if ctx.rng.random() < 0.7 else None
        return reports.HandoutRequest(visit_id, HandoutMethod.IN_PERSON, id_number=guest.id_number,
                                      signature_png=signature)
    if roll < 0.85:
        return _proxy_request(ctx, visit_id)
    return reports.HandoutRequest(visit_id, HandoutMethod.MAILED, courier_company=ctx.rng.choice(_COURIERS),
                                  tracking_no=f"SF{ctx.rng.randint(10**11, 10**12 - 1)}")


def _uncollected_days(ctx: DemoContext) -> int:
    """The call list's N for a demo of this many days: long enough to mean something, short enough to show."""
    return max(1, min(14, len(ctx.days) - 2))


@register_stage(order=30, name="reports")
def reports_day(ctx: DemoContext) -> None:
    day = ctx.day
    guest_of = {v.visit_id: v.guest_id for v in ctx.visits}
    first_day = day == ctx.days[0]
    if first_day:
        with ctx.at(7, 30):
            site_settings.set_value(ctx.supervisor, "report_uncollected_days", str(_uncollected_days(ctx)))

    # Arrival: one batch from the report system, each report on the shelf of its exam day.
    received = handed = booked = 0
    with ctx.at(8, 40) if ctx.is_today else ctx.at(15, 0):
        awaited = [r for r in reports.reports_awaited(exam_before=day) if r.visit_id in guest_of]
        arriving = [r for r in awaited if ctx.rng.random() < 0.88]
        if arriving:
            entries = [reports.ArrivalEntry(r.visit_no, f"{'ABCDEFG'[r.visit_date.weekday()]}-{r.visit_date.day:02d}")
                       for r in arriving]
            try:
                received = len(reports.receive_reports(ctx.desk, entries).received)
            except UserError:
                received = 0

    # Hand-outs through the day (today: only the morning).
    waiting = [r for r in reports.waiting_reports() if r.visit_id in guest_of
               and (r.received_at is None or r.received_at.astimezone().date() < day or not ctx.is_today)]
    # About one guest in four never comes for the report: they make the call list.
    going = sorted((r for r in waiting if r.visit_id % 4 and ctx.rng.random() < 0.6), key=lambda r: r.visit_no)
    hour, minute = 9, 5
    handed_ids: list[int] = []
    for row in going[:ctx.count(12)]:
        if ctx.is_today and dt.time(hour, minute) >= ctx.now_limit:
            break
        with ctx.at(hour, minute):
            try:
                reports.hand_out(ctx.desk if minute % 2 else ctx.desk2, _request(ctx, row.visit_id,
                                                                                  guest_of[row.visit_id]))
                handed += 1
                handed_ids.append(row.visit_id)
            except UserError:
                pass
        minute += ctx.rng.randint(7, 25)
        hour, minute = hour + minute // 60, minute % 60
        if hour >= 17:
            break

    # A guest lost the report: handed out again, with the supervisor's authorisation (the day before today).
    if len(ctx.days) > 1 and day == ctx.days[-2] and handed_ids:
        with ctx.at(17, 10):
            try:
                reports.hand_out(ctx.desk, _proxy_request(ctx, handed_ids[0]), supervisor=ctx.supervisor)
            except UserError:
                pass

    # Pickup appointments for the next days (including today, booked on earlier days).
    candidates = [r for r in reports.waiting_reports() if r.visit_id in guest_of]
    candidates += [r for r in reports.reports_awaited() if r.visit_id in guest_of]
    ctx.rng.shuffle(candidates)
    with ctx.at(11, 20) if not ctx.is_today else ctx.at(9, 50):
        slots = reports.pickup_slots()
        # Whatever the dice say, the day before today books one for today: today's list is never empty.
        for_today = len(ctx.days) > 1 and day == ctx.days[-2]
        for row in candidates[:ctx.count(4)]:
            target = day + dt.timedelta(days=ctx.rng.randint(0 if ctx.is_today else 1, 3))
            kind = PickupKind.CONSULTATION if ctx.rng.random() < 0.25 else PickupKind.REPORT
            try:
                reports.book_pickup(ctx.desk, row.visit_id, ctx.today if for_today else target,
                                    ctx.rng.choice(slots), kind)
                booked += 1
                for_today = False
            except UserError:
                pass

    # Today the desk starts on the call list.
    called = 0
    if ctx.is_today:
        with ctx.at(9, 30):
            for row in reports.call_list()[:2]:
                try:
                    reports.mark_called(ctx.desk, row.visit_id, ctx.rng.choice(("已电话通知", "已短信通知",
                                                                                "电话未接通，已发短信")))
                    called += 1
                except UserError:
                    pass
        ctx.notes.append(f"报告：今日已登记到达 {received} 份、发放 {handed} 份，待领 {len(reports.waiting_reports())} 份，"
                         f"待通知 {len(reports.call_list())} 人，今日领取预约 {len(reports.appointments_on(day))} 个")
