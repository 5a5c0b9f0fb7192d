"""Render the 日结 page (end of day) offscreen at 1366x768, in the main window as the desk sees it.

    QT_QPA_PLATFORM=offscreen python docs/make_eod_screenshots.py [zh|en]

Builds a throw-away demo database through the desk's services (``frontdesk demo``'s days: the past days
counted and closed, the newest one with a receipt voided the next morning), opens 日结 on that closed day
on the payment-method table (end-of-day.png), then on today with the drawer count typed in
(end-of-day-count.png, Chinese only).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"


def settle(app) -> None:
    from frontdesk.ui import worker

    for _ in range(8):
        app.processEvents()
        worker.wait_for_idle()
        app.processEvents()


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="frontdesk-shots-")
    os.environ["FRONTDESK_HOME"] = home
    lang = sys.argv[1] if len(sys.argv) > 1 else "zh"
    from PySide6.QtCore import QRect

    from frontdesk import config, i18n
    from frontdesk.app import create_application
    from frontdesk.services import auth, database, demo
    from frontdesk.ui import screen_fit
    from frontdesk.ui.main_window import MainWindow

    i18n.set_language(lang)
    suffix = "" if lang == "zh" else "-en"
    OUT.mkdir(exist_ok=True)
    app = create_application()
    available = QRect(0, 0, 1366, 768 - 40)
    screen_fit.available_geometry = lambda widget=None: QRect(available)
    database.open_database(f"sqlite:///{Path(home) / 'demo.sqlite3'}", create=True)
    today = dt.date.today()
    demo.build(days=2, today=today, seed=2026)
    supervisor = auth.login("zhuguan", "demo-super-2026", "前台1")
    window = MainWindow(supervisor, config.load(), "SQLite demo.sqlite3")
    window.show()
    window.setGeometry(available.marginsRemoved(screen_fit.FRAME_ALLOWANCE))  # maximised
    settle(app)
    page = window.show_task("day")
    settle(app)
    page.show_day(today - dt.timedelta(days=1))
    settle(app)
    methods = next(i for i, t in enumerate(page.tables) if t.key == "payment_methods")
    page.sections.setCurrentRow(methods)
    settle(app)
    window.grab().save(str(OUT / f"end-of-day{suffix}.png"))
    if lang == "zh":
        page.show_day(today)
        settle(app)
        expected = page.report.money.cash.expected
        page.counted_edit.setText(f"{expected - 5:.2f}")
        settle(app)
        window.grab().save(str(OUT / "end-of-day-count.png"))
    print(f"screenshots written to {OUT}; {page.banner.text()}")


if __name__ == "__main__":
    main()
