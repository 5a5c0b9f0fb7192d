"""Render the reports screen (报告发放) and the hand-out dialog offscreen at 1366x768.

    QT_QPA_PLATFORM=offscreen python docs/make_report_screenshots.py [zh|en]

Builds a throw-away database through the desk's services: guests checked in
and closed out on earlier days, their reports received (some long ago, for
the call list), one handed out to a proxy, pickup appointments; then grabs
the main window on each reports tab and the hand-out dialog of a report
handed out before (with its red warning) with a proxy's details and a
signature drawn on the pad.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"
NAMES = ["张三丰", "李秀英", "王建国", "欧阳娜娜", "陈晓明", "刘芳", "赵磊", "孙丽华", "周杰", "吴敏"]


def settle(app) -> None:
    from frontdesk.ui import worker

    for _ in range(6):
        app.processEvents()
        worker.wait_for_idle()
        app.processEvents()


def _signature() -> bytes:
    """A signature as the pad saves it: a dark scrawl on a transparent ground."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (520, 160), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(20, 120), (60, 30), (95, 125), (140, 40), (175, 110), (230, 60), (300, 95), (360, 45), (420, 90),
               (500, 70)], fill=(16, 24, 32, 255), width=7, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def build_data(session):
    from frontdesk import clock
    from frontdesk.domain.enums import HandoutMethod, IdType, PaymentMethod, PickupKind
    from frontdesk.domain.idnumber import make_resident_id
    from frontdesk.services import checkin, closeout, guests, reports
    from frontdesk.services.checkin import CheckInRequest
    from frontdesk.services.payments import PaymentInput
    from frontdesk.storage import models as m

    today = dt.date.today()
    item = m.ExamItem.get(m.ExamItem.code == "GENERAL")
    visits = []
    for n, name in enumerate(NAMES):
        day = today - dt.timedelta(days=30 - n * 2)
        birth = dt.date(1960 + n * 3, 1 + n, 5 + n)
        with clock.pinned(dt.datetime.combine(day, dt.time(8, 10 + n))):
            guest = guests.register(session, guests.GuestInput(
                name=name, sex="F" if name in ("李秀英", "欧阳娜娜", "刘芳", "孙丽华", "吴敏") else "M", birth_date=birth,
                id_type=IdType.RESIDENT_ID, id_number=make_resident_id(
                    "110105", birth, 10 + n * 2 + (0 if name in ("李秀英", "欧阳娜娜", "刘芳", "孙丽华", "吴敏") else 1)),
                phone=f"1381234{n:04d}", organisation_id=None), today=day)
            visit = checkin.check_in(session, CheckInRequest(guest_id=guest.id, added_item_ids=[item.id], payments=[
                PaymentInput(PaymentMethod.CASH, Decimal(item.price))]), day=day).visit
            closeout.mark_all_done(session, visit.id)
            closeout.close_visit(session, visit.id)
        visits.append(visit)
    for n, visit in enumerate(visits[:8]):
        with clock.pinned(dt.datetime.combine(today - dt.timedelta(days=24 - n * 3), dt.time(15, 30))):
            reports.receive_reports(session, [visit.visit_no], shelf_no=f"A-{n + 1:02d}")
    with clock.pinned(dt.datetime.combine(today - dt.timedelta(days=1), dt.time(10, 5))):
        reports.hand_out(session, reports.HandoutRequest(visits[0].id, HandoutMethod.PROXY, proxy_name="李秀英",
                                                         id_number=make_resident_id("310104", dt.date(1985, 3, 9), 124),
                                                         relation="配偶", authorisation_seen=True,
                                                         signature_png=_signature()))
        reports.mark_called(session, visits[1].id, "已电话通知，周五来取")
    reports.book_pickup(session, visits[2].id, today, "09:00-10:00", note="顺便咨询血脂")
    reports.book_pickup(session, visits[3].id, today, "10:00-11:00", PickupKind.CONSULTATION)
    reports.book_pickup(session, visits[8].id, today, "10:00-11:00")
    return visits


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="frontdesk-shots-")
    os.environ["FRONTDESK_HOME"] = home
    lang = sys.argv[1] if len(sys.argv) > 1 else "zh"
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from PySide6.QtCore import QRect

    from frontdesk import config, i18n
    from frontdesk.app import create_application
    from frontdesk.ui import screen_fit
    from frontdesk.services import auth, database, demo, reports
    from frontdesk.ui.main_window import MainWindow

    i18n.set_language(lang)
    suffix = "" if lang == "zh" else "-en"
    OUT.mkdir(exist_ok=True)
    app = create_application()
    # The desk's 1366x768 monitor with a 40-pixel taskbar, whatever screen this runs on.
    available = QRect(0, 0, 1366, 768 - 40)
    screen_fit.available_geometry = lambda widget=None: QRect(available)
    database.open_database(f"sqlite:///{Path(home) / 'demo.sqlite3'}", create=True)
    demo.ensure_catalogue_and_accounts()
    desk = auth.login("qiantai", "demo-desk-2026", "前台1")
    visits = build_data(desk)

    window = MainWindow(desk, config.load(), "SQLite demo.sqlite3")
    window.show()
    window.setGeometry(available.marginsRemoved(screen_fit.FRAME_ALLOWANCE))  # maximised
    settle(app)
    page = window.show_task("reports")
    settle(app)
    page.arrival_shelf.setText("B-03")
    for visit in visits[8:]:
        page.receive([visit.visit_no], "B-03")
        settle(app)
    page.receive([visits[8].visit_no], "B-03")
    settle(app)
    page.receive(["26010100017"], "B-03")
    settle(app)
    window.grab().save(str(OUT / f"reports-arrival{suffix}.png"))
    for index, name in ((1, "shelf"), (3, "appointments"), (4, "calls")):
        page.tabs.setCurrentIndex(index)
        settle(app)
        window.grab().save(str(OUT / f"reports-{name}{suffix}.png"))

    page.tabs.setCurrentIndex(2)
    page.open_handout(visits[0].id)
    settle(app)
    dialog = page.last_handout_dialog
    dialog.set_method(reports.HandoutMethod.PROXY)
    dialog.proxy_name.setText("王建国")
    dialog.proxy_id.setText("310104198503091247")
    dialog.relation.setCurrentText("子女" if lang == "zh" else "Child")
    dialog.authorisation.setChecked(True)
    pad = dialog.signature
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(60, 90))
    for x, y in ((90, 40), (120, 100), (160, 45), (200, 95), (240, 50), (300, 80), (360, 60)):
        QTest.mouseMove(pad, QPoint(x, y))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(380, 70))
    settle(app)
    dialog.grab().save(str(OUT / f"handout-dialog{suffix}.png"))
    if lang == "zh":
        import pypdfium2

        from frontdesk.storage import models as m

        handout = m.ReportHandout.select().order_by(m.ReportHandout.id).first()
        document = pypdfium2.PdfDocument(reports.render_handout_receipt(handout.id))
        document[0].render(scale=100 / 72).to_pil().save(OUT.parent / "handout-receipt.png")
        document.close()
    print(f"screenshots written to {OUT} (dialog {dialog.width()}x{dialog.height()})")


if __name__ == "__main__":
    main()
