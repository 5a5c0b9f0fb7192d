"""How long the end-of-day PDF of a 2,000-visit day takes, and how much memory.

The day is an ``EndOfDayReport`` filled directly (not built from a database):
2,000 visits' worth of rows in the proportions of a busy day at a large
centre - 60 packages, 80 organisations, 30 stations, 100 abandoned items,
40 refunds, 20 voids, 200 label reprints, 400 reports uncollected, 100
belongings, 22 half hours, 4 cashiers, 6 payment methods - so the PDF runs to
some 30 pages with every section and both charts.  Building 2,000 visits
through the services takes minutes on a desk machine and measures the
database, which bench/search.py already does; what is timed here is the
renderer.

Compared, in the same run, with a bare ReportLab table of the same rows
(every detail row of every section as plain strings in one font, header
row repeated, SimpleDocTemplate): the least any PDF of these rows could cost.

Run:  python bench/eod.py [--repeat N] [--out FILE.pdf]

Targets: median under 2 s and peak memory under 200 MB (tracemalloc peak of
one rendering; the process's maximum resident size is printed too).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import platform
import random
import resource
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from frontdesk.services.eod import (AbandonedItem, AddonRow, BelongingOut, CashCount, CashierRow,  # noqa: E402
                                   ClosingState, Correction, DayInNumbers, DeferredCount, EndOfDayReport,
                                   HalfHour, HandoutCount, MethodRow, Money, MoneyEvent, OrganisationCharges,
                                   OrganisationRow, PackageRow, Reports, Reprint, Specimens, StationItems,
                                   StationRow, TubeCount, UncollectedReport)

TARGET_S = 2.0
TARGET_MB = 200.0
DAY = dt.date(2026, 11, 30)
UTC = dt.timezone.utc
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗欧阳"
STATIONS = ["内科", "外科", "眼科", "耳鼻喉科", "口腔科", "妇科", "心电图", "B超（腹部）", "B超（甲状腺）", "胸部DR",
            "骨密度", "抽血", "尿常规", "碳13呼气试验", "CT", "MRI", "肺功能", "动脉硬化", "血压", "身高体重",
            "视力", "色觉", "听力", "皮肤科", "中医体质", "心理测评", "乳腺钼靶", "TCT", "HPV", "肿瘤标志物"]


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)).scaleb(-2)


def synthetic_report(visits: int = 2000, *, language: str = "zh", seed: int = 11) -> EndOfDayReport:
    """A closed day of ``visits`` visits, every section filled, with corrections since."""
    rng = random.Random(seed)
    at = lambda h, m: dt.datetime.combine(DAY, dt.time(h, m)).astimezone(UTC)  # noqa: E731
    name = lambda: rng.choice(SURNAMES) + "*" + rng.choice("明华丰红伟")  # noqa: E731  (masked)
    visit_no = lambda: f"261130{rng.randrange(1, visits + 1):04d}"  # noqa: E731
    halves = [HalfHour(dt.time(7 + i // 2, 30 * (i % 2)), 0) for i in range(22)]
    weights = [rng.random() * (3 if 2 <= i <= 8 else 1) for i in range(22)]
    counts = [int(visits * w / sum(weights)) for w in weights]
    counts[3] += visits - sum(counts)
    halves = [HalfHour(h.start, c) for h, c in zip(halves, counts)]
    stations = []
    for i, station in enumerate(STATIONS):
        planned = rng.randrange(200, 1800)
        done = planned - rng.randrange(0, 60)
        stations.append(StationRow(f"S{i:02d}", station, planned, done, max(planned - done - 3, 0), 2, 1,
                                   rng.choice([None, 1500, 2000])))
    methods = []
    for code, label in (("cash", "现金"), ("wechat", "微信"), ("alipay", "支付宝"), ("card", "银行卡"),
                        ("org_account", "单位记账"), ("insurance", "医保")):
        charges, refunds, voids = _money(rng, 20000, 90000), _money(rng, 100, 900), _money(rng, 100, 600)
        methods.append(MethodRow(code, label, charges, refunds, voids, charges - refunds - voids))
    gross = sum((m.charges for m in methods), Decimal("0.00"))
    refunds = sum((m.refunds for m in methods), Decimal("0.00"))
    voids = sum((m.voids for m in methods), Decimal("0.00"))

    def event(kind: str, i: int) -> MoneyEvent:
        return MoneyEvent(kind, f"R2611300{i:04d}", f"R2611300{i + 5000:04d}" if kind == "refund" else
                          f"R2611300{i:04d}", visit_no(), name(), at(8 + i % 9, i % 60), _money(rng, 10, 900),
                          "现金 50.00；微信 30.00", "sup1", "主管刘芳", "前台1", "客人放弃项目，已征得主管同意",
                          None, DAY - dt.timedelta(days=1) if i % 10 == 0 else None)

    refund_events = tuple(event("refund", i) for i in range(40))
    void_events = tuple(event("void", i + 100) for i in range(20))
    money = Money(gross, refunds, voids, gross - refunds - voids, visits + 120, 40, 20, refund_events, void_events,
                  tuple(methods),
                  _cashiers(gross, refunds, voids, methods[0].net),
                  tuple(OrganisationCharges(f"第{i}建筑工程有限公司", rng.randrange(5, 60), _money(rng, 1000, 20000),
                                            Decimal("0.00"), Decimal("0.00"), Decimal("0.00")) for i in range(80)),
                  tuple(AddonRow(s, rng.randrange(1, 40), _money(rng, 100, 4000)) for s in STATIONS[:20]),
                  Decimal("0.00"), CashCount(methods[0].net, methods[0].net - Decimal("2.00"), Decimal("-2.00")))
    money = _replace(money, addons_total=sum((a.amount for a in money.addons), Decimal("0.00")),
                     org_accounts=tuple(_replace(o, net=o.charges) for o in money.org_accounts))
    numbers = DayInNumbers(
        booked=1500, checked_in=visits, no_shows=60, cancelled_bookings=25, walk_ins=560, booked_arrivals=640,
        group=800, individual=1200, closed=1900, still_open=100, cancelled_visits=12, makeup_visits=30,
        items_planned=sum(s.planned for s in stations), items_done=sum(s.done for s in stations),
        items_deferred=60, items_abandoned=100, items_refunded=40,
        deferred=tuple(DeferredCount(DAY + dt.timedelta(days=d), 6, 5) for d in range(1, 11)),
        abandoned=tuple(AbandonedItem(visit_no(), name(), rng.choice(STATIONS), rng.choice(STATIONS),
                                      rng.choice(["客人不愿散瞳", "怀孕可能，放弃放射检查", "空腹时间不够，改日不便",
                                                  "time"]), "前台王丽") for _ in range(100)))
    specimens = Specimens(
        labels_printed=9000, specimens=8600, collected=8400, sent=8200, cancelled=30,
        reprints=tuple(Reprint(f"2611300{i:05d}", visit_no(), "EDTA抗凝管", at(8 + i % 9, i % 60), "desk1",
                               "前台王丽", 1 + i % 3, "本台补打次数之内" if i % 4 else "主管授权（标签损坏）")
                       for i in range(200)),
        pending_by_tube=(TubeCount("EDTA", "EDTA抗凝管", 80), TubeCount("SST", "促凝管(SST)", 70),
                         TubeCount("NAF", "氟化钠管", 20)))
    reports = Reports(
        received=1800, handed_out=(HandoutCount("in_person", "本人领取", 900), HandoutCount("proxy", "代领", 120),
                                   HandoutCount("courier", "快递", 300)),
        uncollected_days=30,
        uncollected=tuple(UncollectedReport(visit_no(), name(), "110105********002X", "138****1234",
                                            DAY - dt.timedelta(days=60), DAY - dt.timedelta(days=50), 50)
                          for _ in range(400)))
    belongings = tuple(BelongingOut(f"A{i:03d}", visit_no(), name(), "黑色双肩包、雨伞", at(9, i % 60), "前台王丽")
                       for i in range(100))
    corrections = tuple(Correction("void", DAY + dt.timedelta(days=1), at(9, i), f"R2612010{i:04d}",
                                   f"R2611300{i:04d}", visit_no(), Decimal("-168.00"), Decimal("-168.00"), "sup1",
                                   "主管刘芳", "套餐选错") for i in range(3))
    closing = ClosingState(True, "site", "", "sup1", "主管刘芳", at(18, 30), money.cash.expected, money.cash.counted,
                           money.cash.difference, True, corrections)
    return EndOfDayReport(
        site_name="星海健康体检中心", day=DAY, desk="", desks=("前台1", "前台2", "前台3"), generated_by="sup1",
        generated_by_name="主管刘芳", generated_at=at(18, 40), masked=True, has_data=True, language=language,
        numbers=numbers,
        packages=tuple(PackageRow(f"P{i:02d}", f"入职体检套餐{i}（男）", 30, 10, 20, 400, 390) for i in range(60)),
        organisations=tuple(OrganisationRow(f"第{i}建筑工程有限公司", 10, 9, 150, 140) for i in range(80)),
        stations=tuple(stations), money=money, specimens=specimens, reports=reports, belongings=belongings,
        check_ins_per_half_hour=tuple(halves),
        items_per_station=tuple(StationItems(s.name, s.done, s.planned) for s in stations), closing=closing)


def _cashiers(gross: Decimal, refunds: Decimal, voids: Decimal, cash: Decimal) -> tuple[CashierRow, ...]:
    """Four cashiers sharing the day's money, to the cent (the last takes the remainder)."""
    quarter = lambda v: (v / 4).quantize(Decimal("0.01"))  # noqa: E731
    rows = []
    for i in range(1, 5):
        g, r, v, c = ((x - 3 * quarter(x)) if i == 4 else quarter(x) for x in (gross, refunds, voids, cash))
        rows.append(CashierRow(f"desk{i}", f"收费员{i}", 500, g, r, v, g - r - v, c))
    return tuple(rows)


