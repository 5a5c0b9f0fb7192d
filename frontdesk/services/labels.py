"""Specimen labels (条形码打印): which labels a visit needs, what they say, and printing them.

Which labels: one per copy (``TubeType.label_copies``) of each live specimen
of the visit, in order of draw.  ``moment`` picks the labels of a point in
the visit: "check_in" (blood tubes, the cervical vial: printed with the
guide sheet), "hand_in" (urine cup, stool container: printed when the guest
hands the container in, 收集采便器并对号粘贴条形码) or "all".  A tube type
whose labels print at both moments gets its second (planned) print at
hand-in.

What a label says comes from the visit: the guest's full name, sex and age,
the visit number, tube and cap colour, the short names of the tests on that
tube, the visit date and the barcode (``printing.label_layout`` decides
where each goes).

Printing: ``print_labels`` renders once and hands the labels to the output
chosen in the workstation's settings (a Qt printer the UI passes in as a
function, raw ZPL over TCP or to a device/file, PDF/PNG files).  Statuses,
print counts and the audit entries are written only after the output
reported success, in one transaction: a printer that is offline, refuses
or times out raises ``PrintError`` and the labels stay "not printed".

Reprints: every print of a specimen's labels is audited, one entry per
specimen ("label.print" the planned print, "label.replace" the new print of
a label voided by an add-on, "label.reprint" anything else).  A reception
user may make ``label_free_reprints`` (site setting) reprints of a specimen;
past that the call needs a supervisor's session (``ReprintLimitError``).
Reprints made with a supervisor count too.  Printing a voided label again
is not a reprint: the add-on made the old copy wrong, not the desk.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from frontdesk import clock, config, paths
from frontdesk.domain.codes import CodeKind, looks_like_code
from frontdesk.domain.text import normalize_digits
from frontdesk.domain.enums import LabelMoment, Role, SpecimenStatus, VisitStatus
from frontdesk.domain.idnumber import age_on
from frontdesk.domain.sex import Sex
from frontdesk.errors import ConflictError, NotFoundError, PermissionDeniedError, PrintError, ValidationError
from frontdesk.i18n import tr
from frontdesk.printing.label_layout import (DEFAULT_LABEL_SIZE, LabelData, LabelLayout, LabelSize, layout_label,
                                             parse_label_size)
from frontdesk.services import audit, overview, site_settings
from frontdesk.services.session import Session
from frontdesk.storage import db
from frontdesk.storage import models as m
from frontdesk.storage import specimen_queries as sq

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

MOMENTS = ("check_in", "hand_in", "all")
OUTPUTS = ("qt", "zpl_tcp", "zpl_file", "pdf", "png")

PRINT, REPLACE, REPRINT = "label.print", "label.replace", "label.reprint"

_MOMENT_TUBES = {
    "check_in": (LabelMoment.CHECK_IN.value, LabelMoment.BOTH.value),
    "hand_in": (LabelMoment.HAND_IN.value, LabelMoment.BOTH.value),
}

#: How the UI prints through Qt: a function given the laid-out labels
#: (``functools.partial(print_labels_qt, printer)``).  Services never import Qt.
QtPrint = Callable[[Sequence[LabelLayout]], None]


class ReprintLimitError(PermissionDeniedError):
    """Reprinting these specimens again needs a supervisor."""

    def __init__(self, message: str, barcodes: Sequence[str]) -> None:
        super().__init__(message)
        self.barcodes = list(barcodes)


# --------------------------------------------------------------------------
# Which labels


@dataclass(frozen=True)
class _Job:
    """One specimen's labels in a print: every copy, and how the print counts."""

    specimen: m.Specimen
    tube: m.TubeType
    tests: tuple[str, ...]
    action: str  # PRINT, REPLACE or REPRINT
    reprints_before: int

    @property
    def copies(self) -> int:
        return max(1, int(self.tube.label_copies or 1))


def _moment(moment: str) -> str:
    if moment not in MOMENTS:
        raise ValueError(f"moment must be one of {MOMENTS}, not {moment!r}")
    return moment


