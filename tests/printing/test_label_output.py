"""Label output adapters: raw TCP (port 9100 style), device/file, folders.

Every socket here is on 127.0.0.1; nothing leaves the machine.
"""

from __future__ import annotations

import socket
import threading

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from frontdesk.errors import PrintError, ValidationError
from frontdesk.printing.label_layout import LABEL_SIZES, layout_label, sample_label_data
from frontdesk.printing.label_output import send_zpl_tcp, write_label_files, write_zpl_file
from frontdesk.printing.label_zpl import decode_gfa, label_to_zpl, labels_to_zpl

from .conftest import page_texts


@pytest.fixture
def six_labels():
    return [layout_label(sample_label_data(copy_no=n, copies=6), LABEL_SIZES["50x25"], 203) for n in range(1, 7)]


class _Listener:
    """A loopback 'printer' that reads a whole job, then closes (or not)."""

    def __init__(self, close_after_eof: bool = True) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.port = self.server.getsockname()[1]
        self.received = bytearray()
        self.release = threading.Event()
        self.close_after_eof = close_after_eof
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.server.settimeout(10)
        conn, _ = self.server.accept()
        with conn:
            conn.settimeout(10)
            while chunk := conn.recv(65536):
                self.received += chunk
            if not self.close_after_eof:
                self.release.wait(10)

    def stop(self) -> None:
        self.release.set()
        self.thread.join(10)
        self.server.close()


def test_zpl_arrives_whole_at_a_loopback_printer(six_labels):
    payload = labels_to_zpl(six_labels).encode("ascii")
    listener = _Listener()
    try:
        send_zpl_tcp("127.0.0.1", listener.port, payload, timeout_s=5)
        listener.thread.join(5)
    finally:
        listener.stop()
    assert bytes(listener.received) == payload
    text = listener.received.decode("ascii")
    assert text.count("^XA") == text.count("^XZ") == 6
    graphics = decode_gfa(text)
    assert graphics and all(image.getextrema()[0] == 0 for _, _, image in graphics)


def test_refused_connection_is_a_print_error():
    # A bound socket that is not listening answers a connect with a reset.
    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    closed.bind(("127.0.0.1", 0))
    try:
        with pytest.raises(PrintError) as caught:
            send_zpl_tcp("127.0.0.1", closed.getsockname()[1], b"^XA^XZ", timeout_s=2)
    finally:
        closed.close()
    assert "127.0.0.1" in caught.value.message


def test_printer_that_stops_reading_times_out_as_a_print_error():
    # Accepted (by the backlog) but never read, with a tiny receive buffer:
    # a big job fills both buffers and sending blocks until the timeout.
    stuck = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stuck.bind(("127.0.0.1", 0))
    stuck.listen(1)
    try:
        with pytest.raises(PrintError) as caught:
            send_zpl_tcp("127.0.0.1", stuck.getsockname()[1], b"^XA" + b"0" * (64 << 20) + b"^XZ", timeout_s=0.3)
    finally:
        stuck.close()
    assert "发送" in caught.value.message  # it timed out while sending


def test_printer_that_never_finishes_the_job_is_a_print_error():
    listener = _Listener(close_after_eof=False)
    try:
        with pytest.raises(PrintError):
            send_zpl_tcp("127.0.0.1", listener.port, b"^XA^XZ", timeout_s=0.3)
    finally:
        listener.stop()
    assert bytes(listener.received) == b"^XA^XZ"


def test_printer_that_keeps_the_connection_can_be_told_not_to_be_waited_for():
    listener = _Listener(close_after_eof=False)
    try:
        send_zpl_tcp("127.0.0.1", listener.port, b"^XA^XZ", timeout_s=5, wait_for_close=False)
    finally:
        listener.stop()
    assert bytes(listener.received) == b"^XA^XZ"


def test_print_error_message_follows_the_language():
    from frontdesk.i18n import set_language

    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    closed.bind(("127.0.0.1", 0))
    set_language("en")
    try:
        with pytest.raises(PrintError, match="refused"):
            send_zpl_tcp("127.0.0.1", closed.getsockname()[1], b"^XA^XZ", timeout_s=2)
    finally:
        set_language("zh")
        closed.close()


def test_write_zpl_file_writes_the_whole_payload(tmp_path):
    target = tmp_path / "printer.zpl"
    write_zpl_file(target, b"^XA^XZ" * 1000)
    assert target.read_bytes() == b"^XA^XZ" * 1000


def test_write_zpl_file_to_a_missing_device_is_a_print_error(tmp_path):
    with pytest.raises(PrintError):
        write_zpl_file(tmp_path / "no-such-dir" / "lp0", b"^XA^XZ")


def test_png_files_one_per_copy_that_scan(tmp_path, six_labels):
    paths = write_label_files(tmp_path / "out", six_labels, "png", "visit-2605090012")
    assert [p.name for p in paths] == [f"visit-2605090012-{n:02d}.png" for n in range(1, 7)]
    for path in paths:
        results = zxingcpp.read_barcodes(Image.open(path).convert("L"))
        assert [r.text for r in results] == ["260509001236"]


def test_zpl_files_one_per_copy(tmp_path, six_labels):
    paths = write_label_files(tmp_path, six_labels, "zpl", "labels")
    assert [p.name for p in paths] == [f"labels-{n:02d}.zpl" for n in range(1, 7)]
    assert [p.read_text("ascii") for p in paths] == [label_to_zpl(layout) for layout in six_labels]


def test_pdf_is_one_file_with_a_page_per_copy_that_scans(tmp_path, six_labels):
    paths = write_label_files(tmp_path, six_labels, "pdf", "labels")
    assert [p.name for p in paths] == ["labels.pdf"]
    pdf = paths[0].read_bytes()
    texts = page_texts(pdf)
    assert len(texts) == 6
    for n, text in enumerate(texts, start=1):
        assert "张三丰" in text and f"26050900120 {n}/6" in text and "EDTA抗凝管" in text
    document = pypdfium2.PdfDocument(pdf)
    try:
        for i in range(len(document)):
            image = document[i].render(scale=300 / 72).to_pil().convert("L")
            assert [r.text for r in zxingcpp.read_barcodes(image)] == ["260509001236"]
    finally:
        document.close()


def test_no_leftover_temporary_files(tmp_path, six_labels):
    write_label_files(tmp_path, six_labels, "png", "labels")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_unknown_file_format_is_refused(tmp_path, six_labels):
    with pytest.raises(ValidationError):
        write_label_files(tmp_path, six_labels, "bmp", "labels")


def test_unwritable_folder_is_a_print_error(tmp_path, six_labels):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(PrintError):
        write_label_files(blocker / "sub", six_labels, "png", "labels")
