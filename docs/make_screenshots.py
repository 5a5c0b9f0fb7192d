"""Render the app's screens offscreen to docs/screenshots/*.png.

    QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py

Builds a throw-away demo database, logs in as the demo accounts and grabs
each screen with QWidget.grab(): what a person sees, without a display.
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

    for _ in range(5):
        app.processEvents()
        worker.wait_for_idle()
        app.processEvents()


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="frontdesk-shots-")
    os.environ["FRONTDESK_HOME"] = home
    lang = sys.argv[1] if len(sys.argv) > 1 else "zh"
    from frontdesk import config, i18n
    from frontdesk.app import create_application
    from frontdesk.services import auth, database, demo
    from frontdesk.storage import models as m
    from frontdesk.ui.login_dialog import LoginDialog
    from frontdesk.ui.main_window import MainWindow

    i18n.set_language(lang)
    suffix = "" if lang == "zh" else "-en"
    OUT.mkdir(exist_ok=True)
    app = create_application()
    database.open_database(f"sqlite:///{Path(home) / 'demo.sqlite3'}", create=True)
    demo.build(today=dt.date.today(), seed=2026)

    shown_db = "SQLite demo.sqlite3"  # not the throw-away folder's path
    login = LoginDialog("前台1", shown_db)
    login.username.setText("qiantai")
    login.password.setText("demo-desk-2026")
    login.show()
    settle(app)
    login.grab().save(str(OUT / f"login{suffix}.png"))

    session = auth.login("zhuguan", "demo-super-2026", "前台1")
    window = MainWindow(session, config.load(), shown_db)
    window.show()
    settle(app)
    for key in ("closeout", "day", "audit", "settings"):
        window.show_task(key)
        settle(app)
        window.grab().save(str(OUT / f"main-{key}{suffix}.png"))
    checkin = window.show_task("checkin")
    settle(app)
    booking = m.Booking.select().where((m.Booking.exam_date == dt.date.today()) & (m.Booking.status == "booked")).first()
    checkin.search_for(booking.booking_no)
    settle(app)
    window.grab().save(str(OUT / f"checkin-booking{suffix}.png"))
    checkin.go_to_payment()
    checkin.payment.rows[0].tendered.setText(str(int(checkin.quote.guest_total) + 100))
    checkin.do_check_in()
    settle(app)
    window.grab().save(str(OUT / f"checkin-done{suffix}.png"))
    checked_in = checkin.result.visit.visit_no
    checkin.start_new_guest()
    checkin.guest_form.name.setText("欧阳娜娜")
    checkin.guest_form.id_number.setText("11010519491231002Y")
    checkin.guest_form.phone.setText("1381234567")
    checkin.save_guest()
    settle(app)
    window.grab().save(str(OUT / f"checkin-errors{suffix}.png"))
    visit = m.Visit.select().where(m.Visit.visit_date == dt.date.today()).first()
    window.handle_scan(visit.visit_no)
    settle(app)
    window.last_visit_dialog.grab().save(str(OUT / f"visit-dialog{suffix}.png"))
    window.last_visit_dialog.close()
    labels_screens(app, window, checked_in, suffix)
    print(f"screenshots written to {OUT}")


def labels_screens(app, window, visit_no: str, suffix: str) -> None:
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
    window.grab().save(str(OUT / f"labels-screen{suffix}.png"))
    page.tabs.setCurrentIndex(1)
    settle(app)
    window.grab().save(str(OUT / f"labels-handover{suffix}.png"))
    page.tabs.setCurrentIndex(0)


if __name__ == "__main__":
    main()
