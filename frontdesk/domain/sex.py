"""A person's sex as recorded on the resident ID card."""

from __future__ import annotations

from enum import StrEnum

from frontdesk.i18n import tr


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"

    def label(self) -> str:
        if self is Sex.MALE:
            return tr("男", "Male")
        return tr("女", "Female")
