"""Roster import: messy HR workbooks and CSVs previewed row by row, imported once, rejects written back."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from frontdesk.domain.idnumber import make_resident_id
from frontdesk.domain.roster import RowStatus
from frontdesk.errors import NotFoundError, UserError
from frontdesk.services import roster_import
from frontdesk.services.roster_import import RosterFileError
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)
MAN = make_resident_id("110105", dt.date(1980, 5, 17), 123)        # 46, male
WOMAN = make_resident_id("310104", dt.date(1990, 2, 1), 246)       # 36, female
YOUNG = make_resident_id("440305", dt.date(1999, 3, 3), 135)       # 27, male
X_ID = "11010519491231002X"                                        # the standard's example, check char X
OLD15 = "310104560101123"                                          # a 15-digit card (male), fits in a number


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def messy_workbook(path, rows=None):
    """A workbook as HR sends it: title block with merged cells, annotated headers, every quirk in the rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["星河科技有限公司2026年度员工体检名单"])
    sheet.merge_cells("A1:G1")
    sheet.append(["制表：人力资源部", None, None, "日期：2026-11-01"])
    sheet.append([])
    sheet.append(["序号", "姓名", "性别", "身份证号码（必填）", "手机/联系电话", "部门", "职级"])
    default = [
        [1, "张三丰", "男", MAN, "13800001111", "研发部", "P5"],                      # ok
        [2, "李芳", "男", WOMAN, "13800002222", "财务部", "P4"],                      # sex disagrees -> warning
        [3, "王强", "男", int(MAN[:15] + "000"), "13800003333", "市场部", "P3"],      # 18 digits as a number
        [4, "赵敏", "女", X_ID.lower(), "", "行政部", "P2"],                          # lowercase x, no phone
        [None, None, None, None, None, None, None],                                  # blank row
        [5, "孙　丽", "女", _fullwidth(WOMAN[:6]) + " " + WOMAN[6:], "13800005555", "", ""],  # same as row 6
        [6, "", "男", YOUNG, "13800006666", "", ""],                                 # no name
        [7, "钱老", "男", int(OLD15), 13800007777, "退休办", ""],                          # 15-digit card as number
        [8, "周七", "女", "110105199001011234", "13800008888", "", ""],              # bad check char
    ]
    for row in rows or default:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def org(make_contract):
    contract = make_contract()
    return contract.organisation.name


def _by_row(preview):
    return {r.sheet_row: r for r in preview.rows}


def test_messy_workbook_gets_a_verdict_per_row(fdb, catalogue, org, tmp_path):
    result = roster_import.preview(messy_workbook(tmp_path / "名单.xlsx"), org, day=TODAY)
    assert result.header.row_index == 3
    rows = _by_row(result)
    assert sorted(rows) == [5, 6, 7, 8, 10, 11, 12, 13]  # the blank row 9 is not a person
    assert rows[5].status is RowStatus.OK and rows[5].id_number == MAN and rows[5].grade == "P5"
    assert rows[6].status is RowStatus.WARNING and rows[6].sex == "F"
    assert "性别与身份证号不符" in rows[6].reason_text
    assert rows[7].status is RowStatus.ERROR and "存成了数字" in rows[7].reason_text
    assert rows[8].status is RowStatus.WARNING and rows[8].id_number == X_ID and rows[8].phone == ""
    assert "缺少手机号" in rows[8].reason_text
    assert rows[10].status is RowStatus.ERROR and "第6行" in rows[10].reason_text
    assert rows[10].name == "孙 丽" or rows[10].name == "孙丽"
    assert rows[11].status is RowStatus.ERROR and "缺少姓名" in rows[11].reason_text
    assert rows[12].status is RowStatus.OK and rows[12].id_number == OLD15 and rows[12].phone == "13800007777"
    assert rows[13].status is RowStatus.ERROR and "校验位" in rows[13].reason_text


def test_preview_writes_nothing_and_import_takes_only_valid_rows(fdb, catalogue, org, desk, tmp_path):
    path = messy_workbook(tmp_path / "名单.xlsx")
    result = roster_import.preview(path, org, day=TODAY)
    assert m.RosterEntry.select().count() == 0
    done = roster_import.import_roster(desk, result)
    assert done.added == 4
    numbers = sorted(e.id_number for e in m.RosterEntry.select())
    assert numbers == sorted([MAN, WOMAN, X_ID, OLD15])
    entry = m.RosterEntry.get(m.RosterEntry.id_number == WOMAN)
    assert entry.sex == "F" and entry.department == "财务部"
    assert m.AuditLog.select().where(m.AuditLog.action == "roster.import").count() == 1


