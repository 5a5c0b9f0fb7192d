"""Importing an employer's roster (团检名单) from the spreadsheet HR sends.

Three steps, each usable from the screen and the command line:
``preview`` reads the file and gives every row a verdict in words (nothing is
written); ``import_roster`` adds the importable rows to the contract's roster
in one transaction (people already on it are not added twice) and remembers
the column mapping for the organisation; ``write_error_workbook`` gives HR
the rejected rows with their reasons.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from frontdesk import clock
from frontdesk.domain import roster
from frontdesk.domain.roster import Field, Header, PackageRule, RosterRow, RowStatus
from frontdesk.errors import NotFoundError, UserError
from frontdesk.i18n import tr
from frontdesk.services import audit
from frontdesk.services.session import Session
from frontdesk.storage import db, queries
from frontdesk.storage import models as m

# An OLE compound file: an old .xls, or an .xlsx that Excel encrypted with a password.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAPPING_KEY = "roster_mapping:{org_id}"


class RosterFileError(UserError):
    """The roster file cannot be read (format, password, encoding)."""


def _unreadable(path: Path, why: str) -> RosterFileError:
    return RosterFileError(tr("无法读取名单文件 {name}：{why}", "Cannot read the roster file {name}: {why}",
                              name=path.name, why=why))


def _decode_csv(data: bytes, path: Path) -> str:
    # Excel on a Chinese Windows saves CSV in GBK; everything else sends UTF-8 (often with a BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unreadable(path, tr("既不是UTF-8也不是GBK编码", "it is neither UTF-8 nor GBK text"))


def _read_csv(path: Path) -> list[list[object]]:
    text = _decode_csv(path.read_bytes(), path)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(path: Path, saved: Mapping[str, str] | None) -> list[list[object]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic == _OLE_MAGIC:
        raise _unreadable(path, tr("工作簿有密码保护或是旧版.xls格式：请在Excel中取消密码并另存为.xlsx",
                                   "the workbook is password-protected or an old .xls file: remove the password "
                                   "in Excel and save it as .xlsx"))
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise _unreadable(path, tr("不是有效的.xlsx工作簿（{e}）", "not a valid .xlsx workbook ({e})", e=exc)) from exc
    try:
        first = None
        for sheet in book.worksheets:
            grid = [list(r) for r in sheet.iter_rows(values_only=True)]
            first = grid if first is None else first
            try:
                roster.find_header(grid, saved)
                return grid
            except roster.NoHeaderError:
                continue
        return first or []
    finally:
        book.close()


def read_grid(path: str | os.PathLike, saved: Mapping[str, str] | None = None) -> list[list[object]]:
    """The cells of the roster sheet (for a workbook: the first sheet with a header)."""
    path = Path(path)
    if not path.is_file():
        raise _unreadable(path, tr("文件不存在", "the file does not exist"))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, saved)
    if suffix == ".xls":
        raise _unreadable(path, tr("旧版.xls格式：请在Excel中另存为.xlsx", "an old .xls file: save it as .xlsx in Excel"))
    raise _unreadable(path, tr("只能导入.xlsx或.csv文件", "only .xlsx and .csv files can be imported"))


@dataclass(frozen=True)
class ContractRef:
    organisation_id: int
    organisation_name: str
    contract_id: int
    contract_name: str
    start_date: dt.date
    end_date: dt.date


def find_contract(organisation: str, day: dt.date) -> ContractRef:
    """The organisation's active contract covering ``day`` (the latest-starting one if several do)."""
    org = m.Organisation.get_or_none(m.Organisation.name == organisation.strip())
    if org is None:
        raise NotFoundError(tr("单位“{o}”不存在", "There is no organisation “{o}”", o=organisation))
    contract = (m.Contract.select().where(m.Contract.organisation == org, m.Contract.active == True,  # noqa: E712
                                          m.Contract.start_date <= day, m.Contract.end_date >= day)
                .order_by(m.Contract.start_date.desc()).first())
    if contract is None:
        raise NotFoundError(tr("单位“{o}”在{d}没有有效的体检合同", "“{o}” has no active contract on {d}",
                               o=org.name, d=day.isoformat()))
    return ContractRef(org.id, org.name, contract.id, contract.name, contract.start_date, contract.end_date)


def contract_ref(contract_id: int) -> ContractRef:
    """A contract chosen on the screen (it may start later: HR sends the roster ahead)."""
    contract = m.Contract.get_or_none(m.Contract.id == contract_id)
    if contract is None:
        raise NotFoundError(tr("团检合同不存在", "The group contract does not exist"))
    if not contract.active:
        raise UserError(tr("合同“{c}”已停用，不能导入名单", "The contract “{c}” is inactive: no roster can be imported",
                           c=contract.name))
    org = contract.organisation
    return ContractRef(org.id, org.name, contract.id, contract.name, contract.start_date, contract.end_date)


