"""Server-side SVG charts: sparkline, peer-position strip, bars, histogram and choropleth map.

No JavaScript and no charting library: each chart is a small SVG string with `role="img"`, a
<title> and a <desc>; the page puts the same numbers in a table next to it. Text passed in is
escaped here, so templates can mark the result safe.
"""

import bisect
import math
from collections.abc import Callable, Sequence
from typing import Final

import msgspec
from markupsafe import Markup, escape

INK: Final = "#1b2a41"
ACCENT: Final = "#1b4f9c"
BAND: Final = "#c6d6ee"
MARK: Final = "#0b0c0c"
MAP_PALETTE: Final = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8")
"""ColorBrewer YlGnBu, 5 classes: sequential and safe for colour-blind readers."""
MAP_BORDER: Final = "#111827"
"""Contrast with every fill of MAP_PALETTE is at least 4:1 (tested)."""
MISSING_STROKE: Final = "#6b7280"
HIGHLIGHT: Final = "#c8102e"

Formatter = Callable[[float | None], str]


def svg_frame(
    chart_id: str,
    size: tuple[float, float],
    title: str,
    desc: str,
    body: str,
    *,
    origin: tuple[float, float] = (0, 0),
) -> Markup:
    """Wrap chart parts; `title` and `desc` are escaped here, `body` is built from numbers."""
    width, height = size
    left, top = origin
    return Markup(  # noqa: S704 - every interpolated text is escaped
        f'<svg class="chart" viewBox="{left:g} {top:g} {width:g} {height:g}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" focusable="false">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>{body}</svg>'
    )


def linear_scale(
    low: float, high: float, out_low: float, out_high: float
) -> Callable[[float], float]:
    if high == low:
        middle = (out_low + out_high) / 2
        return lambda _: middle
    ratio = (out_high - out_low) / (high - low)
    return lambda v: out_low + (v - low) * ratio


def sparkline(
    chart_id: str, points: Sequence[tuple[int, float | None]], title: str, desc: str
) -> Markup | None:
    """A line over the years; a gap where a year is missing. None under two known values."""
    known = [(year, value) for year, value in points if value is not None]
    if len(known) < 2:  # noqa: PLR2004 - one point is not a trend
        return None
    width, height, pad = 160.0, 44.0, 6.0
    years = [year for year, _ in points]
    values = [value for _, value in known]
    x = linear_scale(min(years), max(years), pad, width - pad)
    y = linear_scale(min(values), max(values), height - 16, pad)
    segments: list[list[str]] = [[]]
    for year, value in points:
        if value is None:
            segments.append([])
        else:
            segments[-1].append(f"{x(year):.1f},{y(value):.1f}")
    lines = "".join(
        f'<polyline points="{" ".join(s)}" fill="none" stroke="{ACCENT}" stroke-width="2"/>'
        for s in segments
        if len(s) > 1
    )
    dots = "".join(
        f'<circle cx="{x(year):.1f}" cy="{y(value):.1f}" r="3" fill="{ACCENT}"/>'
        for year, value in known
    )
    labels = (
        f'<text x="{pad}" y="{height - 2}" font-size="10" fill="{INK}">{min(years)}</text>'
        f'<text x="{width - pad}" y="{height - 2}" font-size="10" fill="{INK}" '
        f'text-anchor="end">{max(years)}</text>'
    )
    return svg_frame(chart_id, (width, height), title, desc, lines + dots + labels)


def position_strip(
    chart_id: str,
    *,
    value: float | None,
    q1: float | None,
    median: float | None,
    q3: float | None,
    title: str,
    desc: str,
) -> Markup | None:
    """The unit's value (a square) against the middle half (bar) and median (line) of peers."""
    if value is None or q1 is None or median is None or q3 is None:
        return None
    width, height, pad = 200.0, 28.0, 8.0
    low, high = min(value, q1, median), max(value, q3, median)
    margin = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    x = linear_scale(low - margin, high + margin, pad, width - pad)
    body = (
        f'<line x1="{pad}" y1="14" x2="{width - pad}" y2="14" stroke="#8a94a6" stroke-width="1"/>'
        f'<rect x="{x(q1):.1f}" y="7" width="{max(x(q3) - x(q1), 1.5):.1f}" height="14" '
        f'fill="{BAND}" stroke="{ACCENT}" stroke-width="1"/>'
        f'<line x1="{x(median):.1f}" y1="4" x2="{x(median):.1f}" y2="24" stroke="{ACCENT}" '
        f'stroke-width="3"/>'
        f'<rect x="{x(value) - 5:.1f}" y="9" width="10" height="10" fill="{MARK}" '
        f'stroke="#ffffff" stroke-width="1.5"/>'
    )
    return svg_frame(chart_id, (width, height), title, desc, body)


