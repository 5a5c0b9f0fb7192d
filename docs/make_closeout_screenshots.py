"""Render the close-out screen (交单核对) with a half-finished visit, the deferral dialog and the deferral slip.

    QT_QPA_PLATFORM=offscreen python docs/make_closeout_screenshots.py [zh|en]

Builds a throw-away database through the desk's services: this morning's
guests checked in, some closed, one half done (items stamped, one deferred,
the stool container never handed in, belongings stored), then grabs the main
window at 1366x768 on the close-out page, the deferral dialog, and the slip.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"
NAMES = ["张三丰", "李秀英", "王建国", "欧阳娜娜", "陈晓明", "刘芳", "赵磊"]
FEMALE = ("李秀英", "欧阳娜娜", "刘芳")


def settle(app) -> None:
    from frontdesk.ui import worker

    for _ in range(6):
        app.processEvents()
        worker.wait_for_idle()
        app.processEvents()


def build_data(session):
    from frontdesk import clock
    from frontdesk.domain.enums import IdType, PaymentMethod
    from frontdesk.domain.idnumber import make_resident_id
    from frontdesk.services import checkin, closeout, deferrals, guests, specimens
    from frontdesk.services.checkin import CheckInRequest
    from frontdesk.services.payments import PaymentInput
    from frontdesk.storage import models as m

    today = dt.date.today()
    visits = []
    for n, name in enumerate(NAMES):
        birth = dt.date(1962 + n * 4, 1 + n, 3 + n)
        female = name in FEMALE
        code = ("COMP_F" if female else "COMP_M") if n == 0 else "BASIC"
        package = m.Package.get(m.Package.code == code)
        with clock.pinned(dt.datetime.combine(today, dt.time(7, 40 + n * 3))):
            guest = guests.register(session, guests.GuestInput(
                name=name, sex="F" if female else "M", birth_date=birth, id_type=IdType.RESIDENT_ID,
                id_number=make_resident_id("110105", birth, 10 + n * 2 + (0 if female else 1)),
                phone=f"1391234{n:04d}", organisation_id=None), today=today)
            visit = checkin.check_in(session, CheckInRequest(
                guest_id=guest.id, package_id=package.id, payments=[PaymentInput(PaymentMethod.CASH, package.price)],
                locker_tag=f"A{n + 1:02d}" if n in (0, 3) else None), day=today).visit
        visits.append(visit)
    with clock.pinned(dt.datetime.combine(today, dt.time(11, 20))):
        for visit in visits[4:]:  # finished and closed
            view = closeout.mark_all_done(session, visit.id)
            for s in specimens.specimens_of(visit.id):
                specimens.receive_specimen(session, s.barcode)
            closeout.close_visit(session, visit.id, belongings_confirmed=True)
        half = visits[0]
        view = closeout.closeout_view(half.id)
        for s in specimens.specimens_of(half.id):
            if s.tube_type.container_kind == "blood":
                specimens.receive_specimen(session, s.barcode)
        stool = next(s for s in specimens.specimens_of(half.id) if s.tube_type.container_kind == "stool")
        m.Specimen.update(status="label_printed", print_count=1).where(m.Specimen.id == stool.id).execute()
        codes = {st.id: st.code for st in m.Station.select()}
        done = [i.visit_item_id for i in view.items
                if codes[i.station_id] in ("GEN", "IM", "SURG", "EYE", "ENT", "ORAL", "BLOOD", "ECG", "RAD")]
        closeout.mark_done(session, half.id, done)
        bmd = [i.visit_item_id for i in view.items if i.item_code == "BMD"]
        deferrals.defer_items(session, half.id, bmd, today + dt.timedelta(days=7), today=today)
        ready = visits[1]
        closeout.mark_all_done(session, ready.id)
        for s in specimens.specimens_of(ready.id):
            specimens.receive_specimen(session, s.barcode)
    return visits


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="frontdesk-shots-")
    os.environ["FRONTDESK_HOME"] = home
    lang = sys.argv[1] if len(sys.argv) > 1 else "zh"
    from PySide6.QtCore import QRect

    from frontdesk import config, i18n
    from frontdesk.app import create_application
    from frontdesk.services import auth, database, deferrals, demo
    from frontdesk.ui import screen_fit
    from frontdesk.ui.deferral_dialog import DeferralDialog
    from frontdesk.ui.main_window import MainWindow

    i18n.set_language(lang)
    suffix = "" if lang == "zh" else "-en"
    OUT.mkdir(exist_ok=True)
    app = create_application()
    available = QRect(0, 0, 1366, 768 - 40)  # the desk's monitor with its taskbar
    screen_fit.available_geometry = lambda widget=None: QRect(available)
    database.open_database(f"sqlite:///{Path(home) / 'demo.sqlite3'}", create=True)
    demo.ensure_catalogue_and_accounts()
    desk = auth.login("qiantai", "demo-desk-2026", "前台1")
    visits = build_data(desk)

    window = MainWindow(desk, config.load(), "SQLite demo.sqlite3")
    window.show()
    window.setGeometry(available.marginsRemoved(screen_fit.FRAME_ALLOWANCE))
    settle(app)
    page = window.show_task("closeout")
    settle(app)
    window.handle_scan(visits[0].visit_no)
    settle(app)
    window.grab().save(str(OUT / f"closeout-half-done{suffix}.png"))

    pending = [i.visit_item_id for i in page.view.items if i.item_code == "C13"]
    dialog = DeferralDialog(desk, page.view, pending, page)
    dialog.show()
    settle(app)
    dialog.grab().save(str(OUT / f"closeout-deferral-dialog{suffix}.png"))
    dialog.close()

    import pypdfium2

    pdf = deferrals.slip_pdf(visits[0].id, dt.date.today() + dt.timedelta(days=7), issued_by=desk.display_name)
    document = pypdfium2.PdfDocument(pdf)
    document[0].render(scale=110 / 72).to_pil().save(OUT / f"deferral-slip{suffix}.png")
    document.close()
    print(f"screenshots written to {OUT} (dialog {dialog.width()}x{dialog.height()})")


if __name__ == "__main__":
    main()
