"""Check-ins per second and p95 of one check-in at 1, 2, 4 and 8 desk PROCESSES on one PostgreSQL.

Run:  python bench/concurrency.py [--url postgresql://...] [--seconds 8] [--desks 1,2,4,8] [--rounds 3] [--write]

The URL defaults to FRONTDESK_TEST_PG_URL, else postgresql://postgres@127.0.0.1:5432/test.  The bench
makes its own schema (dropped at the end), migrates it and loads the seed catalogue and 4,000 guests.
Each desk is a separate Python process (as at a real site: no shared memory, one connection each) that
checks its own guests in (BASIC package, paid in cash: visit number, items, receipt, specimens, audit)
for ``--seconds`` after all desks are ready; every run uses a new exam day, so the per-day counters start
afresh.  Throughput = all check-ins / (last desk's end - first desk's start); latency = each
``checkin.check_in`` call, wall clock.  Targets (issue 12): 4 desks at least 1.5x one desk's check-ins
per second, p95 under 200 ms at 4 desks.  ``--write`` appends the figures to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GUESTS = 4000
FIRST_DAY = dt.date(2026, 6, 1)
TARGET_RATIO, TARGET_P95_MS = 1.5, 200.0

DESK = textwrap.dedent("""
    import json, sys, time, datetime as dt
    from decimal import Decimal
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from frontdesk import i18n
    from frontdesk.domain.enums import PaymentMethod, Role
    from frontdesk.services import checkin, database
    from frontdesk.services.checkin import CheckInRequest
    from frontdesk.services.payments import PaymentInput
    from frontdesk.services.session import Session
    from frontdesk.storage import models as m

    _, root, url, folder, desks, me, day, seconds = sys.argv
    desks, me, seconds, day = int(desks), int(me), float(seconds), dt.date.fromisoformat(day)
    i18n.set_language("zh")
    database.open_database(url, upgrade=False)
    session = Session("admin", "管理员", Role.ADMIN, f"前台{me}")
    package = m.Package.get(m.Package.code == "BASIC")
    guests = [g for (g,) in m.Guest.select(m.Guest.id).order_by(m.Guest.id).tuples()][me::desks]

    def check_in(guest_id):
        request = CheckInRequest(guest_id=guest_id, package_id=package.id,
                                 payments=[PaymentInput(PaymentMethod.CASH, package.price)])
        checkin.check_in(session, request, day=day)

    check_in(guests.pop())  # warm-up, not timed: imports, first statements, plans
    Path(folder, f"ready-{me}").touch()
    while len(list(Path(folder).glob("ready-*"))) < desks:
        time.sleep(0.002)
    latencies, start = [], time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline and guests:
        t0 = time.perf_counter()
        check_in(guests.pop())
        latencies.append(time.perf_counter() - t0)
    end = time.perf_counter()
    print(json.dumps({"start": start, "end": end, "latencies": latencies}))
