"""The first two pages of the end-of-day PDF as pictures: docs/eod-page1.png and docs/eod-page2.png.

    python docs/make_eod_pictures.py [--today YYYY-MM-DD] [--keep DIR]

Builds the demo in a throw-away SQLite database (`frontdesk demo`, about a
minute), then writes the report of the newest closed past day - the one the
demo closes at 18:30 and corrects the next morning - the way a supervisor's
script would (`frontdesk report eod`), and renders pages 1 and 2 at 80 dpi
with pdftoppm (pdfium when pdftoppm is not installed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent
DPI = 80


def _frontdesk(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "frontdesk", *args], cwd=ROOT, check=True)


def _pages_to_png(pdf: Path, first: int, last: int) -> list[Path]:
    written = []
    if shutil.which("pdftoppm"):
        for page in range(first, last + 1):
            target = OUT / f"eod-page{page}"
            subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                            str(pdf), str(target)], check=True)
            written.append(target.with_suffix(".png"))
        return written
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    for page in range(first, last + 1):
        target = OUT / f"eod-page{page}.png"
        doc[page - 1].render(scale=DPI / 72).to_pil().save(target)
        written.append(target)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", default=dt.date.today().isoformat())
    parser.add_argument("--keep", help="keep the database and the PDF in this folder")
    args = parser.parse_args()
    today = dt.date.fromisoformat(args.today)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="eod-pictures-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    try:
        if not (folder / "demo.sqlite3").exists():
            _frontdesk("--db", url, "demo", "--today", today.isoformat(), "--out", str(folder / "prints"))
        pdf = folder / "eod.pdf"
        day = today - dt.timedelta(days=1)
        _frontdesk("--db", url, "report", "eod", "--date", day.isoformat(), "--out", str(pdf))
        for path in _pages_to_png(pdf, 1, 2):
            print(path)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
