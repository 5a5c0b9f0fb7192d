"""The guest's identity at check-in: shown for a known guest, typed for a new one.

Every field has its own message line: a bad ID check digit or a 10-digit
phone is explained next to the field, in the desk's language.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from frontdesk.domain.enums import IdType
from frontdesk.domain.idnumber import age_on
from frontdesk.domain.sex import Sex
from frontdesk.errors import ValidationError
from frontdesk.i18n import tr
from frontdesk.services.guests import GuestInput, Mismatch
from frontdesk.storage import models as m
from frontdesk.ui.widgets import error_label

FIELDS = ("name", "id_type", "id_number", "sex", "birth_date", "phone", "organisation")


class GuestForm(QGroupBox):
    """Emits ``save_requested`` when the desk presses Enter or 保存 on a new/edited guest."""

    save_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(tr("客人信息", "Guest"), parent)
        self.guest_id: int | None = None
        self.guest_version: int | None = None
        self.name = QLineEdit(objectName="guestName")
        self.id_type = QComboBox(objectName="guestIdType")
        for value, label in IdType.choices():
            self.id_type.addItem(label, value)
        self.id_number = QLineEdit(objectName="guestIdNumber")
        self.sex = QComboBox(objectName="guestSex")
        self.sex.addItem(tr("（按证件）", "(from ID)"), "")
        self.sex.addItem(Sex.MALE.label(), "M")
        self.sex.addItem(Sex.FEMALE.label(), "F")
        self.birth_date = QLineEdit(objectName="guestBirthDate", placeholderText="YYYY-MM-DD")
        self.phone = QLineEdit(objectName="guestPhone")
        self.organisation = QComboBox(objectName="guestOrganisation")
        self.errors: dict[str, QLabel] = {}
        self.age_label = QLabel(objectName="guestAge")
        form = QFormLayout()
        widgets = {"name": self.name, "id_type": self.id_type, "id_number": self.id_number, "sex": self.sex,
                   "birth_date": self.birth_date, "phone": self.phone, "organisation": self.organisation}
        labels = {"name": tr("姓名", "Name"), "id_type": tr("证件类型", "ID type"), "id_number": tr("证件号码", "ID number"),
                  "sex": tr("性别", "Sex"), "birth_date": tr("出生日期", "Birth date"), "phone": tr("手机号", "Mobile"),
                  "organisation": tr("单位", "Organisation")}
        for key in FIELDS:
            error = error_label(f"error_{key}")
            error.hide()
            self.errors[key] = error
            box = QVBoxLayout()
            box.setSpacing(0)
            box.addWidget(widgets[key])
            box.addWidget(error)
            form.addRow(labels[key], box)
        form.addRow(tr("年龄", "Age"), self.age_label)
        self.use_id_values = QPushButton(tr("采用证件上的性别和出生日期", "Use the sex and birth date from the ID"),
                                         objectName="useIdValues")
        self.use_id_values.hide()
        self.use_id_values.clicked.connect(self._apply_id_values)
        self.save_button = QPushButton(tr("保存客人信息 (Enter)", "Save guest (Enter)"), objectName="saveGuest")
        self.save_button.clicked.connect(self.save_requested)
        self.edit_button = QPushButton(tr("修改信息", "Edit details"), objectName="editGuest")
        self.edit_button.clicked.connect(lambda: self.set_editable(True))
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.use_id_values)
        layout.addLayout(buttons)
        for edit in (self.name, self.id_number, self.birth_date, self.phone):
            edit.returnPressed.connect(self._enter_pressed)
        self._mismatches: list[Mismatch] = []
        self.set_editable(True)

    def load_organisations(self) -> None:
        current = self.organisation.currentData()
        self.organisation.clear()
        self.organisation.addItem(tr("（无）", "(none)"), None)
        for org in m.Organisation.select().order_by(m.Organisation.name):
            self.organisation.addItem(org.name, org.id)
        self.organisation.setCurrentIndex(max(self.organisation.findData(current), 0))

    def _enter_pressed(self) -> None:
        if self.save_button.isVisible() and self.save_button.isEnabled():
            self.save_requested.emit()

    def set_editable(self, editable: bool) -> None:
        for widget in (self.name, self.id_number, self.birth_date, self.phone):
            widget.setReadOnly(not editable)
        for combo in (self.id_type, self.sex, self.organisation):
            combo.setEnabled(editable)
        self.save_button.setVisible(editable)
        self.edit_button.setVisible(not editable and self.guest_id is not None)

    def clear(self) -> None:
        self.guest_id = None
        self.guest_version = None
        for edit in (self.name, self.id_number, self.birth_date, self.phone):
            edit.clear()
        self.id_type.setCurrentIndex(0)
        self.sex.setCurrentIndex(0)
        self.organisation.setCurrentIndex(0)
        self.age_label.clear()
        self.clear_errors()
        self.set_editable(True)

    def show_guest(self, guest, today: dt.date) -> None:
        """A known guest, read-only until 修改信息: shown in full, the person is in front of the desk.

        ``guest``: a ``services.guests.GuestView`` (plain, with the version it was read at); a model row
        still works for older callers.
        """
        self.clear_errors()
        self.guest_id = guest.id
        # The version it was read at: saving an edit hands it back, so a change made meanwhile at another
        # desk is refused (StaleEditError) instead of overwritten, and this form keeps what was typed.
        self.guest_version = guest.version
        self.name.setText(guest.name)
        self.id_type.setCurrentIndex(max(self.id_type.findData(getattr(guest.id_type, "value", guest.id_type)), 0))
        self.id_number.setText(guest.id_number or "")
        self.sex.setCurrentIndex(max(self.sex.findData(guest.sex), 0))
        self.birth_date.setText(guest.birth_date.isoformat() if guest.birth_date else "")
        self.phone.setText(guest.phone or "")
        self.organisation.setCurrentIndex(max(self.organisation.findData(guest.organisation_id), 0))
        self.age_label.setText(tr("{a} 岁", "{a}", a=age_on(guest.birth_date, today)) if guest.birth_date else "")
        self.set_editable(False)

    def read(self) -> GuestInput:
        """What is typed; a birth date that is not a date is refused here, next to its field."""
        text = self.birth_date.text().strip()
        birth = None
        if text:
            try:
                birth = dt.date.fromisoformat(text.replace("/", "-").replace(".", "-"))
            except ValueError:
                raise ValidationError(tr("出生日期格式应为 年-月-日，例如 1980-05-17",
                                         "Write the birth date as year-month-day, e.g. 1980-05-17"),
                                      field="birth_date") from None
        return GuestInput(name=self.name.text(), sex=self.sex.currentData() or "", birth_date=birth,
                          id_type=IdType(self.id_type.currentData()), id_number=self.id_number.text(),
                          phone=self.phone.text(), organisation_id=self.organisation.currentData())

    def check_fields(self) -> bool:
        """Check each field on its own so every mistake is shown at once, not one per Enter."""
        from frontdesk.domain.idnumber import parse_resident_id
        from frontdesk.domain.text import validate_mobile, validate_person_name

        self.clear_errors()
        checks = [("name", lambda: validate_person_name(self.name.text())),
                  ("phone", lambda: validate_mobile(self.phone.text())),
                  ("birth_date", self.read)]
        if self.id_type.currentData() == IdType.RESIDENT_ID.value:
            checks.append(("id_number", lambda: parse_resident_id(self.id_number.text())))
        ok = True
        for key, check in checks:
            try:
                check()
            except ValidationError as exc:
                self.show_error(key if key != "birth_date" else exc.field, exc.message)
                ok = False
        return ok

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()
        self._mismatches = []
        self.use_id_values.hide()

    def show_error(self, field: str | None, message: str) -> bool:
        """Put the message under its field; False if the field is not on this form."""
        key = {"mobile": "phone", "code": "id_number"}.get(field or "", field or "")
        if key not in self.errors:
            return False
        self.errors[key].setText(message)
        self.errors[key].show()
        return True

    def show_mismatches(self, mismatches: list[Mismatch]) -> None:
        self._mismatches = list(mismatches)
        for mismatch in mismatches:
            self.show_error(mismatch.field, mismatch.message)
        self.use_id_values.setVisible(bool(mismatches))

    def _apply_id_values(self) -> None:
        for mismatch in self._mismatches:
            if mismatch.field == "sex":
                self.sex.setCurrentIndex(max(self.sex.findData(mismatch.from_id), 0))
            elif mismatch.field == "birth_date":
                self.birth_date.setText(mismatch.from_id.isoformat())
        self.clear_errors()

    def first_error_widget(self) -> QWidget | None:
        widgets = {"name": self.name, "id_type": self.id_type, "id_number": self.id_number, "sex": self.sex,
                   "birth_date": self.birth_date, "phone": self.phone, "organisation": self.organisation}
        for key in FIELDS:
            if self.errors[key].isVisible():
                return widgets[key]
        return None
