"""`frontdesk labels VISIT_NO --out DIR --format png|pdf|zpl`: the desk's labels as files."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from frontdesk import cli
from frontdesk.domain.codes import make_visit_no
from frontdesk.domain.enums import PaymentMethod
from frontdesk.services import checkin
from frontdesk.services.checkin import CheckInRequest
from frontdesk.services.payments import PaymentInput
from frontdesk.storage import models as m

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def visit(fdb, desk, make_guest, cat):
    guest = make_guest(name="王芳", sex="F", birth=dt.date(1985, 2, 3))
    package = cat.package("COMP_F")
    return checkin.check_in(desk, CheckInRequest(guest_id=guest.id, package_id=package.id,
                                                 payments=[PaymentInput(PaymentMethod.CASH, D(package.price))]),
                            day=TODAY).visit


def run(capsys, fdb, *argv):
    code = cli.main(["--db", fdb, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_png_writes_a_file_per_label_copy_and_prints_each_path(capsys, fdb, visit, tmp_path):
    code, out, _ = run(capsys, fdb, "labels", visit.visit_no, "--out", str(tmp_path / "out"), "--format", "png")
    assert code == 0
    files = sorted((tmp_path / "out").glob("*.png"))
    assert len(files) == 8 and all(str(f) in out for f in files)
    barcodes = {s.barcode for s in m.Specimen.select()}
    decoded = {r.text for f in files for r in zxingcpp.read_barcodes(Image.open(f).convert("L"))}
    assert decoded == barcodes


def test_pdf_is_one_file_with_a_page_per_label_at_the_size_asked(capsys, fdb, visit, tmp_path):
    code, out, _ = run(capsys, fdb, "labels", visit.visit_no, "--out", str(tmp_path / "out"), "--format", "pdf",
                       "--size", "60x40", "--dpi", "300")
    assert code == 0
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        assert len(document) == 8
        decoded = set()
        for index in range(len(document)):
            page = document[index]
            assert page.get_size() == pytest.approx((60 * 72 / 25.4, 40 * 72 / 25.4), abs=0.5)
            assert "王芳" in page.get_textpage().get_text_bounded()
            decoded |= {r.text for r in zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil().convert("L"))}
    finally:
        document.close()
    assert decoded == {s.barcode for s in m.Specimen.select()}


def test_zpl_for_the_hand_in_containers_only(capsys, fdb, visit, tmp_path):
    code, _, _ = run(capsys, fdb, "labels", visit.visit_no, "--out", str(tmp_path / "out"), "--format", "zpl",
                     "--moment", "hand_in")
    files = sorted((tmp_path / "out").glob("*.zpl"))
    assert code == 0 and len(files) == 2
    in_zpl = {code for f in files for code in re.findall(r"\^FD>;(\d+)\^FS", f.read_text("ascii"))}
    hand_in = (m.Specimen.select().join(m.TubeType).where(m.TubeType.code.in_(["URINE", "STOOL"])))
    assert in_zpl == {s.barcode for s in hand_in} and len(in_zpl) == 2


def test_writing_files_does_not_count_as_printing(capsys, fdb, visit, tmp_path):
    run(capsys, fdb, "labels", visit.visit_no, "--out", str(tmp_path), "--format", "png")
    assert {(s.status, s.print_count) for s in m.Specimen.select()} == {("created", 0)}


def test_unknown_visit_number_is_one_line_and_exit_1(capsys, fdb, visit, tmp_path):
    code, out, err = run(capsys, fdb, "labels", make_visit_no(TODAY, 999), "--out", str(tmp_path), "--format", "png")
    assert code == 1 and "不存在" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_visit_number_with_a_wrong_check_digit_is_refused(capsys, fdb, visit, tmp_path):
    wrong = visit.visit_no[:-1] + str((int(visit.visit_no[-1]) + 1) % 10)
    code, _, err = run(capsys, fdb, "labels", wrong, "--out", str(tmp_path), "--format", "png")
    assert code == 1 and "校验" in err


@pytest.mark.parametrize("option", [("--size", "40x20"), ("--dpi", "150"), ("--format", "jpg")])
def test_bad_size_dpi_or_format_is_a_usage_error(capsys, fdb, visit, tmp_path, option):
    out = tmp_path / "out"
    argv = ["labels", visit.visit_no, "--out", str(out), "--format", "png", *option]
    with pytest.raises(SystemExit) as exited:
        cli.main(["--db", fdb, *argv])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "参数错误" in err and not out.exists()
