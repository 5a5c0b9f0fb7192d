"""The end-of-day part of the demo: past days closed with cash counts, one short, one corrected next morning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from frontdesk.services import demo, eod
from frontdesk.services.session import Session
from frontdesk.domain.enums import Role
from frontdesk.storage import models as m

VIEWER = Session("zhuguan", "王主管", Role.SUPERVISOR, "前台1")


def test_demo_closes_past_days_one_short_and_one_corrected_next_morning(fdb):
    summary = demo.build(days=3, scale=0.4, seed=5)
    today = summary.today
    # The finished demo days, oldest first.
    past = sorted({v.visit_date for v in m.Visit.select() if v.visit_date < today})
    assert len(past) >= 2
    closes = {c.day: c for c in m.DayClose.select()}
    assert sorted(closes) == past and all(c.desk == "" and c.closed_by == "zhuguan" for c in closes.values())
    assert [closes[d].cash_difference for d in past] == [D("0.00")] * (len(past) - 2) + [D("-2.00"), D("0.00")]
    for c in closes.values():
        assert c.cash_expected == eod.from_json(c.figures).money.cash.expected

    yesterday = eod.build_report(VIEWER, past[-1])
    signed = eod.from_json(closes[past[-1]].figures)
    assert yesterday.closing.signed_figures and yesterday.money.net == signed.money.net
    (correction,) = yesterday.closing.corrections
    assert correction.kind == eod.CORRECTION_VOID and correction.booked_on == today and correction.amount < 0

    this_morning = eod.build_report(VIEWER, today)
    (void,) = [e for e in this_morning.money.void_events if e.corrects_closed_day is not None]
    assert void.corrects_closed_day == past[-1] and void.receipt_no == correction.receipt_no
    assert not this_morning.closing.closed  # today is left for the desk to count and close

    # Every section of a past day has something to show.
    day = eod.build_report(VIEWER, past[-1])
    assert day.has_data and day.packages and day.stations and day.money.by_method and day.money.by_cashier
    assert day.numbers.closed > 0 and day.specimens.labels_printed > 0

    # Reports and belongings of today agree with the tables and with the desk's own call list.
    from frontdesk.services import reports

    start, end = eod.day_bounds(today)
    arrivals = m.ReportArrival.select().where(m.ReportArrival.received_at >= start, m.ReportArrival.received_at < end)
    assert this_morning.reports.received == arrivals.count()
    handed = m.ReportHandout.select().where(m.ReportHandout.handed_at >= start, m.ReportHandout.handed_at < end)
    assert this_morning.reports.handed_out_total == handed.count()
    assert this_morning.reports.uncollected and this_morning.belongings
    assert ({u.visit_no for u in this_morning.reports.uncollected}
            == {r.visit_no for r in reports.call_list(today=today)})
    stored = (m.Belonging.select().join(m.Visit)
              .where(m.Visit.visit_date == today, m.Belonging.status == "stored"))
    assert sorted(b.tag_no for b in this_morning.belongings) == sorted(b.tag_no for b in stored)
