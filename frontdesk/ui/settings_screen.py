"""Settings: this desk's name, language, database and printers; the site's
name (supervisor); staff accounts (administrator); one's own password.

Each field is checked where it is, with its message under it, and whatever is
valid is saved: an unfinished label printer does not keep the desk from
switching its language.  The desk's name and database need a supervisor.
Spin boxes and combo boxes ignore the mouse wheel unless they have the focus.
"""

from __future__ import annotations

import copy

from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QInputDialog, QLabel,
                               QLineEdit, QListWidget, QMessageBox, QPushButton, QScrollArea, QSpinBox, QVBoxLayout,
                               QWidget)

from frontdesk import config
from frontdesk.domain.enums import Role
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import auth, site_settings, workstation
from frontdesk.services.session import Session
from frontdesk.ui.error_dialogs import show_error
from frontdesk.ui.supervisor_dialog import authorise
from frontdesk.ui.wheel_guard import guard_wheel
from frontdesk.ui.widgets import error_label

LABEL_OUTPUTS = (("qt", ("系统打印机", "System printer")), ("zpl_tcp", ("斑马打印机（网络 9100）", "Zebra printer (TCP 9100)")),
                 ("zpl_file", ("斑马打印机（设备/文件）", "Zebra printer (device/file)")),
                 ("pdf", ("PDF 文件", "PDF files")), ("png", ("PNG 图片", "PNG images")))


def _printer_combo(name: str, object_name: str, installed: list[str]) -> QComboBox:
    """The installed printers, the system default first; a saved printer that is not installed stays listed."""
    combo = QComboBox(objectName=object_name)
    combo.addItem(tr("（系统默认打印机）", "(system default printer)"), "")
    for printer in installed:
        combo.addItem(printer, printer)
    if name and name not in installed:
        combo.addItem(tr("{p}（本机未找到）", "{p} (not found here)", p=name), name)
    combo.setCurrentIndex(max(combo.findData(name), 0))
    return combo


