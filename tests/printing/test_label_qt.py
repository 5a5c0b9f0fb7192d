"""Labels through QPrinter (PDF output here), checked by scanning the result."""

from __future__ import annotations

import pypdfium2
import pytest
import zxingcpp

from frontdesk.errors import PrintError
from frontdesk.printing.label_layout import LABEL_SIZES, layout_label, sample_label_data

MM_TO_PT = 72 / 25.4


@pytest.fixture
def pdf_printer(qapp, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setResolution(300)
    printer.setOutputFileName(str(tmp_path / "labels.pdf"))
    return printer


@pytest.mark.parametrize("size", list(LABEL_SIZES))
def test_qt_prints_one_label_size_page_per_label_that_scans(pdf_printer, size):
    from frontdesk.printing.qt_label_printer import print_labels_qt

    label_size = LABEL_SIZES[size]
    # Laid out for a 203 dpi printer; the Qt path re-lays out at the printer's 300.
    layouts = [layout_label(sample_label_data(copy_no=n, copies=2), label_size, 203) for n in (1, 2)]
    print_labels_qt(pdf_printer, layouts)

    document = pypdfium2.PdfDocument(pdf_printer.outputFileName())
    try:
        assert len(document) == 2
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()
            # Qt rounds page sizes to whole points.
            assert width == pytest.approx(label_size.width_mm * MM_TO_PT, abs=1)
            assert height == pytest.approx(label_size.height_mm * MM_TO_PT, abs=1)
            image = page.render(scale=300 / 72).to_pil().convert("L")
            assert [r.text for r in zxingcpp.read_barcodes(image)] == ["260509001236"]
    finally:
        document.close()


# Qt warns when begin() fails; that failure is what this test is about.
@pytest.mark.qt_log_ignore(r"QPainter::begin\(\): Returned false")
def test_qt_printer_that_cannot_start_is_a_print_error(qapp, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    from frontdesk.printing.qt_label_printer import print_labels_qt

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "no-such-folder" / "labels.pdf"))
    with pytest.raises(PrintError):
        print_labels_qt(printer, [layout_label(sample_label_data())])


def test_qt_refuses_mixed_label_sizes_in_one_job(pdf_printer):
    from frontdesk.printing.qt_label_printer import print_labels_qt

    layouts = [layout_label(sample_label_data(), LABEL_SIZES["50x25"]), layout_label(sample_label_data(), LABEL_SIZES["60x40"])]
    with pytest.raises(ValueError):
        print_labels_qt(pdf_printer, layouts)


def test_qt_with_no_labels_prints_nothing(pdf_printer, tmp_path):
    from frontdesk.printing.qt_label_printer import print_labels_qt

    print_labels_qt(pdf_printer, [])
    assert not (tmp_path / "labels.pdf").exists()
