"""Specimen labels of a visit: which, what they say, printing on every output, reprint rules.

Every printer here is local: a PDF/PNG folder, a loopback TCP listener, a
Qt printer writing a PDF file.  Each printed label is scanned back with
zxing-cpp.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
from decimal import Decimal as D
from functools import partial

import pypdfium2
import pytest
import zxingcpp
from PIL import Image, ImageChops

from frontdesk import config
from frontdesk.domain.enums import PaymentMethod, SpecimenStatus
from frontdesk.errors import ConflictError, PermissionDeniedError, PrintError
from frontdesk.printing.label_zpl import decode_gfa
from frontdesk.services import checkin, labels, site_settings
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.labels import ReprintLimitError
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)

#: COMP_F by tube type: (label copies, tests on the label in catalogue order).
EXPECTED = {
    "CITRATE": (1, ("凝血",)),
    "SST": (2, ("肝功", "肾功", "血脂", "AFP", "CEA", "CA125", "CA153", "甲功")),
    "EDTA": (1, ("血常规", "糖化")),
    "FLUORIDE": (1, ("血糖",)),
    "URINE": (1, ("尿常规",)),
    "STOOL": (1, ("便常规", "潜血")),
    "TCT": (1, ("TCT", "HPV")),
}
CHECK_IN_TUBES = {"CITRATE", "SST", "EDTA", "FLUORIDE", "TCT"}
UNPRINTED = {tube: ("created", 0) for tube in EXPECTED}  # every specimen of the visit, none printed


def cash(amount):
    return PaymentInput(PaymentMethod.CASH, D(amount))


@pytest.fixture
def visit(desk, make_guest, cat):
    guest = make_guest(name="王芳", sex="F", birth=dt.date(1985, 2, 3))
    package = cat.package("COMP_F")
    return checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=package.id,
                                                 payments=[cash(package.price)]), day=TODAY).visit


def tube_of(barcode: str) -> str:
    specimen = m.Specimen.get(m.Specimen.barcode == barcode)
    return m.TubeType.get_by_id(specimen.tube_type_id).code


def statuses(visit_id):
    return {tube_of(s.barcode): (s.status, s.print_count)
            for s in m.Specimen.select().where(m.Specimen.visit == visit_id)}


def audit_actions(action):
    return list(m.AuditLog.select().where(m.AuditLog.action == action).order_by(m.AuditLog.id))


def folder_output(tmp_path, fmt="pdf"):
    return config.LabelPrinterSettings(output=fmt, path=str(tmp_path / "labels"), size="50x25", dpi=203)


def decode_pdf(path) -> list[str]:
    document = pypdfium2.PdfDocument(str(path))
    try:
        codes = []
        for index in range(len(document)):
            image = document[index].render(scale=300 / 72).to_pil().convert("L")
            codes.append([r.text for r in zxingcpp.read_barcodes(image)])
        return codes
    finally:
        document.close()


# --------------------------------------------------------------------------
# A tiny ZPL "printer": pastes the ^GFA graphics and draws ^BC bars with
# python-barcode from the ^FD data, as a Zebra would from the same commands.

_FORMAT = re.compile(r"\^XA(.*?)\^XZ", re.S)


def render_zpl(zpl: str) -> list[Image.Image]:
    import barcode

    labels_ = []
    for body in _FORMAT.findall(zpl):
        width = int(re.search(r"\^PW(\d+)", body)[1])
        height = int(re.search(r"\^LL(\d+)", body)[1])
        canvas = Image.new("L", (width, height), 255)
        for x, y, graphic in decode_gfa(body):
            canvas.paste(0, (x, y), ImageChops.invert(graphic))
        bc = re.search(r"\^FO(\d+),(\d+)\s*\^BY(\d+)\s*\^BCN,(\d+),N,N,N,N\s*\^FD>;(\d+)\^FS", body)
        x, y, module, bar_h, digits = int(bc[1]), int(bc[2]), int(bc[3]), int(bc[4]), bc[5]
        for i, bit in enumerate(barcode.Code128(digits).build()[0]):
            if bit == "1":
                canvas.paste(0, (x + i * module, y, x + (i + 1) * module, y + bar_h))
        labels_.append(canvas)
    return labels_


class Listener:
    """A loopback label printer on port 0: reads whole jobs until closed."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.server.settimeout(10)
        self.port = self.server.getsockname()[1]
        self.jobs: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            data = bytearray()
            while chunk := conn.recv(65536):
                data += chunk
            self.jobs.append(bytes(data))

    def close(self) -> None:
        self.thread.join(10)
        self.server.close()