class SettingsScreen(QWidget):
    def __init__(self, session: Session, settings: config.WorkstationSettings, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.installed_printers = QPrinterInfo.availablePrinterNames()
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addWidget(QLabel(tr("设置", "Settings"), objectName="pageTitle"))
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self._desk_box())
        left.addWidget(self._site_box())
        left.addWidget(self._account_box())
        left.addStretch()
        right = QVBoxLayout()
        right.addWidget(self._printer_box())
        right.addStretch()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout.addLayout(columns)
        layout.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._wheel_guard = guard_wheel(self)

    # -- this workstation ---------------------------------------------------
    def _desk_box(self) -> QGroupBox:
        box = QGroupBox(tr("本工作站", "This workstation"))
        form = QFormLayout(box)
        self.desk_name = QLineEdit(self.settings.desk_name, objectName="deskName")
        self.desk_name_error = error_label("deskNameError")
        self.language = QComboBox(objectName="language")
        self.language.addItem("中文", "zh")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(self.language.findData(self.settings.language), 0))
        self.db_url = QLineEdit(self.settings.db_url, objectName="dbUrl",
                                placeholderText=tr("留空使用本机 SQLite 数据库", "empty: the local SQLite database"))
        self.db_url_error = error_label("dbUrlError")
        form.addRow(tr("工作站名称", "Desk name"), self.desk_name)
        form.addRow("", self.desk_name_error)
        form.addRow(tr("界面语言", "Language"), self.language)
        form.addRow(tr("数据库地址", "Database URL"), self.db_url)
        form.addRow("", self.db_url_error)
        note = QLabel(tr("更改工作站名称或数据库地址需要前台主管授权。",
                         "Changing the desk name or the database needs a supervisor."), wordWrap=True)
        note.setStyleSheet("color: #555;")
        form.addRow(note)
        save = QPushButton(tr("保存本工作站设置", "Save workstation settings"), objectName="saveDesk")
        save.clicked.connect(self.save_workstation)
        form.addRow(save)
        for error in (self.desk_name_error, self.db_url_error):
            error.hide()
        return box

    def _printer_box(self) -> QGroupBox:
        box = QGroupBox(tr("打印机", "Printers"))
        outer = QVBoxLayout(box)
        # One printer and paper per kind of document: an A4 guide sheet must not meet the receipt roll.
        grid = QGridLayout()
        grid.addWidget(QLabel(tr("文件", "Document")), 0, 0)
        grid.addWidget(QLabel(tr("打印机", "Printer")), 0, 1)
        grid.addWidget(QLabel(tr("纸张", "Paper")), 0, 2)
        self.document_printers: dict[str, QComboBox] = {}
        self.document_papers: dict[str, QComboBox] = {}
        self.document_errors: dict[str, QLabel] = {}
        row = 1
        for kind, papers in config.DOCUMENT_PAPERS.items():
            doc = self.settings.document(kind)
            printer = _printer_combo(doc.printer_name, f"{kind}Printer", self.installed_printers)
            paper = QComboBox(objectName=f"{kind}Paper")
            for value in papers:
                paper.addItem(config.paper_label(value), value)
            paper.setCurrentIndex(max(paper.findData(doc.paper), 0))
            paper.setEnabled(len(papers) > 1)
            printer.currentIndexChanged.connect(self._show_printer_notes)
            paper.currentIndexChanged.connect(self._show_printer_notes)
            error = error_label(f"{kind}PrinterError")
            error.hide()
            name = config.document_label(kind)
            grid.addWidget(QLabel(name[:1].upper() + name[1:]), row, 0)
            grid.addWidget(printer, row, 1)
            grid.addWidget(paper, row, 2)
            grid.addWidget(error, row + 1, 1, 1, 2)
            self.document_printers[kind], self.document_papers[kind], self.document_errors[kind] = printer, paper, error
            row += 2
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)
        # The older names, which tests and callers use for the receipt.
        self.receipt_printer, self.receipt_format = self.document_printers["receipt"], self.document_papers["receipt"]

        labels = self.settings.labels
        form = QFormLayout()
        self.label_output = QComboBox(objectName="labelOutput")
        for value, (zh, en) in LABEL_OUTPUTS:
            self.label_output.addItem(tr(zh, en), value)
        self.label_output.setCurrentIndex(max(self.label_output.findData(labels.output), 0))
        self.label_printer = _printer_combo(labels.printer_name, "labelPrinter", self.installed_printers)
        self.label_host = QLineEdit(labels.host, objectName="labelHost")
        self.label_host_error = error_label("labelHostError")
        self.label_port = QSpinBox(objectName="labelPort", minimum=1, maximum=65535, value=labels.port)
        self.label_path = QLineEdit(labels.path, objectName="labelPath",
                                    placeholderText=tr("设备或文件夹路径", "device or folder path"))
        self.label_path_error = error_label("labelPathError")
        self.label_size = QComboBox(objectName="labelSize")
        self.label_size.addItems(["50x25", "50x30", "60x40"])
        self.label_size.setCurrentText(labels.size)
        self.label_dpi = QComboBox(objectName="labelDpi")
        self.label_dpi.addItems(["203", "300"])
        self.label_dpi.setCurrentText(str(labels.dpi))
        form.addRow(tr("条码输出方式", "Label output"), self.label_output)
        form.addRow(tr("条码打印机", "Label printer"), self.label_printer)
        form.addRow(tr("打印机地址", "Printer host"), self.label_host)
        form.addRow("", self.label_host_error)
        form.addRow(tr("端口", "Port"), self.label_port)
        form.addRow(tr("设备/文件夹", "Device/folder"), self.label_path)
        form.addRow("", self.label_path_error)
        form.addRow(tr("标签尺寸（毫米）", "Label size (mm)"), self.label_size)
        form.addRow(tr("打印机分辨率（dpi）", "Printer resolution (dpi)"), self.label_dpi)
        for error in (self.label_host_error, self.label_path_error):
            error.hide()
        labels_box = QGroupBox(tr("标本条码", "Specimen labels"))
        labels_box.setLayout(form)
        outer.addWidget(labels_box)
        save = QPushButton(tr("保存打印机设置", "Save printer settings"), objectName="savePrinters")
        save.clicked.connect(self.save_workstation)
        outer.addWidget(save)
        self._show_printer_notes()
        return box

    # -- checking and saving --------------------------------------------------
    def _chosen_documents(self) -> dict[str, config.DocumentPrinterSettings]:
        return {kind: config.DocumentPrinterSettings(printer_name=self.document_printers[kind].currentData(),
                                                     paper=self.document_papers[kind].currentData())
                for kind in config.DOCUMENT_PAPERS}

    def _document_problems(self) -> dict[str, str]:
        trial = copy.deepcopy(self.settings)
        trial.documents = self._chosen_documents()
        return {kind: problem for kind in config.DOCUMENT_PAPERS if (problem := trial.paper_problem(kind))}

    def _show_printer_notes(self) -> None:
        """As the desk picks: a paper clash in red; a printer not installed here, as a note."""
        problems = self._document_problems()
        for kind, error in self.document_errors.items():
            name = self.document_printers[kind].currentData()
            text = problems.get(kind, "")
            if not text and name and name not in self.installed_printers:
                text = tr("本机找不到这台打印机：打印时会改为另存为 PDF。",
                          "This printer is not installed here: printing will offer to save a PDF instead.")
            error.setText(text)
            error.setVisible(bool(text))

    def _set_error(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

    def _check_labels(self) -> config.LabelPrinterSettings | None:
        """The label printer settings as entered, or None (with messages under the fields) when incomplete."""
        output = self.label_output.currentData()
        host, path = self.label_host.text().strip(), self.label_path.text().strip()
        host_error = path_error = ""
        if output == "zpl_tcp" and not host:
            host_error = tr("请填写斑马打印机的网络地址。", "Enter the Zebra printer's network address.")
        if output in ("zpl_file", "pdf", "png") and not path:
            path_error = tr("请填写条码输出的设备或文件夹。", "Enter the device or folder for the labels.")
        self._set_error(self.label_host_error, host_error)
        self._set_error(self.label_path_error, path_error)
        if host_error or path_error:
            return None
        return config.LabelPrinterSettings(output=output, printer_name=self.label_printer.currentData(), host=host,
                                           port=self.label_port.value(), path=path,
                                           size=self.label_size.currentText(), dpi=int(self.label_dpi.currentText()),
                                           timeout_s=self.settings.labels.timeout_s)

    def save_workstation(self) -> None:
        """Check every field where it is and save each part that is valid; say what was not saved."""
        s = self.settings
        not_saved: list[str] = []

        desk, url = s.desk_name, s.db_url
        desk_error = url_error = ""
        try:
            desk = workstation.check_desk_name(self.desk_name.text())
        except UserError as exc:
            desk_error = exc.message
        try:
            url = workstation.check_db_url(self.db_url.text())
        except UserError as exc:
            url_error = exc.message
        changes = {key: (old, new) for key, old, new in (("desk_name", s.desk_name, desk), ("db_url", s.db_url, url))
                   if old != new}
        if changes:
            approver = authorise(self, self.session, tr("更改工作站名称或数据库地址", "Changing the desk name or database"))
            if approver is None:
                refused = tr("需要前台主管授权，未保存。", "Needs a supervisor: not saved.")
                desk_error = desk_error or (refused if "desk_name" in changes else "")
                url_error = url_error or (refused if "db_url" in changes else "")
                desk, url, changes = s.desk_name, s.db_url, {}
            else:
                try:
                    workstation.record_change(approver, s.desk_name, changes)
                except UserError as exc:
                    show_error(self, exc)
                    desk, url, changes = s.desk_name, s.db_url, {}
        self._set_error(self.desk_name_error, desk_error)
        self._set_error(self.db_url_error, url_error)
        if desk_error:
            not_saved.append(tr("工作站名称", "desk name"))
        if url_error:
            not_saved.append(tr("数据库地址", "database URL"))

        old_url, old_lang = s.db_url, s.language
        s.desk_name, s.db_url, s.language = desk, url, self.language.currentData()

        problems = self._document_problems()
        self._show_printer_notes()
        if problems:
            not_saved.append(tr("文件打印机", "document printers"))
        else:
            s.documents = self._chosen_documents()

        labels = self._check_labels()
        if labels is None:
            not_saved.append(tr("条码输出", "label output"))
        else:
            s.labels = labels

        config.save(s)
        note = ""
        if s.db_url != old_url or s.language != old_lang:
            note = tr("\n数据库地址和界面语言在重新启动后生效。", "\nThe database and language apply after a restart.")
        if not_saved:
            QMessageBox.warning(self, tr("部分未保存", "Partly saved"),
                                tr("其余设置已保存；以下未保存（见红字）：{w}", "The rest was saved; not saved (see the red "
                                   "notes): {w}", w=tr("、", ", ").join(not_saved)) + note)
        else:
            QMessageBox.information(self, tr("已保存", "Saved"), tr("设置已保存。", "Settings saved.") + note)

    # -- the site -------------------------------------------------------------
    def _site_box(self) -> QGroupBox:
        box = QGroupBox(tr("体检中心（所有工作站共用）", "Site (shared by all desks)"))
        box.setEnabled(self.session.can(Role.SUPERVISOR))
        form = QFormLayout(box)
        site = site_settings.load()
        self.site_name = QLineEdit(site.site_name, objectName="siteName")
        self.site_name_en = QLineEdit(site.site_name_en, objectName="siteNameEn")
        self.free_reprints = QSpinBox(objectName="freeReprints", minimum=0, maximum=10, value=site.label_free_reprints)
        form.addRow(tr("中心名称", "Site name"), self.site_name)
        form.addRow(tr("英文名称", "Site name (English)"), self.site_name_en)
        form.addRow(tr("前台可自行补打条码次数", "Label reprints allowed without a supervisor"), self.free_reprints)
        # Whether the supervisor closes the day once for the whole centre or each desk's drawer on its own.
        self.close_scope = QComboBox(objectName="eodCloseScope")
        self.close_scope.addItem(tr("全中心一起日结", "The whole site at once"), "site")
        self.close_scope.addItem(tr("每个工作站分别日结", "Each desk on its own"), "desk")
        self.close_scope.setCurrentIndex(max(0, self.close_scope.findData(site_settings.get("eod_close_scope"))))
        form.addRow(tr("日结方式", "End of day closed for"), self.close_scope)
        save = QPushButton(tr("保存中心设置", "Save site settings"), objectName="saveSite")
        save.clicked.connect(self.save_site)
        form.addRow(save)
        if not box.isEnabled():
            form.addRow(QLabel(tr("需要前台主管权限。", "Needs the supervisor role.")))
        return box

    def save_site(self) -> None:
        name = self.site_name.text().strip()
        if not name:
            QMessageBox.warning(self, tr("无法保存", "Not saved"), tr("中心名称不能为空。", "The site needs a name."))
            return
        try:
            site_settings.set_values(self.session, {
                "site_name": name, "site_name_en": self.site_name_en.text().strip() or name,
                "label_free_reprints": str(self.free_reprints.value()),
                "eod_close_scope": self.close_scope.currentData()})
        except UserError as exc:
            show_error(self, exc)
            return
        QMessageBox.information(self, tr("已保存", "Saved"), tr("中心设置已保存。", "Site settings saved."))

    # -- accounts -------------------------------------------------------------
    def _account_box(self) -> QGroupBox:
        box = QGroupBox(tr("账号", "Accounts"))
        layout = QVBoxLayout(box)
        self.users = QListWidget(objectName="users")
        self.users.setMaximumHeight(110)
        self._fill_users()
        buttons = QHBoxLayout()
        add = QPushButton(tr("添加用户…", "Add account…"), objectName="addUser")
        add.setEnabled(self.session.can(Role.ADMIN))
        add.clicked.connect(self.add_user)
        password = QPushButton(tr("修改我的密码…", "Change my password…"), objectName="changePassword")
        password.clicked.connect(self.change_password)
        buttons.addWidget(add)
        buttons.addWidget(password)
        buttons.addStretch()
        # The buttons above the list: on a 1366x768 desk the list's end may be below the fold, the buttons not.
        layout.addLayout(buttons)
        layout.addWidget(self.users)
        return box

    def _fill_users(self) -> None:
        self.users.clear()
        for user in auth.list_users():
            self.users.addItem(f"{user.username}  {user.display_name}  ({Role(user.role).label()})")

    def add_user(self) -> None:
        from frontdesk.ui.user_dialog import UserDialog

        if UserDialog(self.session, self).exec():
            self._fill_users()

    def change_password(self) -> None:
        old, ok = QInputDialog.getText(self, tr("修改密码", "Change password"), tr("原密码", "Current password"),
                                       QLineEdit.EchoMode.Password)
        if not ok:
            return
        new, ok = QInputDialog.getText(self, tr("修改密码", "Change password"), tr("新密码", "New password"),
                                       QLineEdit.EchoMode.Password)
        if not ok:
            return
        try:
            auth.change_password(self.session, old, new)
        except UserError as exc:
            show_error(self, exc)
            return
        QMessageBox.information(self, tr("已保存", "Saved"), tr("密码已修改。", "Password changed."))
