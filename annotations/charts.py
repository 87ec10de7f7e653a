"""Bar charts drawn on the server as SVG geometry (no JavaScript, no library to ship): the
template draws the rectangles, and a table of the same numbers stands beside each chart for
screen readers and for anyone who would rather read."""

from __future__ import annotations

from dataclasses import dataclass

ROW = 24  # px per bar, label included
LABEL = 250  # px for the labels on the left (the longest rating label fits)
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


def duration_words(delta) -> str:
    """A wait as people say it: "under a minute", "3 h 20 min", "2 days 4 h"."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min"
