"""Render every screen and the main dialogs at 1366 x 768 to docs/screenshots/*.png.

    python docs/make_screenshots.py [zh|en]

Builds a throw-away demo day (``frontdesk demo``'s own builder), logs in as the demo
accounts and grabs each screen with QWidget.grab(): what a person sees, without a
display. The screen is an offscreen 1366 x 768 monitor; the main window fills it as
maximised under a 40-pixel taskbar (1366 x 698 inside the title bar), and dialogs
size themselves to the same free area, as at the desk.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "screenshots"
SCREEN_CONFIG = ROOT / "tests" / "ui" / "offscreen-1366x768.json"
TASKBAR, TITLE_BAR = 40, 30


def settle(app) -> None:
    from frontdesk.ui import worker

    for _ in range(5):
        app.processEvents()
        worker.wait_for_idle()
        app.processEvents()


def main() -> None:
    platform = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    if platform == "offscreen":
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN_CONFIG}"
    home = tempfile.mkdtemp(prefix="frontdesk-shots-")
    os.environ["FRONTDESK_HOME"] = home
    lang = sys.argv[1] if len(sys.argv) > 1 else "zh"
    from PySide6.QtCore import QRect

    from frontdesk import config, i18n
    from frontdesk.app import create_application
    from frontdesk.services import auth, database, demo
    from frontdesk.storage import models as m
    from frontdesk.ui import screen_fit
    from frontdesk.ui.login_dialog import LoginDialog
    from frontdesk.ui.main_window import TASKS, MainWindow

    i18n.set_language(lang)
    suffix = "" if lang == "zh" else "-en"
    OUT.mkdir(exist_ok=True)
    app = create_application()
    free = QRect(0, 0, 1366, 768 - TASKBAR)
    screen_fit.available_geometry = lambda widget=None: QRect(free)  # the desk's taskbar
    database.open_database(f"sqlite:///{Path(home) / 'demo.sqlite3'}", create=True)
    demo.build(days=2, today=dt.date.today())

    def save(widget, name: str) -> None:
        widget.grab().save(str(OUT / f"{name}{suffix}.png"))

    shown_db = "SQLite demo.sqlite3"  # not the throw-away folder's path
    login = LoginDialog("前台1", shown_db)
    login.username.setText("qiantai")
    login.password.setText("demo-desk-2026")
    login.show()
    settle(app)
    save(login, "login")
    login.close()

    session = auth.login("zhuguan", "demo-super-2026", "前台1")
    window = MainWindow(session, config.load(), shown_db)
    window.setGeometry(QRect(0, TITLE_BAR, 1366, 768 - TASKBAR - TITLE_BAR))  # maximised under the title bar
    window.show()
    settle(app)
    for task in TASKS:
        if task.key == "checkin":
            continue
        window.show_task(task.key)
        settle(app)
        save(window, f"main-{task.key}")

    checkin = window.show_task("checkin")
    settle(app)
    booking = m.Booking.select().where((m.Booking.exam_date == dt.date.today()) & (m.Booking.status == "booked")).first()
    checkin.search_for(booking.booking_no)
    settle(app)
    save(window, "checkin-booking")
    checkin.go_to_payment()
    if checkin.payment.rows:
        checkin.payment.rows[0].tendered.setText(str(int(checkin.quote.guest_total) + 100))
    checkin.do_check_in()
    settle(app)
    save(window, "checkin-done")
    checked_in = checkin.result.visit.visit_no
    for kind in ("receipt", "guide"):
        checkin.preview(kind)
        settle(app)
        save(checkin.last_preview, f"preview-{kind}")
        checkin.last_preview.close()
    checkin.start_new_guest()
    checkin.guest_form.name.setText("欧阳娜娜")
    checkin.guest_form.id_number.setText("11010519491231002Y")
    checkin.guest_form.phone.setText("1381234567")
    checkin.save_guest()
    settle(app)
    save(window, "checkin-errors")
    checkin.next_guest()

    visit = m.Visit.select().where((m.Visit.visit_date == dt.date.today()) & (m.Visit.status == "checked_in")).first()
    window.open_visit(visit.id)  # (a scanned guide sheet of an open visit goes to its close-out)
    settle(app)
    dialog = window.last_visit_dialog
    save(dialog, "visit-dialog")
    from frontdesk.ui.add_items_dialog import AddItemsDialog
    from frontdesk.ui.supervisor_dialog import SupervisorDialog

    add = AddItemsDialog(session, dialog.detail.visit_id, window.settings, dialog)
    add.show()
    settle(app)
    save(add, "add-items")
    add.close()
    supervisor = SupervisorDialog("前台1", i18n.tr("退项", "Refund"), dialog)
    supervisor.show()
    settle(app)
    save(supervisor, "supervisor")
    supervisor.close()
    dialog.close()

    window.statusBar().showMessage(i18n.tr("标签没有打印：", "The labels were not printed: ")
                                   + i18n.tr("打印机“前台标签机”没有响应，请检查电源和网线。",
                                             "the printer “Desk labels” does not answer; check its power and cable. ") * 4)
    labels_screens(app, window, checked_in, save)
    print(f"screenshots written to {OUT}")


def labels_screens(app, window, visit_no: str, save) -> None:
    """条码与标本: a visit's labels printed (to PDF files), a container received by scan; the hand-over tab."""
    from frontdesk.domain.enums import LabelMoment

    page = window.show_task("labels")
    settle(app)
    window.handle_scan(visit_no)
    settle(app)
    page.print_labels(moment="check_in")
    settle(app)
    hand_in = [row for row in page.view.specimens if row.label_moment is LabelMoment.HAND_IN]
    if hand_in:
        page.print_labels(moment="hand_in")
        settle(app)
        window.handle_scan(hand_in[0].barcode)  # the guest hands the container in: scan receives it
        settle(app)
    save(window, "labels-screen")
    page.preview()
    settle(app)
    if page.last_preview is not None:
        save(page.last_preview, "preview-labels")
        page.last_preview.close()
    page.tabs.setCurrentIndex(1)
    settle(app)
    save(window, "labels-handover")
    if page.checked_handover_ids():
        page.create_handover()
        settle(app)
        if page.last_handover_preview is not None:
            save(page.last_handover_preview, "preview-handover")
            page.last_handover_preview.close()
    page.tabs.setCurrentIndex(0)


if __name__ == "__main__":
    main()