def _visit(visit_id: int) -> m.Visit:
    visit = sq.visit_with_guest(visit_id)
    if visit is None:
        raise NotFoundError(tr("找不到该体检记录", "Visit not found"))
    return visit


def _action(specimen: m.Specimen, tube: m.TubeType, moment: str, counts: dict[str, int]) -> str:
    if specimen.status == SpecimenStatus.CREATED.value:
        return PRINT if specimen.print_count == 0 else REPLACE
    if (moment == "hand_in" and tube.label_moment == LabelMoment.BOTH.value
            and specimen.status == SpecimenStatus.LABEL_PRINTED.value and counts.get(PRINT, 0) < 2):
        return PRINT  # the planned second print of a tube labelled at both moments
    return REPRINT


def _jobs(visit: m.Visit, moment: str, specimen_ids: Sequence[int] | None, only_unprinted: bool) -> list[_Job]:
    ids = list(dict.fromkeys(specimen_ids)) if specimen_ids is not None else None
    specimens = sq.visit_specimens(visit.id, ids)
    if ids is not None and len(specimens) != len(ids):
        raise ConflictError(tr("所选标本已作废或不属于本次体检，请刷新后重选", "A chosen specimen is cancelled or belongs to "
                               "another visit; refresh and choose again"))
    if moment != "all":
        specimens = [s for s in specimens if s.tube_type.label_moment in _MOMENT_TUBES[moment]]
    counts = sq.label_print_counts(s.id for s in specimens)
    jobs = []
    tests = sq.tests_on_specimens(s.id for s in specimens)
    for specimen in specimens:
        action = _action(specimen, specimen.tube_type, moment, counts[specimen.id])
        if only_unprinted and action == REPRINT:
            continue
        jobs.append(_Job(specimen, specimen.tube_type, tuple(tests[specimen.id]), action,
                         counts[specimen.id].get(REPRINT, 0)))
    return jobs


def _label_data(visit: m.Visit, job: _Job, copy_no: int) -> LabelData:
    guest = visit.guest
    age = (age_on(guest.birth_date, visit.visit_date)
           if guest.birth_date and guest.birth_date <= visit.visit_date else None)
    tube = job.tube
    return LabelData(
        guest_name=guest.name, sex_label=Sex(guest.sex).label() if guest.sex else "", age=age,
        visit_no=visit.visit_no, tube_name=tr(tube.name, tube.name_en or tube.name),
        cap_colour=tr(tube.cap_colour, tube.cap_colour_en or tube.cap_colour), tests=job.tests,
        collected_on=visit.visit_date, barcode=job.specimen.barcode, copy_no=copy_no, copies=job.copies)


def _size(size: LabelSize | str) -> LabelSize:
    return size if isinstance(size, LabelSize) else parse_label_size(size)


def _dpi(dpi) -> int:
    try:
        value = int(dpi)
    except (TypeError, ValueError):
        value = 0
    if value not in (203, 300, 600):
        raise ValidationError(tr("不支持的打印分辨率：{dpi}（可选 203、300 dpi）", "Unsupported printer resolution: {dpi} "
                                 "(203 or 300 dpi)", dpi=dpi), field="dpi")
    return value


def _layouts(visit: m.Visit, jobs: Sequence[_Job], size: LabelSize, dpi: int) -> list[LabelLayout]:
    return [layout_label(_label_data(visit, job, n), size, dpi) for job in jobs for n in range(1, job.copies + 1)]


def labels_for_visit(visit_id: int, *, moment: str = "all", size: LabelSize | str = DEFAULT_LABEL_SIZE,
                     dpi: int = 203, specimen_ids: Sequence[int] | None = None,
                     only_unprinted: bool = False) -> list[LabelLayout]:
    """Every label copy of the visit's live specimens for ``moment``, laid out for ``size`` and ``dpi``.

    ``specimen_ids`` narrows to those specimens (all must be live specimens
    of the visit); ``only_unprinted`` keeps the labels still to print (never
    printed, or voided by an add-on).  Changes nothing.
    """
    visit = _visit(visit_id)
    jobs = _jobs(visit, _moment(moment), specimen_ids, only_unprinted)
    return _layouts(visit, jobs, _size(size), _dpi(dpi))


