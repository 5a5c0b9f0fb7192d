"""The lab hand-over list (送检单): A4, grouped, a scannable barcode per specimen."""

from __future__ import annotations

import datetime as dt

import pypdfium2
import pytest
import zxingcpp

from frontdesk.domain.codes import make_specimen_no
from frontdesk.printing.handover_pdf import HandoverData, HandoverGroup, HandoverLine, render_handover_pdf

SENT = dt.datetime(2026, 11, 23, 2, 30, tzinfo=dt.timezone.utc)
DAY = dt.date(2026, 11, 23)


def _data(per_group=(3, 2)) -> HandoverData:
    seq = iter(range(1, 10000))
    groups = []
    for (tube, cap, tests), count in zip([("黄头管", "黄色", ("肝功", "肾功", "血脂", "AFP", "CEA", "CA125", "CA153", "甲功")),
                                          ("采便器", "棕色", ("便常规", "潜血"))], per_group):
        groups.append(HandoverGroup(tube, cap, tuple(
            HandoverLine(make_specimen_no(DAY, next(seq)), f"2611230{n:03d}5", "欧阳*娜", tests, SENT)
            for n in range(count))))
    return HandoverData("健康体检中心", "SJ261123001", SENT, "李前台", "前台1", tuple(groups))


def _pages(pdf: bytes, dpi=300):
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page = document[index]
            text = page.get_textpage().get_text_range()
            yield page.get_size(), text, page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()


def test_hand_over_list_is_a4_and_every_specimen_barcode_scans():
    data = _data()
    (size, text, image), = list(_pages(render_handover_pdf(data)))
    assert size == pytest.approx((595.3, 841.9), abs=0.5)
    decoded = {r.text for r in zxingcpp.read_barcodes(image)}
    assert decoded == {line.barcode for g in data.groups for line in g.lines} | {"SJ261123001"}


def test_hand_over_list_shows_counts_per_tube_type_and_who_sent_it():
    text = "".join(t for _, t, _ in _pages(render_handover_pdf(_data()), dpi=30))
    assert "标本送检单" in text and "SJ261123001" in text and "李前台" in text
    assert "共 3 管" in text and "共 2 管" in text and "合计 5 管" in text
    assert "欧阳*娜" in text and "便常规 潜血" in text


def test_long_hand_over_list_continues_on_numbered_pages_and_every_barcode_scans():
    data = _data((30, 12))
    pages = list(_pages(render_handover_pdf(data)))
    assert len(pages) >= 3
    assert all(f"第 {n} / {len(pages)} 页" in text for n, (_, text, _) in enumerate(pages, start=1))
    assert all("标本条码" in text for _, text, _ in pages)  # the column header is repeated
    decoded = set().union(*({r.text for r in zxingcpp.read_barcodes(image)} for _, _, image in pages))
    assert decoded == {line.barcode for g in data.groups for line in g.lines} | {"SJ261123001"}


def test_sent_time_must_be_timezone_aware():
    with pytest.raises(ValueError):
        HandoverData("x", "SJ261123001", dt.datetime(2026, 11, 23, 10, 0), "a", "b", ())
