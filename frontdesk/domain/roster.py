"""Reading an employer's roster (团检名单) out of a spreadsheet's cells.

HR departments send what their own systems export: a title row or merged
cells above the header, ID numbers that Excel stored as numbers (which keeps
only 15 significant digits, so the last three digits of an 18-digit number
are gone), lowercase x, full-width digits and spaces, blank rows, the same
person twice, a sex that disagrees with the ID number, no phone.  This module
turns the grid of cell values (as a reader hands them over) into one verdict
per row, in words, before anything is written.  No I/O here: the service reads
the file and writes the database.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from frontdesk.domain.idnumber import age_on, id_number_variants, parse_resident_id
from frontdesk.domain.text import normalize_digits, normalize_input, validate_mobile, validate_person_name
from frontdesk.errors import UserError, ValidationError
from frontdesk.i18n import tr


class Field(StrEnum):
    NAME = "name"
    SEX = "sex"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    DEPARTMENT = "department"
    GRADE = "grade"
    PACKAGE = "package"

    def label(self) -> str:
        return {
            Field.NAME: tr("姓名", "Name"), Field.SEX: tr("性别", "Sex"),
            Field.ID_NUMBER: tr("身份证号", "ID number"), Field.PHONE: tr("手机", "Phone"),
            Field.DEPARTMENT: tr("部门", "Department"), Field.GRADE: tr("职级", "Grade"),
            Field.PACKAGE: tr("套餐", "Package"),
        }[self]


# Header spellings seen in HR exports, compared after header_key().
HEADER_ALIASES: dict[Field, tuple[str, ...]] = {
    Field.NAME: ("姓名", "名字", "员工姓名", "职工姓名", "人员姓名", "name", "fullname"),
    Field.SEX: ("性别", "sex", "gender"),
    Field.ID_NUMBER: ("身份证号", "身份证号码", "身份证", "证件号", "证件号码", "公民身份号码", "idnumber", "idno",
                      "id", "idcard"),
    Field.PHONE: ("手机", "手机号", "手机号码", "联系电话", "电话", "电话号码", "联系方式", "移动电话", "mobile",
                  "phone", "tel"),
    Field.DEPARTMENT: ("部门", "科室", "所在部门", "单位部门", "department", "dept"),
    Field.GRADE: ("职级", "级别", "职务级别", "职称", "grade", "level"),
    Field.PACKAGE: ("套餐", "体检套餐", "套餐代码", "套餐编码", "package", "packagecode"),
}
_ALIAS_TO_FIELD = {alias: f for f, aliases in HEADER_ALIASES.items() for alias in aliases}
_REQUIRED = (Field.NAME, Field.ID_NUMBER)
# The header is expected near the top; a title block rarely runs past a few rows.
HEADER_SCAN_ROWS = 20
_ALTERNATIVES = re.compile(r"[/|、,，]")
_MARKS = re.compile(r"[*＊:：\s]|[(（][^)）]*[)）]")


def header_key(value: object) -> str:
    """A column title as compared and remembered per organisation: 身份证号码（必填）* -> 身份证号码; "ID Number" -> idnumber."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().lower()
    return _MARKS.sub("", text).replace("_", "").replace("-", "").replace(".", "")


def field_for_header(value: object, saved: Mapping[str, str] | None = None) -> Field | None:
    """The roster field a header cell names: a mapping saved for this organisation first, then the aliases."""
    key = header_key(value)
    if not key:
        return None
    if saved and key in saved:
        name = saved[key]
        return Field(name) if name else None
    if key in _ALIAS_TO_FIELD:
        return _ALIAS_TO_FIELD[key]
    # "手机/联系电话", "姓名|Name": any part that names a field.
    parts = [_ALIAS_TO_FIELD.get(part) for part in _ALTERNATIVES.split(key) if part]
    return next((p for p in parts if p is not None), None)


@dataclass(frozen=True)
class Header:
    row_index: int                 # 0-based index of the header row in the grid
    columns: dict[Field, int]      # field -> 0-based column
    titles: tuple[str, ...]        # the header row's cells as text, for the error workbook


class NoHeaderError(UserError):
    """No row near the top names at least a name and an ID-number column."""


