"""The audit trail of what leaves the desk on paper or as a file.

Receipts, guide sheets and hand-over lists carry names and money; each one
printed or saved as PDF is recorded once it is out (not when it was asked
for), the first as ``<kind>.print`` and every later one as ``<kind>.reprint``.
Label files written from the command line carry full names and are recorded
as an export: who, what, where.
"""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.services import audit
from frontdesk.services.session import Session
from frontdesk.storage import db
from frontdesk.storage import models as m

#: The audit action prefix and record type of each kind of printed document.
DOCUMENT_KINDS: dict[str, tuple[str, str]] = {
    "receipt": ("receipt", "receipt"),
    "guide": ("guide_sheet", "visit"),
    "handover": ("handover", "handover"),
    "report_handout": ("report_handout_receipt", "report_handout"),  # record_id: the hand-out's id
    "eod": ("eod_report", "day"),  # record_id: the date (services/eod.py)
    "deferral_slip": ("deferral_slip", "visit"),  # record_id: the original visit's id
}


@dataclass(frozen=True)
class PrintedDocument:
    """Which record a rendered document shows: ``kind`` is "receipt", "guide" or "handover";
    ``record_id`` the receipt's or visit's id, or the hand-over number; ``number`` what is printed on it."""

    kind: str
    record_id: str
    number: str

    @staticmethod
    def receipt(receipt_id: int, receipt_no: str) -> PrintedDocument:
        return PrintedDocument("receipt", str(receipt_id), receipt_no)

    @staticmethod
    def guide_sheet(visit_id: int, visit_no: str) -> PrintedDocument:
        return PrintedDocument("guide", str(visit_id), visit_no)

    @staticmethod
    def deferral_slip(visit_id: int) -> PrintedDocument:
        from frontdesk.domain.codes import make_deferral_no

        return PrintedDocument("deferral_slip", str(visit_id), make_deferral_no(visit_id))

    @staticmethod
    def handover(handover_no: str) -> PrintedDocument:
        return PrintedDocument("handover", handover_no, handover_no)


def record_document_output(session: Session, document: PrintedDocument, *, destination: str, pages: int,
                           saved_as_pdf: bool = False) -> str:
    """Record that ``document`` was printed on ``destination`` (a printer's name) or saved
    as PDF there (a file path); returns the action written (``receipt.print``, ``receipt.reprint``, …).

    Call it after the output succeeded: a print that failed is not a print.
    """
    prefix, record_type = DOCUMENT_KINDS[document.kind]
    with db.transaction():
        earlier = (m.AuditLog.select()
                   .where(m.AuditLog.record_type == record_type, m.AuditLog.record_id == document.record_id,
                          m.AuditLog.action.in_([f"{prefix}.print", f"{prefix}.reprint"]))
                   .exists())
        action = f"{prefix}.reprint" if earlier else f"{prefix}.print"
        audit.record(session, action, record_type, document.record_id, number=document.number, pages=pages,
                     output="pdf" if saved_as_pdf else "printer", destination=destination)
    return action


def record_label_export(session: Session, visit_id: int, visit_no: str, *, folder: str, file_format: str,
                        labels: int, files: int, os_user: str, host: str) -> None:
    """Record label files (full names on them) written outside the desk's printing: who, what, where."""
    with db.transaction():
        audit.record(session, "labels.export", "visit", visit_id, visit_no=visit_no, folder=folder,
                     format=file_format, labels=labels, files=files, os_user=os_user, host=host)