def test_importing_the_same_file_again_adds_nobody_twice(fdb, catalogue, org, desk, tmp_path):
    path = messy_workbook(tmp_path / "名单.xlsx")
    roster_import.import_roster(desk, roster_import.preview(path, org, day=TODAY))
    again = roster_import.preview(path, org, day=TODAY)
    assert again.to_add == []
    assert sum(1 for r in again.rows if r.already_on_roster) == 4
    assert roster_import.import_roster(desk, again).added == 0
    assert m.RosterEntry.select().count() == 4


def test_a_15_digit_card_already_on_the_roster_as_18_digits_is_the_same_person(fdb, catalogue, org, desk, tmp_path):
    from frontdesk.domain.idnumber import id_number_variants

    eighteen = id_number_variants(OLD15)[1]  # the same person's new 18-character number
    first = messy_workbook(tmp_path / "a.xlsx", rows=[[1, "钱老", "男", eighteen, "13800007777", "", ""]])
    roster_import.import_roster(desk, roster_import.preview(first, org, day=TODAY))
    second = messy_workbook(tmp_path / "b.xlsx", rows=[[1, "钱老", "男", OLD15, "13800007777", "", ""]])
    assert roster_import.preview(second, org, day=TODAY).to_add == []


def test_rejected_rows_go_to_an_error_workbook_with_reasons(fdb, catalogue, org, tmp_path):
    result = roster_import.preview(messy_workbook(tmp_path / "名单.xlsx"), org, day=TODAY)
    out = tmp_path / "errors.xlsx"
    assert roster_import.write_error_workbook(result, out) == 4
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == "原因" and "身份证号码（必填）" in rows[0]
    assert [r[0] for r in rows[1:]] == [7, 10, 11, 13]
    assert "存成了数字" in rows[1][-1]
    assert not (tmp_path / "errors.xlsx.part").exists()


def test_package_column_checked_against_the_catalogue_and_the_persons_age(fdb, catalogue, org, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "手机", "套餐"])
    sheet.append(["张三丰", MAN, "13800001111", "basic"])
    sheet.append(["小王", YOUNG, "13800002222", "SENIOR"])     # 27 on the 50+ package
    sheet.append(["李芳", WOMAN, "13800003333", "COMP_M"])     # a woman on the men's package
    sheet.append(["赵敏", X_ID, "13800004444", "NOPE"])
    book.save(tmp_path / "p.xlsx")
    rows = _by_row(roster_import.preview(tmp_path / "p.xlsx", org, day=TODAY))
    assert rows[2].status is RowStatus.OK and rows[2].package_code == "BASIC"
    assert rows[3].status is RowStatus.ERROR and "27岁" in rows[3].reason_text
    assert rows[4].status is RowStatus.ERROR and "性别" in rows[4].reason_text
    assert rows[5].status is RowStatus.ERROR and "NOPE" in rows[5].reason_text