# --------------------------------------------------------------------------
# Which labels and what they say


def test_comprehensive_female_package_has_seven_specimens_and_eight_label_copies(visit):
    layouts = labels.labels_for_visit(visit.id)
    by_tube: dict[str, list] = {}
    for layout in layouts:
        by_tube.setdefault(tube_of(layout.data.barcode), []).append(layout.data)
    assert set(by_tube) == set(EXPECTED) and len(layouts) == 8
    for tube, (copies, tests) in EXPECTED.items():
        datas = by_tube[tube]
        assert len(datas) == copies
        assert [(d.copy_no, d.copies) for d in datas] == [(n, copies) for n in range(1, copies + 1)]
        assert [d.tests for d in datas] == [tests] * copies
    assert len({d.barcode for d in (l.data for l in layouts)}) == 7


def test_check_in_moment_gives_the_blood_tubes_and_vial_and_hand_in_the_containers(visit):
    at_check_in = labels.labels_for_visit(visit.id, moment="check_in")
    at_hand_in = labels.labels_for_visit(visit.id, moment="hand_in")
    assert sorted(tube_of(l.data.barcode) for l in at_check_in) == sorted(["CITRATE", "SST", "SST", "EDTA",
                                                                            "FLUORIDE", "TCT"])
    assert sorted(tube_of(l.data.barcode) for l in at_hand_in) == ["STOOL", "URINE"]


def test_label_names_guest_visit_tube_cap_and_date(visit):
    data = next(l.data for l in labels.labels_for_visit(visit.id) if tube_of(l.data.barcode) == "EDTA")
    assert (data.guest_name, data.sex_label, data.age) == ("王芳", "女", 41)
    assert data.visit_no == visit.visit_no and data.collected_on == TODAY
    assert (data.tube_name, data.cap_colour) == ("紫头管", "紫色")


def test_labels_are_in_order_of_draw(visit):
    orders = [m.TubeType.get(m.TubeType.code == tube_of(l.data.barcode)).draw_order
              for l in labels.labels_for_visit(visit.id)]
    assert orders == sorted(orders)


def test_cancelled_specimen_gets_no_label(visit, supervisor, cat):
    glu = m.VisitItem.get(m.VisitItem.visit == visit.id, m.VisitItem.item == cat.item_id("GLU"))
    checkin.remove_item(supervisor, glu.id, PaymentMethod.CASH, "已进食")
    assert "FLUORIDE" not in {tube_of(l.data.barcode) for l in labels.labels_for_visit(visit.id)}


def test_label_text_follows_the_language(visit):
    from frontdesk import i18n

    i18n.set_language("en")
    data = next(l.data for l in labels.labels_for_visit(visit.id) if tube_of(l.data.barcode) == "EDTA")
    assert (data.tube_name, data.cap_colour, data.sex_label) == ("Lavender tube", "lavender", "Female")


# --------------------------------------------------------------------------
# Printing on every output


def test_check_in_labels_printed_to_pdf_each_page_decodes_to_its_specimen(desk, visit, tmp_path):
    outcome = labels.print_labels(desk, visit.id, folder_output(tmp_path, "pdf"), moment="check_in")
    assert outcome.labels == 6 and len(outcome.files) == 1
    expected = [l.data.barcode for l in labels.labels_for_visit(visit.id, moment="check_in")]
    assert decode_pdf(outcome.files[0]) == [[code] for code in expected]


def test_png_output_writes_a_file_per_label_copy_that_decodes(desk, visit, tmp_path):
    outcome = labels.print_labels(desk, visit.id, folder_output(tmp_path, "png"), moment="all")
    assert len(outcome.files) == 8
    decoded = [[r.text for r in zxingcpp.read_barcodes(Image.open(p).convert("L"))] for p in outcome.files]
    assert decoded == [[l.data.barcode] for l in labels.labels_for_visit(visit.id)]


def test_check_in_labels_sent_to_a_zpl_listener_each_decodes(desk, visit):
    listener = Listener()
    try:
        output = config.LabelPrinterSettings(output="zpl_tcp", host="127.0.0.1", port=listener.port, timeout_s=5)
        outcome = labels.print_labels(desk, visit.id, output, moment="check_in")
    finally:
        listener.close()
    assert outcome.labels == 6 and len(listener.jobs) == 1
    printed = render_zpl(listener.jobs[0].decode("ascii"))
    expected = [l.data.barcode for l in labels.labels_for_visit(visit.id, moment="check_in")]
    assert [[r.text for r in zxingcpp.read_barcodes(image)] for image in printed] == [[c] for c in expected]


