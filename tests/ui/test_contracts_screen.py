"""The group contracts page and the roster import dialog, driven with the keyboard: a messy workbook built with
openpyxl previewed row by row (errors with their reasons, the filter), imported, the error workbook saved for HR,
a header the desk maps by hand (remembered for the organisation), the people booked within capacity, and the
contract editor (a supervisor's grade rule; reception reads only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from PySide6.QtCore import Qt

from frontdesk import clock, config
from frontdesk.domain.enums import Role
from frontdesk.domain.idnumber import make_resident_id
from frontdesk.domain.roster import RowStatus
from frontdesk.services import capacity, catalogue, contracts, roster_import
from frontdesk.services.session import Session
from frontdesk.storage import models as m
from frontdesk.ui import roster_import_dialog
from frontdesk.ui.contracts_screen import ContractsScreen
from frontdesk.ui.roster_import_dialog import RosterImportDialog

from .conftest import settle

CTRL = Qt.KeyboardModifier.ControlModifier
ORG = "星河科技有限公司"


@pytest.fixture
def supervisor(fdb):
    catalogue.load_seed_catalogue(Session("admin", "管理员", Role.ADMIN, "前台1"))
    return Session("zhuguan", "王主管", Role.SUPERVISOR, "前台1")


@pytest.fixture
def desk(supervisor):
    return Session("qiantai", "李前台", Role.RECEPTION, "前台1")


def package_id(code: str) -> int:
    return m.Package.get(m.Package.code == code).id


@pytest.fixture
def contract_id(supervisor):
    org = contracts.create_organisation(supervisor, ORG, "周经理", "13911112222")
    today = clock.today()
    return contracts.create_contract(supervisor, org, contracts.ContractTermsInput(
        "年度员工体检", today - dt.timedelta(days=10), today + dt.timedelta(days=120), package_id=package_id("GROUP"),
        addon_allowance=Decimal("200.00")))


def person(n: int, sex: str = "M") -> str:
    birth = dt.date(1975 + n % 20, 1 + n % 12, 1 + n % 27)
    return make_resident_id("110105", birth, (n * 2 + (1 if sex == "M" else 0)) % 1000)


def messy_workbook(path, header=("序号", "姓名", "性别", "身份证号码（必填）", "手机/联系电话", "部门", "职级")):
    """A title block with merged cells, then six good people and the quirks HR's files have."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["星河科技有限公司体检名单"])
    sheet.merge_cells("A1:G1")
    sheet.append([])
    sheet.append(list(header))
    rows = [[n, f"员工{'甲乙丙丁戊己'[n]}", "男", person(n), f"1380000{n:04d}", "研发部", "经理" if n == 0 else "员工"]
            for n in range(6)]
    rows.append([6, "王强", "男", int(person(6)[:15] + "000"), "13800006666", "市场部", "员工"])   # number: digits lost
    rows.append([7, "", "女", person(7, "F"), "13800007777", "", ""])                             # no name
    rows.append([8, "员工甲", "男", person(0), "13800000000", "研发部", "经理"])                    # row 4 again
    rows.append([9, "李芳", "男", person(9, "F"), "", "财务部", "员工"])                           # sex, no phone
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def open_import(qtbot, session, contract_id):
    dialog = RosterImportDialog(session, roster_import.contract_ref(contract_id))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    return dialog