def test_gbk_csv_is_detected(fdb, catalogue, org, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_bytes(f"姓名,性别,身份证号,联系电话\r\n张三丰,男,{MAN},13800001111\r\n".encode("gbk"))
    result = roster_import.preview(path, org, day=TODAY)
    assert [(r.name, r.status) for r in result.rows] == [("张三丰", RowStatus.OK)]


def test_utf8_csv_with_bom_and_tabs(fdb, catalogue, org, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(f"\ufeffName\tID Number\tMobile\n张三丰\t{MAN}\t13800001111\n", encoding="utf-8")
    assert [r.status for r in roster_import.preview(path, org, day=TODAY).rows] == [RowStatus.OK]


def test_a_file_without_a_recognisable_header_is_refused(fdb, catalogue, org, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(UserError, match="表头"):
        roster_import.preview(path, org, day=TODAY)


@pytest.mark.parametrize("content, suffix, words", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, ".xlsx", "密码"),
    (b"not a zip at all", ".xlsx", "不是有效"),
    (b"\xd0\xcf\x11\xe0", ".xls", ".xls"),
    (b"hello", ".pdf", ".xlsx"),
])
def test_unreadable_files_get_a_clear_message(fdb, catalogue, org, tmp_path, content, suffix, words):
    path = tmp_path / f"roster{suffix}"
    path.write_bytes(content)
    with pytest.raises(RosterFileError, match=words):
        roster_import.preview(path, org, day=TODAY)


def test_unknown_organisation_and_package_code_are_refused(fdb, catalogue, org, tmp_path):
    path = messy_workbook(tmp_path / "名单.xlsx")
    with pytest.raises(NotFoundError, match="不存在"):
        roster_import.preview(path, "没有这个单位", day=TODAY)
    with pytest.raises(NotFoundError, match="XYZ"):
        roster_import.preview(path, org, day=TODAY, package_code="XYZ")


def test_an_organisation_without_a_contract_that_day_is_refused(fdb, catalogue, org, tmp_path):
    with pytest.raises(NotFoundError, match="合同"):
        roster_import.preview(messy_workbook(tmp_path / "名单.xlsx"), org, day=dt.date(2027, 3, 1))


def test_the_column_mapping_is_remembered_per_organisation(fdb, catalogue, org, desk, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["员工", "证件", "手机"])  # headers nobody would guess
    sheet.append(["张三丰", MAN, "13800001111"])
    book.save(tmp_path / "odd.xlsx")
    with pytest.raises(UserError):
        roster_import.preview(tmp_path / "odd.xlsx", org, day=TODAY)
    mapping = {"员工": "name", "证件": "id_number"}
    result = roster_import.preview(tmp_path / "odd.xlsx", org, day=TODAY, mapping=mapping)
    roster_import.import_roster(desk, result)
    # Next time the same organisation's file is understood without being told.
    again = roster_import.preview(tmp_path / "odd.xlsx", org, day=TODAY)
    assert again.rows[0].already_on_roster


def test_package_for_everyone_fills_rows_without_one(fdb, catalogue, org, tmp_path):
    result = roster_import.preview(messy_workbook(tmp_path / "名单.xlsx"), org, day=TODAY, package_code="group")
    assert {r.package_code for r in result.to_add} == {"GROUP"}


# -- the column-mapping editor's service side, and a contract chosen on the screen ---------------------------------

def test_the_sample_shows_the_top_rows_and_where_the_header_was_found(fdb, catalogue, org, tmp_path):
    sample = roster_import.sample(messy_workbook(tmp_path / "名单.xlsx"), org, day=TODAY)
    assert sample.header_row == 3 and sample.columns["id_number"] == 3
    assert sample.rows[0][0].startswith("星河科技") and all(len(r) == sample.width for r in sample.rows)


def test_a_mapping_made_by_hand_reads_the_file_and_switches_unmapped_columns_off(fdb, catalogue, org, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["工号", "员工名", "证件", "电话"])
    book.active.append(["A01", "张三丰", MAN, "66001234"])   # 电话 is the office line here: not imported
    book.save(tmp_path / "odd.xlsx")
    titles = roster_import.sample(tmp_path / "odd.xlsx", org, day=TODAY).rows[0]
    mapping = roster_import.mapping_for(titles, {"name": 1, "id_number": 2})
    result = roster_import.preview(tmp_path / "odd.xlsx", org, day=TODAY, mapping=mapping)
    assert [(r.name, r.id_number, r.phone, r.status) for r in result.rows] == [("张三丰", MAN, "", RowStatus.WARNING)]


@pytest.mark.parametrize("columns, words", [({"name": 1}, "身份证号"), ({"name": 1, "id_number": 4}, "是空的")])
def test_a_mapping_without_an_id_column_or_on_an_empty_title_is_refused(fdb, catalogue, org, columns, words):
    with pytest.raises(UserError) as exc:
        roster_import.mapping_for(("工号", "员工名", "证件", "电话", ""), columns)
    assert words in exc.value.message


def test_a_contract_chosen_on_the_screen_may_start_later_but_not_be_inactive(fdb, catalogue, make_contract, desk,
                                                                          tmp_path):
    later = make_contract(start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31))
    result = roster_import.preview(messy_workbook(tmp_path / "名单.xlsx"), later.organisation.name, day=TODAY,
                                   contract_id=later.id)
    assert result.contract.contract_id == later.id and len(result.to_add) == 4
    stopped = make_contract(active=False)
    with pytest.raises(UserError) as exc:
        roster_import.preview(tmp_path / "名单.xlsx", stopped.organisation.name, contract_id=stopped.id)
    assert "已停用" in exc.value.message