def bars(
    chart_id: str,
    rows: Sequence[tuple[str, float | None, str]],
    title: str,
    desc: str,
    *,
    ink: str = INK,
    fill: str = ACCENT,
) -> Markup | None:
    """Horizontal bars, one per (label, size, value text); no bar where the size is None.
    `ink` and `fill` are the text's and the bars' colours (an embed's theme)."""
    known = [abs(size) for _, size, _ in rows if size is not None]
    if not known:
        return None
    width, row, label_w, text_w = 640.0, 30.0, 190.0, 150.0
    height = row * len(rows) + 8
    x = linear_scale(0, max(known) or 1.0, label_w, width - text_w)
    parts = []
    for index, (label, size, value) in enumerate(rows):
        top = 4 + index * row
        end = label_w if size is None else x(abs(size))
        parts.append(
            f'<text x="{label_w - 8}" y="{top + 19:.1f}" font-size="13" text-anchor="end" '
            f'fill="{ink}">{escape(label)}</text>'
        )
        if size is not None:
            parts.append(
                f'<rect x="{label_w}" y="{top + 4:.1f}" width="{max(end - label_w, 1.5):.1f}" '
                f'height="{row - 8}" fill="{fill}"/>'
            )
        parts.append(
            f'<text x="{end + 6:.1f}" y="{top + 19:.1f}" font-size="13" fill="{ink}">'
            f"{escape(value)}</text>"
        )
    return svg_frame(chart_id, (width, height), title, desc, "".join(parts))


class Bin(msgspec.Struct, frozen=True, kw_only=True):
    low: float
    high: float | None
    """None for the open last bin ("and more") that gathers a long tail."""
    count: int


def _nice_step(raw: float) -> float:
    exponent = math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * 10.0**exponent
        if step >= raw:
            return step
    return 10.0 ** (exponent + 1)


def histogram_bins(values: Sequence[float], target: int = 20) -> list[Bin]:
    """Equal bins of a round width; a long right tail (like population) goes to one open bin."""
    if not values:
        return []
    ordered = sorted(values)
    low, top = ordered[0], ordered[-1]
    tail_from = ordered[min(len(ordered) - 1, math.floor(len(ordered) * 0.98))]
    high = tail_from if top - low > 3 * (tail_from - low) else top
    if high == low:
        return [Bin(low=low, high=high, count=len(ordered))]
    step = _nice_step((high - low) / target)
    start = math.floor(low / step) * step
    edges = [start]
    while edges[-1] <= high:
        edges.append(edges[-1] + step)
    open_tail = high < top
    counts = [0] * (len(edges) - 1 + (1 if open_tail else 0))
    for value in ordered:
        index = bisect.bisect_right(edges, value) - 1
        counts[min(index, len(counts) - 1)] += 1
    bins = [Bin(low=edges[i], high=edges[i + 1], count=counts[i]) for i in range(len(edges) - 1)]
    if open_tail:
        bins.append(Bin(low=edges[-1], high=None, count=counts[-1]))
    return [b for b in bins if b.count or (b.high is not None and b.high <= high)]


def bin_of(bins: Sequence[Bin], value: float | None) -> int | None:
    if value is None:
        return None
    for index, item in enumerate(bins):
        if value >= item.low and (item.high is None or value < item.high):
            return index
    return len(bins) - 1 if bins and value >= bins[-1].low else None


