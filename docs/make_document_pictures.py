"""Render the sample receipt, guide-sheet and hand-over pictures used by the README.

    python docs/make_document_pictures.py

writes docs/receipt-a5.png, docs/receipt-roll80.png, docs/guide-sheet.png and
docs/handover.png from made-up data (no database needed).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from frontdesk.domain.codes import make_specimen_no, make_visit_no  # noqa: E402
from frontdesk.printing.guide_sheet import GuideSheetData, GuideStation, render_guide_sheet_pdf  # noqa: E402
from frontdesk.printing.handover_pdf import (HandoverData, HandoverGroup, HandoverLine,  # noqa: E402
                                             render_handover_pdf)
from frontdesk.printing.pdf_raster import pdf_pages_to_images  # noqa: E402
from frontdesk.printing.receipt import ReceiptData, ReceiptLine, ReceiptPayment, render_receipt_pdf  # noqa: E402

DOCS = Path(__file__).resolve().parent
SITE = "仁和健康体检中心（东城分院）"
VISIT_NO = "25061501274"
BEIJING = timezone(timedelta(hours=8))


def sample_receipt() -> ReceiptData:
    lines = (
        ReceiptLine("入职体检套餐（男）", Decimal("380.00"), "单位"),
        ReceiptLine("幽门螺杆菌C13呼气试验", Decimal("150.00"), "个人"),
        ReceiptLine("甲状腺彩超", Decimal("120.00"), "个人"),
        ReceiptLine("肿瘤标志物（男性六项）AFP/CEA/CA19-9/PSA/fPSA/CYFRA21-1", Decimal("360.00"), "个人"),
        ReceiptLine("骨密度检测", Decimal("80.00"), "个人"),
    )
    return ReceiptData(
        site_name=SITE,
        receipt_no="9000012738",
        visit_no=VISIT_NO,
        guest_name="张三丰",
        guest_sex="男",
        organisation="北京武当科技有限公司",
        lines=lines,
        payments=(ReceiptPayment("微信支付", Decimal("500.00")), ReceiptPayment("现金", Decimal("300.00"))),
        total=Decimal("1090.00"),
        paid=Decimal("800.00"),
        change=Decimal("90.00"),
        cashier="王丽",
        desk="前台1",
        issued_at=datetime(2025, 6, 15, 8, 32, tzinfo=BEIJING),
    )


def sample_guide_sheet() -> GuideSheetData:
    s = GuideStation
    stations = (
        s(1, "采血室", "1楼 检验科 102", ("血常规", "肝功能", "肾功能", "血脂四项", "空腹血糖", "乙肝表面抗原"),
          "空腹，请最先采血；采血后按压5分钟"),
        s(2, "超声科", "2楼 201-205室", ("腹部彩超（肝、胆、胰、脾、肾）",), "空腹项目，采血后即做"),
        s(3, "一般检查", "1楼 108室", ("身高", "体重", "血压", "体重指数（BMI）"), ""),
        s(4, "内科", "2楼 210室", ("内科检查",), ""),
        s(5, "外科", "2楼 212室", ("外科检查",), ""),
        s(6, "眼科", "3楼 305室", ("视力", "色觉", "眼底检查"), "佩戴隐形眼镜者请先摘下"),
        s(7, "耳鼻喉科", "3楼 308室", ("耳鼻喉检查",), ""),
        s(8, "心电图室", "2楼 220室", ("十二导联心电图",), "请穿便于解开的上衣"),
        s(9, "放射科", "负1楼 DR室", ("胸部正位片（DR）",), "请取下项链等金属物品；备孕或可能怀孕者请先告知医生"),
        s(10, "检验窗口", "1楼 检验科 窗口", ("尿常规",), "留取中段尿后将尿杯交至窗口"),
    )
    return GuideSheetData(
        site_name=SITE,
        visit_no=VISIT_NO,
        guest_name="张三丰",
        sex_label="男",
        age=45,
        package_name="入职体检套餐（男）",
        organisation="北京武当科技有限公司",
        visit_date=date(2025, 6, 15),
        fasting_required=True,
        stations=stations,
        specimen_instructions=(
            "尿杯：留取中段尿约半杯，贴好条码后交至1楼检验窗口。",
            "采便器：取蚕豆大小的粪便放入采便器，旋紧盖子，当天交回检验窗口。",
        ),
        locker_tag="A-023",
    )


def sample_handover() -> HandoverData:
    day = date(2025, 6, 15)
    names = ["张*丰", "欧阳*娜", "王*", "李*华", "陈*", "赵*明", "刘*", "孙*红"]
    tubes = [
        ("浅蓝色", "蓝头管", ("凝血",), 2),
        ("黄色", "黄头管", ("肝功", "肾功", "血脂", "AFP", "CEA", "甲功"), 5),
        ("紫色", "紫头管", ("血常规", "糖化"), 5),
        ("白色", "尿杯", ("尿常规",), 4),
        ("棕色", "采便器", ("便常规", "潜血"), 2),
    ]
    seq = iter(range(101, 1000))
    groups = []
    for cap, tube, tests, count in tubes:
        lines = []
        for n in range(count):
            collected = datetime(2025, 6, 15, 7, 40 + 3 * n, tzinfo=BEIJING)
            lines.append(HandoverLine(make_specimen_no(day, next(seq)), make_visit_no(day, 1270 + n), names[n], tests,
                                      collected))
        groups.append(HandoverGroup(tube, cap, tuple(lines)))
    return HandoverData(SITE, "SJ250615003", datetime(2025, 6, 15, 9, 5, tzinfo=BEIJING), "王丽", "前台1",
                        tuple(groups))


def save_first_page(pdf: bytes, path: Path, dpi: int) -> None:
    pdf_pages_to_images(pdf, dpi)[0].save(path, optimize=True)
    print(f"wrote {path}")


def main() -> None:
    # Receipts print local time: show what a desk in Beijing would see.
    os.environ["TZ"] = "Asia/Shanghai"
    if hasattr(time, "tzset"):
        time.tzset()
    receipt = sample_receipt()
    save_first_page(render_receipt_pdf(receipt, "a5"), DOCS / "receipt-a5.png", 150)
    save_first_page(render_receipt_pdf(receipt, "roll80"), DOCS / "receipt-roll80.png", 203)
    save_first_page(render_guide_sheet_pdf(sample_guide_sheet()), DOCS / "guide-sheet.png", 110)
    save_first_page(render_handover_pdf(sample_handover()), DOCS / "handover.png", 110)


if __name__ == "__main__":
    main()
