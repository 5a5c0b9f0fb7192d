"""The reports part of the demo day: built through the services after the close-out stage."""

from __future__ import annotations

import datetime as dt

import pytest

from frontdesk.domain.enums import HandoutMethod
from frontdesk.errors import UserError
from frontdesk.services import closeout, demo, reports
from frontdesk.services import demo_context
from frontdesk.storage import models as m


@pytest.fixture
def closeout_stage(monkeypatch):
    """Past days' visits closed at 17:00, as the close-out stage does (used until that stage is registered)."""
    if any(s.order == 20 for s in demo_context.stages()):
        return

    def close(ctx):
        if ctx.is_today:
            return
        with ctx.at(17, 0):
            for v in ctx.visits_on(ctx.day):
                try:
                    closeout.mark_all_done(ctx.desk, v.visit_id)
                    closeout.close_visit(ctx.desk, v.visit_id, belongings_confirmed=True)
                except UserError:
                    pass  # a container still out: the visit stays open

    monkeypatch.setattr(demo_context, "_STAGES", demo_context._STAGES + [demo_context.RegisteredStage(20, "close", close)])


def test_demo_day_has_reports_received_handed_out_every_way_booked_and_to_call(fdb, closeout_stage):
    summary = demo.build(days=4, scale=0.5, seed=7)
    today = summary.today
    methods = {h.method for h in m.ReportHandout.select()}
    assert methods == {HandoutMethod.IN_PERSON.value, HandoutMethod.PROXY.value, HandoutMethod.MAILED.value}
    assert m.ReportHandout.select().where(m.ReportHandout.repeat == True).count() == 1  # noqa: E712
    assert m.ReportHandout.select().where(m.ReportHandout.signature_png.is_null(False)).count() > 0
    assert reports.waiting_reports() and reports.appointments_on(today) and reports.call_list()
    assert 1 <= m.ReportCall.select().count() <= 2
    # Every time the services recorded lies within the demo's days, today's before its morning ends.
    latest = max(h.handed_at for h in m.ReportHandout.select()).astimezone()
    assert latest <= dt.datetime.combine(today, dt.time(10, 30)).astimezone()
    assert any("报告" in note for note in summary.notes)
