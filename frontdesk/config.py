"""Workstation settings: typed, with every default in one place.

These belong to one desk (its name, its printers, which database it uses) and
are kept in ``settings.json`` in the data folder.  Site-wide settings (site
name, receipt layout) live in the database's settings table instead.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from frontdesk import paths

log = logging.getLogger(__name__)


@dataclass
class LabelPrinterSettings:
    # "qt": any installed printer through Qt; "zpl_tcp": raw ZPL to port 9100;
    # "zpl_file": raw ZPL to a device or file; "pdf"/"png": files in a folder.
    output: str = "pdf"
    printer_name: str = ""
    host: str = "127.0.0.1"
    port: int = 9100
    path: str = ""
    size: str = "50x25"
    dpi: int = 203
    timeout_s: float = 5.0


@dataclass
class WorkstationSettings:
    db_url: str = ""  # empty: the SQLite file in the data folder
    desk_name: str = "前台1"
    language: str = "zh"
    receipt_printer: str = ""
    receipt_format: str = "a5"  # "a5" or "roll80"
    labels: LabelPrinterSettings = field(default_factory=LabelPrinterSettings)

    def effective_db_url(self) -> str:
        """The URL actually used: FRONTDESK_DB beats the saved setting."""
        return os.environ.get("FRONTDESK_DB") or self.db_url or f"sqlite:///{paths.default_sqlite_path()}"


def settings_file() -> Path:
    return paths.data_dir() / "settings.json"


def load() -> WorkstationSettings:
    path = settings_file()
    if not path.exists():
        return WorkstationSettings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # A damaged settings file must not stop the desk: start on defaults
        # and keep the bad file for inspection.
        log.exception("settings file unreadable, using defaults")
        path.replace(path.with_suffix(".json.bad"))
        return WorkstationSettings()
    return _from_dict(raw)


def save(settings: WorkstationSettings) -> None:
    path = settings_file()
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(settings), ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)  # atomic: never a half-written settings file


def _from_dict(raw: dict) -> WorkstationSettings:
    known = {f.name for f in fields(WorkstationSettings)}
    values = {k: v for k, v in raw.items() if k in known and k != "labels"}
    label_known = {f.name for f in fields(LabelPrinterSettings)}
    labels = LabelPrinterSettings(**{k: v for k, v in (raw.get("labels") or {}).items() if k in label_known})
    return WorkstationSettings(**values, labels=labels)