def find_header(grid: Sequence[Sequence[object]], saved: Mapping[str, str] | None = None) -> Header:
    """The first row (within the first rows) whose cells name a name and an ID-number column."""
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        columns: dict[Field, int] = {}
        for col, cell in enumerate(row):
            found = field_for_header(cell, saved)
            if found is not None and found not in columns:
                columns[found] = col
        if all(f in columns for f in _REQUIRED):
            titles = tuple("" if c is None else str(c).strip() for c in row)
            return Header(index, columns, titles)
    raise NoHeaderError(tr("在表格前{n}行中找不到表头：至少需要“姓名”和“身份证号”两列。",
                           "No header found in the first {n} rows: the sheet needs at least a 姓名 (name) and a "
                           "身份证号 (ID number) column.", n=HEADER_SCAN_ROWS))


class RowStatus(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"

    def label(self) -> str:
        return {RowStatus.OK: tr("正常", "OK"), RowStatus.WARNING: tr("警告", "Warning"),
                RowStatus.ERROR: tr("错误", "Error")}[self]


@dataclass(frozen=True)
class PackageRule:
    """What the roster check needs to know of a package named in the sheet."""

    code: str
    name: str
    sex_restriction: str | None
    min_age: int | None
    max_age: int | None


@dataclass(frozen=True)
class RosterRow:
    sheet_row: int                 # 1-based row number as HR sees it in Excel
    cells: tuple[object, ...]      # the row as read, for the error workbook
    status: RowStatus
    reasons: tuple[str, ...]
    name: str = ""
    sex: str = ""                  # "M"/"F", from the ID number
    birth_date: dt.date | None = None
    id_number: str = ""
    phone: str = ""
    department: str = ""
    grade: str = ""
    package_code: str = ""
    already_on_roster: bool = False  # the contract has this person: reported, not added again

    @property
    def importable(self) -> bool:
        return self.status is not RowStatus.ERROR

    @property
    def reason_text(self) -> str:
        return "；".join(self.reasons) if self.reasons else ""


@dataclass
class _Check:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_SEX_WORDS = {"男": "M", "m": "M", "male": "M", "男性": "M", "1": "M",
              "女": "F", "f": "F", "female": "F", "女性": "F", "2": "F"}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_input(str(value))


def _blank(row: Sequence[object]) -> bool:
    return all(_text(c) == "" for c in row)


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)


