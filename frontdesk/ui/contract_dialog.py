"""The contract editor (supervisor): dates, packages by sex / age band / grade, who pays, the add-on allowance.

The package table lists rules; the most specific rule that fits a person decides (sex, age band on
the exam day and the roster line's grade (职级); empty = any); the packages below the table are the
fallback for everyone no rule fits.  Ctrl+Enter saves, all or nothing; a contract another supervisor
changed meanwhile is refused, not overwritten.  Reception opens it read-only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox,
                               QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QTableWidget, QVBoxLayout, QWidget)

from frontdesk import clock
from frontdesk.domain.enums import Role
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import contracts
from frontdesk.services.session import Session
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

RULE_COLUMNS = (("性别", "Sex"), ("最小年龄", "Age from"), ("最大年龄", "Age to"), ("职级", "Grade"),
                ("套餐", "Package"))


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class AgeSpin(QSpinBox):
    """An age, or "any" (the lowest value shows as 不限)."""

    def __init__(self, value: int | None) -> None:
        super().__init__()
        self.setRange(-1, 150)
        self.setSpecialValueText(tr("不限", "any"))
        self.setValue(-1 if value is None else value)

    def age(self) -> int | None:
        return None if self.value() < 0 else self.value()


class ContractDialog(QDialog):
    saved = Signal(int)  # the contract's id

    def __init__(self, session: Session, organisation_id: int, organisation_name: str,
                 packages: list[contracts.PackageOption], view: contracts.ContractView | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.organisation_id = organisation_id
        self.view = view
        self.packages = packages
        self.read_only = not session.can(Role.SUPERVISOR)
        self.saving = False
        title = tr("修改合同", "Edit contract") if view else tr("新建合同", "New contract")
        self.setWindowTitle(f"{title} · {organisation_name}")

        today = clock.today()
        self.name = QLineEdit(view.name if view else tr("{y}年度员工体检", "{y} staff check-up", y=today.year),
                              objectName="contractName")
        self.start = QDateEdit(_qdate(view.start_date if view else today), objectName="startDate", calendarPopup=True)
        self.end = QDateEdit(_qdate(view.end_date if view else dt.date(today.year, 12, 31)), objectName="endDate",
                             calendarPopup=True)
        for edit in (self.start, self.end):
            edit.setDisplayFormat("yyyy-MM-dd")
        self.package = self._package_combo("fallbackPackage", view.package_id if view else None)
        self.male_package = self._package_combo("malePackage", view.male_package_id if view else None)
        self.female_package = self._package_combo("femalePackage", view.female_package_id if view else None)
        self.org_pays = QCheckBox(tr("单位支付套餐费用", "The organisation pays the package"), objectName="orgPays")
        self.org_pays.setChecked(view.org_pays_package if view else True)
        self.allowance = QLineEdit(str(view.addon_allowance) if view else "0.00", objectName="allowance")
        self.allowance.setMaximumWidth(120)
        self.payer_hint = QLabel(objectName="payerHint", wordWrap=True)

        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel(tr("至", "to")))
        dates.addWidget(self.end)
        dates.addStretch()
        head = QFormLayout()
        head.addRow(tr("合同名称", "Name"), self.name)
        head.addRow(tr("有效期", "Valid"), dates)

        self.rules = QTableWidget(0, len(RULE_COLUMNS), objectName="rulesTable")
        self.rules.setHorizontalHeaderLabels([tr(*c) for c in RULE_COLUMNS])
        self.rules.verticalHeader().setDefaultSectionSize(30)
        header = self.rules.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.rules.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.add_rule_button = QPushButton(tr("添加规则 (Ctrl+R)", "Add rule (Ctrl+R)"), objectName="addRule")
        self.remove_rule_button = QPushButton(tr("删除规则", "Remove rule"), objectName="removeRule")
        self.up_button = QPushButton(tr("上移", "Up"), objectName="ruleUp")
        self.down_button = QPushButton(tr("下移", "Down"), objectName="ruleDown")
        self.add_rule_button.clicked.connect(lambda: self.add_rule())
        self.remove_rule_button.clicked.connect(self.remove_rule)
        self.up_button.clicked.connect(lambda: self.move_rule(-1))
        self.down_button.clicked.connect(lambda: self.move_rule(1))
        rule_buttons = QHBoxLayout()
        for b in (self.add_rule_button, self.remove_rule_button, self.up_button, self.down_button):
            rule_buttons.addWidget(b)
        rule_buttons.addStretch()
        rules_box = QGroupBox(tr("按性别、年龄段、职级的套餐", "Packages by sex, age band and grade"))
        rules_layout = QVBoxLayout(rules_box)
        rules_layout.addWidget(QLabel(tr(
            "符合条件最多的规则优先（条件一样多时取靠上的一条）；年龄按体检当天计算，职级取名单中的“职级”。都不符合时用下面的套餐。",
            "The rule naming the most conditions wins (the upper one on a tie); the age is on the exam day, the "
            "grade comes from the roster. No rule fits: the packages below."), wordWrap=True))
        rules_layout.addWidget(self.rules, 1)
        rules_layout.addLayout(rule_buttons)

        fallback_box = QGroupBox(tr("其他人的套餐", "Everyone else"))
        fallback = QFormLayout(fallback_box)
        fallback.addRow(tr("所有人", "Everyone"), self.package)
        fallback.addRow(tr("男性", "Men"), self.male_package)
        fallback.addRow(tr("女性", "Women"), self.female_package)
        pay_box = QGroupBox(tr("费用承担", "Who pays"))
        pay = QFormLayout(pay_box)
        pay.addRow(self.org_pays)
        allowance_row = QHBoxLayout()
        allowance_row.addWidget(self.allowance)
        allowance_row.addWidget(QLabel(tr("元（单位承担的加项额度，超出部分客人自付）", "yuan (add-ons the organisation "
                                          "pays; the guest pays beyond)"), wordWrap=True), 1)
        pay.addRow(tr("加项额度", "Add-on allowance"), allowance_row)
        pay.addRow(self.payer_hint)
        lower = QHBoxLayout()
        lower.addWidget(fallback_box, 1)
        lower.addWidget(pay_box, 1)

        self.message = error_label("message")
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(tr("保存 (Ctrl+Enter)", "Save (Ctrl+Enter)"),
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("saveContract")
        cancel = self.buttons.addButton(tr("取消", "Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancel")
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(rules_box, 1)
        layout.addLayout(lower)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        for rule in (view.rules if view else ()):
            self.add_rule(rule)
        self.org_pays.toggled.connect(self._update_payer_hint)
        self.allowance.textChanged.connect(self._update_payer_hint)
        self._update_payer_hint()
        self._keys = {(Qt.Key.Key_Return, True): self.save, (Qt.Key.Key_Enter, True): self.save,
                      (Qt.Key.Key_R, True): self.add_rule}
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.save)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=lambda: self.add_rule())
        if self.read_only:
            self._make_read_only()
        fit_to_screen(self, 980, 660)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not key_fallback(event, self._keys):
            super().keyPressEvent(event)

    # -- building -------------------------------------------------------------------------------------------------
    def _package_combo(self, name: str, selected: int | None) -> QComboBox:
        combo = QComboBox(objectName=name)
        combo.addItem(tr("（无）", "(none)"), None)
        for p in self.packages:
            combo.addItem(p.label, p.id)
        index = combo.findData(selected) if selected is not None else 0
        combo.setCurrentIndex(max(index, 0))
        return combo

    def add_rule(self, rule: contracts.PackageRuleView | None = None) -> int:
        row = self.rules.rowCount()
        self.rules.insertRow(row)
        sex = QComboBox()
        for label, value in ((tr("不限", "any"), None), (tr("男", "men"), "M"), (tr("女", "women"), "F")):
            sex.addItem(label, value)
        sex.setCurrentIndex(max(sex.findData(rule.sex), 0) if rule and rule.sex else 0)
        grade = QLineEdit(rule.grade if rule else "", placeholderText=tr("不限", "any"))
        self.rules.setCellWidget(row, 0, sex)
        self.rules.setCellWidget(row, 1, AgeSpin(rule.min_age if rule else None))
        self.rules.setCellWidget(row, 2, AgeSpin(rule.max_age if rule else None))
        self.rules.setCellWidget(row, 3, grade)
        self.rules.setCellWidget(row, 4, self._package_combo(f"rulePackage{row}", rule.package_id if rule else None))
        if rule is None:
            self.rules.setCurrentCell(row, 0)
            sex.setFocus()
        return row

    def _rule_values(self, row: int) -> tuple:
        w = self.rules.cellWidget
        return (w(row, 0).currentData(), w(row, 1).age(), w(row, 2).age(), w(row, 3).text(), w(row, 4).currentData())

    def _set_rule_values(self, row: int, values: tuple) -> None:
        w = self.rules.cellWidget
        sex, low, high, grade, package = values
        w(row, 0).setCurrentIndex(max(w(row, 0).findData(sex), 0) if sex else 0)
        w(row, 1).setValue(-1 if low is None else low)
        w(row, 2).setValue(-1 if high is None else high)
        w(row, 3).setText(grade)
        w(row, 4).setCurrentIndex(max(w(row, 4).findData(package), 0) if package is not None else 0)

    def remove_rule(self) -> None:
        row = self.rules.currentRow()
        if row >= 0:
            self.rules.removeRow(row)

    def move_rule(self, step: int) -> None:
        row = self.rules.currentRow()
        other = row + step
        if row < 0 or not 0 <= other < self.rules.rowCount():
            return
        a, b = self._rule_values(row), self._rule_values(other)
        self._set_rule_values(row, b)
        self._set_rule_values(other, a)
        self.rules.setCurrentCell(other, self.rules.currentColumn())

    def _make_read_only(self) -> None:
        self.setWindowTitle(self.windowTitle() + tr("（只读）", " (read-only)"))
        for widget in self.findChildren(QWidget):
            if isinstance(widget, (QLineEdit,)):
                widget.setReadOnly(True)
            elif isinstance(widget, (QComboBox, QSpinBox, QDateEdit, QCheckBox)):
                widget.setEnabled(False)
        for button in (self.add_rule_button, self.remove_rule_button, self.up_button, self.down_button,
                       self.save_button):
            button.setVisible(False)
        self.message.setText(tr("合同由主管修改；您可以查看。", "Contracts are changed by a supervisor; you can read it."))

    # -- reading the form -----------------------------------------------------------------------------------------
    def _allowance(self) -> Decimal:
        text = self.allowance.text().strip().replace("，", ".").replace(",", ".") or "0"
        try:
            return Decimal(text)
        except InvalidOperation:
            raise UserError(tr("加项额度“{t}”不是金额", "The add-on allowance “{t}” is not an amount", t=text)) from None

    def _update_payer_hint(self) -> None:
        try:
            allowance = self._allowance()
        except UserError:
            return
        package = tr("套餐由单位支付", "The organisation pays the package") if self.org_pays.isChecked() else \
            tr("套餐由客人自付", "The guest pays the package")
        addons = tr("加项单位承担{a}元以内，超出部分客人自付", "add-ons up to {a} yuan by the organisation, the rest by the "
                    "guest", a=allowance) if allowance > 0 else tr("加项全部客人自付", "add-ons all by the guest")
        self.payer_hint.setText(tr("{a}；{b}。", "{a}; {b}.", a=package, b=addons))

    def terms(self) -> contracts.ContractTermsInput:
        rules = []
        for row in range(self.rules.rowCount()):
            sex, low, high, grade, package = self._rule_values(row)
            if package is None:
                raise UserError(tr("第{n}条规则：请选择套餐", "Rule {n}: choose a package", n=row + 1))
            rules.append(contracts.PackageRuleInput(package, sex, low, high, grade))
        return contracts.ContractTermsInput(
            self.name.text(), _pydate(self.start.date()), _pydate(self.end.date()), self.package.currentData(),
            self.male_package.currentData(), self.female_package.currentData(), self.org_pays.isChecked(),
            self._allowance(), tuple(rules))

    # -- saving ---------------------------------------------------------------------------------------------------
    def save(self) -> None:
        if self.read_only or self.saving:
            return
        try:
            terms = self.terms()
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.saving = True
        self.save_button.setEnabled(False)
        self.message.setText(tr("正在保存…", "Saving…"))
        session, view, org = self.session, self.view, self.organisation_id

        def work() -> int:
            if view is None:
                return contracts.create_contract(session, org, terms)
            contracts.update_contract(session, view.id, terms, version=view.version)
            return view.id

        run_in_background(work, self._saved, self._failed, context=self)

    def _saved(self, contract_id: int) -> None:
        self.saving = False
        self.saved.emit(contract_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        if isinstance(exc, UserError):
            self.message.setText(exc.message)
        else:
            from frontdesk.ui.error_dialogs import show_error

            self.message.setText("")
            show_error(self, exc)