def preview_images(visit_id: int, *, moment: str = "all", size: LabelSize | str = DEFAULT_LABEL_SIZE, dpi: int = 203,
                   specimen_ids: Sequence[int] | None = None,
                   only_unprinted: bool = False) -> list[tuple[LabelLayout, Image.Image]]:
    """The labels as the printer will print them: (layout, 1-bit image of layout.dpi) pairs.

    The image's physical size is ``layout.size`` (its ``info["dpi"]`` says
    the resolution), so the UI can show it at real size.
    """
    from frontdesk.printing.label_raster import render_label_image

    layouts = labels_for_visit(visit_id, moment=moment, size=size, dpi=dpi, specimen_ids=specimen_ids,
                               only_unprinted=only_unprinted)
    return [(layout, render_label_image(layout)) for layout in layouts]


# --------------------------------------------------------------------------
# Printing


@dataclass(frozen=True)
class PrintOutcome:
    output: str
    labels: int                      # label copies printed
    barcodes: tuple[str, ...]        # specimens printed
    reprints: int                    # of which reprints (counted against the allowance)
    replaced: int                    # of which voided labels printed again
    files: tuple[Path, ...] = ()

    def message(self) -> str:
        if self.files and self.output in ("pdf", "png"):
            return tr("已保存 {n} 张标签（{s} 个标本）到 {where}", "Saved {n} labels ({s} specimens) in {where}",
                      n=self.labels, s=len(self.barcodes), where=self.files[0].parent)
        text = tr("已打印 {n} 张标签（{s} 个标本）", "Printed {n} labels ({s} specimens)", n=self.labels,
                  s=len(self.barcodes))
        if self.replaced:
            text += tr("；请撕掉作废的旧标签", "; tear off the voided old labels")
        return text


def _check_output(output: config.LabelPrinterSettings, qt_print: QtPrint | None) -> None:
    if output.output not in OUTPUTS:
        raise ValidationError(tr("未知的条码输出方式：{o}，请在设置中选择", "Unknown label output: {o}; choose one in the "
                                 "settings", o=output.output), field="output")
    if output.output == "qt" and qt_print is None:
        raise PrintError(tr("没有选择条码打印机", "No label printer was chosen"))
    if output.output == "zpl_tcp" and not (output.host or "").strip():
        raise PrintError(tr("请在设置中填写标签打印机的地址", "Enter the label printer's address in the settings"))
    if output.output == "zpl_file" and not (output.path or "").strip():
        raise PrintError(tr("请在设置中填写标签打印机的设备或文件", "Enter the label printer's device or file in the settings"))


def _check_reprints(session: Session, jobs: Sequence[_Job]) -> None:
    if session.can(Role.SUPERVISOR):
        return
    free = site_settings.load().label_free_reprints
    over = [job for job in jobs if job.action == REPRINT and job.reprints_before >= free]
    if over:
        codes = [job.specimen.barcode for job in over]
        raise ReprintLimitError(tr(
            "条码 {codes} 已补打 {n} 次，达到前台可补打的次数（{free} 次）；再次补打需要主管授权",
            "Barcode {codes} was reprinted {n} times, the desk's allowance ({free}); another reprint needs a supervisor",
            codes="、".join(codes), n=max(job.reprints_before for job in over), free=free), codes)


def _deliver(output: config.LabelPrinterSettings, layouts: list[LabelLayout], visit_no: str,
             qt_print: QtPrint | None) -> list[Path]:
    kind = output.output
    if kind == "qt":
        qt_print(layouts)
        return []
    if kind in ("zpl_tcp", "zpl_file"):
        from frontdesk.printing.label_output import send_zpl_tcp, write_zpl_file
        from frontdesk.printing.label_zpl import labels_to_zpl

        payload = labels_to_zpl(layouts).encode("ascii")
        if kind == "zpl_tcp":
            send_zpl_tcp(output.host.strip(), int(output.port), payload, float(output.timeout_s))
            return []
        write_zpl_file(output.path.strip(), payload)
        return [Path(output.path.strip())]
    from frontdesk.printing.label_output import write_label_files

    folder = Path(output.path.strip()) if (output.path or "").strip() else paths.data_dir() / "labels"
    stamp = clock.local_now().strftime("%Y%m%d-%H%M%S")
    return write_label_files(folder, layouts, kind, basename=f"labels-{visit_no}-{stamp}")