def test_zpl_written_to_a_device_file(desk, visit, tmp_path):
    device = tmp_path / "lp0"
    output = config.LabelPrinterSettings(output="zpl_file", path=str(device))
    labels.print_labels(desk, visit.id, output, moment="hand_in")
    assert device.read_text("ascii").count("^XA") == 2


def test_check_in_labels_through_qt_each_page_decodes(desk, visit, tmp_path, qapp):
    from PySide6.QtPrintSupport import QPrinter

    from frontdesk.printing.qt_label_printer import print_labels_qt

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setResolution(300)
    printer.setOutputFileName(str(tmp_path / "qt.pdf"))
    output = config.LabelPrinterSettings(output="qt")
    labels.print_labels(desk, visit.id, output, moment="check_in", qt_print=partial(print_labels_qt, printer))
    expected = [l.data.barcode for l in labels.labels_for_visit(visit.id, moment="check_in")]
    assert decode_pdf(tmp_path / "qt.pdf") == [[code] for code in expected]


def test_printing_marks_labels_printed_counts_copies_and_audits_each_specimen(desk, visit, tmp_path):
    labels.print_labels(desk, visit.id, folder_output(tmp_path), moment="check_in")
    state = statuses(visit.id)
    assert state["SST"] == ("label_printed", 2) and state["EDTA"] == ("label_printed", 1)
    assert state["URINE"] == ("created", 0) and state["STOOL"] == ("created", 0)
    assert m.Specimen.get(m.Specimen.barcode == next(
        s.barcode for s in m.Specimen.select() if tube_of(s.barcode) == "SST")).printed_at is not None
    entries = audit_actions("label.print")
    assert len(entries) == 5 and {e.username for e in entries} == {"qiantai"}


def test_print_button_twice_prints_no_second_set(desk, visit, tmp_path):
    labels.print_labels(desk, visit.id, folder_output(tmp_path), moment="check_in")
    with pytest.raises(ConflictError, match="没有待打印"):
        labels.print_labels(desk, visit.id, folder_output(tmp_path), moment="check_in")
    assert statuses(visit.id)["SST"] == ("label_printed", 2)


def test_offline_printer_raises_print_error_and_labels_stay_unprinted(desk, visit):
    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
    try:
        output = config.LabelPrinterSettings(output="zpl_tcp", host="127.0.0.1", port=closed.getsockname()[1],
                                             timeout_s=2)
        with pytest.raises(PrintError):
            labels.print_labels(desk, visit.id, output, moment="check_in")
    finally:
        closed.close()
    assert statuses(visit.id) == UNPRINTED
    assert not audit_actions("label.print")


def test_printer_that_never_answers_times_out_and_labels_stay_unprinted(desk, visit):
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts into the backlog, never reads or closes: the job never completes
    try:
        output = config.LabelPrinterSettings(output="zpl_tcp", host="127.0.0.1", port=silent.getsockname()[1],
                                             timeout_s=0.3)
        with pytest.raises(PrintError, match="没有响应"):
            labels.print_labels(desk, visit.id, output, moment="check_in")
    finally:
        silent.close()
    assert statuses(visit.id) == UNPRINTED


