"""`frontdesk roster import`: counts and reasons printed, --dry-run writes nothing, exit 1 when nobody imports."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from frontdesk import cli
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.services import database
from frontdesk.storage import models as m

MAN = make_resident_id("110105", dt.date(1980, 5, 17), 123)


def _workbook(path, rows):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "性别", "身份证号", "手机"])
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _run(capsys, url, *argv):
    database.close()
    code = cli.main(["--db", url, "roster", "import", *argv])
    out, err = capsys.readouterr()
    database.open_database(url)
    return code, out, err


@pytest.mark.parametrize("fdb", ["sqlite"], indirect=True)
def test_dry_run_prints_counts_and_writes_nothing(fdb, catalogue, make_contract, tmp_path, capsys):
    org = make_contract().organisation.name
    path = _workbook(tmp_path / "r.xlsx", [["张三丰", "男", MAN, "13800001111"], ["李四", "男", 110105198001011230, ""]])
    code, out, _ = _run(capsys, fdb, str(path), "--org", org, "--date", "2026-11-23", "--dry-run",
                        "--errors", str(tmp_path / "err.xlsx"))
    assert code == 0
    assert "正常1" in out and "错误1" in out and "第3行" in out and "未写入" in out
    assert m.RosterEntry.select().count() == 0
    assert openpyxl.load_workbook(tmp_path / "err.xlsx").active.max_row == 2


@pytest.mark.parametrize("fdb", ["sqlite"], indirect=True)
def test_import_then_again_exits_1_because_nobody_is_new(fdb, catalogue, make_contract, tmp_path, capsys):
    org = make_contract().organisation.name
    path = _workbook(tmp_path / "r.xlsx", [["张三丰", "男", MAN, "13800001111"]])
    code, out, _ = _run(capsys, fdb, str(path), "--org", org, "--date", "2026-11-23")
    assert code == 0 and "已导入 1 人" in out
    code, _, err = _run(capsys, fdb, str(path), "--org", org, "--date", "2026-11-23")
    assert code == 1 and "没有可导入" in err
    assert m.RosterEntry.select().count() == 1


@pytest.mark.parametrize("fdb", ["sqlite"], indirect=True)
def test_unknown_organisation_is_one_line_and_exit_1(fdb, catalogue, tmp_path, capsys):
    path = _workbook(tmp_path / "r.xlsx", [["张三丰", "男", MAN, "13800001111"]])
    code, _, err = _run(capsys, fdb, str(path), "--org", "不存在的单位")
    assert code == 1 and "不存在" in err and "Traceback" not in err