def histogram(
    chart_id: str,
    *,
    bins: Sequence[Bin],
    highlight: int | None,
    title: str,
    desc: str,
    label: Formatter,
) -> Markup | None:
    if not bins:
        return None
    width, height = 640.0, 240.0
    left, right, top, bottom = 48.0, 12.0, 20.0, 44.0
    most = max(b.count for b in bins)
    ceiling = _nice_step(most / 4) * 4 if most > 4 else 4  # noqa: PLR2004 - four gridlines
    y = linear_scale(0, ceiling, height - bottom, top)
    slot = (width - left - right) / len(bins)
    parts = []
    for tick in range(5):
        count = ceiling * tick / 4
        parts.append(
            f'<line x1="{left}" y1="{y(count):.1f}" x2="{width - right}" y2="{y(count):.1f}" '
            f'stroke="#d5dbe5" stroke-width="1"/><text x="{left - 6}" y="{y(count) + 4:.1f}" '
            f'font-size="12" text-anchor="end" fill="{INK}">{count:g}</text>'
        )
    for index, item in enumerate(bins):
        x0 = left + index * slot
        fill = HIGHLIGHT if index == highlight else ACCENT
        bar_top = y(item.count)
        parts.append(
            f'<rect x="{x0 + 1:.1f}" y="{bar_top:.1f}" width="{slot - 2:.1f}" '
            f'height="{height - bottom - bar_top:.1f}" fill="{fill}"/>'
        )
        if index == highlight:
            centre = x0 + slot / 2
            parts.append(
                f'<path d="M{centre - 6:.1f} {bar_top - 14:.1f}h12l-6 10z" fill="{HIGHLIGHT}"/>'
            )
    every = max(1, math.ceil(len(bins) / 6))
    for index in range(0, len(bins), every):
        x0 = left + index * slot
        parts.append(
            f'<text x="{x0:.1f}" y="{height - bottom + 16}" font-size="12" fill="{INK}">'
            f"{escape(label(bins[index].low))}</text>"
        )
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    return svg_frame(chart_id, (width, height), title, desc, "".join(parts))


def class_breaks(values: Sequence[float], classes: int = len(MAP_PALETTE)) -> list[float]:
    """Quantile class bounds (low to high, both ends included); fewer when values repeat."""
    if not values:
        return []
    ordered = sorted(values)
    picks = [
        ordered[min(len(ordered) - 1, round(i * (len(ordered) - 1) / classes))]
        for i in range(classes + 1)
    ]
    return sorted(set(picks)) if len(set(picks)) > 1 else [ordered[0], ordered[-1]]


def class_of(breaks: Sequence[float], value: float | None) -> int | None:
    if value is None or not breaks:
        return None
    index = bisect.bisect_right(breaks, value) - 1
    return max(0, min(index, len(breaks) - 2))


def palette_for(breaks: Sequence[float], polarity: str = "neutral") -> list[str]:
    """Spread fewer classes over the whole palette, keeping the lightest and darkest; the
    darkest colour is the best class: the highest values, the lowest when lower is better."""
    count = max(1, len(breaks) - 1)
    if count == 1:
        return [MAP_PALETTE[-1]]
    last = len(MAP_PALETTE) - 1
    colours = [MAP_PALETTE[round(i * last / (count - 1))] for i in range(count)]
    return colours[::-1] if polarity == "lower_better" else colours


def swatch_class(colour: str) -> str:
    """The CSS class painting a legend swatch in `colour`, one of MAP_PALETTE.

    miarka.css has one rule per palette colour (tested), so the page needs no `style`
    attribute, which the strict Content-Security-Policy (`style-src 'self'`) would block.
    """
    return f"swatch-{MAP_PALETTE.index(colour) + 1}"


