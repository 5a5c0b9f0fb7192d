"""Labels as PDF: a page per label at the label's size, vectors that scan."""

from __future__ import annotations

import pypdfium2
import pytest
import zxingcpp

from frontdesk.printing.label_layout import LABEL_SIZES, layout_label, sample_label_data
from frontdesk.printing.label_pdf import labels_to_pdf

MM_TO_PT = 72 / 25.4


def _pages(pdf: bytes):
    document = pypdfium2.PdfDocument(pdf)
    return document, [document[i] for i in range(len(document))]


@pytest.mark.parametrize("size", list(LABEL_SIZES))
@pytest.mark.parametrize("dpi", [203, 300])
def test_one_page_per_label_at_the_label_size_that_scans(size, dpi):
    label_size = LABEL_SIZES[size]
    layouts = [layout_label(sample_label_data(copy_no=n, copies=3), label_size, dpi) for n in (1, 2, 3)]
    document, pages = _pages(labels_to_pdf(layouts))
    try:
        assert len(pages) == 3
        for page in pages:
            width, height = page.get_size()
            assert width == pytest.approx(label_size.width_mm * MM_TO_PT, abs=0.01)
            assert height == pytest.approx(label_size.height_mm * MM_TO_PT, abs=0.01)
        image = pages[1].render(scale=300 / 72).to_pil().convert("L")
        assert [r.text for r in zxingcpp.read_barcodes(image)] == ["260509001236"]
    finally:
        document.close()


def test_pdf_text_is_real_text_with_the_name():
    document, pages = _pages(labels_to_pdf([layout_label(sample_label_data())]))
    try:
        text = pages[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert "张三丰" in text
    assert "260509001236" in text.replace(" ", "")


def test_pdf_of_no_labels_is_a_bug():
    with pytest.raises(ValueError):
        labels_to_pdf([])