def saved_mapping(organisation_id: int) -> dict[str, str]:
    """Header text (as compared) -> field name, as last imported for this organisation."""
    row = m.Setting.get_or_none(m.Setting.key == _MAPPING_KEY.format(org_id=organisation_id))
    return json.loads(row.value) if row is not None else {}


def _package_rules() -> dict[str, PackageRule]:
    return {p.code.upper(): PackageRule(p.code, p.name, p.sex_restriction, p.min_age, p.max_age)
            for p in m.Package.select().where(m.Package.active == True)}  # noqa: E712


def _roster_numbers(contract_id: int) -> list[str]:
    return [n for (n,) in m.RosterEntry.select(m.RosterEntry.id_number)
            .where(m.RosterEntry.contract == contract_id, m.RosterEntry.id_number.is_null(False)).tuples()]


@dataclass(frozen=True)
class RosterPreview:
    file_name: str
    contract: ContractRef
    header: Header
    rows: tuple[RosterRow, ...]
    package_code: str  # the package given for everyone (command line --package), "" if none

    def count(self, status: RowStatus) -> int:
        return sum(1 for r in self.rows if r.status is status)

    @property
    def to_add(self) -> list[RosterRow]:
        return [r for r in self.rows if r.importable and not r.already_on_roster]

    @property
    def errors(self) -> list[RosterRow]:
        return [r for r in self.rows if r.status is RowStatus.ERROR]

    def mapping(self) -> dict[str, str]:
        """The header mapping this file used, to remember for the organisation."""
        return {roster.header_key(self.header.titles[col]): f.value for f, col in self.header.columns.items()
                if col < len(self.header.titles)}


def preview(path: str | os.PathLike, organisation: str, *, day: dt.date | None = None,
            mapping: Mapping[str, str] | None = None, package_code: str = "",
            contract_id: int | None = None) -> RosterPreview:
    """Read and check every row of the file; writes nothing.

    ``mapping`` (header text -> field) overrides the organisation's saved
    mapping; ``package_code`` gives everyone that package (unknown codes are
    refused before the file is read).  ``contract_id`` names the contract
    (the screen's choice); without it, the organisation's contract on ``day``.
    """
    day = day or clock.today()
    ref = contract_ref(contract_id) if contract_id is not None else find_contract(organisation, day)
    rules = _package_rules()
    if package_code and package_code.upper() not in rules:
        raise NotFoundError(tr("套餐代码“{p}”不存在", "There is no package with code “{p}”", p=package_code))
    saved = dict(saved_mapping(ref.organisation_id))
    saved.update(mapping or {})
    grid = read_grid(path, saved)
    header = roster.find_header(grid, saved)
    rows = roster.check_rows(grid, header, today=day, packages=rules, on_roster=_roster_numbers(ref.contract_id))
    if package_code:
        code = rules[package_code.upper()].code
        rows = [r if r.package_code or not r.importable else _with_package(r, code) for r in rows]
    return RosterPreview(Path(path).name, ref, header, tuple(rows), package_code.upper())


def _with_package(row: RosterRow, code: str) -> RosterRow:
    from dataclasses import replace

    return replace(row, package_code=code)


@dataclass(frozen=True)
class ImportResult:
    contract_id: int
    added: int
    already_on_roster: int
    rejected: int
    entry_ids: tuple[int, ...]


_ENTRY_COLUMNS = ("contract", "name", "sex", "birth_date", "id_number", "phone", "grade", "department", "package",
                  "guest")


def import_roster(session: Session, result: RosterPreview) -> ImportResult:
    """Add the previewed rows that are importable and not on the roster yet, all in one transaction."""
    contract_id = result.contract.contract_id
    with db.transaction():
        # Another desk may have imported the same people since the preview.
        on_roster = set(_roster_numbers(contract_id))
        rows = [r for r in result.to_add if r.id_number not in on_roster]
        packages = {p.code.upper(): p.id for p in m.Package.select(m.Package.id, m.Package.code)}
        numbers = [r.id_number for r in rows]
        guests = {}
        for chunk in range(0, len(numbers), 900):
            part = numbers[chunk:chunk + 900]
            guests.update({n: g for g, n in m.Guest.select(m.Guest.id, m.Guest.id_number)
                           .where(m.Guest.id_number.in_(part), m.Guest.merged_into.is_null()).tuples()})
        last = m.RosterEntry.select(m.RosterEntry.id).order_by(m.RosterEntry.id.desc()).scalar() or 0
        queries.insert_rows(m.RosterEntry, _ENTRY_COLUMNS, [
            (contract_id, r.name, r.sex, r.birth_date, r.id_number, r.phone or None, r.grade, r.department,
             packages.get(r.package_code.upper()) if r.package_code else None, guests.get(r.id_number))
            for r in rows])
        ids = tuple(i for (i,) in m.RosterEntry.select(m.RosterEntry.id)
                    .where(m.RosterEntry.contract == contract_id, m.RosterEntry.id > last)
                    .order_by(m.RosterEntry.id).tuples())
        key = _MAPPING_KEY.format(org_id=result.contract.organisation_id)
        value = json.dumps(result.mapping(), ensure_ascii=False, sort_keys=True)
        m.Setting.insert(key=key, value=value).on_conflict(conflict_target=[m.Setting.key],
                                                           update={m.Setting.value: value}).execute()
        skipped = sum(1 for r in result.rows if r.already_on_roster) + (len(result.to_add) - len(rows))
        audit.record(session, "roster.import", "contract", contract_id, file=result.file_name, added=len(rows),
                     already=skipped, rejected=len(result.errors))
    return ImportResult(contract_id, len(rows), skipped, len(result.errors), ids)


