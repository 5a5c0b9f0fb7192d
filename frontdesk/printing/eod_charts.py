"""The two charts of the end-of-day PDF, drawn with reportlab.graphics.

- check-ins per half hour: vertical bars, mid grey with a black outline and
  the count printed over each bar;
- items per station: horizontal bars, planned as a white bar with a black
  outline, done as a dark grey bar inside the same row, both labelled.

Both stay readable on a black-and-white printer: the two series differ by
fill (white / dark grey) and every bar carries its number.  Station names may
be Chinese or Latin or both, and the bundled CJK font has no Latin glyphs, so
category labels are drawn as runs in two fonts (``_label``), not by the
chart's axis.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Group, Rect, String
from reportlab.lib.colors import Color, black, white
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from frontdesk.printing.receipt import LATIN_FONT, font_runs, text_width

BAR_GREY = Color(0.62, 0.62, 0.62)
DONE_GREY = Color(0.30, 0.30, 0.30)
AXIS_SIZE = 7.0
LABEL_SIZE = 7.5


def _label(x: float, y: float, text: str, size: float, anchor: str = "start") -> Group:
    """``text`` at baseline ``y`` as runs in the CJK font and Helvetica; anchor start, end or middle."""
    width = text_width(text, size)
    if anchor == "end":
        x -= width
    elif anchor == "middle":
        x -= width / 2
    group = Group()
    for font, run in font_runs(text):
        group.add(String(x, y, run, fontName=font, fontSize=size, fillColor=black))
        x += stringWidth(run, font, size)
    return group


def _fit(text: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width``."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _axis_max(top: int) -> tuple[int, int]:
    """A round upper end for a count axis and its step (at most about 6 grid lines)."""
    top = max(top, 1)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top / step <= 6:
            return step * -(-top // step), step
    step = 10 ** (len(str(top)) - 1)
    return step * -(-top // step), step


def _nonzero(value: float) -> str:
    return f"{value:.0f}" if value else ""


def check_ins_chart(labels: Sequence[str], counts: Sequence[int], width: float, *, count_word: str) -> Drawing:
    """Check-ins per half hour (``labels`` like "08:00") as labelled vertical bars."""
    height = 62 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 14 * mm
    chart.width, chart.height = width - chart.x - 2 * mm, height - chart.y - 8 * mm
    chart.data = [list(counts)]
    chart.categoryAxis.categoryNames = list(labels)
    chart.categoryAxis.labels.fontName = LATIN_FONT
    chart.categoryAxis.labels.fontSize = AXIS_SIZE
    many = len(labels) > 16
    chart.categoryAxis.labels.angle = 90 if many else 0
    chart.categoryAxis.labels.boxAnchor = "e" if many else "n"
    chart.categoryAxis.labels.dy = -2
    top, step = _axis_max(max(counts, default=0))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = LATIN_FONT
    chart.valueAxis.labels.fontSize = AXIS_SIZE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = Color(0.85, 0.85, 0.85)
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.bars[0].fillColor = BAR_GREY
    chart.bars[0].strokeColor = black
    chart.bars[0].strokeWidth = 0.5
    chart.barLabelFormat = _nonzero    # an empty half hour has no bar and no "0" cluttering the axis
    chart.barLabels.fontName = LATIN_FONT
    chart.barLabels.fontSize = AXIS_SIZE
    chart.barLabels.boxAnchor = "s"   # the number just above the bar
    chart.barLabels.nudge = 1.5
    chart.barSpacing = 1
    chart.groupSpacing = 3
    drawing.add(chart)
    drawing.add(_label(1 * mm, height - 5 * mm, count_word, LABEL_SIZE))
    return drawing


def station_chart(names: Sequence[str], done: Sequence[int], planned: Sequence[int], width: float, *,
                  done_word: str, planned_word: str, max_height: float = 200 * mm) -> Drawing:
    """Items per station: planned (white, outlined) and done (dark grey) side by side per station.

    Rows are 9 mm high, less when that many stations would not fit ``max_height``.
    """
    legend_h = 8 * mm
    row = min(9 * mm, (max_height - legend_h - 10 * mm) / max(len(names), 1))
    height = len(names) * row + legend_h + 10 * mm
    drawing = Drawing(width, height)
    label_w = min(max((text_width(n, LABEL_SIZE) for n in names), default=0) + 2 * mm, 45 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_w + 2 * mm, 8 * mm
    chart.width, chart.height = width - chart.x - 10 * mm, len(names) * row
    # The chart draws the first category at the bottom: reverse so the list reads top down.
    # Within a row the first series is drawn lowest: done first puts planned on top, as the legend reads.
    chart.data = [list(reversed(done)), list(reversed(planned))]
    chart.categoryAxis.categoryNames = [""] * len(names)
    chart.categoryAxis.labels.visible = False
    chart.categoryAxis.visibleTicks = False
    top, step = _axis_max(max(list(planned) + list(done), default=0))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = LATIN_FONT
    chart.valueAxis.labels.fontSize = AXIS_SIZE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = Color(0.85, 0.85, 0.85)
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.bars[0].fillColor = DONE_GREY
    chart.bars[1].fillColor = white
    for index in (0, 1):
        chart.bars[index].strokeColor = black
        chart.bars[index].strokeWidth = 0.5
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = LATIN_FONT
    chart.barLabels.fontSize = AXIS_SIZE
    chart.barLabels.boxAnchor = "w"   # the number just right of the bar's end, never over the bar
    chart.barLabels.nudge = 1.5
    chart.barSpacing = 0.5
    chart.groupSpacing = 2.5
    drawing.add(chart)
    for index, name in enumerate(names):
        centre = chart.y + chart.height - (index + 0.5) * row
        drawing.add(_label(chart.x - 2 * mm, centre - LABEL_SIZE * 0.35, _fit(name, LABEL_SIZE, label_w),
                           LABEL_SIZE, anchor="end"))
    # Legend above the chart: a sample of each fill and its word.
    y = height - legend_h + 2 * mm
    x = chart.x
    for fill, word in ((white, planned_word), (DONE_GREY, done_word)):
        drawing.add(Rect(x, y, 6 * mm, 3 * mm, fillColor=fill, strokeColor=black, strokeWidth=0.5))
        drawing.add(_label(x + 7.5 * mm, y + 0.4 * mm, word, LABEL_SIZE))
        x += 10 * mm + text_width(word, LABEL_SIZE) + 4 * mm
    return drawing