def test_unwritable_folder_is_a_print_error_and_nothing_is_recorded(desk, visit, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    output = config.LabelPrinterSettings(output="pdf", path=str(blocker / "labels"))
    with pytest.raises(PrintError):
        labels.print_labels(desk, visit.id, output, moment="check_in")
    assert statuses(visit.id) == UNPRINTED


def test_unknown_output_is_refused_before_printing(desk, visit):
    from frontdesk.errors import ValidationError

    with pytest.raises(ValidationError):
        labels.print_labels(desk, visit.id, config.LabelPrinterSettings(output="fax"), moment="check_in")


def test_qt_output_without_a_printer_is_a_print_error(desk, visit):
    with pytest.raises(PrintError):
        labels.print_labels(desk, visit.id, config.LabelPrinterSettings(output="qt"), moment="check_in")


# --------------------------------------------------------------------------
# Reprints


def _sst(visit_id):
    return next(s for s in m.Specimen.select().where(m.Specimen.visit == visit_id) if tube_of(s.barcode) == "SST")


def test_reception_reprints_up_to_the_allowance_then_needs_a_supervisor(desk, supervisor, visit, tmp_path):
    assert site_settings.load().label_free_reprints == 2
    out = folder_output(tmp_path)
    labels.print_labels(desk, visit.id, out, moment="check_in")
    sst = _sst(visit.id)
    for _ in range(2):
        outcome = labels.print_labels(desk, visit.id, out, specimen_ids=[sst.id])
        assert outcome.reprints == 1 and outcome.labels == 2
    files_before = len(list((tmp_path / "labels").iterdir()))
    with pytest.raises(ReprintLimitError) as refused:
        labels.print_labels(desk, visit.id, out, specimen_ids=[sst.id])
    assert isinstance(refused.value, PermissionDeniedError) and "主管" in refused.value.message
    assert refused.value.barcodes == [sst.barcode]
    assert len(list((tmp_path / "labels").iterdir())) == files_before  # nothing printed
    assert m.Specimen.get_by_id(sst.id).print_count == 6
    labels.print_labels(supervisor, visit.id, out, specimen_ids=[sst.id])
    assert m.Specimen.get_by_id(sst.id).print_count == 8
    reprints = audit_actions("label.reprint")
    assert [e.username for e in reprints] == ["qiantai", "qiantai", "zhuguan"]
    assert [e.record_id for e in reprints] == [str(sst.id)] * 3


def test_allowance_comes_from_the_site_setting(desk, supervisor, visit, tmp_path):
    site_settings.set_value(supervisor, "label_free_reprints", "0")
    out = folder_output(tmp_path)
    labels.print_labels(desk, visit.id, out, moment="check_in")
    with pytest.raises(ReprintLimitError):
        labels.print_labels(desk, visit.id, out, specimen_ids=[_sst(visit.id).id])


def test_first_print_of_selected_specimens_is_not_a_reprint(desk, supervisor, visit, tmp_path):
    site_settings.set_value(supervisor, "label_free_reprints", "0")
    outcome = labels.print_labels(desk, visit.id, folder_output(tmp_path), specimen_ids=[_sst(visit.id).id])
    assert outcome.reprints == 0 and len(audit_actions("label.print")) == 1


def test_reprint_of_a_collected_tube_keeps_it_collected(desk, visit, tmp_path):
    from frontdesk.services import specimens

    out = folder_output(tmp_path)
    labels.print_labels(desk, visit.id, out, moment="check_in")
    sst = _sst(visit.id)
    specimens.receive_specimen(desk, sst.barcode)
    labels.print_labels(desk, visit.id, out, specimen_ids=[sst.id])
    assert m.Specimen.get_by_id(sst.id).status == SpecimenStatus.COLLECTED.value


def test_preview_images_are_the_labels_at_printer_resolution(visit):
    pairs = labels.preview_images(visit.id, moment="hand_in", dpi=300, size="60x40")
    assert len(pairs) == 2
    for layout, image in pairs:
        assert image.size == (layout.width, layout.height) == (709, 472)
        assert [r.text for r in zxingcpp.read_barcodes(image.convert("L"))] == [layout.data.barcode]


def test_visit_labels_lists_specimens_with_status_and_prints(desk, visit, tmp_path):
    labels.print_labels(desk, visit.id, folder_output(tmp_path), moment="check_in")
    view = labels.visit_labels(visit.id)
    assert view.guest_name == "王芳" and view.age == 41 and view.visit_no == visit.visit_no
    rows = {row.barcode: row for row in view.specimens}
    sst = rows[_sst(visit.id).barcode]
    assert (sst.print_count, sst.copies, sst.status_text()) == (2, 2, "已打印")
    assert [tube_of(r.barcode) for r in view.to_print("hand_in")] == ["URINE", "STOOL"]


def test_find_visit_by_visit_number_or_specimen_barcode(visit):
    barcode = _sst(visit.id).barcode
    assert labels.find_visit(visit.visit_no) == (visit.id, "")
    assert labels.find_visit(barcode) == (visit.id, barcode)


def test_tube_labelled_at_both_moments_gets_its_hand_in_print_free(desk, supervisor, visit, tmp_path):
    site_settings.set_value(supervisor, "label_free_reprints", "0")
    m.TubeType.update(label_moment="both").where(m.TubeType.code == "URINE").execute()
    out = folder_output(tmp_path)
    first = labels.print_labels(desk, visit.id, out, moment="check_in")
    urine = next(s for s in m.Specimen.select().where(m.Specimen.visit == visit.id) if tube_of(s.barcode) == "URINE")
    assert urine.barcode in first.barcodes
    row = next(r for r in labels.visit_labels(visit.id).specimens if r.specimen_id == urine.id)
    assert row.to_print_at("hand_in") and not row.to_print_at("check_in")
    at_hand_in = labels.print_labels(desk, visit.id, out, moment="hand_in")
    assert urine.barcode in at_hand_in.barcodes and at_hand_in.reprints == 0
    with pytest.raises(ReprintLimitError):
        labels.print_labels(desk, visit.id, out, specimen_ids=[urine.id])
