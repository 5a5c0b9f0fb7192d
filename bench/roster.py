"""How long a 5,000-row roster takes to preview and to import.

Compared, in the same run, with openpyxl merely reading the same workbook
(``load_workbook(read_only=True)`` and iterating every row's values), which is
the least any import of that file could cost.

Run:  python bench/roster.py [--rows N] [--repeat N]

Targets: preview and import each under 5 s for 5,000 rows.  The workbook has
the quirks HR files have (a title row, annotated headers, a share of numeric
IDs, lowercase x, full-width digits, duplicates, missing phones), built fresh
in a temporary folder with a new SQLite database per repetition.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from frontdesk.domain.idnumber import make_resident_id  # noqa: E402

DAY = dt.date(2026, 11, 23)
TARGET_S = 5.0


def make_workbook(path: Path, rows: int, seed: int = 7) -> None:
    import openpyxl

    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(["某某集团2026年度员工体检名单"])
    sheet.append(["序号", "姓名", "性别", "身份证号码（必填）", "手机/联系电话", "部门", "职级"])
    numbers = []
    for n in range(rows):
        male = rng.random() < 0.5
        birth = DAY - dt.timedelta(days=rng.randint(20 * 365, 60 * 365))
        number = make_resident_id("110105", birth, rng.randrange(1, 1000, 2) if male else rng.randrange(0, 1000, 2))
        if rng.random() < 0.01 and numbers:
            number = rng.choice(numbers)  # the same person twice
        numbers.append(number)
        cell: object = number
        roll = rng.random()
        if roll < 0.01:
            cell = int(number[:15] + "000")  # stored as a number: precision lost
        elif roll < 0.05:
            cell = number.lower()
        elif roll < 0.08:
            cell = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
        phone = "" if rng.random() < 0.05 else f"13{rng.randrange(10**9):09d}"
        sheet.append([n + 1, "张" + "伟芳强敏"[n % 4] + "三丰丽娜"[n % 3], "男" if male else "女", cell, phone,
                      f"部门{n % 12}", f"P{n % 7}"])
    book.save(path)


def openpyxl_alone(path: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return count


def fresh_database(folder: Path) -> str:
    from frontdesk.services import catalogue, database
    from frontdesk.services.session import SYSTEM
    from frontdesk.storage import models as m

    database.close()
    database.open_database(f"sqlite:///{folder / 'bench.sqlite3'}", create=True)
    catalogue.load_seed_catalogue(SYSTEM)
    org = m.Organisation.create(name="某某集团")
    m.Contract.create(organisation=org, name="2026年度员工体检", start_date=dt.date(2026, 1, 1),
                      end_date=dt.date(2026, 12, 31), org_pays_package=True, addon_allowance=Decimal(0))
    return org.name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from frontdesk.services import database, roster_import
    from frontdesk.services.session import SYSTEM

    read_s, preview_s, import_s = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.xlsx"
        make_workbook(path, args.rows)
        for n in range(args.repeat):
            folder = Path(tmp) / f"run{n}"
            folder.mkdir()
            org = fresh_database(folder)
            start = time.perf_counter()
            openpyxl_alone(path)
            read_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = roster_import.preview(path, org, day=DAY)
            preview_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            done = roster_import.import_roster(SYSTEM, result)
            import_s.append(time.perf_counter() - start)
        database.close()
    read, prev, imp = (statistics.median(x) for x in (read_s, preview_s, import_s))
    print(f"rows: {args.rows}; {roster_import.summary(result)}; imported {done.added}")
    print(f"openpyxl read alone: {read:.2f} s (median of {args.repeat})")
    print(f"preview:             {prev:.2f} s  ratio {prev / read:.2f}x  {'OK' if prev < TARGET_S else 'OVER'} "
          f"(target < {TARGET_S:.0f} s)")
    print(f"import:              {imp:.2f} s  ratio {imp / read:.2f}x  {'OK' if imp < TARGET_S else 'OVER'} "
          f"(target < {TARGET_S:.0f} s)")


if __name__ == "__main__":
    main()
