"""How long a 6-specimen visit takes from LabelData to label images and ZPL.

Compared, in the same run, with python-barcode alone drawing the same six
Code 128 symbols (``barcode.Code128`` + ``ImageWriter`` to an in-memory PNG),
which is the least any barcode label could cost with the libraries we use.

Run:  python bench/labels.py [--repeat N]

Targets: median under 100 ms for the visit, and within 3x of python-barcode.
The text measuring caches are cleared before every repetition, so each one
pays for a new guest's strings as a real visit would; fonts stay loaded as
they do in the running application.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from frontdesk.printing import label_layout  # noqa: E402
from frontdesk.printing.label_layout import LABEL_SIZES, LabelData, layout_label  # noqa: E402
from frontdesk.printing.label_raster import label_png_bytes, render_label_image  # noqa: E402
from frontdesk.printing.label_zpl import label_to_zpl  # noqa: E402

TARGET_MS = 100.0
TARGET_RATIO = 3.0

DAY = date(2026, 5, 9)
VISIT = [
    LabelData("欧阳娜娜", "女", 38, "2605090012", "枸橼酸钠管", "浅蓝色", ("凝血四项",), DAY, "260509001236"),
    LabelData("欧阳娜娜", "女", 38, "2605090012", "促凝管(SST)", "黄色", ("肝功能", "肾功能", "血脂四项", "甲功三项"), DAY, "260509001301"),
    LabelData("欧阳娜娜", "女", 38, "2605090012", "EDTA抗凝管", "紫色", ("血常规", "糖化血红蛋白"), DAY, "260509001418"),
    LabelData("欧阳娜娜", "女", 38, "2605090012", "氟化钠管", "灰色", ("空腹血糖",), DAY, "260509001525"),
    LabelData("欧阳娜娜", "女", 38, "2605090012", "尿杯", "", ("尿常规",), DAY, "260509001616"),
    LabelData("欧阳娜娜", "女", 38, "2605090012", "采便器", "", ("便常规", "潜血"), DAY, "260509001707"),
]


def _clear_text_caches() -> None:
    label_layout.text_runs.cache_clear()
    label_layout.text_width.cache_clear()


def ours(size=LABEL_SIZES["50x25"], dpi=203):
    """Layout + 1-bit image + ZPL for each of the six labels."""
    out = []
    for data in VISIT:
        layout = layout_label(data, size, dpi)
        out.append((render_label_image(layout), label_to_zpl(layout)))
    return out


def ours_png(size=LABEL_SIZES["50x25"], dpi=203):
    """Layout + PNG bytes (the preview/file path) for each label."""
    return [label_png_bytes(layout_label(data, size, dpi)) for data in VISIT]


def python_barcode_alone():
    import barcode
    from barcode.writer import ImageWriter

    out = []
    for data in VISIT:
        buffer = io.BytesIO()
        barcode.Code128(data.barcode, writer=ImageWriter()).write(buffer)
        out.append(buffer.getvalue())
    return out


def _time_ms(func, clear: bool) -> float:
    if clear:
        _clear_text_caches()
    start = time.perf_counter()
    func()
    return (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    ours()  # first call: loads both fonts, parses Vera's character map
    first_ms = (time.perf_counter() - start) * 1000
    python_barcode_alone()  # warm its font and imports too

    cases = {
        "FrontDesk: layout + image + ZPL, 6 labels @203 dpi": (ours, True),
        "FrontDesk: layout + image + ZPL, 6 labels @300 dpi": (lambda: ours(dpi=300), True),
        "FrontDesk: layout + PNG bytes,   6 labels @203 dpi": (ours_png, True),
        "python-barcode: Code128 + ImageWriter PNG, 6 codes": (python_barcode_alone, False),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    # Interleaved, so a slow patch of the machine hits every case alike.
    for _ in range(args.repeat):
        for name, (func, clear) in cases.items():
            samples[name].append(_time_ms(func, clear))

    medians = {name: statistics.median(values) for name, values in samples.items()}
    baseline = medians["python-barcode: Code128 + ImageWriter PNG, 6 codes"]
    print(f"repeats: {args.repeat} (median; min-max)")
    print(f"first call (fonts loading): {first_ms:.1f} ms")
    for name, values in samples.items():
        print(f"{name}: {medians[name]:7.2f} ms  ({min(values):.2f}-{max(values):.2f})  x{medians[name] / baseline:.2f}")

    main_case = "FrontDesk: layout + image + ZPL, 6 labels @203 dpi"
    ratio = medians[main_case] / baseline
    ok = medians[main_case] < TARGET_MS and ratio <= TARGET_RATIO
    print(
        f"target: < {TARGET_MS:.0f} ms and <= {TARGET_RATIO:.0f}x python-barcode -> "
        f"{medians[main_case]:.2f} ms, {ratio:.2f}x: {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
