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
from frontdesk.i18n import tr

log = logging.getLogger(__name__)

#: The kinds of printed document, each with its own printer, and the papers it
#: may be printed on (the first is its default).  Lists are the lab hand-over
#: list and, later, the end-of-day report.
DOCUMENT_PAPERS: dict[str, tuple[str, ...]] = {
    "receipt": ("a5", "roll80"),
    "guide": ("a4",),
    "list": ("a4",),
}
#: (width, height) in mm; a roll has no fixed length: each page keeps its own.
PAPER_SIZES_MM: dict[str, tuple[float, float] | None] = {"a4": (210.0, 297.0), "a5": (148.0, 210.0), "roll80": None}
PAPER_WIDTHS_MM: dict[str, float] = {"a4": 210.0, "a5": 148.0, "roll80": 80.0}
ROLL_PAPERS = ("roll80",)


def document_label(kind: str) -> str:
    return {"receipt": tr("收据", "receipt"), "guide": tr("导检单", "guide sheet"),
            "list": tr("清单（送检单等）", "lists (hand-over etc.)")}[kind]


def paper_label(paper: str) -> str:
    return {"a4": tr("A4 纸", "A4 paper"), "a5": tr("A5 纸", "A5 paper"),
            "roll80": tr("80 毫米卷纸", "80 mm roll")}[paper]


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
class DocumentPrinterSettings:
    printer_name: str = ""  # empty: the system's default printer
    paper: str = "a4"


def _default_documents() -> dict[str, DocumentPrinterSettings]:
    return {kind: DocumentPrinterSettings(paper=papers[0]) for kind, papers in DOCUMENT_PAPERS.items()}


@dataclass
class WorkstationSettings:
    db_url: str = ""  # empty: the SQLite file in the data folder
    desk_name: str = "前台1"
    language: str = "zh"
    backup_keep: int = 7  # daily automatic backups kept in the data folder's backups/daily (0: none)
    labels: LabelPrinterSettings = field(default_factory=LabelPrinterSettings)
    documents: dict[str, DocumentPrinterSettings] = field(default_factory=_default_documents)

    def effective_db_url(self) -> str:
        """The URL actually used: FRONTDESK_DB beats the saved setting."""
        return os.environ.get("FRONTDESK_DB") or self.db_url or f"sqlite:///{paths.default_sqlite_path()}"

    def document(self, kind: str) -> DocumentPrinterSettings:
        """The printer and paper for one kind of document ("receipt", "guide", "list")."""
        if kind not in DOCUMENT_PAPERS:
            raise KeyError(kind)
        return self.documents.setdefault(kind, DocumentPrinterSettings(paper=DOCUMENT_PAPERS[kind][0]))

    # The receipt's printer and paper under their older names, which callers still use.
    @property
    def receipt_printer(self) -> str:
        return self.document("receipt").printer_name

    @receipt_printer.setter
    def receipt_printer(self, name: str) -> None:
        self.document("receipt").printer_name = name

    @property
    def receipt_format(self) -> str:
        return self.document("receipt").paper

    @receipt_format.setter
    def receipt_format(self, paper: str) -> None:
        self.document("receipt").paper = paper

    def roll_width_mm(self, printer_name: str) -> float | None:
        """The width of the roll this printer holds, if any document is set to a roll on it.

        An empty name is the system's default printer, and counts as one printer.
        """
        widths = [PAPER_WIDTHS_MM[d.paper] for d in self.documents.values()
                  if d.printer_name == printer_name and d.paper in ROLL_PAPERS]
        return min(widths) if widths else None

    def paper_problem(self, kind: str) -> str | None:
        """Why this document cannot go to its printer (a sheet wider than the roll it holds), or None."""
        doc = self.document(kind)
        roll = self.roll_width_mm(doc.printer_name)
        if roll is None or PAPER_WIDTHS_MM[doc.paper] <= roll:
            return None
        return tr("{d}需要{p}，但打印机“{n}”装的是 {w:.0f} 毫米卷纸：请为{d}另选一台打印机。",
                  "The {d} needs {p}, but printer “{n}” holds an {w:.0f} mm roll: choose another printer for the {d}.",
                  d=document_label(kind), p=paper_label(doc.paper), w=roll,
                  n=doc.printer_name or tr("系统默认打印机", "the default printer"))


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
    known = {f.name for f in fields(WorkstationSettings)} - {"labels", "documents"}
    values = {k: v for k, v in raw.items() if k in known}
    label_known = {f.name for f in fields(LabelPrinterSettings)}
    labels = LabelPrinterSettings(**{k: v for k, v in (raw.get("labels") or {}).items() if k in label_known})
    documents = _default_documents()
    saved = raw.get("documents") if isinstance(raw.get("documents"), dict) else {}
    if not saved and ("receipt_printer" in raw or "receipt_format" in raw):
        # Settings written before each document had its own printer: the guide
        # sheet and lists went to the receipt printer, unless that holds a roll.
        name = str(raw.get("receipt_printer") or "")
        paper = str(raw.get("receipt_format") or "a5")
        saved = {"receipt": {"printer_name": name, "paper": paper}}
        if paper not in ROLL_PAPERS:
            saved.update(guide={"printer_name": name}, list={"printer_name": name})
    for kind, entry in saved.items():
        if kind not in documents or not isinstance(entry, dict):
            continue
        doc = documents[kind]
        doc.printer_name = str(entry.get("printer_name") or "")
        if entry.get("paper") in DOCUMENT_PAPERS[kind]:
            doc.paper = entry["paper"]
    return WorkstationSettings(**values, labels=labels, documents=documents)
