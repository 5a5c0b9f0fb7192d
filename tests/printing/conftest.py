"""Helpers shared by the printing tests."""

import pypdfium2 as pdfium


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, as a PDF reader extracts it."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_bounded() for i in range(len(doc))]
    finally:
        doc.close()
