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

from service.web.charts import linear_scale, svg_frame

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
    chart_id: str, lines: Sequence[Line], palette: Palette, title: str, desc: str
) -> Markup | None:
    """Lines over the years with a legend that names each line by its dash, not by colour."""
    known = [v for line in lines for _, v in line.points if v is not None]
    years = sorted({year for line in lines for year, _ in line.points})
    if len(years) < 2 or not known:  # noqa: PLR2004 - one year is not a series
        return None
    width, height, left, right, top, bottom = 560.0, 240.0, 64.0, 16.0, 16.0, 64.0
    low, high = min(known), max(known)
    margin = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    x = linear_scale(years[0], years[-1], left, width - right)
    y = linear_scale(low - margin, high + margin, height - bottom, top)
    parts = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        f'stroke="{palette.ink}" stroke-width="1"/>',
        *(
            f'<text x="{x(year):.1f}" y="{height - bottom + 16}" font-size="12" '
            f'text-anchor="middle" fill="{palette.ink}">{year}</text>'
            for year in (years[0], years[-1])
        ),
        *(
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="{palette.ink}">{escape(f"{v:g}")}</text>'
            for v in (low, high)
        ),
    ]
    for index, line in enumerate(lines):
        colour = palette.unit if line.dash is None else palette.ink
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        segment: list[str] = []
        for year, value in [*line.points, (0, None)]:
            if value is not None:
                segment.append(f"{x(year):.1f},{y(value):.1f}")
                continue
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" '
                    f'stroke-width="{3 if line.dash is None else 2}"{dash}/>'
                )
            segment = []
        if line.dash is None:
            parts.extend(
                f'<circle cx="{x(year):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}"/>'
                for year, value in line.points
                if value is not None
            )
        legend_y = height - 26 + 14 * (index // 2)
        legend_x = left + (index % 2) * 240
        parts.append(
            f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 28}" y2="{legend_y}" '
            f'stroke="{colour}" stroke-width="3"{dash}/>'
            f'<text x="{legend_x + 34}" y="{legend_y + 4}" font-size="12" fill="{palette.ink}">'
            f"{escape(line.label)}</text>"
        )
    return svg_frame(chart_id, (width, height), title, desc, "".join(parts))


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