class MapShape(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    fill_class: int | None
    """Index into the palette; None = no data (hatched)."""
    label: str
    """Name and value, shown as a tooltip."""
    highlight: bool = False
    striped: bool = False
    """Drawn over the polygon of another unit that covers it too (a gmina created since the
    boundary file, in the polygon of the gmina it was split from): stripes of its own colour
    let the other's show between them."""


def map_patterns(
    chart_id: str, shapes: Sequence[MapShape], colours: Sequence[str], scale: float
) -> str:
    """The hatching of "no data" and the stripes of each striped shape's class, sized for a map
    2000 units wide times `scale`."""
    tile, bar = f"{18 * scale:g}", f"{6 * scale:g}"
    stripes = sorted({-1 if s.fill_class is None else s.fill_class for s in shapes if s.striped})
    return (
        f'<defs><pattern id="{chart_id}-na" width="{tile}" height="{tile}" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="{tile}" height="{tile}" fill="#ffffff"/>'
        f'<rect width="{bar}" height="{tile}" fill="{MISSING_STROKE}"/></pattern>'
        + "".join(
            f'<pattern id="{chart_id}-s{index + 1}" width="{tile}" height="{tile}" '
            f'patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">'
            f'<rect width="{bar}" height="{tile}" '
            f'fill="{MISSING_STROKE if index < 0 else colours[index]}"/></pattern>'
            for index in stripes
        )
        + "</defs>"
    )


def map_fills(chart_id: str, shapes: Sequence[MapShape], colours: Sequence[str]) -> str:
    """One filled path per shape, the striped ones last (over the polygon they share)."""
    parts = []
    for shape in sorted(shapes, key=lambda s: s.striped):
        index = shape.fill_class
        if shape.striped:
            fill = f"url(#{chart_id}-s{0 if index is None else index + 1})"
        else:
            fill = f"url(#{chart_id}-na)" if index is None else colours[index]
        parts.append(
            f'<path d="{shape.path}" fill="{fill}"><title>{escape(shape.label)}</title></path>'
        )
    return "".join(parts)


def choropleth(
    chart_id: str,
    *,
    size: tuple[int, int],
    shapes: Sequence[MapShape],
    colours: Sequence[str],
    outlines: Sequence[str],
    title: str,
    desc: str,
    scale: float = 1.0,
) -> Markup:
    """Filled polygons in map units; `outlines` are drawn over them (voivodeship borders).

    Strokes and hatching are sized for a map 2000 units wide; `scale` is the map's width over
    2000, so a map drawn in fewer units (shorter path data) looks the same on screen.
    """
    parts = [
        map_patterns(chart_id, shapes, colours, scale),
        f'<g stroke="{MAP_BORDER}" stroke-width="{1.6 * scale:g}" stroke-linejoin="round">',
        map_fills(chart_id, shapes, colours),
        "</g>",
    ]
    if outlines:
        parts.append(
            f'<path d="{"".join(outlines)}" fill="none" stroke="{MAP_BORDER}" '
            f'stroke-width="{5 * scale:g}" '
            f'stroke-linejoin="round"/>'
        )
    for shape in shapes:
        if shape.highlight:
            parts.append(
                f'<path d="{shape.path}" fill="none" stroke="{HIGHLIGHT}" '
                f'stroke-width="{12 * scale:g}" '
                f'stroke-linejoin="round"/>'
            )
    return svg_frame(chart_id, size, title, desc, "".join(parts))


class MapLayer(msgspec.Struct, frozen=True, kw_only=True):
    """Shapes drawn in another map's units: x' = k x + dx, y' = k y + dy takes them into the
    units of the map drawn (k = 1, dx = dy = 0 for its own)."""

    shapes: Sequence[MapShape]
    k: float = 1.0
    dx: float = 0.0
    dy: float = 0.0


NEIGHBOURHOOD_SCREEN: Final = 640
"""Strokes and stripes of a neighbourhood map are sized as if its box were this many px wide."""


def neighbourhood_map(
    chart_id: str,
    *,
    box: tuple[int, int, int, int],
    layers: Sequence[MapLayer],
    colours: Sequence[str],
    title: str,
    desc: str,
) -> Markup:
    """A small choropleth cropped to `box` (x, y, width, height in the first layer's units):
    one gmina and the gminas around it, some of them from another voivodeship's map."""
    x, y, width, height = box
    scale = width / NEIGHBOURHOOD_SCREEN
    everything = [shape for layer in layers for shape in layer.shapes]
    parts = [map_patterns(chart_id, everything, colours, scale)]

    def group(layer: MapLayer, attributes: str, body: str) -> str:
        matrix = f"{layer.k:.6g} 0 0 {layer.k:.6g} {layer.dx:.2f} {layer.dy:.2f}"
        return f'<g transform="matrix({matrix})" {attributes}>{body}</g>'

    for layer in layers:
        parts.append(
            group(
                layer,
                f'stroke="{MAP_BORDER}" stroke-width="{1.6 * scale / layer.k:.3g}" '
                'stroke-linejoin="round"',
                map_fills(chart_id, layer.shapes, colours),
            )
        )
    for layer in layers:  # over every fill, so no neighbour covers the outline
        outlines = "".join(f'<path d="{shape.path}"/>' for shape in layer.shapes if shape.highlight)
        if outlines:
            parts.append(
                group(
                    layer,
                    f'fill="none" stroke="{HIGHLIGHT}" stroke-width="{5 * scale / layer.k:.3g}" '
                    'stroke-linejoin="round"',
                    outlines,
                )
            )
    return svg_frame(chart_id, (width, height), title, desc, "".join(parts), origin=(x, y))


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]  # noqa: PLR2004
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
