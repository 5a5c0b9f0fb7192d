"""The end-of-day PDF: every figure of a known report in the extracted text, pages, masking, fonts, charts.

``known_report()`` is a report filled by hand with figures that occur nowhere
else in it, so finding one in the text means the PDF shows it; the last
tests render a day built through the services (check-ins, a void, closing,
a void the next morning) with the figures engineer's builder.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import replace
from decimal import Decimal as D

import pytest

from frontdesk import paths
from frontdesk.printing import eod_charts
from frontdesk.printing.eod_pdf import render_eod_pdf
from frontdesk.services.eod import (AbandonedItem, AddonRow, BelongingOut, CashCount, CashierRow, ClosingState,
                                   Correction, DayInNumbers, DeferredCount, EndOfDayReport, HalfHour,
                                   HandoutCount, MethodRow, Money, MoneyEvent, OrganisationCharges,
                                   OrganisationRow, PackageRow, Reports, Reprint, Specimens, StationItems,
                                   StationRow, TubeCount, UncollectedReport)

from .conftest import page_texts

DAY = dt.date(2026, 11, 23)
UTC = dt.timezone.utc
Z = D("0.00")


def at(hh: int, mm: int, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm)).astimezone(UTC)


def _event(kind: str, receipt: str, amount: str, approver: str, reason: str, corrects=None) -> MoneyEvent:
    return MoneyEvent(kind, receipt, "R0000000771" if kind == "refund" else receipt, "2611230007", "李*", at(9, 50),
                      D(amount), "微信 15.00", "zhuguan", approver, "前台1", reason, DAY, corrects)


def known_report(language: str = "zh", **changes) -> EndOfDayReport:
    numbers = DayInNumbers(
        booked=41, checked_in=37, no_shows=4, cancelled_bookings=3, walk_ins=11, booked_arrivals=14, group=12,
        individual=25, closed=33, still_open=2, cancelled_visits=1, makeup_visits=5, items_planned=409,
        items_done=388, items_deferred=6, items_abandoned=2, items_refunded=7,
        deferred=(DeferredCount(dt.date(2026, 11, 26), 6, 3),),
        abandoned=(AbandonedItem("2611230001", "张*丰", "眼底照相", "眼科", "客人不愿散瞳", "李前台"),))
    methods = (MethodRow("cash", "现金", D("1258.00"), Z, D("168.00"), D("1090.00")),
               MethodRow("wechat", "微信", D("1234.50"), D("15.00"), Z, D("1219.50")),
               MethodRow("org_account", "单位记账", D("380.00"), Z, Z, D("380.00")))
    money = Money(
        gross=D("2872.50"), refunds=D("15.00"), voids=D("168.00"), net=D("2689.50"), charge_receipts=19,
        refund_receipts=1, void_count=1,
        refund_events=(_event("refund", "R0000000812", "15.00", "王主管", "客人不需要口腔检查"),),
        void_events=(_event("void", "R0000000815", "168.00", "王主管", "套餐选错"),),
        by_method=methods,
        by_cashier=(CashierRow("qiantai", "李前台", 13, D("1892.50"), D("15.00"), D("168.00"), D("1709.50"),
                               D("730.00")),
                    CashierRow("qiantai2", "周前台", 6, D("980.00"), Z, Z, D("980.00"), D("360.00"))),
        org_accounts=(OrganisationCharges("星海科技有限公司", 12, D("380.00"), Z, Z, D("380.00")),),
        addons=(AddonRow("糖化血红蛋白", 3, D("240.00")),), addons_total=D("240.00"),
        cash=CashCount(D("1090.00"), D("1088.00"), D("-2.00")))
    stations = (StationRow("EYE", "眼科", 37, 33, 2, 1, 1, 60), StationRow("LAB", "检验科", 148, 146, 2, 0, 0, None))
    report = EndOfDayReport(
        site_name="星海健康体检中心", day=DAY, desk="", desks=("前台1", "前台2"), generated_by="zhuguan",
        generated_by_name="王主管", generated_at=at(18, 40), masked=True, has_data=True, language=language,
        numbers=numbers,
        packages=(PackageRow("BASIC", "基础套餐", 23, 0, 23, 253, 241), PackageRow("GROUP", "团检套餐", 12, 12, 0, 156, 147)),
        organisations=(OrganisationRow("星海科技有限公司", 12, 11, 156, 147),),
        stations=stations, money=money,
        specimens=Specimens(labels_printed=131, specimens=118, collected=109, sent=97, cancelled=3,
                            reprints=(Reprint("261123000456", "2611230003", "EDTA抗凝管", at(9, 31), "qiantai",
                                              "李前台", 2, "主管授权（标签损坏）"),),
                            pending_by_tube=(TubeCount("SST", "促凝管(SST)", 4), TubeCount("NAF", "氟化钠管", 2))),
        reports=Reports(received=29, handed_out=(HandoutCount("in_person", "本人领取", 17),
                                                 HandoutCount("proxy", "代领", 5), HandoutCount("courier", "快递", 8)),
                        uncollected_days=30,
                        uncollected=(UncollectedReport("2609010042", "赵*", "110105********002X", "138****1234",
                                                       dt.date(2026, 9, 1), dt.date(2026, 9, 8), 76),)),
        belongings=(BelongingOut("A01", "2611230001", "张*丰", "黑色双肩包", at(8, 10), "李前台"),),
        check_ins_per_half_hour=tuple(HalfHour(dt.time(7 + i // 2, 30 * (i % 2)), c)
                                      for i, c in enumerate([0, 3, 9, 8, 7, 5, 3, 2])),
        items_per_station=(StationItems("眼科", 33, 37), StationItems("检验科", 146, 148)),
        closing=ClosingState(False, "site", "", "", "", None, None, None, None, False, ()))
    return replace(report, **changes)


def closed(report: EndOfDayReport) -> EndOfDayReport:
    corrections = (Correction("void", DAY + dt.timedelta(days=1), at(9, 5, DAY + dt.timedelta(days=1)),
                              "R0000000815", "R0000000815", "2611230007", D("-80.00"), D("-80.00"), "zhuguan",
                              "王主管", "客人不做糖化"),)
    return replace(report, closing=ClosingState(True, "site", "", "zhuguan", "王主管", at(18, 30), D("1090.00"),
                                                D("1088.00"), D("-2.00"), True, corrections))


def render(report: EndOfDayReport, language: str | None = None) -> bytes:
    buffer = io.BytesIO()
    render_eod_pdf(report, buffer, language=language)
    return buffer.getvalue()


def text_of(pdf: bytes) -> str:
    # Line breaks inside a table cell or between runs do not matter to the reader.
    return re.sub(r"\s+", " ", "\n".join(page_texts(pdf)))


# --------------------------------------------------------------------------


def test_every_figure_of_the_known_report_is_in_the_pdf():
    text = text_of(render(known_report()))
    money = ["¥2,872.50", "¥15.00", "¥168.00", "¥2,689.50", "¥1,258.00", "¥1,234.50", "¥1,219.50", "¥1,090.00",
             "¥380.00", "¥1,892.50", "¥1,709.50", "¥730.00", "¥980.00", "¥360.00", "¥240.00", "¥1,088.00",
             "-¥2.00"]
    counts = ["41", "37", "4", "3", "11", "14", "12", "25", "33", "2", "1", "5", "409", "388", "6", "7", "19",
              "131", "118", "109", "97", "29", "17", "8", "30", "76", "253", "241", "156", "147", "148", "146"]
    words = ["星海健康体检中心", "日结报表", "2026-11-23", "前台1", "前台2", "王主管", "基础套餐", "团检套餐",
             "星海科技有限公司", "眼科", "检验科", "眼底照相", "客人不愿散瞳", "2026-11-26", "客人不需要口腔检查",
             "套餐选错", "R0000000812", "R0000000771", "R0000000815", "糖化血红蛋白", "促凝管(SST)", "氟化钠管",
             "261123000456", "主管授权（标签损坏）", "本人领取", "代领", "快递", "黑色双肩包", "A01", "每半小时到检人数",
             "各科室项目数", "主管签字", "收费员签字", "未日结"]
    missing = [w for w in money + words if w not in text]
    assert not missing
    numbers = set(re.findall(r"(?<![\d.,¥-])\d+(?![\d.,])", text))
    assert not [c for c in counts if c not in numbers]
    # Totals rows: the sums of the rows of their table.
    assert "合计 ¥2,872.50 ¥15.00 ¥168.00 ¥2,689.50" in text          # by method
    assert "合计 19 ¥2,872.50 ¥15.00 ¥168.00 ¥2,689.50 ¥1,090.00" in text  # by cashier


def test_money_is_printed_from_decimal_exactly():
    huge = D("90071992547409.93")  # float would print ...409.94
    report = known_report()
    report = replace(report, money=replace(report.money, by_method=(
        MethodRow("cash", "现金", huge, Z, Z, huge),)))
    text = text_of(render(report))
    assert "¥90,071,992,547,409.93" in text and "409.94" not in text


def test_people_are_masked_as_the_report_gives_them_and_the_page_says_so():
    text = text_of(render(known_report()))
    assert "张*丰" in text and "110105********002X" in text and "138****1234" in text and "李*" in text
    assert "个人信息已遮盖" in text
    unmasked = known_report(masked=False, belongings=(BelongingOut("A01", "2611230001", "张三丰", "黑色双肩包",
                                                                   at(8, 10), "李前台"),))
    text = text_of(render(unmasked))
    assert "张三丰" in text and "未遮盖版本" in text and "个人信息已遮盖" not in text


def test_page_x_of_y_and_the_header_on_every_page():
    report = known_report()
    many = tuple(UncollectedReport(f"26090{i:05d}", "赵*", "110105********002X", "138****1234", dt.date(2026, 9, 1),
                                   dt.date(2026, 9, 8), 76) for i in range(150))
    report = replace(report, reports=replace(report.reports, uncollected=many))
    pages = [re.sub(r"\s+", " ", p) for p in page_texts(render(report))]
    assert len(pages) >= 4
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in page
        assert "星海健康体检中心" in page and "日期：2026-11-23" in page and "王主管" in page and "2026-11-23 " in page
    # The long table goes on over pages, its header row repeated on each; no row lost or doubled.
    holding = [p for p in pages if "2609000" in p or "2609001" in p]
    assert len(holding) >= 3
    assert all("证件号" in p and "已等天数" in p for p in holding)
    found = re.findall(r"26090\d{5}", " ".join(pages))
    assert sorted(found) == sorted(u.visit_no for u in many)


def test_english_report_is_in_english():
    pages = [re.sub(r"\s+", " ", p) for p in page_texts(render(closed(known_report("en")), "en"))]
    text = " ".join(pages)
    for words in ("End-of-day report", "The day in numbers", "By payment method", "Refunds, with who approved each",
                  "Cash in the drawer", "Check-ins per half hour", "Items per station", "Personal data masked",
                  "Closed day: the signed figures", "Corrections since closing (1)", "Supervisor:", "Cashier:",
                  "¥2,689.50", "-¥80.00"):
        assert words in text, words
    assert all(f"Page {n} of {len(pages)}" in p for n, p in enumerate(pages, start=1))
    for chinese_label in ("日结报表", "当日概况", "按支付方式", "第 1 页", "主管签字", "合计"):
        assert chinese_label not in text


def test_the_words_follow_the_desks_language_and_the_names_stay_as_signed(english):
    text = text_of(render(known_report("zh")))     # closed in Chinese, printed by a desk in English
    assert "End-of-day report" in text and "Page 1 of" in text and "日结报表" not in text
    assert "基础套餐" in text and "现金" in text     # names as the report holds them
    assert "日结报表" in text_of(render(known_report("zh"), "zh"))


def test_a_closed_day_shows_the_signed_figures_and_the_corrections_since():
    text = text_of(render(closed(known_report())))
    assert "日结（已签字数据）" in text and "2026-11-23 已日结（全院），日结人 王主管" in text
    assert "本报表各项数据为日结时保存的签字数据" in text
    assert "日结后更正（1 笔）" in text and "客人不做糖化" in text and "-¥80.00" in text
    assert "签字净收入＋更正 ¥2,609.50" in text        # 2,689.50 - 80.00
    assert "未日结" not in text
    assert "日结（已签字数据）" not in text_of(render(known_report()))


def test_a_day_without_data_is_a_short_valid_report_saying_so():
    empty = known_report(has_data=False, packages=(), organisations=(), stations=(), belongings=(),
                         check_ins_per_half_hour=(), items_per_station=())
    pages = page_texts(render(empty))
    assert len(pages) == 1
    text = re.sub(r"\s+", " ", pages[0])
    assert "2026-11-23 没有业务数据" in text and "第 1 页 / 共 1 页" in text and "主管签字" in text
    assert "当日概况" not in text and "每半小时到检人数" not in text


def test_empty_detail_sections_are_left_out():
    report = known_report()
    report = replace(report, money=replace(report.money, refund_events=(), void_events=(), addons=()),
                     numbers=replace(report.numbers, abandoned=(), deferred=()))
    text = text_of(render(report))
    assert "退费明细" not in text and "作废明细" not in text and "弃检及原因" not in text and "缓检（" not in text
    assert "按支付方式" in text


def test_only_the_glyphs_used_are_embedded():
    pdf = render(closed(known_report()))
    fonts = re.findall(rb"/BaseFont\s*/([A-Za-z0-9+#-]+)", pdf)
    embedded = [f for f in fonts if b"DroidSans" in f]
    assert embedded and all(re.match(rb"[A-Z]{6}\+", f) for f in embedded), fonts   # subset names
    assert re.search(rb"/FontFile2", pdf)
    # The whole CJK font is several MB; the report with every section is a small fraction of it.
    assert len(pdf) < paths.font_path().stat().st_size / 20


def _shapes(node):
    """Every shape of a drawing, charts expanded into what they draw."""
    from reportlab.graphics.widgetbase import Widget

    if isinstance(node, Widget):
        yield from _shapes(node.draw())
        return
    yield node
    for child in getattr(node, "contents", ()) or ():
        yield from _shapes(child)


def test_charts_use_only_greys_and_label_every_bar():
    from reportlab.graphics.shapes import Rect, String

    checkins = eod_charts.check_ins_chart(["08:00", "08:30", "09:00"], [3, 17, 9], 500, count_word="人数")
    stations = eod_charts.station_chart(["眼科", "B超（腹部）"], [33, 21], [37, 24], 500, done_word="已检",
                                        planned_word="应检")
    for drawing, values in ((checkins, {"3", "17", "9"}), (stations, {"33", "21", "37", "24"})):
        shapes = list(_shapes(drawing))
        colours = [getattr(s, a) for s in shapes for a in ("fillColor", "strokeColor")
                   if isinstance(s, (Rect, String)) and getattr(s, a, None) is not None]
        assert colours and all(abs(c.red - c.green) < 1e-6 and abs(c.green - c.blue) < 1e-6 for c in colours)
        texts = {s.text for s in shapes if isinstance(s, String)}
        assert values <= texts               # every bar carries its number
    fills = {(round(s.fillColor.red, 2)) for s in _shapes(stations) if isinstance(s, Rect) and s.fillColor}
    assert {1.0, round(eod_charts.DONE_GREY.red, 2)} <= fills   # planned white, done dark grey: apart in print
    # Station names, Chinese and Latin in one name, drawn in runs of two fonts.
    runs = [(s.fontName, s.text) for s in _shapes(stations) if isinstance(s, String) and s.text in ("B", "超（腹部）")]
    assert len({font for font, _ in runs}) == 2


def test_writing_to_a_path_leaves_only_the_finished_file(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "eod.pdf"
    render_eod_pdf(known_report(), out)
    assert out.read_bytes().startswith(b"%PDF") and [p.name for p in folder.iterdir()] == ["eod.pdf"]
    with pytest.raises(OSError):
        render_eod_pdf(known_report(), folder / "missing" / "eod.pdf")

    # A disk that fills up while the file is written: the earlier file stays whole, no temporary file stays.
    import os

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    before = out.read_bytes()
    with pytest.raises(OSError):
        render_eod_pdf(closed(known_report()), out)
    assert [p.name for p in folder.iterdir()] == ["eod.pdf"] and out.read_bytes() == before


# --------------------------------------------------------------------------
# A day built through the services and the figures engineer's builder


@pytest.fixture
def built_day(fdb, catalogue):
    """2026-11-23: 张三丰 ¥298.00 cash (a bag under A01), 李四 ¥298.00 WeChat, 王五 ¥168.00 cash voided at 10:20."""
    from frontdesk import clock
    from frontdesk.domain.enums import IdType, PaymentMethod, Role
    from frontdesk.domain.idnumber import make_resident_id
    from frontdesk.services import auth, belongings, checkin, guests, payments
    from frontdesk.services.checkin import CheckInRequest
    from frontdesk.services.payments import PaymentInput
    from frontdesk.services.session import Session
    from frontdesk.storage import models as m

    desk = Session("qiantai", "李前台", Role.RECEPTION, "前台1")
    supervisor = Session("zhuguan", "王主管", Role.SUPERVISOR, "前台1")
    admin = Session("admin", "管理员", Role.ADMIN, "前台1")
    for session in (desk, supervisor):  # so the report can name them
        auth.create_user(admin, session.username, session.display_name, session.role, "Passw0rd!x")
    basic = m.Package.get(m.Package.code == "BASIC")
    entry = m.Package.get(m.Package.code == "ENTRY")

    def guest(name: str, seq: int, phone: str):
        return guests.register(desk, guests.GuestInput(
            name=name, sex="M", birth_date=dt.date(1980, 5, 17), id_type=IdType.RESIDENT_ID,
            id_number=make_resident_id("110105", dt.date(1980, 5, 17), seq), phone=phone, organisation_id=None),
            today=DAY)

    def visit(who, package, method, amount):
        return checkin.check_in(desk, CheckInRequest(guest_id=who.id, package_id=package.id,
                                                     payments=[PaymentInput(method, D(amount))]), day=DAY)

    try:
        clock.pin(dt.datetime.combine(DAY, dt.time(8, 10)))
        zhang = visit(guest("张三丰", 23, "13812341234"), basic, PaymentMethod.CASH, "298.00")
        belongings.store(desk, zhang.visit.id, "A01", "黑色双肩包")
        clock.pin(dt.datetime.combine(DAY, dt.time(8, 40)))
        visit(guest("李四", 25, "13812345678"), basic, PaymentMethod.WECHAT, "298.00")
        clock.pin(dt.datetime.combine(DAY, dt.time(10, 10)))
        wang = visit(guest("王五", 27, "13812349999"), entry, PaymentMethod.CASH, "168.00")
        clock.pin(dt.datetime.combine(DAY, dt.time(10, 20)))
        payments.void_receipt(supervisor, wang.receipt.id, "套餐选错")
        clock.pin(dt.datetime.combine(DAY, dt.time(17, 30)))
        yield {"desk": desk, "supervisor": supervisor, "wang": wang}
    finally:
        clock.unpin()


def test_a_day_from_the_builder_prints_its_figures_masked(built_day):
    from frontdesk.services import eod

    report = eod.build_report(built_day["desk"], DAY)
    text = text_of(render(report))
    money = report.money
    assert (money.gross, money.voids, money.net) == (D("764.00"), D("168.00"), D("596.00"))
    for figure in (money.gross, money.voids, money.net, money.cash.expected):
        assert f"¥{figure:,.2f}" in text
    assert f"合计 {money.charge_receipts} ¥764.00 ¥0.00 ¥168.00 ¥596.00 ¥298.00" in text  # by cashier, cash net
    assert "张*丰" in text and "张三丰" not in text and "黑色双肩包" in text   # the bag not returned, masked
    assert "王*" in text and "王五" not in text                                 # the void lists 王五 masked
    assert "套餐选错" in text and "王主管" in text and "李前台" in text
    assert f"第 1 页 / 共 {len(page_texts(render(report)))} 页" in text


def test_a_closed_day_from_the_builder_keeps_its_figures_and_lists_the_void_next_morning(built_day):
    from frontdesk import clock
    from frontdesk.services import eod, payments
    from frontdesk.storage import models as m

    supervisor = built_day["supervisor"]
    eod.close_day(supervisor, DAY, D("296.00"))
    first = m.Receipt.select().order_by(m.Receipt.id).first()
    clock.pin(dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(9, 0)))
    payments.void_receipt(supervisor, first.id, "客人当天已退单")
    text = text_of(render(eod.build_report(supervisor, DAY)))
    assert "日结（已签字数据）" in text and "¥596.00" in text          # the signed net, unchanged
    assert "-¥2.00" in text                                              # counted 296.00 against 298.00
    assert "日结后更正（1 笔）" in text and "客人当天已退单" in text and "-¥298.00" in text
    assert "签字净收入＋更正 ¥298.00" in text


def test_a_heading_never_ends_a_page():
    """Whatever the length of the list above it, a sub-heading moves to the page of its table."""
    headings = {"缓检（按改约日期）", "弃检及原因", "每半小时到检人数", "各科室项目数", "按套餐", "按单位",
                "按科室：完成与接待能力", "按支付方式", "按收费员", "退费明细（批准人）", "作废明细（批准人）",
                "单位记账（按单位）", "增项", "钱箱现金", "未采集（按容器）", "标签补打（谁、为何）", "超过 30 天未领的报告",
                "日结后更正（1 笔）", "一、当日概况", "二、套餐、单位与科室", "三、收费", "四、标本", "五、报告",
                "六、未归还寄存物品", "日结（已签字数据）"}
    base = closed(known_report())
    seen_breaks = 0
    for rows in range(20, 62, 2):
        abandoned = tuple(AbandonedItem(f"26112300{i:02d}", "张*丰", "眼底照相", "眼科", "客人不愿散瞳", "李前台")
                          for i in range(rows))
        pages = page_texts(render(replace(base, numbers=replace(base.numbers, abandoned=abandoned))))
        seen_breaks += len(pages)
        for page in pages[:-1]:
            lines = [line.strip() for line in page.splitlines() if line.strip()]
            body = [line for line in lines if "第 " not in line and "日结报表" not in line]
            assert body[-1] not in headings, (rows, body[-3:])
    assert seen_breaks > 21 * 2   # the lists did push the sections over page breaks
