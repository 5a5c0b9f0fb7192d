"""The demo day's group roster (团检名单): an organisation's HR sends a messy workbook this morning.

On today's demo day a supervisor sets up 华新制造股份有限公司 with a contract whose packages follow
sex, age band and grade (职级: managers get the comprehensive package, the over-50s the senior one,
everyone else the group package; the organisation pays, with an add-on allowance).  HR's workbook is
made the way real ones arrive (a title block with merged cells, an ID number Excel stored as a
number, a lowercase x, full-width digits, a blank row, the same person twice, a sex that disagrees
with the ID number, a missing phone, a missing name) in a temporary folder; the desk previews it,
imports the valid rows through ``roster_import``, saves the error workbook for HR beside the demo's
print-outs, and books the people imported over the coming days within capacity.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from frontdesk.domain.idnumber import age_on, make_resident_id
from frontdesk.errors import UserError
from frontdesk.services import contracts, roster_booking, roster_import
from frontdesk.services.demo_context import DemoContext, register_stage
from frontdesk.storage import models as m

ORGANISATION = ("华新制造股份有限公司", "郑部长", "13566667777")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力"
REGIONS = ("320102", "320505", "330106", "310115", "110108")
DEPARTMENTS = ("总装车间", "机加车间", "质量部", "采购部", "财务部", "人力资源部")
GRADES = ("员工", "员工", "员工", "员工", "班组长", "主管", "经理")


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def _people(ctx: DemoContext, count: int) -> list[tuple]:
    """(name, sex, birth, id_number, phone, department, grade) for HR's list; every ID number valid."""
    rng, people, numbers = ctx.rng, [], set()
    while len(people) < count:
        male = rng.random() < 0.55
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        birth = ctx.today - dt.timedelta(days=rng.randint(22 * 365 + 30, 58 * 365))
        sequence = rng.randrange(1, 1000, 2) if male else rng.randrange(0, 1000, 2)
        number = make_resident_id(rng.choice(REGIONS), birth, sequence)
        if number in numbers or m.Guest.select().where(m.Guest.id_number == number).exists():
            continue
        numbers.add(number)
        phone = "1" + rng.choice("3589") + f"{rng.randrange(10**9):09d}"
        people.append((name, "男" if male else "女", birth, number, phone, rng.choice(DEPARTMENTS),
                       rng.choice(GRADES)))
    return people


def _x_number(ctx: DemoContext) -> str:
    """A valid number whose check character is X (HR types it as a lowercase x)."""
    birth = ctx.today - dt.timedelta(days=40 * 365)
    for sequence in range(0, 1000, 2):
        number = make_resident_id("320102", birth, sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check character")  # pragma: no cover - one in eleven numbers ends in X


def messy_workbook(path: Path, people: list[tuple], x_number: str) -> Path:
    """HR's workbook: title block, annotated header, and the quirks real exports have among good rows."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "体检名单"
    sheet.append([f"{ORGANISATION[0]}员工健康体检名单"])
    sheet.merge_cells("A1:H1")
    sheet.append(["制表：人力资源部", None, None, None, "联系人：郑部长 13566667777"])
    sheet.append(["序号", "姓名", "性别", "身份证号码（必填）", "手机/联系电话", "部门", "职级", "备注"])
    rows = [[n, p[0], p[1], p[3], p[4], p[5], p[6], ""] for n, p in enumerate(people, start=1)]
    # The quirks, each on a row of its own.
    rows[1][3] = int(rows[1][3][:15] + "000")          # 18 digits stored as a number: the last ones lost
    rows[1][7] = "身份证列被设成了数字"
    rows[2][3] = _fullwidth(rows[2][3][:6]) + " " + rows[2][3][6:]   # full-width digits and a space: fine
    rows[3][2] = "女" if rows[3][2] == "男" else "男"  # sex disagrees with the ID number: taken from the number
    rows[4][4] = ""                                     # no phone: imported, but no reminder possible
    rows[5][1] = ""                                     # no name
    rows.insert(7, [None] * 8)                          # a blank row
    rows.append([len(people) + 1, "钱晓x", "男", x_number.lower(), "13912340000", "质量部", "员工", ""])
    rows.append([len(people) + 2] + rows[0][1:7] + ["重复"])  # the first person again
    wrong = rows[6][3][:17] + ("0" if rows[6][3][17] != "0" else "1")  # a typo in the check character
    rows[6][3] = wrong
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _contract(ctx: DemoContext) -> int:
    packages = {p.code: p.id for p in m.Package.select(m.Package.id, m.Package.code)}
    org_id = contracts.create_organisation(ctx.supervisor, *ORGANISATION)
    ctx.tick(3)
    terms = contracts.ContractTermsInput(
        f"{ctx.today.year}年度员工健康体检", ctx.today - dt.timedelta(days=7), ctx.today + dt.timedelta(days=90),
        package_id=packages["GROUP"], org_pays_package=True, addon_allowance=Decimal("300.00"),
        rules=(contracts.PackageRuleInput(packages["COMP_M"], sex="M", grade="经理"),
               contracts.PackageRuleInput(packages["COMP_F"], sex="F", grade="经理"),
               contracts.PackageRuleInput(packages["SENIOR"], min_age=50)))
    contract_id = contracts.create_contract(ctx.supervisor, org_id, terms)
    ctx.organisation_ids[ORGANISATION[0]] = org_id
    ctx.contract_ids[ORGANISATION[0]] = contract_id
    return contract_id


@register_stage(order=12, name="rosters")
def roster_day(ctx: DemoContext) -> None:
    """Today: the contract, HR's messy workbook imported, the error workbook saved, the people booked."""
    if not ctx.is_today:
        return
    with ctx.at(9, 15):
        contract_id = _contract(ctx)
        ctx.tick(6)
        people = _people(ctx, ctx.count(40, minimum=12))
        with tempfile.TemporaryDirectory(prefix="frontdesk-roster-") as folder:
            path = messy_workbook(Path(folder) / f"{ORGANISATION[0]}体检名单.xlsx", people, _x_number(ctx))
            preview = roster_import.preview(path, ORGANISATION[0], contract_id=contract_id)
            ctx.tick(2)
            result = roster_import.import_roster(ctx.desk, preview)
            out = ctx.output_dir / "rosters"
            out.mkdir(parents=True, exist_ok=True)
            rejected = roster_import.write_error_workbook(preview, out / f"{ORGANISATION[0]}-错误清单.xlsx")
        ctx.tick(4)
        # The group comes over the next working days, a handful a day, within the centre's capacity.
        first = ctx.today + dt.timedelta(days=1)
        try:
            booked = roster_booking.book_roster(ctx.desk, contract_id, result.entry_ids, first,
                                                first + dt.timedelta(days=9), per_day=max(3, ctx.count(8)))
        except UserError:
            booked = None
    ctx.notes.append(f"{ORGANISATION[0]}: roster imported from a messy workbook ({result.added} added, "
                     f"{rejected} rejected rows in the error workbook)"
                     + (f", {booked.booked} booked for the coming days" if booked else ""))


def managers_and_seniors(contract_id: int, day: dt.date) -> dict[str, int]:
    """For checks: how many of the roster the grade rule and the age rule reach."""
    counts = {"manager": 0, "senior": 0}
    for e in m.RosterEntry.select().where(m.RosterEntry.contract == contract_id):
        if e.grade == "经理":
            counts["manager"] += 1
        elif e.birth_date and age_on(e.birth_date, day) >= 50:
            counts["senior"] += 1
    return counts
