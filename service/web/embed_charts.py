"""The SVG of an embeddable series: a unit's line against its peers' and Poland's medians.

Like charts.py (whose SVG frame they share): no JavaScript, `role="img"` with a title and a
description, every number also in the table beside the chart. Colours come from the embed's
theme, so a dark theme draws light ink; the unit's colour is checked for contrast by the page.
A ranking is a list of HTML rows, each with its own small bar: its names and values are
page text in the stylesheet's sizes, readable on a phone, where an SVG 640 units wide shrank
its 13-unit labels to 7 px at 360 px (issue 16); a narrow frame puts the bar under the name.
"""

from collections.abc import Sequence
from typing import Final

import msgspec
from markupsafe import Markup, escape

from service.web.charts import Formatter, linear_scale, svg_frame

PEER_DASH: Final = "6 4"
NATIONAL_DASH: Final = "2 3"


class Palette(msgspec.Struct, frozen=True, kw_only=True):
    ink: str
    """Text, axes and the peers' and Poland's lines (their dashes tell them apart)."""
    unit: str
    """The unit's line and the ranking's bars."""


class Line(msgspec.Struct, frozen=True, kw_only=True):
    label: str
    points: list[tuple[int, float | None]]
    dash: str | None = None
    """None: the unit's solid line with dots; else the dash pattern of a reference line."""


def series_lines(
    chart_id: str,
    lines: Sequence[Line],
    palette: Palette,
    text: tuple[str, str],
    show: Formatter,
) -> Markup | None:
    """Lines over the years; `text` is the chart's title and description.

    The SVG draws only lines and dots: the axis values, the first and last year and the legend
    (which names each line by its dash, not by colour) are HTML around it, in the stylesheet's
    sizes, so they stay readable when a phone-wide frame shrinks the picture (issue 16).
    """
    known = [v for line in lines for _, v in line.points if v is not None]
    years = sorted({year for line in lines for year, _ in line.points})
    if len(years) < 2 or not known:  # noqa: PLR2004 - one year is not a series
        return None
    width, height, pad = 560.0, 240.0, 8.0
    low, high = min(known), max(known)
    margin = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    x = linear_scale(years[0], years[-1], pad, width - pad)
    y = linear_scale(low - margin, high + margin, height - pad, pad)
    parts = [
        f'<line x1="0" y1="{height - 1}" x2="{width}" y2="{height - 1}" '
        f'stroke="{palette.ink}" stroke-width="1"/>'
    ]
    legend = []
    for line in lines:
        colour = palette.unit if line.dash is None else palette.ink
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        width_px = 3 if line.dash is None else 2
        segment: list[str] = []
        for year, value in [*line.points, (0, None)]:
            if value is not None:
                segment.append(f"{x(year):.1f},{y(value):.1f}")
                continue
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" '
                    f'stroke-width="{width_px}"{dash}/>'
                )
            segment = []
        if line.dash is None:
            parts.extend(
                f'<circle cx="{x(year):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}"/>'
                for year, value in line.points
                if value is not None
            )
        legend.append(
            '<li><svg class="dash" viewBox="0 0 28 8" aria-hidden="true" focusable="false">'
            f'<line x1="0" y1="4" x2="28" y2="4" stroke="{colour}" stroke-width="3"{dash}/>'
            f"</svg>{escape(line.label)}</li>"
        )
    title, desc = text
    svg = svg_frame(chart_id, (width, height), title, desc, "".join(parts))
    return Markup(  # noqa: S704 - the labels are escaped, the rest are numbers
        '<div class="series">'
        f'<div class="series-y" aria-hidden="true"><span>{escape(show(high))}</span>'
        f"<span>{escape(show(low))}</span></div>{svg}"
        f'<div class="series-x" aria-hidden="true"><span>{years[0]}</span>'
        f"<span>{years[-1]}</span></div></div>"
        f'<ul class="series-legend">{"".join(legend)}</ul>'
    )


def ranking_bars(
    rows: Sequence[tuple[str, float, str]], label: str, palette: Palette
) -> Markup | None:
    """One list item per (name, size, value text), best first; a bar's length is the size's
    share of the largest, drawn by an SVG rectangle (an inline style would break the CSP)."""
    if not rows:
        return None
    largest = max((abs(size) for _, size, _ in rows), default=0.0) or 1.0
    items = "".join(
        f'<li><span class="bar-name">{escape(name)}</span>'
        f'<span class="bar-value">{escape(value)}</span>'
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" '
        f'focusable="false"><rect width="{max(abs(size) / largest * 100, 0.5):.2f}" height="10" '
        f'fill="{palette.unit}"/></svg></li>'
        for name, size, value in rows
    )
    return Markup(f'<ol class="bars" aria-label="{escape(label)}">{items}</ol>')  # noqa: S704 - escaped
