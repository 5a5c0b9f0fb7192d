"""PDF pages to images with pdfium, for print preview and Qt printing.

pdfium is not thread-safe, and the preview (UI thread) and a print job
(worker thread) may render at the same time, so every call into it holds one
process-wide lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from PIL import Image

_PDFIUM_LOCK = threading.Lock()
_POINTS_PER_INCH = 72.0
_MM_PER_POINT = 25.4 / 72.0


def _open(pdf_bytes: bytes):
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(pdf_bytes)


def pdf_page_sizes_mm(pdf_bytes: bytes) -> list[tuple[float, float]]:
    """Each page's (width, height) in millimetres."""
    with _PDFIUM_LOCK:
        pdf = _open(pdf_bytes)
        try:
            return [(w * _MM_PER_POINT, h * _MM_PER_POINT) for w, h in (pdf.get_page_size(i) for i in range(len(pdf)))]
        finally:
            pdf.close()


def iter_pdf_page_images(pdf_bytes: bytes, dpi: int, *, grayscale: bool = False, crisp_lines: bool = False) -> Iterator[Image.Image]:
    """Yield one image per page, rendering each only when asked for.

    A printer at 600 dpi turns an A4 page into about 100 MB of pixels, so
    printing holds one page at a time.  ``crisp_lines`` turns off
    anti-aliasing of vector shapes so barcode bars land on whole dots.
    """
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    scale = dpi / _POINTS_PER_INCH
    with _PDFIUM_LOCK:
        pdf = _open(pdf_bytes)
        count = len(pdf)
    try:
        for index in range(count):
            with _PDFIUM_LOCK:
                page = pdf[index]
                try:
                    bitmap = page.render(scale=scale, grayscale=grayscale, no_smoothpath=crisp_lines)
                    # An L image shares pdfium's buffer: copy it so it outlives the bitmap.
                    image = bitmap.to_pil().copy() if grayscale else bitmap.to_pil()
                    bitmap.close()
                finally:
                    page.close()
            yield image
    finally:
        with _PDFIUM_LOCK:
            pdf.close()


def pdf_pages_to_images(pdf_bytes: bytes, dpi: int, *, grayscale: bool = False, crisp_lines: bool = False) -> list[Image.Image]:
    """Every page of the PDF as a PIL image at ``dpi`` (RGB, or L if ``grayscale``)."""
    return list(iter_pdf_page_images(pdf_bytes, dpi, grayscale=grayscale, crisp_lines=crisp_lines))