def print_labels(session: Session, visit_id: int, output: config.LabelPrinterSettings, *, moment: str = "all",
                 specimen_ids: Sequence[int] | None = None, only_unprinted: bool | None = None,
                 qt_print: QtPrint | None = None) -> PrintOutcome:
    """Print the visit's labels on ``output`` and record it; returns what was printed.

    Without ``specimen_ids`` the labels still to print at ``moment`` are
    printed (never printed, or voided by an add-on): pressing "print" twice
    does not make a second set.  With ``specimen_ids`` exactly those
    specimens' labels are printed, as reprints where printed before.

    Raises ``ConflictError`` when there is nothing to print,
    ``ReprintLimitError`` when a reprint needs a supervisor (checked before
    anything prints), ``PrintError`` when the output failed; in every such
    case nothing is recorded.  On success the specimens become "label
    printed" (collected and sent ones keep their status), their print
    counts grow by the copies printed, and each is audited.
    """
    moment = _moment(moment)
    if only_unprinted is None:
        only_unprinted = specimen_ids is None
    _check_output(output, qt_print)
    size, dpi = parse_label_size(output.size), _dpi(output.dpi)
    visit = _visit(visit_id)
    if visit.status == VisitStatus.CANCELLED.value:
        raise ConflictError(tr("体检号 {v} 已取消，不能打印标签", "Visit {v} is cancelled; no labels", v=visit.visit_no))
    jobs = _jobs(visit, moment, specimen_ids, only_unprinted)
    if not jobs:
        what = {"check_in": tr("报到条码", "check-in labels"), "hand_in": tr("交回容器的标签", "hand-in labels"),
                "all": tr("标签", "labels")}[moment]
        raise ConflictError(tr("体检号 {v} 没有待打印的{what}；如需补打，请选中标本后点“打印所选”",
                               "Visit {v} has no {what} left to print; to reprint, choose the specimens and print "
                               "the selection", v=visit.visit_no, what=what))
    _check_reprints(session, jobs)
    layouts = _layouts(visit, jobs, size, dpi)
    files = _deliver(output, layouts, visit.visit_no, qt_print)
    # The output has the labels: only now do counts and statuses change.
    with db.transaction():
        now = m.utcnow()
        for job in jobs:
            sq.record_print(job.specimen.id, job.copies, now)
            audit.record(session, job.action, "specimen", job.specimen.id, barcode=job.specimen.barcode,
                         visit_no=visit.visit_no, copies=job.copies, output=output.output, moment=moment,
                         reprint_no=job.reprints_before + 1 if job.action == REPRINT else 0)
    log.info("printed %d labels of visit %s on %s", len(layouts), visit.visit_no, output.output)
    return PrintOutcome(output.output, len(layouts), tuple(job.specimen.barcode for job in jobs),
                        sum(job.action == REPRINT for job in jobs), sum(job.action == REPLACE for job in jobs),
                        tuple(files))


# --------------------------------------------------------------------------
# The visit as the labels screen shows it


@dataclass(frozen=True)
class SpecimenRow:
    specimen_id: int
    barcode: str
    container: str             # cap colour and tube/container name
    container_kind: str
    label_moment: LabelMoment
    copies: int
    tests: tuple[str, ...]
    status: SpecimenStatus
    print_count: int
    reprints: int
    label_void: bool           # printed, then voided by an add-on: print again
    new_after_collected: bool  # a second tube of a type already collected
    collected_at: dt.datetime | None
    collected_by: str
    planned_prints: int = 0    # planned prints made (a tube labelled at both moments has two)

    def status_text(self) -> str:
        if self.label_void:
            return tr("标签已作废，待重打", "Label void: reprint")
        if self.new_after_collected and self.status is SpecimenStatus.CREATED:
            return tr("新开试管，待打印", "New tube: print its label")
        return self.status.label()

    def to_print_at(self, moment: str) -> bool:
        """Whether "print the labels of ``moment``" prints this one (the rule of ``print_labels``)."""
        if (moment == "hand_in" and self.label_moment is LabelMoment.BOTH
                and self.status is SpecimenStatus.LABEL_PRINTED and self.planned_prints < 2):
            return True
        if self.status is not SpecimenStatus.CREATED:
            return False
        return moment == "all" or self.label_moment.value in _MOMENT_TUBES[moment]


