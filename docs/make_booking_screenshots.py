"""Render the bookings page (预约排期: the capacity calendar and the day's bookings) and the booking dialog
offscreen at 1366x768.

    QT_QPA_PLATFORM=offscreen python docs/make_booking_screenshots.py [zh|en]

Builds a throw-away demo database through the desk's services (``frontdesk demo``'s own days, with its
bookings for today and the coming days), makes one station's limit tight on a coming day, then grabs the
main window on the bookings page and the booking dialog refusing that full day with the nearest dates.
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
    from frontdesk.services import auth, bookings, capacity, database, demo
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
    demo.build(days=2, today=today, seed=2026)
    supervisor = auth.login("zhuguan", "demo-super-2026", "前台1")
    window = MainWindow(supervisor, config.load(), "SQLite demo.sqlite3")
    window.show()
    window.setGeometry(available.marginsRemoved(screen_fit.FRAME_ALLOWANCE))  # maximised
    settle(app)
    page = window.show_task("bookings")
    settle(app)
    busy = today + dt.timedelta(days=1)
    page.show_day(busy)
    settle(app)
    window.grab().save(str(OUT / f"bookings-calendar{suffix}.png"))

    # The booking dialog: a guest asks for the full day; it is refused with the nearest dates.
    bmd = m.Station.get(m.Station.code == "BMD")
    full_day = busy
    load = capacity.day_load(full_day).station(bmd.id).load
    capacity.set_date_exception(supervisor, bmd.id, full_day, limit=max(load, 1), note="设备检修")
    # A guest on file who is not on a group roster: a personal booking by phone.
    on_rosters = m.RosterEntry.select(m.RosterEntry.guest).where(m.RosterEntry.guest.is_null(False))
    guest = (m.Guest.select().where(m.Guest.organisation.is_null(), m.Guest.id.not_in(on_rosters))
             .order_by(m.Guest.id.desc()).first())
    dialog = page.new_booking(open_dialog=False)
    dialog.show()
    dialog.search_edit.setText(guest.name)
    dialog.run_search()
    settle(app)
    dialog.choose_guest(guest.id)
    dialog.date_edit.setDate(dialog.date_edit.date().fromString(full_day.isoformat(), "yyyy-MM-dd"))
    dialog.half_day.setCurrentIndex(1)
    dialog.channel.setCurrentIndex(1)
    dialog.package.setCurrentIndex(1)
    dialog.check_item(m.ExamItem.get(m.ExamItem.code == "BMD").id)
    dialog.note.setText("客人来电" if lang == "zh" else "Called in")
    dialog.run_preview()
    settle(app)
    dialog.grab().save(str(OUT / f"booking-dialog{suffix}.png"))
    if lang == "zh":
        import pypdfium2

        first = bookings.bookings_on(busy)[0]
        document = pypdfium2.PdfDocument(bookings.slip_pdf(first.id, issued_by="李前台"))
        document[0].render(scale=100 / 72).to_pil().save(OUT.parent / "booking-slip.png")
        document.close()
    print(f"screenshots written to {OUT} (dialog {dialog.width()}x{dialog.height()}); "
          f"{len(bookings.bookings_on(busy))} bookings on {busy}")


if __name__ == "__main__":
    main()
