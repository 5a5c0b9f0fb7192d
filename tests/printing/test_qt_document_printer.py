"""Printing rendered PDFs through a QPrinter (PDF output stands in for a real printer)."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import ImageChops, ImageStat
from PySide6.QtPrintSupport import QPrinter

from frontdesk.errors import PrintError
from frontdesk.printing.pdf_raster import pdf_page_sizes_mm, pdf_pages_to_images
from frontdesk.printing.qt_document_printer import print_pdf_qt
from frontdesk.printing.receipt import ReceiptData, ReceiptLine, ReceiptPayment, render_receipt_pdf

VISIT_NO = "25061501274"


def receipt_pdf(fmt: str = "a5", items: int = 3) -> bytes:
    data = ReceiptData(
        site_name="仁和健康体检中心",
        receipt_no="9000012738",
        visit_no=VISIT_NO,
        guest_name="张三丰",
        guest_sex="男",
        organisation=None,
        lines=tuple(ReceiptLine(f"加项{i:03d}", Decimal("10.00"), "个人") for i in range(items)),
        payments=(ReceiptPayment("现金", Decimal("10.00") * items),),
        total=Decimal("10.00") * items,
        paid=Decimal("10.00") * items,
        change=Decimal("0.00"),
        cashier="王丽",
        desk="前台1",
        issued_at=datetime(2025, 6, 15, 0, 32, tzinfo=timezone.utc),
    )
    return render_receipt_pdf(data, fmt)


def pdf_printer(path, dpi: int = 100) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(dpi)
    return printer


def page_count(pdf: bytes) -> int:
    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def test_printed_pdf_has_the_same_number_of_pages(qapp, tmp_path):
    source = receipt_pdf("a5", items=60)
    assert page_count(source) > 1
    out = tmp_path / "out.pdf"
    printed = print_pdf_qt(pdf_printer(out), source, None)
    assert printed == page_count(source)
    assert page_count(out.read_bytes()) == page_count(source)
    # The printer's output is raster; each printed page looks most like its own source page.
    sources = pdf_pages_to_images(source, 50, grayscale=True)
    for n, page in enumerate(pdf_pages_to_images(out.read_bytes(), 50, grayscale=True)):
        distances = [ImageStat.Stat(ImageChops.difference(page, src.resize(page.size))).mean[0] for src in sources]
        assert distances.index(min(distances)) == n


def test_page_size_follows_the_pdf(qapp, tmp_path):
    source = receipt_pdf("roll80")
    out = tmp_path / "roll.pdf"
    print_pdf_qt(pdf_printer(out), source, None)
    (width, height), = pdf_page_sizes_mm(out.read_bytes())
    (source_width, source_height), = pdf_page_sizes_mm(source)
    assert width == pytest.approx(source_width, abs=0.5)
    assert height == pytest.approx(source_height, abs=0.5)


def test_forced_page_size_is_used(qapp, tmp_path):
    out = tmp_path / "a4.pdf"
    print_pdf_qt(pdf_printer(out), receipt_pdf("a5"), (210.0, 297.0))
    (width, height), = pdf_page_sizes_mm(out.read_bytes())
    assert (width, height) == pytest.approx((210, 297), abs=0.5)


def test_barcode_survives_printing(qapp, tmp_path):
    out = tmp_path / "roll.pdf"
    print_pdf_qt(pdf_printer(out, dpi=300), receipt_pdf("roll80"), None)
    image = pdf_pages_to_images(out.read_bytes(), 300)[0]
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
    assert [r.text for r in results] == [VISIT_NO]


@pytest.mark.qt_log_ignore("QPainter::begin")
def test_printer_that_cannot_start_raises_print_error(qapp, tmp_path):
    printer = pdf_printer(tmp_path / "missing-folder" / "out.pdf")
    with pytest.raises(PrintError):
        print_pdf_qt(printer, receipt_pdf(), None)


def test_pdf_pages_to_images_matches_page_size_and_dpi():
    images = pdf_pages_to_images(receipt_pdf("a5"), 100)
    assert len(images) == 1
    assert images[0].size == (583, 827)  # A5 at 100 dpi
    assert images[0].mode == "RGB"


def test_pdf_pages_to_images_one_image_per_page():
    source = receipt_pdf("a5", items=60)
    assert len(pdf_pages_to_images(source, 50)) == page_count(source)


def test_pdf_pages_to_images_grayscale():
    assert pdf_pages_to_images(receipt_pdf("a5"), 50, grayscale=True)[0].mode == "L"


def test_a4_page_is_refused_on_an_80_mm_roll_and_nothing_is_sent(qapp, tmp_path):
    out = tmp_path / "roll.pdf"
    with pytest.raises(PrintError, match="80"):
        print_pdf_qt(pdf_printer(out), receipt_pdf("a5"), (210.0, 297.0), paper_width_mm=80.0)
    assert not out.exists()  # refused before the job started


def test_a5_receipt_is_refused_on_an_80_mm_roll(qapp, tmp_path):
    out = tmp_path / "roll.pdf"
    with pytest.raises(PrintError):
        print_pdf_qt(pdf_printer(out), receipt_pdf("a5"), None, paper_width_mm=80.0)
    assert not out.exists()


def test_roll_receipt_prints_on_its_80_mm_roll(qapp, tmp_path):
    out = tmp_path / "roll.pdf"
    assert print_pdf_qt(pdf_printer(out), receipt_pdf("roll80"), None, paper_width_mm=80.0) == 1
    (width, _height), = pdf_page_sizes_mm(out.read_bytes())
    assert width == pytest.approx(80, abs=1)