def _id_number(value: object, check: _Check, today: dt.date):
    """The ID number as text and its parsed form, or None with the reason noted."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        digits = str(int(value)) if float(value).is_integer() else str(value)
        if len(digits) == 15 and isinstance(value, int):
            text = digits  # an old 15-digit card fits Excel's 15 significant digits exactly
        else:
            check.errors.append(tr(
                "身份证号在Excel中存成了数字，后几位已丢失（{digits}）：请把该列设为文本后重新填写",
                "The ID number was stored as a number in Excel and its last digits are lost ({digits}): "
                "format the column as text and enter it again", digits=digits))
            return "", None
    else:
        text = normalize_digits(_text(value)).upper()
    if not text:
        check.errors.append(tr("缺少身份证号", "No ID number"))
        return "", None
    if _SCIENTIFIC.match(text):
        check.errors.append(tr(
            "身份证号是科学计数法（{text}），位数已丢失：请把该列设为文本后重新填写",
            "The ID number is in scientific notation ({text}) and its digits are lost: format the column as "
            "text and enter it again", text=text))
        return "", None
    try:
        return text, parse_resident_id(text, today)
    except ValidationError as exc:
        check.errors.append(exc.message)
        return text, None


def _sex(value: object, id_sex: str | None, check: _Check) -> str:
    typed = _SEX_WORDS.get(_text(value).lower())
    if _text(value) and typed is None:
        check.warnings.append(tr("性别“{v}”无法识别，按身份证号记录", "Sex “{v}” not understood: taken from the "
                                 "ID number", v=_text(value)))
    if id_sex is None:
        if typed is None:
            check.errors.append(tr("缺少性别", "No sex"))
            return ""
        return typed
    if typed is not None and typed != id_sex:
        check.warnings.append(tr("性别与身份证号不符，按身份证号记为{sex}", "Sex disagrees with the ID number: "
                                 "recorded as {sex} from the ID number",
                                 sex=tr("男", "male") if id_sex == "M" else tr("女", "female")))
    return id_sex


def _phone(value: object, check: _Check) -> str:
    text = _text(value)
    if not text:
        check.warnings.append(tr("缺少手机号（无法发送检前提醒；补上手机号才能为其预约）",
                                 "No phone (no pre-exam reminder; add a phone number before booking this person)"))
        return ""
    try:
        return validate_mobile(text)
    except ValidationError as exc:
        check.warnings.append(tr("手机号无效，未导入：{why}", "Phone not imported: {why}", why=exc.message))
        return ""


def _package(value: object, packages: Mapping[str, PackageRule] | None, sex: str, birth: dt.date | None,
             day: dt.date, check: _Check) -> str:
    text = _text(value)
    if not text:
        return ""
    if packages is None:
        return text
    rule = packages.get(text.upper()) or next((p for p in packages.values() if p.name == text), None)
    if rule is None:
        check.errors.append(tr("套餐“{p}”不存在", "Package “{p}” does not exist", p=text))
        return ""
    if rule.sex_restriction and sex and rule.sex_restriction != sex:
        check.errors.append(tr("套餐“{p}”不适用于此性别", "Package “{p}” is not for this sex", p=rule.name))
    if birth is not None:
        age = age_on(birth, day)
        if (rule.min_age is not None and age < rule.min_age) or (rule.max_age is not None and age > rule.max_age):
            check.errors.append(tr("{age}岁不符合套餐“{p}”的年龄要求", "Age {age} does not fit package “{p}”",
                                   age=age, p=rule.name))
    return rule.code


def _cell(row: Sequence[object], header: Header, f: Field) -> object:
    col = header.columns.get(f)
    return row[col] if col is not None and col < len(row) else None


def check_rows(grid: Sequence[Sequence[object]], header: Header, *, today: dt.date,
               packages: Mapping[str, PackageRule] | None = None,
               on_roster: Iterable[str] = ()) -> list[RosterRow]:
    """One verdict per non-blank row under the header.

    ``packages`` maps upper-case package codes to their rules (None: not
    checked); ``on_roster`` holds ID numbers already on the contract's roster,
    which are reported and not added again, so importing the same file twice
    adds nobody twice.
    """
    already = set()
    for number in on_roster:
        already.update(id_number_variants(number))
    seen: dict[str, int] = {}
    rows: list[RosterRow] = []
    for index in range(header.row_index + 1, len(grid)):
        raw = tuple(grid[index])
        if _blank(raw):
            continue
        check = _Check()
        name = _text(_cell(raw, header, Field.NAME))
        if not name:
            check.errors.append(tr("缺少姓名", "No name"))
        else:
            try:
                name = validate_person_name(name)
            except ValidationError as exc:
                check.errors.append(exc.message)
        number, parsed = _id_number(_cell(raw, header, Field.ID_NUMBER), check, today)
        sex = _sex(_cell(raw, header, Field.SEX), parsed.sex.value if parsed else None, check)
        birth = parsed.birth_date if parsed else None
        phone = _phone(_cell(raw, header, Field.PHONE), check)
        package = _package(_cell(raw, header, Field.PACKAGE), packages, sex, birth, today, check)
        repeat = False
        if parsed is not None:
            variants = id_number_variants(parsed.number)
            first = next((seen[v] for v in variants if v in seen), None)
            if first is not None:
                check.errors.append(tr("与第{row}行是同一人（身份证号相同）", "Same person as row {row} (same ID "
                                       "number)", row=first))
            else:
                for v in variants:
                    seen[v] = index + 1
                if any(v in already for v in variants):
                    repeat = True
                    check.warnings.append(tr("已在名单中，不重复添加", "Already on the roster: not added again"))
        status = RowStatus.ERROR if check.errors else RowStatus.WARNING if check.warnings else RowStatus.OK
        rows.append(RosterRow(
            sheet_row=index + 1, cells=raw, status=status, reasons=tuple(check.errors + check.warnings),
            name=name, sex=sex, birth_date=birth, id_number=parsed.number if parsed else number, phone=phone,
            department=_text(_cell(raw, header, Field.DEPARTMENT)), grade=_text(_cell(raw, header, Field.GRADE)),
            package_code=package, already_on_roster=repeat))
    return rows

