"""Search benchmark: the desk's search box on a large demo database.

    python bench/search.py                 # SQLite: bench/search-demo.sqlite3
    python bench/search.py --pg postgresql://postgres@127.0.0.1:5432/bench
    python bench/search.py --write         # also write bench/RESULTS.md

Builds (or reuses, when its counts are right) a demo database of 500,000
guests and 1,000,000 visits over 365 days with ``frontdesk.services.demo``,
then times 200 lookups each by ID number, phone, visit number, name prefix
and pinyin initials through ``search.search`` and, in the same run and
interleaved with them, the same lookup as raw indexed SQL on a plain driver
connection.  "The same lookup" returns the same facts the search hits show:
the guests found, their visits (for today's and the latest) with the
package name, and today's booking; for a prefix also the guests with a
booking or visit today, since those are listed first.

Targets: p95 under 20 ms for exact keys, under 50 ms for name/pinyin, and
within 2x of the raw query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from frontdesk.services import database, demo, search  # noqa: E402
from frontdesk.storage import db as dbmod  # noqa: E402
from frontdesk.storage import models as m  # noqa: E402
from frontdesk.storage.search_queries import next_prefix  # noqa: E402

SQLITE_PATH = HERE / "search-demo.sqlite3"
META_PATH = HERE / "search-demo.sqlite3.json"  # how each demo database was built; git-ignored with it
TARGETS = {"id_number": 20, "phone": 20, "visit_no": 20, "name": 50, "pinyin": 50}
RATIO_TARGET = 2.0

# ---------------------------------------------------------------------------
# Raw SQL: the same lookups, written by hand, run on a plain driver connection.

_GUEST_AND_VISITS = """
SELECT g.id, g.name, g.sex, g.birth_date, g.id_type, g.id_number, g.phone,
       v.id, v.visit_no, v.visit_date, v.status, p.name, b.id, b.booking_no, b.status
FROM guest g
LEFT JOIN visit v ON v.guest_id = g.id
LEFT JOIN package p ON p.id = v.package_id
LEFT JOIN booking b ON b.guest_id = g.id AND b.exam_date = :day
WHERE {where} AND g.merged_into_id IS NULL
"""

_TODAY_BY_PREFIX = """
SELECT g.id, g.name, b.id, b.booking_no, NULL FROM booking b CROSS JOIN guest g
WHERE g.id = b.guest_id AND b.exam_date = :day AND b.status = 'booked' AND {cond}
UNION ALL
SELECT g.id, g.name, v.id, v.visit_no, v.status FROM visit v CROSS JOIN guest g
WHERE g.id = v.guest_id AND v.visit_date = :day AND {cond}
LIMIT 30
"""

_FIRST_BY_PREFIX = """
WITH found AS (SELECT id FROM guest WHERE {cond_plain} AND merged_into_id IS NULL ORDER BY {order} LIMIT 30)
SELECT g.id, g.name, g.sex, g.birth_date, g.id_type, g.id_number, g.phone,
       v.id, v.visit_no, v.visit_date, v.status, p.name
