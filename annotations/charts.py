"""Bar charts drawn on the server as SVG geometry (no JavaScript, no library to ship): the
template draws the rectangles, and a table of the same numbers stands beside each chart for
screen readers and for anyone who would rather read."""

from __future__ import annotations

from dataclasses import dataclass

ROW = 24  # px per bar, label included
LABEL = 170  # px for the labels on the left
BAR = 260  # px for the longest bar
VALUE = 40  # px for the figure after a bar


@dataclass
class Bar:
    label: str
    value: int
    y: int
    width: int
    text_y: int


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_x: int
    bar_x: int


def bar_chart(title: str, pairs) -> Chart:
    """A horizontal bar per (label, value), the longest value at full length; a zero is no bar
    but keeps its row and figure."""
    pairs = list(pairs)
    top = max((value for _, value in pairs), default=0) or 1
    bars = [
        Bar(
            label=str(label),
            value=value,
            y=i * ROW + 4,
            width=round(BAR * value / top),
            text_y=i * ROW + 17,
        )
        for i, (label, value) in enumerate(pairs)
    ]
    return Chart(
        title=title,
        bars=bars,
        width=LABEL + BAR + VALUE,
        height=max(len(bars), 1) * ROW + 4,
        label_x=LABEL - 8,
        bar_x=LABEL,
    )
