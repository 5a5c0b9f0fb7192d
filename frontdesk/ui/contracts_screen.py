"""The group contracts page (团检合同): organisations, their contracts, and each contract's roster.

Left: the organisations (type to filter).  Right, above: the chosen organisation's contracts with
their dates, status, package rules and who pays; below: the chosen contract's roster (search by name,
department, grade or the end of an ID/phone number) with the package each person gets.
Supervisors create and edit organisations and contracts (Ctrl+N new contract, Ctrl+E or Enter edit,
Ctrl+D deactivate/activate); reception opens a contract read-only.  Ctrl+I imports HR's roster into
the chosen contract, Ctrl+F goes to the roster search.  Every read runs off the UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QSplitter, QTableView, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from frontdesk import clock, config
from frontdesk.domain.enums import Role
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import contracts, roster_import
from frontdesk.services.contracts import ContractView, OrganisationView
from frontdesk.services.session import Session
from frontdesk.ui.rows_model import RowsModel
from frontdesk.ui.widgets import error_label, key_fallback
from frontdesk.ui.worker import run_in_background

try:
    from frontdesk.ui.screen_fit import fit_to_screen
except ImportError:  # screen_fit lands with another change; until then: the size asked for, within the screen
    def fit_to_screen(widget: QWidget, width: int | None = None, height: int | None = None) -> QWidget:
        from PySide6.QtGui import QGuiApplication

        area = QGuiApplication.primaryScreen().availableGeometry()
        widget.resize(min(width or widget.sizeHint().width(), area.width() - 40),
                      min(height or widget.sizeHint().height(), area.height() - 60))
        return widget

CONTRACT_COLUMNS = (("合同", "Contract"), ("有效期", "Valid"), ("状态", "Status"), ("套餐", "Packages"),
                    ("费用", "Who pays"), ("名单", "Roster"))
ROSTER_COLUMNS = (("姓名", "Name"), ("性别", "Sex"), ("年龄", "Age"), ("身份证号", "ID number"), ("手机", "Phone"),
                  ("部门", "Department"), ("职级", "Grade"), ("合同套餐", "Package"))


def _table(name: str, columns, stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(columns), objectName=name)
    table.setHorizontalHeaderLabels([tr(*c) for c in columns])
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _item(text: str, data=None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


class OrganisationDialog(QDialog):
    """Name and contact of an organisation (new or renamed)."""

    def __init__(self, session: Session, org: OrganisationView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.org = org
        self.saved_id: int | None = None
        self.setWindowTitle(tr("修改单位", "Edit organisation") if org else tr("新建单位", "New organisation"))
        self.name = QLineEdit(org.name if org else "", objectName="orgName")
        self.contact = QLineEdit(org.contact_name if org else "", objectName="orgContact")
        self.phone = QLineEdit(org.contact_phone if org else "", objectName="orgPhone")
        form = QFormLayout()
        form.addRow(tr("单位名称", "Name"), self.name)
        form.addRow(tr("联系人", "Contact"), self.contact)
        form.addRow(tr("联系电话", "Phone"), self.phone)
        self.message = error_label("message")
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(tr("保存", "Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveOrganisation")
        buttons.addButton(tr("取消", "Cancel"), QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        fit_to_screen(self, 460, 220)

    def save(self) -> None:
        session, org = self.session, self.org
        name, contact, phone = self.name.text(), self.contact.text(), self.phone.text()

        def work() -> int:
            if org is None:
                return contracts.create_organisation(session, name, contact, phone)
            contracts.update_organisation(session, org.id, name, contact, phone)
            return org.id

        self.save_button.setEnabled(False)
        run_in_background(work, self._saved, self._failed, context=self)

    def _saved(self, org_id: int) -> None:
        self.saved_id = org_id
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(exc, UserError):
            raise exc
        self.message.setText(exc.message)


class ContractsScreen(QWidget):
    status_message = Signal(str)

    def __init__(self, session: Session, settings: config.WorkstationSettings | None = None, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.supervisor = session.can(Role.SUPERVISOR)
        self.orgs: list[OrganisationView] = []
        self.contract_views: list[ContractView] = []
        self.roster_page: contracts.RosterPage | None = None
        self.packages: list[contracts.PackageOption] = []
        self.last_dialog = None
        self._seq = {"orgs": 0, "contracts": 0, "roster": 0}
        self._select_org: int | None = None
        self._select_contract: int | None = None

        title = QLabel(tr("团检合同与名单", "Group contracts and rosters"), objectName="pageTitle")
        title.setStyleSheet("font-size:18px; font-weight:bold;")
        hint = QLabel(tr("主管可新建和修改单位与合同；前台可查看合同、查询名单并导入名单。",
                         "Supervisors create and edit organisations and contracts; reception reads them, searches "
                         "and imports rosters.") if not self.supervisor else
                      tr("Ctrl+N 新建合同 · Ctrl+E 修改 · Ctrl+D 停用/启用 · Ctrl+I 导入名单 · Ctrl+F 查名单",
                         "Ctrl+N new contract · Ctrl+E edit · Ctrl+D deactivate/activate · Ctrl+I import roster · "
                         "Ctrl+F search roster"), objectName="hint", wordWrap=True)

        # Organisations.
        self.org_search = QLineEdit(objectName="orgSearch", placeholderText=tr("查找单位", "Find organisation"))
        self.org_search.textChanged.connect(lambda _t: self.reload_organisations())
        self.org_table = _table("orgTable", (("单位", "Organisation"), ("合同", "Contracts")), 0)
        self.org_table.itemSelectionChanged.connect(self._org_chosen)
        self.new_org_button = QPushButton(tr("新建单位", "New organisation"), objectName="newOrganisation")
        self.edit_org_button = QPushButton(tr("修改单位", "Edit organisation"), objectName="editOrganisation")
        self.new_org_button.clicked.connect(self.new_organisation)
        self.edit_org_button.clicked.connect(self.edit_organisation)
        org_buttons = QHBoxLayout()
        org_buttons.addWidget(self.new_org_button)
        org_buttons.addWidget(self.edit_org_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.org_search)
        left_layout.addWidget(self.org_table, 1)
        left_layout.addLayout(org_buttons)

        # Contracts.
        self.contract_table = _table("contractTable", CONTRACT_COLUMNS, 3)
        self.contract_table.itemSelectionChanged.connect(self._contract_chosen)
        self.contract_table.doubleClicked.connect(lambda _i: self.edit_contract())
        self.new_contract_button = QPushButton(tr("新建合同 (Ctrl+N)", "New contract (Ctrl+N)"), objectName="newContract")
        self.edit_contract_button = QPushButton(tr("修改合同 (Ctrl+E)", "Edit contract (Ctrl+E)") if self.supervisor
                                                else tr("查看合同 (Ctrl+E)", "View contract (Ctrl+E)"),
                                                objectName="editContract")
        self.active_button = QPushButton(tr("停用合同 (Ctrl+D)", "Deactivate (Ctrl+D)"), objectName="toggleActive")
        self.import_button = QPushButton(tr("导入名单… (Ctrl+I)", "Import roster… (Ctrl+I)"), objectName="importRoster")
        self.new_contract_button.clicked.connect(self.new_contract)
        self.edit_contract_button.clicked.connect(self.edit_contract)
        self.active_button.clicked.connect(self.toggle_active)
        self.import_button.clicked.connect(self.import_roster)
        contract_buttons = QHBoxLayout()
        for b in (self.new_contract_button, self.edit_contract_button, self.active_button):
            contract_buttons.addWidget(b)
        contract_buttons.addStretch()
        contract_buttons.addWidget(self.import_button)
        self.contract_detail = QLabel(objectName="contractDetail", wordWrap=True)
        self.contract_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # Roster.
        self.roster_search = QLineEdit(objectName="rosterSearch", placeholderText=tr(
            "查名单：姓名、部门、职级，或身份证号/手机号末几位 (Ctrl+F)",
            "Search the roster: name, department, grade, or the last digits of an ID/phone (Ctrl+F)"))
        self.roster_search.textChanged.connect(lambda _t: self.reload_roster())
        self.roster_count = QLabel(objectName="rosterCount")
        search_row = QHBoxLayout()
        search_row.addWidget(self.roster_search, 1)
        search_row.addWidget(self.roster_count)
        self.roster_model = RowsModel([tr(*c) for c in ROSTER_COLUMNS], self)
        self.roster_table = QTableView(objectName="rosterTable")
        self.roster_table.setModel(self.roster_model)
        self.roster_table.verticalHeader().hide()
        self.roster_table.verticalHeader().setDefaultSectionSize(26)
        self.roster_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.roster_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.roster_table.setWordWrap(False)
        self.roster_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.roster_table.horizontalHeader().setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)

        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.contract_table, 1)
        upper_layout.addWidget(self.contract_detail)
        upper_layout.addLayout(contract_buttons)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(search_row)
        lower_layout.addWidget(self.roster_table, 1)
        right = QSplitter(Qt.Orientation.Vertical, objectName="rightSplitter")
        right.setChildrenCollapsible(False)
        right.addWidget(upper)
        right.addWidget(lower)
        right.setSizes([260, 340])
        split = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([260, 900])

        self.message = error_label("message")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)

        self._keys = {(Qt.Key.Key_N, True): self.new_contract, (Qt.Key.Key_E, True): self.edit_contract,
                      (Qt.Key.Key_D, True): self.toggle_active, (Qt.Key.Key_I, True): self.import_roster,
                      (Qt.Key.Key_F, True): self.roster_search.setFocus}
        for keys, slot in (("Ctrl+N", self.new_contract), ("Ctrl+E", self.edit_contract),
                           ("Ctrl+D", self.toggle_active), ("Ctrl+I", self.import_roster),
                           ("Ctrl+F", self.roster_search.setFocus)):
            QShortcut(QKeySequence(keys), self, activated=slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.contract_table, activated=self.edit_contract,
                  context=Qt.ShortcutContext.WidgetShortcut)
        for b in (self.new_org_button, self.edit_org_button, self.new_contract_button, self.active_button):
            b.setVisible(self.supervisor)
        self._update_buttons()
        run_in_background(contracts.package_options, self._packages_loaded, self._failed, context=self)
        self.reload_organisations()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not key_fallback(event, self._keys):
            super().keyPressEvent(event)

    # -- reads ----------------------------------------------------------------------------------------------------
    def _packages_loaded(self, packages) -> None:
        self.packages = packages

    def reload_organisations(self, select: int | None = None) -> None:
        if select is not None:
            self._select_org = select
        self._seq["orgs"] += 1
        seq, text = self._seq["orgs"], self.org_search.text()
        run_in_background(lambda: contracts.organisations(text), lambda orgs: self._show_orgs(seq, orgs),
                          self._failed, context=self)

    def _show_orgs(self, seq: int, orgs: list[OrganisationView]) -> None:
        if seq != self._seq["orgs"]:
            return
        keep = self._select_org or self.current_org_id()
        self.orgs = orgs
        self.org_table.blockSignals(True)
        self.org_table.setRowCount(len(orgs))
        for n, org in enumerate(orgs):
            self.org_table.setItem(n, 0, _item(org.name, org.id))
            self.org_table.setItem(n, 1, _item(f"{org.active_contracts}/{org.contracts}"))
        self.org_table.blockSignals(False)
        row = next((n for n, o in enumerate(orgs) if o.id == keep), 0 if orgs else -1)
        self._select_org = None
        if row >= 0:
            self.org_table.selectRow(row)
            self._org_chosen()
        else:
            self._show_contracts(self._seq["contracts"], [])

    def current_org(self) -> OrganisationView | None:
        row = self.org_table.currentRow()
        return self.orgs[row] if 0 <= row < len(self.orgs) else None

    def current_org_id(self) -> int | None:
        org = self.current_org()
        return org.id if org else None

    def _org_chosen(self) -> None:
        org = self.current_org()
        self._seq["contracts"] += 1
        seq = self._seq["contracts"]
        if org is None:
            self._show_contracts(seq, [])
            return
        run_in_background(lambda: contracts.contracts_of(org.id), lambda views: self._show_contracts(seq, views),
                          self._failed, context=self)

    def _show_contracts(self, seq: int, views: list[ContractView]) -> None:
        if seq != self._seq["contracts"]:
            return
        keep = self._select_contract or self.current_contract_id()
        self.contract_views = views
        today = clock.today()
        self.contract_table.blockSignals(True)
        self.contract_table.setRowCount(len(views))
        for n, v in enumerate(views):
            rules = tr("{n}条规则；", "{n} rules; ", n=len(v.rules)) if v.rules else ""
            pays = tr("单位", "organisation") if v.org_pays_package else tr("自付", "guest")
            allowance = tr("，加项{a}元", ", add-ons {a}", a=v.addon_allowance) if v.addon_allowance > 0 else ""
            for col, text in enumerate((v.name, f"{v.start_date} ~ {v.end_date}", v.status_on(today),
                                        rules + v.package_label, pays + allowance, str(v.roster_count))):
                cell = _item(text, v.id if col == 0 else None)
                cell.setToolTip(text)
                self.contract_table.setItem(n, col, cell)
        self.contract_table.blockSignals(False)
        row = next((n for n, v in enumerate(views) if v.id == keep), 0 if views else -1)
        self._select_contract = None
        if row >= 0:
            self.contract_table.selectRow(row)
        self._contract_chosen()

    def current_contract(self) -> ContractView | None:
        row = self.contract_table.currentRow()
        return self.contract_views[row] if 0 <= row < len(self.contract_views) else None

    def current_contract_id(self) -> int | None:
        view = self.current_contract()
        return view.id if view else None

    def _contract_chosen(self) -> None:
        view = self.current_contract()
        self._update_buttons()
        if view is None:
            self.contract_detail.setText(tr("该单位还没有合同。", "This organisation has no contract yet.")
                                         if self.current_org() else "")
        else:
            rules = "；".join(f"{r.conditions} → {r.package_label}" for r in view.rules) or tr("无", "none")
            self.contract_detail.setText(tr("套餐规则：{r}。其他人：{f}。{p}。", "Package rules: {r}. Everyone else: {f}. "
                                            "{p}.", r=rules, f=view.package_label, p=view.payer_text[:1].upper() + view.payer_text[1:]))
        self.reload_roster()

    def reload_roster(self) -> None:
        view = self.current_contract()
        self._seq["roster"] += 1
        seq = self._seq["roster"]
        if view is None:
            self._show_roster(seq, None)
            return
        text = self.roster_search.text()
        run_in_background(lambda: contracts.roster(view.id, text), lambda page: self._show_roster(seq, page),
                          self._failed, context=self)

    def _show_roster(self, seq: int, page: contracts.RosterPage | None) -> None:
        if seq != self._seq["roster"]:
            return
        self.roster_page = page
        lines = page.lines if page else ()
        sexes = {"M": tr("男", "M"), "F": tr("女", "F")}
        self.roster_model.set_rows([(line.name, sexes.get(line.sex, ""), "" if line.age is None else str(line.age),
                                     line.id_number_masked, line.phone_masked, line.department, line.grade,
                                     line.package_label) for line in lines], [line.id for line in lines])
        if page is None:
            self.roster_count.setText("")
        elif self.roster_search.text().strip():
            self.roster_count.setText(tr("找到{m}人（共{t}人）", "{m} found ({t} in all)", m=page.matching, t=page.total)
                                      + (tr("，显示前{n}人", ", first {n} shown", n=len(lines))
                                         if len(lines) < page.matching else ""))
        else:
            self.roster_count.setText(tr("共{t}人", "{t} people", t=page.total)
                                      + (tr("，显示前{n}人", ", first {n} shown", n=len(lines))
                                         if len(lines) < page.total else ""))

    def _update_buttons(self) -> None:
        view = self.current_contract()
        has_org = self.current_org() is not None
        self.edit_org_button.setEnabled(has_org)
        self.new_contract_button.setEnabled(has_org)
        self.edit_contract_button.setEnabled(view is not None)
        self.active_button.setEnabled(view is not None)
        self.import_button.setEnabled(view is not None and view.active)
        self.active_button.setText(tr("停用合同 (Ctrl+D)", "Deactivate (Ctrl+D)") if view is None or view.active
                                   else tr("启用合同 (Ctrl+D)", "Activate (Ctrl+D)"))

    # -- actions --------------------------------------------------------------------------------------------------
    def new_organisation(self) -> None:
        if not self.supervisor:
            return
        self._open_org_dialog(None)

    def edit_organisation(self) -> None:
        if self.supervisor and self.current_org() is not None:
            self._open_org_dialog(self.current_org())

    def _open_org_dialog(self, org: OrganisationView | None) -> None:
        dialog = OrganisationDialog(self.session, org, self)
        dialog.setObjectName("organisationDialog")
        dialog.accepted.connect(lambda: self.reload_organisations(select=dialog.saved_id))
        self.last_dialog = dialog
        dialog.open()

    def new_contract(self) -> None:
        org = self.current_org()
        if not self.supervisor or org is None:
            return
        self._open_contract_dialog(org, None)

    def edit_contract(self) -> None:
        org, view = self.current_org(), self.current_contract()
        if org is None or view is None:
            return
        self._open_contract_dialog(org, view)

    def _open_contract_dialog(self, org: OrganisationView, view: ContractView | None) -> None:
        from frontdesk.ui.contract_dialog import ContractDialog

        dialog = ContractDialog(self.session, org.id, org.name, self.packages or contracts.package_options(), view,
                                self)
        dialog.setObjectName("contractDialog")
        dialog.saved.connect(self._contract_saved)
        self.last_dialog = dialog
        dialog.open()

    def _contract_saved(self, contract_id: int) -> None:
        self._select_contract = contract_id
        self.status_message.emit(tr("合同已保存。", "Contract saved."))
        self.reload_organisations()

    def toggle_active(self) -> None:
        view = self.current_contract()
        if not self.supervisor or view is None:
            return
        session = self.session
        self._select_contract = view.id
        run_in_background(lambda: contracts.set_contract_active(session, view.id, not view.active,
                                                                version=view.version),
                          lambda _r: self._toggled(view), self._failed, context=self)

    def _toggled(self, view: ContractView) -> None:
        self.status_message.emit(tr("合同“{c}”已启用。", "Contract “{c}” is active again.", c=view.name) if not view.active
                                 else tr("合同“{c}”已停用。", "Contract “{c}” deactivated.", c=view.name))
        self.reload_organisations()

    def import_roster(self) -> None:
        view = self.current_contract()
        if view is None or not view.active:
            return
        run_in_background(lambda: roster_import.contract_ref(view.id), self._open_import, self._failed, context=self)

    def _open_import(self, ref) -> None:
        from frontdesk.ui.roster_import_dialog import RosterImportDialog

        dialog = RosterImportDialog(self.session, ref, self)
        dialog.setObjectName("rosterImportDialog")
        dialog.imported.connect(self._roster_changed)
        self.last_dialog = dialog
        dialog.open()

    def _roster_changed(self, contract_id: int) -> None:
        self._select_contract = contract_id
        self.reload_organisations()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.message.setText(exc.message)
            self.status_message.emit(exc.message)
            return
        from frontdesk.ui.error_dialogs import show_error

        show_error(self, exc)