FROM found JOIN guest g ON g.id = found.id
LEFT JOIN visit v ON v.guest_id = g.id
LEFT JOIN package p ON p.id = v.package_id
"""


class Raw:
    """Hand-written SQL on its own connection (sqlite3 or psycopg2)."""

    def __init__(self, sqlite_path: Path | None, pg_url: str | None):
        self.pg = pg_url is not None
        if self.pg:
            import psycopg2

            from frontdesk.storage.db import parse_url

            dsn = parse_url(pg_url).dsn  # keeps ?schema= as the search path, like the application
            self.conn = psycopg2.connect(dbname=dsn.pop("database"), **dsn)
            self.conn.autocommit = True
        else:
            self.conn = sqlite3.connect(str(sqlite_path))

    def _run(self, sql: str, params: dict) -> list:
        if self.pg:
            import re

            sql = re.sub(r":(\w+)", r"%(\1)s", sql)
        cur = self.conn.cursor()
        cur.execute(sql, params)
        return cur.fetchall()

    def _day(self, day: dt.date):
        return day if self.pg else day.isoformat()

    def exact(self, column: str, value: str, day: dt.date) -> list:
        return self._run(_GUEST_AND_VISITS.format(where=f"g.{column} = :value") + " LIMIT 200",
                         {"value": value, "day": self._day(day)})

    def visit_no(self, value: str, day: dt.date) -> list:
        where = "g.id = (SELECT guest_id FROM visit WHERE visit_no = :value)"
        return self._run(_GUEST_AND_VISITS.format(where=where) + " LIMIT 200", {"value": value, "day": self._day(day)})

    def prefix(self, column: str, prefix: str, day: dt.date) -> list:
        if self.pg:
            cond = f"g.{column} LIKE :pattern"
            params = {"pattern": prefix + "%"}
        else:
            cond = f"g.{column} >= :low AND g.{column} < :high"
            params = {"low": prefix, "high": next_prefix(prefix)}
        params["day"] = self._day(day)
        order = f"{column} USING ~<~" if self.pg else f"{column}, id"
        today = self._run(_TODAY_BY_PREFIX.format(cond=cond), params)
        first = self._run(_FIRST_BY_PREFIX.format(cond_plain=cond.replace("g.", ""), order=order), params)
        return today + first


# ---------------------------------------------------------------------------


def _meta(engine: str) -> dict:
    try:
        return dict(json.loads(META_PATH.read_text(encoding="utf-8")).get(engine, {}))
    except (OSError, ValueError, AttributeError):
        return {}


def _save_meta(engine: str, info: dict) -> None:
    try:
        everything = json.loads(META_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        everything = {}
    everything[engine] = info
    META_PATH.write_text(json.dumps(everything, indent=1), encoding="utf-8")


def build_or_reuse(url: str, *, guests: int, visits: int, days: int, seed: int, sqlite: bool) -> dict:
    """Open the demo database, building it when it is missing or has other counts."""
    def same_build() -> bool:
        mark = demo.demo_mark() or {}
        return (mark.get("history_guests"), mark.get("history_visits"), mark.get("seed")) == (guests, visits, seed)

    if sqlite and SQLITE_PATH.exists():
        database.open_database(url, create=False)
        if same_build():
            return dict(_meta("sqlite"), reused=True)
        print("existing database was built with other counts: rebuilding", flush=True)
        database.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE_PATH) + suffix).unlink(missing_ok=True)
    database.open_database(url, create=True)
    if same_build():
        return dict(_meta("sqlite" if sqlite else "postgresql"), reused=True)
    demo.check_database()  # an empty database, or a clear refusal
    print(f"building demo data: {guests} guests, {visits} visits over {days} days (bulk history) and the "
          "service-built demo days ...", flush=True)
    started = time.monotonic()

    shown = {}

    def progress(stage, done, total):
        if done == total or done - shown.get(stage, 0) >= total // 10:
            shown[stage] = done
            print(f"  {stage}: {done}/{total}  ({time.monotonic() - started:.0f} s)", flush=True)

    demo.build(history_guests=guests, history_visits=visits, history_days=days, seed=seed, progress=progress)
    if not sqlite:
        dbmod.database.execute_sql("ANALYZE")  # what autovacuum does soon after a bulk load
    seconds = time.monotonic() - started
    info = {"reused": False, "build_seconds": round(seconds, 1), "built_on": dt.date.today().isoformat(),
            "guests": guests, "visits": visits, "days": days, "seed": seed}
    _save_meta("sqlite" if sqlite else "postgresql", {k: v for k, v in info.items() if k != "reused"})
    print(f"built in {seconds:.1f} s", flush=True)
    return info


def samples(n: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    max_id = m.Guest.select(m.Guest.id).order_by(m.Guest.id.desc()).scalar()
    min_id = m.Guest.select(m.Guest.id).order_by(m.Guest.id).scalar()
    people = []
    while len(people) < n:
        guest = m.Guest.get_or_none(m.Guest.id == rng.randint(min_id, max_id))
        if guest is not None:
            people.append(guest)
    max_visit = m.Visit.select(m.Visit.id).order_by(m.Visit.id.desc()).scalar()
    visit_nos = []
    while len(visit_nos) < n:
        visit = m.Visit.get_or_none(m.Visit.id == rng.randint(1, max_visit))
        if visit is not None:
            visit_nos.append(visit.visit_no)
    return {
        "id_number": [g.id_number for g in people],
        "phone": [g.phone for g in people],
        "visit_no": visit_nos,
        # What a receptionist types: the surname and the first given character.
        "name": [g.name[:2] for g in people],
        # The initials of the whole name, e.g. zsf.
        "pinyin": [g.pinyin_initials for g in people],
    }


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(sample: dict[str, list[str]], raw: Raw, day: dt.date) -> list[dict]:
    lookups = {
        "id_number": lambda q: raw.exact("id_number", q, day),
        "phone": lambda q: raw.exact("phone", q, day),
        "visit_no": lambda q: raw.visit_no(q, day),
        "name": lambda q: raw.prefix("name", q, day),
        "pinyin": lambda q: raw.prefix("pinyin_initials", q, day),
    }
    rows = []
    for kind, queries in sample.items():
        raw_fn = lookups[kind]
        # One untimed pass first, so both sides find the same pages in the caches; then the timed pass
        # alternates which side goes first, so neither always runs on pages the other just read.
        for q in queries:
            search.search(q, day=day)
            raw_fn(q)
        service_ms, raw_ms, found = [], [], 0
        for index, q in enumerate(queries):
            if index % 2:
                t0 = time.perf_counter()
                raw_fn(q)
                t1 = time.perf_counter()
                hits = search.search(q, day=day)
                t2 = time.perf_counter()
                raw_ms.append((t1 - t0) * 1000)
                service_ms.append((t2 - t1) * 1000)
            else:
                t0 = time.perf_counter()
                hits = search.search(q, day=day)
                t1 = time.perf_counter()
                raw_fn(q)
                t2 = time.perf_counter()
                service_ms.append((t1 - t0) * 1000)
                raw_ms.append((t2 - t1) * 1000)
            found += bool(hits)
        row = {"kind": kind, "n": len(queries), "found": found,
               "service_p50": _pct(service_ms, 0.5), "service_p95": _pct(service_ms, 0.95),
               "raw_p50": _pct(raw_ms, 0.5), "raw_p95": _pct(raw_ms, 0.95)}
        row["ratio_p50"] = row["service_p50"] / row["raw_p50"]
        row["ratio_p95"] = row["service_p95"] / row["raw_p95"]
        row["target_ms"] = TARGETS[kind]
        row["ok"] = row["service_p95"] < TARGETS[kind] and row["ratio_p95"] <= RATIO_TARGET
        rows.append(row)
    return rows


LABELS = {"id_number": "ID number", "phone": "phone", "visit_no": "visit number", "name": "name prefix (2 chars)",
          "pinyin": "pinyin initials"}


def table(rows: list[dict]) -> str:
    lines = ["| lookup | n | found | search p50 ms | search p95 ms | raw p50 ms | raw p95 ms | ratio p50 | ratio p95 "
             "| target p95 | meets targets |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {LABELS[r['kind']]} | {r['n']} | {r['found']} | {r['service_p50']:.2f} | "
                     f"{r['service_p95']:.2f} | {r['raw_p50']:.2f} | {r['raw_p95']:.2f} | {r['ratio_p50']:.2f}x | "
                     f"{r['ratio_p95']:.2f}x | < {r['target_ms']} ms, ≤ {RATIO_TARGET:g}x | "
                     f"{'yes' if r['ok'] else '**no**'} |")
    return "\n".join(lines)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"date": dt.date.today().isoformat(), "arch": subprocess.run(["uname", "-m"], capture_output=True,
                                                                         text=True).stdout.strip(),
            "cpu": cpu, "cpus": os.cpu_count(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", metavar="URL", help="run on PostgreSQL at URL instead of SQLite")
    parser.add_argument("--guests", type=int, default=500_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("-n", type=int, default=200, help="lookups of each kind")
    parser.add_argument("--write", action="store_true", help="write the results to bench/RESULTS.md")
    args = parser.parse_args(argv)
    sqlite = args.pg is None
    url = f"sqlite:///{SQLITE_PATH}" if sqlite else args.pg
    info = build_or_reuse(url, guests=args.guests, visits=args.visits, days=args.days, seed=args.seed, sqlite=sqlite)
    # "Today" is the day the demo data was built for: its bookings and visits in the building.
    day = m.Visit.select(m.Visit.visit_date).order_by(m.Visit.visit_date.desc()).scalar()
    counts = (m.Guest.select().count(), m.Visit.select().count(), m.Booking.select().count())
    sample = samples(args.n, args.seed)
    raw = Raw(SQLITE_PATH if sqlite else None, args.pg)
    rows = measure(sample, raw, day)
    facts = machine()
    text = table(rows)
    engine = f"SQLite {facts['sqlite']}" if sqlite else "PostgreSQL"
    print()
    print(f"{engine}: {counts[0]} guests, {counts[1]} visits, {counts[2]} bookings; today = {day}")
    print(text)
    if args.write:
        write_results(facts, info, counts, day, text, engine, rows)
    dbmod.close()
    return 0 if all(r["ok"] for r in rows) else 1


def write_results(facts, info, counts, day, text, engine, rows) -> None:
    build = (f"built in this run in {info['build_seconds']} s" if not info.get("reused")
             else f"reused (built on {info.get('built_on', '?')} in {info.get('build_seconds', '?')} s)")
    path = HERE / "RESULTS.md"
    section = f"""## {engine}

