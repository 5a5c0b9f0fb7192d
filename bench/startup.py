"""Start-up time: process start to the main window shown, against a bare PySide6
window started the same way in the same run.

    python bench/startup.py [--runs 7]

Each run is a fresh process (offscreen Qt). FrontDesk's run opens a demo
SQLite database, checks the schema, logs in through the real password check
and shows the main window with its first page loaded; the baseline creates a
QApplication and shows an empty QMainWindow. Medians and the ratio are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1280, 800); w.show()
app.processEvents()
print("shown", flush=True)
"""

FRONTDESK = """
import sys
from frontdesk import config
from frontdesk.app import create_application
from frontdesk.services import auth, database
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui import worker
app = create_application()
target = database.open_database(sys.argv[1])
session = auth.login("qiantai", "demo-desk-2026", "bench")
w = MainWindow(session, config.load(), target.display())
w.show()
app.processEvents(); worker.wait_for_idle(); app.processEvents()
print("shown", flush=True)
"""


def run_once(code: str, *args: str, env: dict) -> float:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    if "shown" not in out.stdout:
        raise RuntimeError(out.stderr)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FRONTDESK_HOME=home)
        db = Path(home) / "bench.sqlite3"
        url = f"sqlite:///{db}"
        subprocess.run([sys.executable, "-m", "frontdesk", "--db", url, "demo", "--guests", "2000", "--visits", "3000"],
                       env=env, check=True, capture_output=True)
        run_once(BARE, env=env)  # warm the OS file cache for both
        run_once(FRONTDESK, url, env=env)
        bare, ours = [], []
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            bare.append(run_once(BARE, env=env))
            ours.append(run_once(FRONTDESK, url, env=env))
    b, o = statistics.median(bare), statistics.median(ours)
    print(f"bare PySide6 window : median {b * 1000:7.1f} ms  (runs: {', '.join(f'{x * 1000:.0f}' for x in bare)})")
    print(f"FrontDesk main window: median {o * 1000:7.1f} ms  (runs: {', '.join(f'{x * 1000:.0f}' for x in ours)})")
    print(f"ratio FrontDesk/bare : {o / b:.2f}x  (target <= 1.5x: {'met' if o / b <= 1.5 else 'MISSED'})")


if __name__ == "__main__":
    main()
