"""Render the group contracts page (团检合同: organisations, contracts, roster), the contract editor and the
roster import preview offscreen at 1366x768.

    QT_QPA_PLATFORM=offscreen python docs/make_contract_screenshots.py [zh|en]

Builds a throw-away demo database through the desk's services (the demo day imports 华新制造's messy
roster and sets grade rules on its contract), then grabs the main window on the contracts page, the
contract editor, and the import dialog previewing a second messy workbook (made in a temporary folder)
filtered to nothing but the problem rows.
"""

from __future__ import annotations

import datetime as dt
import os
import random
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
    from frontdesk.services import auth, database, demo, demo_rosters
    from frontdesk.services.demo_context import DemoContext
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
    demo.build(days=2, today=today, seed=2026, output_dir=Path(home) / "prints")
    supervisor = auth.login("zhuguan", "demo-super-2026", "前台1")
    window = MainWindow(supervisor, config.load(), "SQLite demo.sqlite3")
    window.show()
    window.setGeometry(available.marginsRemoved(screen_fit.FRAME_ALLOWANCE))  # maximised
    settle(app)
    page = window.show_task("contracts")
    settle(app)
    row = next(n for n, o in enumerate(page.orgs) if o.name == demo_rosters.ORGANISATION[0])
    page.org_table.selectRow(row)
    settle(app)
    window.grab().save(str(OUT / f"contracts{suffix}.png"))

    page.edit_contract()
    settle(app)
    page.last_dialog.grab().save(str(OUT / f"contract-dialog{suffix}.png"))
    page.last_dialog.reject()

    # HR of another organisation sends its own messy list: the preview before anything is written.
    row = next(n for n, o in enumerate(page.orgs) if o.name == "星河科技有限公司")
    page.org_table.selectRow(row)
    settle(app)
    page.import_roster()
    settle(app)
    dialog = page.last_dialog
    ctx = DemoContext(today=today, days=[today], rng=random.Random(7), desk=supervisor, desk2=supervisor,
                      supervisor=supervisor, admin=supervisor, output_dir=Path(home))
    path = demo_rosters.messy_workbook(Path(home) / "星河科技-体检名单.xlsx", demo_rosters._people(ctx, 30),
                                       demo_rosters._x_number(ctx))
    dialog.load_file(path)
    settle(app)
    dialog.grab().save(str(OUT / f"roster-import-preview{suffix}.png"))
    print(f"screenshots written to {OUT} (import dialog {dialog.width()}x{dialog.height()})")


if __name__ == "__main__":
    main()