def _replace(obj, **changes):
    from dataclasses import replace

    return replace(obj, **changes)


def detail_rows(report: EndOfDayReport) -> list[tuple[tuple[str, ...], list[tuple]]]:
    """Every table of the report (export_tables) as (headers, rows) for the bare baseline."""
    from frontdesk.services.eod_export import report_tables

    return [(t.headers, [tuple(str(c) for c in row) for row in t.rows]) for t in report_tables(report)]


def render_bare(tables) -> bytes:
    """The same rows as plain ReportLab tables: one font, strings, header row repeated."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    from frontdesk.printing.fonts import register_reportlab_font

    font = register_reportlab_font()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4)
    story = []
    for headers, rows in tables:
        if rows:
            style = TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 7),
                                ("GRID", (0, 0), (-1, -1), 0.25, "grey")])
            story.append(Table([list(headers)] + [list(r) for r in rows], repeatRows=1, style=style))
    doc.build(story)
    return buffer.getvalue()


def render_ours(report: EndOfDayReport) -> bytes:
    from frontdesk.printing import eod_pdf
    from frontdesk.printing.eod_pdf import render_eod_pdf

    eod_pdf._runs.cache_clear()  # each rendering measures its own strings, as a new day's report would
    buffer = io.BytesIO()
    render_eod_pdf(report, buffer)
    return buffer.getvalue()


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--visits", type=int, default=2000)
    parser.add_argument("--out", help="also write the PDF here")
    args = parser.parse_args(argv)

    report = synthetic_report(args.visits)
    tables = detail_rows(report)
    rows = sum(len(r) for _, r in tables)
    ours, bare = render_ours(report), render_bare(tables)  # warm: fonts loaded, modules imported
    if args.out:
        Path(args.out).write_bytes(ours)
    ours_s, bare_s = [], []
    for i in range(args.repeat):  # alternate which goes first
        pair = [(ours_s, lambda: render_ours(report)), (bare_s, lambda: render_bare(tables))]
        for sink, fn in (pair if i % 2 == 0 else pair[::-1]):
            sink.append(_timed(fn))
    ours_mb = _peak_mb(lambda: render_ours(report))
    bare_mb = _peak_mb(lambda: render_bare(tables))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    import pypdfium2 as pdfium

    pages = len(pdfium.PdfDocument(ours))
    o, b = statistics.median(ours_s), statistics.median(bare_s)
    print(f"machine: {platform.machine()}, {platform.processor() or platform.platform()}, "
          f"Python {platform.python_version()}")
    print(f"report: {args.visits} visits, {rows} table rows, {pages} pages, {len(ours) / 1024:.0f} KiB "
          f"(bare: {len(bare) / 1024:.0f} KiB)")
    print(f"eod_pdf   median {o * 1000:7.0f} ms  (min {min(ours_s) * 1000:.0f})  peak {ours_mb:6.1f} MB (tracemalloc)")
    print(f"bare      median {b * 1000:7.0f} ms  (min {min(bare_s) * 1000:.0f})  peak {bare_mb:6.1f} MB (tracemalloc)")
    print(f"ratio     {o / b:.2f}x time, {ours_mb / bare_mb:.2f}x memory; process max RSS {rss_mb:.0f} MB")
    ok = o < TARGET_S and ours_mb < TARGET_MB
    print(f"targets   < {TARGET_S:.0f} s and < {TARGET_MB:.0f} MB: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
