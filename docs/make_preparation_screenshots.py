"""Render the preparation page (明日准备: reminders, document bags and labels) offscreen at 1366x768, and the
first page of a document bag (its cover) and an organisation's booking order sheet as PNG.

    QT_QPA_PLATFORM=offscreen python docs/make_preparation_screenshots.py [zh|en]

Builds a throw-away demo database through the desk's services (``frontdesk demo``'s own days: tomorrow's
guests reminded, one group of tomorrow prepared), then grabs the main window on the preparation page.
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


def pdf_page_png(pdf: bytes, target: Path, dpi: int = 80) -> None:
    from frontdesk.printing.pdf_raster import pdf_pages_to_images

    pdf_pages_to_images(pdf, dpi)[0].save(target)


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="frontdesk-shots-")
    os.environ["FRONTDESK_HOME"] = home
    lang = sys.argv[1] if len(sys.argv) > 1 else "zh"
    from PySide6.QtCore import QRect

    from frontdesk import config, i18n
    from frontdesk.app import create_application
    from frontdesk.services import auth, database, demo, preparation
    from frontdesk.storage import models as m
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
    tomorrow = today + dt.timedelta(days=1)
    demo.build(days=2, today=today, seed=2026)
    desk = auth.login("qiantai", "demo-desk-2026", "前台1")
    # Two of tomorrow's guests not called yet: the desk is part-way down the list.
    for row in preparation.reminder_list(tomorrow)[-2:]:
        preparation.mark_reminded(desk, [row.booking_id], reminded=False)
    window = MainWindow(desk, config.load(), "SQLite demo.sqlite3")
    window.show()
    window.setGeometry(available.marginsRemoved(screen_fit.FRAME_ALLOWANCE))  # maximised
    settle(app)
    page = window.show_task("preparation")
    settle(app)
    page.reminder_table.setFocus()
    page.reminder_table.setCurrentCell(page.reminder_table.rowCount() - 2, 1)
    window.grab().save(str(OUT / f"preparation-reminders{suffix}.png"))

    prepared = m.Visit.get(m.Visit.status == "prepared")
    page.tabs.setCurrentIndex(1)
    page.scope.setCurrentIndex(page.scope.findData(prepared.contract_id))
    settle(app)
    page.start_batch()  # the demo printed this group already: the run prints nothing twice
    settle(app)
    page.bag_table.setFocus()
    window.grab().save(str(OUT / f"preparation{suffix}.png"))

    pdf_page_png(preparation.bag_pdf(prepared.id, sequence="1 / 8"), OUT / f"bag-cover{suffix}.png")
    org = m.Contract.get_by_id(prepared.contract_id).organisation_id
    pdf_page_png(preparation.order_sheet_pdf(desk, org, tomorrow), OUT / f"booking-order{suffix}.png")
    print("saved to", OUT)


if __name__ == "__main__":
    main()
