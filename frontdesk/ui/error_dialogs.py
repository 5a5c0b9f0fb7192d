"""Showing errors: a UserError as a plain message, anything else as a crash
dialog that says where the log is (the error is logged first)."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from frontdesk import paths
from frontdesk.errors import UserError
from frontdesk.i18n import tr

log = logging.getLogger(__name__)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    from frontdesk.services.database import as_user_error

    exc = as_user_error(exc)  # a lost database connection is the desk's problem to retry, not a bug
    if isinstance(exc, UserError):
        QMessageBox.warning(parent, tr("无法完成", "Not done"), exc.message)
        return
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    show_crash(parent, str(paths.log_path()), exc)


def show_crash(parent: QWidget | None, log_file: str, exc: BaseException) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, tr("程序出错", "Unexpected error"),
                      tr("发生了意外错误，已记录到日志。已保存的数据不受影响。\n\n{e}\n\n日志：{p}",
                         "An unexpected error occurred and was logged. Saved data is not affected.\n\n{e}\n\nLog: {p}",
                         e=f"{type(exc).__name__}: {exc}", p=log_file), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("crashDialog")
    box.exec()