@dataclass(frozen=True)
class VisitLabels:
    visit_id: int
    visit_no: str
    visit_date: dt.date
    visit_status: VisitStatus
    guest_name: str
    sex_label: str
    age: int | None
    package: str
    specimens: tuple[SpecimenRow, ...] = field(default_factory=tuple)

    def to_print(self, moment: str) -> list[SpecimenRow]:
        return [row for row in self.specimens if row.to_print_at(moment)]

    def notice(self) -> str:
        """What the desk must do about changed labels (the add-on cases), or ""."""
        void = [row.barcode for row in self.specimens if row.label_void]
        new = [row.barcode for row in self.specimens if row.new_after_collected and row.status is SpecimenStatus.CREATED]
        parts = []
        if void:
            parts.append(tr("标签已更新，请重打并撕掉旧标签：{c}", "Labels updated: reprint them and tear off the old ones: "
                            "{c}", c="、".join(void)))
        if new:
            parts.append(tr("试管已采集后加项，已新开标本，请打印新标签：{c}", "Added after the tube was collected: a new "
                            "specimen needs its label: {c}", c="、".join(new)))
        return "；".join(parts)


def visit_labels(visit_id: int) -> VisitLabels:
    """The visit's guest and live specimens with their label state."""
    visit = _visit(visit_id)
    guest = visit.guest
    specimens = sq.visit_specimens(visit.id)
    tests = sq.tests_on_specimens(s.id for s in specimens)
    counts = sq.label_print_counts(s.id for s in specimens)
    done_tubes = {s.tube_type_id for s in specimens
                  if s.status in (SpecimenStatus.COLLECTED.value, SpecimenStatus.SENT.value)}
    rows = []
    for s in specimens:
        tube = s.tube_type
        status = SpecimenStatus(s.status)
        rows.append(SpecimenRow(
            specimen_id=s.id, barcode=s.barcode,
            container=f"{tr(tube.cap_colour, tube.cap_colour_en)} {tr(tube.name, tube.name_en)}",
            container_kind=tube.container_kind, label_moment=LabelMoment(tube.label_moment),
            copies=max(1, tube.label_copies or 1), tests=tuple(tests[s.id]), status=status,
            print_count=s.print_count, reprints=counts[s.id].get(REPRINT, 0),
            label_void=status is SpecimenStatus.CREATED and s.print_count > 0,
            new_after_collected=status is SpecimenStatus.CREATED and s.tube_type_id in done_tubes,
            collected_at=s.collected_at, collected_by=s.collected_by, planned_prints=counts[s.id].get(PRINT, 0)))
    package = m.Package.get_or_none(m.Package.id == visit.package_id) if visit.package_id else None
    age = (age_on(guest.birth_date, visit.visit_date)
           if guest.birth_date and guest.birth_date <= visit.visit_date else None)
    return VisitLabels(visit.id, visit.visit_no, visit.visit_date, VisitStatus(visit.status), guest.name,
                       Sex(guest.sex).label() if guest.sex else "", age,
                       tr(package.name, package.name_en or package.name) if package else "", tuple(rows))


def find_visit(code: str) -> tuple[int, str]:
    """The visit a scanned visit number or specimen barcode names: (visit id, the barcode or "")."""
    if looks_like_code(normalize_digits(code)) is CodeKind.RECEIPT:
        raise ValidationError(tr("请扫描体检号或标本条码", "Scan a visit number or a specimen barcode"), field="code")
    return overview.find_visit(code)
