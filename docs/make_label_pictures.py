"""Render the specimen-label pictures used by the README.

    python docs/make_label_pictures.py

writes docs/labels/label-50x25.png, label-50x30.png and label-60x40.png: one
label per supported size at 203 dpi (one pixel per printer dot, the PNG
carries the resolution) from made-up data (no database needed).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from frontdesk.printing.label_layout import LABEL_SIZES, layout_label, sample_label_data  # noqa: E402
from frontdesk.printing.label_raster import label_png_bytes  # noqa: E402

OUT = Path(__file__).resolve().parent / "labels"
DPI = 203


def main() -> list[Path]:
    OUT.mkdir(exist_ok=True)
    written = []
    for key, size in LABEL_SIZES.items():
        path = OUT / f"label-{key}.png"
        path.write_bytes(label_png_bytes(layout_label(sample_label_data(), size, DPI)))
        written.append(path)
        print(path)
    return written


if __name__ == "__main__":
    main()