""")


def _schema_url(base: str, schema: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}schema={schema}"


def setup(base: str, schema: str) -> str:
    from frontdesk.domain.enums import Role
    from frontdesk.services import catalogue, database
    from frontdesk.services.session import Session
    from frontdesk.storage import models as m

    url = _schema_url(base, schema)
    database.open_database(url)
    catalogue.load_seed_catalogue(Session("admin", "管理员", Role.ADMIN, "前台1"))
    rows = [{"name": f"客人{n:05d}", "sex": "M" if n % 2 else "F", "birth_date": dt.date(1980, 1, 1) +
             dt.timedelta(days=n % 9000), "id_type": "resident_id", "phone": f"139{n:08d}",
             "pinyin_initials": "KR"} for n in range(GUESTS)]
    with m.database.atomic():
        for start in range(0, len(rows), 500):
            m.Guest.insert_many(rows[start:start + 500]).execute()
    m.database.execute_sql("ANALYZE")
    database.close()
    return url


def run(url: str, desks: int, day: dt.date, seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        children = [subprocess.Popen([sys.executable, "-c", DESK, str(ROOT), url, folder, str(desks), str(n),
                                      day.isoformat(), str(seconds)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                    for n in range(desks)]
        results = []
        for child in children:
            out, err = child.communicate(timeout=600)
            if child.returncode:
                raise SystemExit(f"desk process failed:\n{err.decode()}")
            results.append(json.loads(out.decode().strip().splitlines()[-1]))
    latencies = sorted(x for r in results for x in r["latencies"])
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    return {"desks": desks, "check_ins": len(latencies), "per_second": len(latencies) / wall,
            "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * latencies[max(0, int(round(0.95 * len(latencies))) - 1)]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("FRONTDESK_TEST_PG_URL",
                                                        "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--desks", default="1,2,4,8")
    parser.add_argument("--rounds", type=int, default=3,
                        help="run every desk count this many times, interleaved; report the median round")
    parser.add_argument("--write", action="store_true", help="append the figures to bench/RESULTS.md")
    parser.add_argument("--without-notify", action="store_true",
                        help="drop the change triggers (migration 0011) first: what live refresh costs")
    args = parser.parse_args(argv)
    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = psycopg2.connect(args.url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE SCHEMA {schema}")
    try:
        url = setup(args.url, schema)
        if args.without_notify:
            with admin.cursor() as cur:
                cur.execute("SELECT event_object_table FROM information_schema.triggers WHERE trigger_schema = %s "
                            "AND trigger_name LIKE %s", (schema, "%_notify_change"))
                for (table,) in set(cur.fetchall()):
                    cur.execute(f'DROP TRIGGER "{table}_notify_change" ON {schema}."{table}"')
        counts = [int(k) for k in args.desks.split(",")]
        runs: dict[int, list[dict]] = {k: [] for k in counts}
        day = FIRST_DAY
        # Interleaved rounds: the machine is shared, and a burst of someone else's work should hit every
        # desk count alike rather than one of them.
        for _ in range(args.rounds):
            for k in counts:
                runs[k].append(run(url, k, day, args.seconds))
                day += dt.timedelta(days=1)
        rows = [sorted(runs[k], key=lambda r: r["per_second"])[len(runs[k]) // 2] for k in counts]
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()
    one = next((r for r in rows if r["desks"] == 1), rows[0])
    lines = ["| desks | check-ins | check-ins/s | ratio to 1 desk | p50 ms | p95 ms |",
             "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['desks']} | {r['check_ins']} | {r['per_second']:.1f} | {r['per_second'] / one['per_second']:.2f}x"
                     f" | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} |")
    four = next((r for r in rows if r["desks"] == 4), None)
    verdict = ""
    if four:
        ratio = four["per_second"] / one["per_second"]
        verdict = (f"4 desks: {ratio:.2f}x one desk (target >= {TARGET_RATIO}x), p95 {four['p95_ms']:.0f} ms "
                   f"(target < {TARGET_P95_MS:.0f} ms): "
                   f"{'meets' if ratio >= TARGET_RATIO and four['p95_ms'] < TARGET_P95_MS else 'MISSES'} the targets")
    print("\n".join(lines))
    print(verdict)
    if args.write:
        with psycopg2.connect(args.url) as conn, conn.cursor() as cur:
            cur.execute("SHOW server_version")
            server = cur.fetchone()[0]
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
        section = [f"\n## Check-ins across desk processes (bench/concurrency.py), {dt.date.today().isoformat()}\n",
                   f"- machine: {platform.machine()}, {cpu} ({os.cpu_count()} cores, shared with other work); "
                   f"Python {platform.python_version()}; PostgreSQL {server} on the same machine",
                   f"- {args.seconds:g} s per run after a warm-up check-in per desk; a new exam day per run; "
                   f"BASIC package paid in cash; {args.rounds} interleaved rounds, the median round of each desk "
                   "count shown\n", *lines, "", verdict, ""]
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as out:
            out.write("\n".join(section))
    return 0


if __name__ == "__main__":
    sys.exit(main())
