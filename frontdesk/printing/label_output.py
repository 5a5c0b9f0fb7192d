"""Where rendered labels go: a network printer, a device or file, a folder.

These adapters take what the renderers made (ZPL bytes, layouts) and only
move it; every failure the desk can act on is a ``PrintError`` whose message
says what to check.
"""

from __future__ import annotations

import errno
import os
import socket
import tempfile
from collections.abc import Sequence
from pathlib import Path

from frontdesk.errors import PrintError, ValidationError
from frontdesk.i18n import tr
from frontdesk.printing.label_layout import LabelLayout

ZPL_PORT = 9100
LABEL_FILE_FORMATS = ("png", "pdf", "zpl")


def _refused(host: str, port: int) -> PrintError:
    return PrintError(
        tr(
            "标签打印机 {host}:{port} 拒绝连接：请检查打印机是否开机、联网，端口是否正确",
            "The label printer {host}:{port} refused the connection: check that it is on, "
            "on the network, and that the port is right",
            host=host,
            port=port,
        )
    )


def _timed_out(host: str, port: int, seconds: float, stage: str) -> PrintError:
    return PrintError(
        tr(
            "标签打印机 {host}:{port} 在 {seconds:g} 秒内没有响应（{stage}）：请检查打印机是否缺纸、开盖或忙碌，然后重新打印",
            "The label printer {host}:{port} did not respond within {seconds:g} s ({stage}): "
            "check for paper out, an open lid or a busy printer, then print again",
            host=host,
            port=port,
            seconds=seconds,
            stage=stage,
        )
    )


def _unreachable(host: str, port: int, error: OSError) -> PrintError:
    return PrintError(
        tr(
            "无法连接标签打印机 {host}:{port}（{error}）：请检查打印机地址和网络",
            "Cannot reach the label printer {host}:{port} ({error}): check its address and the network",
            host=host,
            port=port,
            error=error.strerror or error,
        )
    )


def _broken(host: str, port: int, error: OSError) -> PrintError:
    return PrintError(
        tr(
            "发送到标签打印机 {host}:{port} 时连接中断（{error}）：标签可能没有打全，请重新打印",
            "The connection to the label printer {host}:{port} broke while sending ({error}): "
            "the labels may be incomplete, print them again",
            host=host,
            port=port,
            error=error.strerror or error,
        )
    )


def send_zpl_tcp(
    host: str, port: int, payload: bytes, timeout_s: float = 10.0, *, wait_for_close: bool = True
) -> None:
    """Send ``payload`` to a raw TCP printer port (Zebra: 9100).

    Returns only when every byte was handed over and the connection was
    closed in order: after sending, the write side is shut down and we wait
    (up to ``timeout_s``) for the printer to close its side, as CUPS's socket
    backend does by default, so a printer that vanishes mid-job is an error,
    not a silent success.  Anything the printer sends back is discarded.
    ``wait_for_close=False`` is for print servers that keep the connection
    open after the job: then success means every byte was accepted by the
    local TCP stack and the socket shut down and closed without error.

    ``timeout_s`` bounds connecting, each blocked send and the final wait.
    Raises ``PrintError`` for refused, timed out, unreachable or broken
    connections.
    """
    if not payload:
        raise ValueError("empty print job")
    try:
        sock = socket.create_connection((host, port), timeout=timeout_s)
    except ConnectionRefusedError:
        raise _refused(host, port) from None
    except (socket.timeout, TimeoutError):
        raise _timed_out(host, port, timeout_s, tr("连接", "connecting")) from None
    except socket.gaierror as error:
        raise _unreachable(host, port, error) from None
    except OSError as error:
        raise _unreachable(host, port, error) from None
    try:
        with sock:
            try:
                sock.sendall(payload)
            except (socket.timeout, TimeoutError):
                raise _timed_out(host, port, timeout_s, tr("发送", "sending")) from None
            except OSError as error:
                raise _broken(host, port, error) from None
            try:
                sock.shutdown(socket.SHUT_WR)
                while wait_for_close and sock.recv(4096):
                    pass  # status bytes some printers send back
            except (socket.timeout, TimeoutError):
                raise _timed_out(host, port, timeout_s, tr("等待打印机确认", "waiting for the printer to finish")) from None
            except OSError as error:
                raise _broken(host, port, error) from None
    except PrintError:
        raise
    except OSError as error:  # close() itself failed
        raise _broken(host, port, error) from None


def write_zpl_file(path: str | os.PathLike[str], payload: bytes) -> None:
    """Write ZPL to a printer device (``/dev/usb/lp0``, ``\\\\.\\COM3``, a
    shared printer path) or to a plain file.  Raises ``PrintError`` if it
    cannot be opened or written in full."""
    target = Path(path)
    try:
        with open(target, "wb", buffering=0) as handle:
            view = memoryview(payload)
            while view:
                written = handle.write(view)
                if not written:
                    raise OSError(errno.EIO, "the device accepted no data")
                view = view[written:]
            if target.is_file():
                os.fsync(handle.fileno())
    except OSError as error:
        raise PrintError(
            tr(
                "无法写入标签打印机或文件 {path}（{error}）",
                "Cannot write to the label printer or file {path} ({error})",
                path=str(target),
                error=error.strerror or error,
            )
        ) from None


def _write_atomically(path: Path, data: bytes) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_label_files(
    out_dir: str | os.PathLike[str],
    layouts: Sequence[LabelLayout],
    fmt: str,
    basename: str = "labels",
) -> list[Path]:
    """Save labels to ``out_dir``: one file per label copy for 'png' and 'zpl'
    (``{basename}-01.png`` ...), one ``{basename}.pdf`` with a page per copy.

    Existing files of the same names are replaced whole (written to a
    temporary file first).  Returns the paths written, in label order.
    """
    if fmt not in LABEL_FILE_FORMATS:
        raise ValidationError(
            tr("不支持的标签文件格式：{fmt}（可选 png、pdf、zpl）", "Unsupported label file format: {fmt} (png, pdf or zpl)", fmt=fmt),
            field="format",
        )
    if not layouts:
        return []
    if os.sep in basename or (os.altsep and os.altsep in basename) or basename in ("", ".", ".."):
        raise ValueError(f"basename {basename!r} must be a plain file name")
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if fmt == "pdf":
            from frontdesk.printing.label_pdf import labels_to_pdf

            path = folder / f"{basename}.pdf"
            _write_atomically(path, labels_to_pdf(layouts))
            return [path]
        if fmt == "png":
            from frontdesk.printing.label_raster import label_png_bytes as render
        else:
            from frontdesk.printing.label_zpl import label_to_zpl

            def render(layout: LabelLayout) -> bytes:
                return label_to_zpl(layout).encode("ascii")

        width = max(2, len(str(len(layouts))))
        paths = []
        for number, layout in enumerate(layouts, start=1):
            path = folder / f"{basename}-{number:0{width}d}.{fmt}"
            _write_atomically(path, render(layout))
            paths.append(path)
        return paths
    except OSError as error:
        raise PrintError(
            tr(
                "无法保存标签文件到 {folder}（{error}）",
                "Cannot save the label files in {folder} ({error})",
                folder=str(folder),
                error=error.strerror or error,
            )
        ) from None
