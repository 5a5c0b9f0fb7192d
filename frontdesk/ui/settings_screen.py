"""Settings: this desk's name, language, database and printers; the site's
name (supervisor); staff accounts (administrator); one's own password."""

from __future__ import annotations

from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
                               QListWidget, QMessageBox, QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from frontdesk import config
from frontdesk.domain.enums import Role
from frontdesk.errors import UserError
from frontdesk.i18n import tr
from frontdesk.services import auth, site_settings
from frontdesk.services.session import Session
from frontdesk.ui.error_dialogs import show_error

LABEL_OUTPUTS = (("qt", ("系统打印机", "System printer")), ("zpl_tcp", ("斑马打印机（网络 9100）", "Zebra printer (TCP 9100)")),
                 ("zpl_file", ("斑马打印机（设备/文件）", "Zebra printer (device/file)")),
                 ("pdf", ("PDF 文件", "PDF files")), ("png", ("PNG 图片", "PNG images")))


class SettingsScreen(QWidget):
    def __init__(self, session: Session, settings: config.WorkstationSettings, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addWidget(QLabel(tr("设置", "Settings"), objectName="pageTitle"))
        layout.addWidget(self._desk_box())
        layout.addWidget(self._printer_box())
        layout.addWidget(self._site_box())
        layout.addWidget(self._account_box())
        layout.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    # -- this workstation ---------------------------------------------------
    def _desk_box(self) -> QGroupBox:
        box = QGroupBox(tr("本工作站", "This workstation"))
        form = QFormLayout(box)
        self.desk_name = QLineEdit(self.settings.desk_name, objectName="deskName")
        self.language = QComboBox(objectName="language")
        self.language.addItem("中文", "zh")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(self.language.findData(self.settings.language), 0))
        self.db_url = QLineEdit(self.settings.db_url, objectName="dbUrl",
                                placeholderText=tr("留空使用本机 SQLite 数据库", "empty: the local SQLite database"))
        form.addRow(tr("工作站名称", "Desk name"), self.desk_name)
        form.addRow(tr("界面语言", "Language"), self.language)
        form.addRow(tr("数据库地址", "Database URL"), self.db_url)
        save = QPushButton(tr("保存本工作站设置", "Save workstation settings"), objectName="saveDesk")
        save.clicked.connect(self.save_workstation)
        form.addRow(save)
        return box

    def _printer_box(self) -> QGroupBox:
        box = QGroupBox(tr("打印机", "Printers"))
        form = QFormLayout(box)
        printers = [""] + QPrinterInfo.availablePrinterNames()
        self.receipt_printer = QComboBox(objectName="receiptPrinter")
        self.receipt_printer.addItems(printers)
        self.receipt_printer.setCurrentText(self.settings.receipt_printer)
        self.receipt_format = QComboBox(objectName="receiptFormat")
        self.receipt_format.addItem(tr("A5 纸", "A5 paper"), "a5")
        self.receipt_format.addItem(tr("80 毫米热敏纸", "80 mm roll"), "roll80")
        self.receipt_format.setCurrentIndex(max(self.receipt_format.findData(self.settings.receipt_format), 0))
        labels = self.settings.labels
        self.label_output = QComboBox(objectName="labelOutput")
        for value, (zh, en) in LABEL_OUTPUTS:
            self.label_output.addItem(tr(zh, en), value)
        self.label_output.setCurrentIndex(max(self.label_output.findData(labels.output), 0))
        self.label_printer = QComboBox(objectName="labelPrinter")
        self.label_printer.addItems(printers)
        self.label_printer.setCurrentText(labels.printer_name)
        self.label_host = QLineEdit(labels.host, objectName="labelHost")
        self.label_port = QSpinBox(objectName="labelPort", minimum=1, maximum=65535, value=labels.port)
        self.label_path = QLineEdit(labels.path, objectName="labelPath",
                                    placeholderText=tr("设备或文件夹路径", "device or folder path"))
        self.label_size = QComboBox(objectName="labelSize")
        self.label_size.addItems(["50x25", "50x30", "60x40"])
        self.label_size.setCurrentText(labels.size)
        self.label_dpi = QComboBox(objectName="labelDpi")
        self.label_dpi.addItems(["203", "300"])
        self.label_dpi.setCurrentText(str(labels.dpi))
        form.addRow(tr("收据打印机", "Receipt printer"), self.receipt_printer)
        form.addRow(tr("收据格式", "Receipt format"), self.receipt_format)
        form.addRow(tr("条码输出方式", "Label output"), self.label_output)
        form.addRow(tr("条码打印机", "Label printer"), self.label_printer)
        form.addRow(tr("打印机地址", "Printer host"), self.label_host)
        form.addRow(tr("端口", "Port"), self.label_port)
        form.addRow(tr("设备/文件夹", "Device/folder"), self.label_path)
        form.addRow(tr("标签尺寸（毫米）", "Label size (mm)"), self.label_size)
        form.addRow(tr("打印机分辨率（dpi）", "Printer resolution (dpi)"), self.label_dpi)
        save = QPushButton(tr("保存打印机设置", "Save printer settings"), objectName="savePrinters")
        save.clicked.connect(self.save_workstation)
        form.addRow(save)
        return box

    def save_workstation(self) -> None:
        desk = self.desk_name.text().strip()
        if not desk:
            QMessageBox.warning(self, tr("无法保存", "Not saved"), tr("工作站名称不能为空。", "The desk needs a name."))
            return
        if self.label_output.currentData() in ("zpl_file", "pdf", "png") and not self.label_path.text().strip():
            QMessageBox.warning(self, tr("无法保存", "Not saved"),
                                tr("请填写条码输出的设备或文件夹。", "Enter the device or folder for the labels."))
            return
        old_url, old_lang = self.settings.db_url, self.settings.language
        s = self.settings
        s.desk_name, s.language, s.db_url = desk, self.language.currentData(), self.db_url.text().strip()
        s.receipt_printer, s.receipt_format = self.receipt_printer.currentText(), self.receipt_format.currentData()
        s.labels.output, s.labels.printer_name = self.label_output.currentData(), self.label_printer.currentText()
        s.labels.host, s.labels.port = self.label_host.text().strip(), self.label_port.value()
        s.labels.path, s.labels.size = self.label_path.text().strip(), self.label_size.currentText()
        s.labels.dpi = int(self.label_dpi.currentText())
        config.save(s)
        note = ""
        if s.db_url != old_url or s.language != old_lang:
            note = tr("\n数据库地址和界面语言在重新启动后生效。", "\nThe database and language apply after a restart.")
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
            site_settings.set_value(self.session, "site_name", name)
            site_settings.set_value(self.session, "site_name_en", self.site_name_en.text().strip() or name)
            site_settings.set_value(self.session, "label_free_reprints", str(self.free_reprints.value()))
        except UserError as exc:
            show_error(self, exc)
            return
        QMessageBox.information(self, tr("已保存", "Saved"), tr("中心设置已保存。", "Site settings saved."))

    # -- accounts -------------------------------------------------------------
    def _account_box(self) -> QGroupBox:
        box = QGroupBox(tr("账号", "Accounts"))
        layout = QVBoxLayout(box)
        self.users = QListWidget(objectName="users")
        self.users.setMaximumHeight(140)
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
        layout.addWidget(self.users)
        layout.addLayout(buttons)
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