def test_the_preview_shows_every_row_then_imports_the_valid_ones_and_saves_the_errors_for_hr(
        app, qtbot, desk, contract_id, tmp_path, monkeypatch):
    path = messy_workbook(tmp_path / "名单.xlsx")
    dialog = open_import(qtbot, desk, contract_id)
    monkeypatch.setattr(roster_import_dialog, "ask_open_path", lambda parent: str(path))
    qtbot.keyClick(dialog.table, Qt.Key.Key_O, CTRL)
    settle(qtbot)
    assert dialog.preview_model.rowCount() == 10 and not m.RosterEntry.select().exists(), (dialog.message.text(), dialog.file_label.text())
    assert "错误3" in dialog.summary.text() and "将新增7人" in dialog.summary.text()
    dialog.filter.setCurrentIndex(dialog.filter.findData(RowStatus.ERROR.value))
    reasons = [dialog.preview_model.text(r, 9) for r in range(dialog.preview_model.rowCount())]
    assert [dialog.preview_model.text(r, 1) for r in range(dialog.preview_model.rowCount())] == ["错误"] * 3
    assert any("存成了数字" in t for t in reasons) and any("缺少姓名" in t for t in reasons)
    assert any("与第4行是同一人" in t for t in reasons)
    assert dialog.preview_model.data(dialog.preview_model.index(0, 1), Qt.ItemDataRole.BackgroundRole).color().name() \
        == "#f7c6c6"

    qtbot.keyClick(dialog.table, Qt.Key.Key_I, CTRL)
    settle(qtbot)
    assert m.RosterEntry.select().where(m.RosterEntry.contract == contract_id).count() == 7
    assert "已导入7人" in dialog.message.text()
    assert not dialog.import_button.isEnabled()

    out = tmp_path / "错误清单.xlsx"
    monkeypatch.setattr(roster_import_dialog, "ask_save_path", lambda parent, suggested: str(out))
    qtbot.keyClick(dialog.table, Qt.Key.Key_S, CTRL)
    settle(qtbot)
    rows = list(openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [10, 11, 12]
    assert "存成了数字" in rows[0][-1] and rows[0][4] == str(int(person(6)[:15] + "000"))
    assert str(out) in dialog.message.text()


def test_the_same_file_again_adds_nobody(app, qtbot, desk, contract_id, tmp_path):
    path = messy_workbook(tmp_path / "名单.xlsx")
    first = open_import(qtbot, desk, contract_id)
    first.load_file(path)
    settle(qtbot)
    first.import_rows()
    settle(qtbot)
    again = open_import(qtbot, desk, contract_id)
    again.load_file(path)
    settle(qtbot)
    assert "将新增0人" in again.summary.text() and not again.import_button.isEnabled()
    assert sum("已在名单" in again.preview_model.text(r, 1) for r in range(again.preview_model.rowCount())) == 7


def test_an_unrecognised_header_is_mapped_by_hand_and_remembered_for_the_organisation(
        app, qtbot, desk, contract_id, tmp_path):
    header = ("No.", "员工名", "男/女", "证件", "电话", "所属", "岗位等级")
    path = messy_workbook(tmp_path / "名单.xlsx", header)
    dialog = open_import(qtbot, desk, contract_id)
    dialog.load_file(path)
    settle(qtbot)
    editor = dialog.mapping_editor
    assert editor.isVisible() and "表头" in dialog.message.text()
    assert dialog.preview_model.rowCount() == 0 and not dialog.import_button.isEnabled()
    editor.header_row.setValue(3)
    for col, field in ((1, "name"), (2, "sex"), (3, "id_number"), (4, "phone"), (5, "department"), (6, "grade")):
        editor.set_column(col, field)
    qtbot.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert not editor.isVisible() and dialog.preview_model.rowCount() == 10
    dialog.import_rows()
    settle(qtbot)
    assert m.RosterEntry.get(m.RosterEntry.name == "员工甲").grade == "经理"
    # The next file from this organisation is read with the mapping it was given.
    later = open_import(qtbot, desk, contract_id)
    later.load_file(messy_workbook(tmp_path / "名单2.xlsx", header))
    settle(qtbot)
    assert not later.mapping_editor.isVisible() and later.preview_model.rowCount() == 10


def test_a_mapping_without_an_id_column_is_refused_in_words(app, qtbot, desk, contract_id, tmp_path):
    dialog = open_import(qtbot, desk, contract_id)
    dialog.load_file(messy_workbook(tmp_path / "名单.xlsx", ("No.", "员工名", "男/女", "证件", "电话", "所属", "等级")))
    settle(qtbot)
    dialog.mapping_editor.header_row.setValue(3)
    dialog.mapping_editor.set_column(1, "name")
    dialog.mapping_editor.apply()
    assert "身份证号" in dialog.mapping_editor.message.text() and dialog.mapping_editor.isVisible()


def test_the_imported_people_are_booked_within_capacity(app, qtbot, supervisor, desk, contract_id, tmp_path):
    capacity.set_weekday_limits(supervisor, None, [3] * 7)
    dialog = open_import(qtbot, desk, contract_id)
    dialog.load_file(messy_workbook(tmp_path / "名单.xlsx"))
    settle(qtbot)
    dialog.import_rows()
    settle(qtbot)
    assert dialog.book_button.isEnabled()
    tomorrow = clock.today() + dt.timedelta(days=1)
    dialog.book_first.setDate(tomorrow)
    dialog.book_last.setDate(tomorrow + dt.timedelta(days=1))
    qtbot.keyClick(dialog.table, Qt.Key.Key_B, CTRL)
    settle(qtbot)
    by_day = {d: m.Booking.select().where(m.Booking.exam_date == d).count()
              for d in (tomorrow, tomorrow + dt.timedelta(days=1))}
    assert by_day == {tomorrow: 3, tomorrow + dt.timedelta(days=1): 3}   # 7 imported, room for 6, one has no phone
    assert dialog.booking_result.booked == 6 and "已预约6人" in dialog.message.text()
    assert "李芳" in dialog.message.text()


def test_an_unreadable_file_is_said_in_words(app, qtbot, desk, contract_id, tmp_path):
    bad = tmp_path / "名单.xlsx"
    bad.write_bytes(b"not a workbook")
    dialog = open_import(qtbot, desk, contract_id)
    dialog.load_file(bad)
    settle(qtbot)
    assert "无法读取名单文件" in dialog.message.text() and dialog.choose_button.isEnabled()


# -- the contracts page ----------------------------------------------------------------------------------------------

@pytest.fixture
def screen_for(app, qtbot):
    def make(session):
        page = ContractsScreen(session, config.load())
        qtbot.addWidget(page)
        page.resize(1160, 680)
        page.show()
        page.activateWindow()
        settle(qtbot)
        return page

    return make


def test_a_supervisor_adds_a_grade_rule_with_the_keyboard_and_it_decides_the_package(
        qtbot, supervisor, desk, contract_id, screen_for):
    contracts.add_roster_entry(desk, contract_id, contracts.RosterPerson("周经理", person(1), grade="经理"),
                               today=clock.today())
    page = screen_for(supervisor)
    assert page.contract_table.rowCount() == 1 and page.roster_model.text(0, 7).startswith("GROUP")
    qtbot.keyClick(page.contract_table, Qt.Key.Key_E, CTRL)
    settle(qtbot)
    dialog = page.last_dialog
    qtbot.keyClick(dialog, Qt.Key.Key_R, CTRL)                      # a new rule line, focus on its sex
    row = dialog.rules.rowCount() - 1
    dialog.rules.cellWidget(row, 3).setText("经理")
    package = dialog.rules.cellWidget(row, 4)
    package.setCurrentIndex(package.findData(package_id("BASIC")))
    dialog.allowance.setText("500")
    qtbot.keyClick(dialog, Qt.Key.Key_Return, CTRL)
    settle(qtbot)
    assert not dialog.isVisible()
    view = contracts.contract(contract_id)
    assert [r.grade for r in view.rules] == ["经理"] and view.addon_allowance == Decimal("500.00")
    assert page.roster_model.text(0, 7).startswith("BASIC")  # the page shows the rule's package


def test_an_impossible_rule_keeps_the_dialog_open_with_the_reason(qtbot, supervisor, contract_id, screen_for):
    page = screen_for(supervisor)
    page.edit_contract()
    settle(qtbot)
    dialog = page.last_dialog
    row = dialog.add_rule()
    dialog.rules.cellWidget(row, 1).setValue(60)
    dialog.rules.cellWidget(row, 2).setValue(40)
    package = dialog.rules.cellWidget(row, 4)
    package.setCurrentIndex(package.findData(package_id("BASIC")))
    dialog.save()
    settle(qtbot)
    assert dialog.isVisible() and "最小年龄大于最大年龄" in dialog.message.text()
    assert contracts.contract(contract_id).rules == ()


def test_a_new_contract_from_the_keyboard(qtbot, supervisor, contract_id, screen_for):
    page = screen_for(supervisor)
    qtbot.keyClick(page.org_table, Qt.Key.Key_N, CTRL)
    settle(qtbot)
    dialog = page.last_dialog
    dialog.name.setText("2027年度体检")
    dialog.package.setCurrentIndex(dialog.package.findData(package_id("BASIC")))
    qtbot.keyClick(dialog, Qt.Key.Key_Return, CTRL)
    settle(qtbot)
    assert page.contract_table.rowCount() == 2
    assert "2027年度体检" in [page.contract_table.item(r, 0).text() for r in range(2)]


def test_reception_reads_a_contract_but_cannot_change_it(qtbot, desk, contract_id, screen_for):
    page = screen_for(desk)
    assert not page.new_contract_button.isVisible() and not page.active_button.isVisible()
    qtbot.keyClick(page.contract_table, Qt.Key.Key_N, CTRL)
    settle(qtbot)
    assert page.last_dialog is None
    qtbot.keyClick(page.contract_table, Qt.Key.Key_E, CTRL)
    settle(qtbot)
    dialog = page.last_dialog
    assert dialog.read_only and not dialog.save_button.isVisible() and dialog.name.isReadOnly()
    dialog.save()
    assert contracts.contract(contract_id).version == 1
    assert page.import_button.isEnabled()                              # the desk imports rosters


def test_a_supervisor_deactivates_a_contract_and_its_roster_cannot_be_imported(qtbot, supervisor, contract_id,
                                                                            screen_for):
    page = screen_for(supervisor)
    qtbot.keyClick(page.contract_table, Qt.Key.Key_D, CTRL)
    settle(qtbot)
    assert not contracts.contract(contract_id).active
    assert page.contract_table.item(0, 2).text() == "已停用" and not page.import_button.isEnabled()


def test_the_roster_search_counts_and_filters(qtbot, desk, contract_id, screen_for):
    for n, dept in enumerate(("研发部", "研发部", "财务部")):
        contracts.add_roster_entry(desk, contract_id, contracts.RosterPerson(f"员工{'甲乙丙'[n]}", person(n),
                                                                             department=dept), today=clock.today())
    page = screen_for(desk)
    assert page.roster_count.text() == "共3人"
    qtbot.keyClick(page.contract_table, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(page.roster_search, person(2)[-6:])                 # the end of an ID number
    settle(qtbot)
    assert page.roster_model.rowCount() == 1 and page.roster_count.text() == "找到1人（共3人）"
    assert page.roster_model.text(0, 5) == "财务部"
    page.roster_search.setText("研发")
    settle(qtbot)
    assert page.roster_model.rowCount() == 2
    assert "*" in page.roster_model.text(0, 3)                   # ID numbers masked


def test_the_main_window_opens_the_contracts_page_with_ctrl_0(qtbot, app, desk, contract_id):
    from PySide6.QtGui import QKeySequence, QShortcut

    from frontdesk.ui.main_window import MainWindow

    window = MainWindow(desk, config.load(), "SQLite test")
    qtbot.addWidget(window)
    shortcut = next(s for s in window.findChildren(QShortcut) if s.key() == QKeySequence("Ctrl+0"))
    shortcut.activated.emit()
    settle(qtbot)
    assert window.current_task() == "contracts"
    assert isinstance(window.pages["contracts"], ContractsScreen)


@pytest.mark.parametrize("fdb", ["sqlite"], indirect=True)
def test_a_roster_of_thousands_previews_and_lists_without_a_widget_per_cell(app, qtbot, desk, contract_id, tmp_path):
    """A cell-by-cell QTableWidget fill of this size made PySide6 6.12 on Python 3.11 abort (None's references)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "手机", "部门", "职级"])
    for n in range(2500):
        name = "员工" + "".join("零一二三四五六七八九"[int(d)] for d in str(n))
        sheet.append([name, make_resident_id("110105", dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28), n % 1000),
                      f"139{n:08d}", "研发部", "员工"])
    book.save(tmp_path / "big.xlsx")
    dialog = open_import(qtbot, desk, contract_id)
    dialog.load_file(tmp_path / "big.xlsx")
    settle(qtbot, 60000)
    assert dialog.preview_model.rowCount() == 2500
    dialog.import_rows()
    settle(qtbot, 60000)
    page = ContractsScreen(desk, config.load())
    qtbot.addWidget(page)
    page.show()
    settle(qtbot)
    settle(qtbot)
    assert page.roster_model.rowCount() == 500 and "显示前500人" in page.roster_count.text()