- date: {facts['date']}; machine: `uname -m` = {facts['arch']}, CPU: {facts['cpu']} ({facts['cpus']} cores);
  Python {facts['python']}; SQLite library {facts['sqlite']}
- data: {counts[0]:,} guests, {counts[1]:,} visits, {counts[2]:,} bookings over 365 days; "today" = {day};
  demo database {build}
- 200 lookups of each kind, each timed through `search.search(...)` and as raw SQL on a plain driver
  connection, after one untimed pass over the same lookups (warm caches), alternating which goes first;
  milliseconds; ratio = search / raw.

{text}
"""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    header = """# Benchmark results

Each section says how it was run, when and on what machine; ratios compare against a baseline measured in
the same run, because these machines are noisy. Search: written by `python bench/search.py --write` (see its
docstring). "Raw" is hand-written SQL for the same
lookup on a plain sqlite3 / psycopg2 connection, returning the same facts the hits show (the guests, their
visits with the package, today's booking; for a prefix also the guests booked or in the building today).
"Meets targets" uses p95: under 20 ms (exact keys) or 50 ms (name, pinyin) and a p95 ratio of at most 2x.

Notes:
- SQLite exact lookups take about 50 µs; the SQL is about 20 µs of it, the rest is Python (folding the
  input, building and masking the hits): their ratio is about 2.4x at p50 and 1.7x-2.1x at p95 from run to
  run, at 0.06 ms where the target is 20 ms.  Cutting it further means less Python per hit, not better SQL.
- PostgreSQL plans every statement anew; the search's one-statement union costs ~0.5 ms to plan, so on
  PostgreSQL the ids are looked up first and the union gets plain id lists.  A scanned visit number still
  takes two statements against the raw query's one: 1.1 ms against 0.5 ms at p95 (2.3x), far under the
  20 ms target; server-side prepared statements would close the gap if it ever matters.
- The PostgreSQL run is after ANALYZE (autovacuum does it in service; a freshly loaded database has no
  statistics).  The SQLite database is not analysed: a desk's database never is, so the indexes of
  migration 0003 keep SQLite on good plans without statistics.

"""
    marker = f"## {engine.split()[0]}"
    kept = [s for s in old.split("\n## ")[1:] if not ("## " + s).startswith(marker)]
    body = "".join("## " + s.rstrip() + "\n\n" for s in kept)
    path.write_text(header + section + "\n" + body, encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