def write_error_workbook(result: RosterPreview, out: str | os.PathLike) -> int:
    """The rejected rows as HR sent them, with the row number and the reason; returns how many.

    Written to a temporary name and renamed, so a failed write leaves no half file.
    """
    import openpyxl

    out = Path(out)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = tr("未导入", "Rejected")
    sheet.append([tr("原行号", "Row")] + list(result.header.titles) + [tr("原因", "Reason")])
    for row in result.errors:
        # A number is written as the digits it holds (an ID number Excel kept as 3.3e+17 shows what is left).
        cells = ["" if c is None else str(int(c)) if isinstance(c, float) and c.is_integer()
                 else str(c) if isinstance(c, (int, float)) and not isinstance(c, bool) else c for c in row.cells]
        sheet.append([row.sheet_row] + cells + [row.reason_text])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            cell.number_format = "@"  # keep ID numbers as text this time
    tmp = out.with_name(out.name + ".part")
    try:
        book.save(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(tr("无法写入错误清单 {p}：{e}", "Cannot write the error workbook {p}: {e}", p=out,
                           e=exc.strerror or exc)) from exc
    return len(result.errors)


def field_labels() -> list[tuple[str, str]]:
    """(field name, label) for the mapping editor."""
    return [(f.value, f.label()) for f in Field]


def summary(result: RosterPreview) -> str:
    return tr("共{n}行：正常{ok}，警告{w}，错误{e}；将新增{add}人",
              "{n} rows: {ok} OK, {w} warnings, {e} errors; {add} to add",
              n=len(result.rows), ok=result.count(RowStatus.OK), w=result.count(RowStatus.WARNING),
              e=result.count(RowStatus.ERROR), add=len(result.to_add))



# --------------------------------------------------------------------------
# The column-mapping editor: when the header is not recognised, or to correct it


@dataclass(frozen=True)
class SheetSample:
    """The top of the roster sheet as text, for the desk to point at the header row and its columns."""

    rows: tuple[tuple[str, ...], ...]
    width: int
    header_row: int | None           # 0-based row of the header found with the current mapping, if any
    columns: dict[str, int]          # field name -> column in that header


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def sample(path: str | os.PathLike, organisation: str, *, day: dt.date | None = None,
           mapping: Mapping[str, str] | None = None, contract_id: int | None = None) -> SheetSample:
    """The first rows of the file (as many as a header is looked for in) and the header found, if any."""
    ref = contract_ref(contract_id) if contract_id is not None else find_contract(organisation, day or clock.today())
    saved = dict(saved_mapping(ref.organisation_id))
    saved.update(mapping or {})
    grid = read_grid(path, saved)
    top = [tuple(_cell_text(c) for c in row) for row in grid[:roster.HEADER_SCAN_ROWS]]
    width = max((len(r) for r in top), default=0)
    top = [r + ("",) * (width - len(r)) for r in top]
    try:
        header = roster.find_header(grid, saved)
    except roster.NoHeaderError:
        return SheetSample(tuple(top), width, None, {})
    return SheetSample(tuple(top), width, header.row_index, {f.value: c for f, c in header.columns.items()})


def mapping_for(titles: tuple[str, ...] | list[str], columns: Mapping[str, int]) -> dict[str, str]:
    """A mapping (header text -> field) that makes ``titles`` the header with these columns.

    Columns not given are mapped to nothing, so a header the aliases would
    read wrongly (a 电话 column holding the office line) can be switched off.
    """
    by_column = {col: name for name, col in columns.items()}
    missing = [Field(f).label() for f in (Field.NAME, Field.ID_NUMBER) if f.value not in columns]
    if missing:
        raise UserError(tr("请指定“{f}”所在的列", "Choose the column of “{f}”", f="”、“".join(missing)))
    result: dict[str, str] = {}
    for col, title in enumerate(titles):
        key = roster.header_key(title)
        if not key:
            if col in by_column:
                raise UserError(tr("表头行的第{n}列是空的：请选择有列名的表头行", "Column {n} of the header row is empty: "
                                   "choose the row that names the columns", n=col + 1))
            continue
        if col in by_column:
            if result.get(key):
                raise UserError(tr("表头中有两列都叫“{t}”", "Two header columns are both called “{t}”", t=title))
            result[key] = by_column[col]
        else:
            result.setdefault(key, "")
    return result
