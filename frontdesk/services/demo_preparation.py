"""The demo day's "before the exam" part: tomorrow's reminders done and one group's bags prepared.

Runs on today only, after the bookings stage: the desk ticks every guest booked for tomorrow as
reminded, exports the list for the SMS tool (into the demo's print-out folder, audited like any
export), and prepares one group of tomorrow in one batch (prepared visits, document bags as PDF files,
check-in labels on the demo's label output), all through ``services.preparation``.
"""

from __future__ import annotations

import datetime as dt

from frontdesk.services import preparation
from frontdesk.services.demo_context import DemoContext, register_stage
from frontdesk.storage import models as m

#: How many of the group's guests the demo prepares at scale 1 (the batch renders two PDFs a guest).
GROUP_LIMIT = 24


def _start(ctx: DemoContext) -> dt.datetime:
    """A minute after the last thing the demo recorded today (audit times only go forward)."""
    latest = m.AuditLog.select(m.AuditLog.at).order_by(m.AuditLog.at.desc()).first()
    start = ctx.moment(10, 0)
    if latest is not None and latest.at + dt.timedelta(minutes=1) > start:
        start = latest.at + dt.timedelta(minutes=1)
    return start


@register_stage(order=15, name="preparation")
def preparation_day(ctx: DemoContext) -> None:
    if not ctx.is_today:
        return
    from frontdesk import clock

    tomorrow = ctx.today + dt.timedelta(days=1)
    with clock.pinned(_start(ctx)):
        rows = preparation.reminder_list(tomorrow)
        if not rows:
            return
        for row in rows:
            preparation.mark_reminded(ctx.desk, [row.booking_id])
            ctx.tick(0.2)
        exported = preparation.export_reminders(ctx.desk, tomorrow,
                                                ctx.output_dir / f"reminders-{tomorrow:%Y%m%d}.xlsx")
        ctx.tick(1)
        # The largest group of tomorrow that the demo can prepare whole (else the smallest).
        groups = sorted(preparation.groups_on(tomorrow), key=lambda g: (g.bookings, g.contract_id))
        fitting = [g for g in groups if g.bookings <= ctx.count(GROUP_LIMIT)]
        prepared = 0
        if groups:
            group = fitting[-1] if fitting else groups[0]
            ids = [r.booking_id for r in preparation.batch_rows(tomorrow, contract_id=group.contract_id)]
            ids = ids[:ctx.count(GROUP_LIMIT)]
            result = preparation.run_batch(ctx.desk, ids, documents=preparation.folder_sink(ctx.output_dir / "bags"),
                                           label_output=ctx.label_output)
            prepared = len(result.done)
            ctx.notes.append(f"明日准备：{len(rows)} 人已检前提醒（导出 {exported} 行），"
                             f"{group.name} 已备单并打印资料袋 {prepared} 人")
        else:
            ctx.notes.append(f"明日准备：{len(rows)} 人已检前提醒（导出 {exported} 行）")
