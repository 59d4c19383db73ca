"""Charts drawn on the server as SVG: the very same markup in the browser and in the WeasyPrint
PDF, no JavaScript. The KPI pages (apps.kpis.charts re-exports this module), the observation
figures and the organisation pages draw with it.

Phone first. An SVG scales to its container (`viewBox` + `width: 100%`), so the size of its text on
screen is `font-size × container width ÷ viewBox width`. The charts are drawn on a narrow canvas
(`VIEW_WIDTH` = 360 units) with text of `FONT` (15) and at least `SMALL_FONT` (14) units, and never
drawn narrower than `MIN_WIDTH` px (the class `chart-svg` in static/css/portal.css; a narrower
container scrolls sideways): text renders at >= 14 × 320 ÷ 360 ≈ 12.4 px, never below 12 px. The
SVG is capped at `MAX_WIDTH` px so that on a desktop it does not grow into a poster (text then
≈ 23 px at most).

Colours come from the portal's palette: one green for good (`GOOD`), one red for bad (`BAD`), a
neutral grey (`NEUTRAL`); colour is never the only carrier — every bar carries its number, the
target is a labelled dashed line, a missing month is a labelled gap ("–"), not a zero, and the
second series of a two-series chart is hatched as well as coloured (its legend too).

Accessible: `role="img"`, a `<title>`, and an `aria-label` that reads out every figure.

Public API (stable):

- `trend_chart_svg(series, *, target=None, title, reads_as="", direction=UP, kind="line", ...)`
- `sparkline_svg(series, *, target=None, title, direction=UP)` — a text-free mini trend for a card
- `stacked_or_paired_bars_svg(series, *, names, title, mode="stacked", ...)` — e.g. safe vs unsafe
  per month on one scale
- `horizontal_bars_svg(rows, *, title, reads_as="", tone="neutral", links=None, ...)`
- `bar_chart_svg(bars, *, title)` — one count per month as columns (`Bar(label, value)`)
- `series_from_figures(figures)` — `[(month label, value)]` from objects with `.month` and `.value`
- `format_value(value, reads_as="", decimals=None)` — the number as the charts print it
- `min_rendered_font_px(svg, container_px)` — the smallest text of a chart on a given container

`series` items are `(label, value)` with `value` a number (int, float, Decimal) or None (no
figure that month: a gap).
"""

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from numbers import Number

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

UP, DOWN = "up", "down"  # higher is better / lower is better (as apps.kpis.definitions)

VIEW_WIDTH = 360
MIN_WIDTH = 320  # px: `svg.kpi-chart { min-width: 20rem }` in static/css/portal.css
MAX_WIDTH = 560
FONT = 15
SMALL_FONT = 14

GOOD = "#166534"  # the portal green (--portal-green-2)
BAD = "#b02a37"  # the danger red used for unsafe observations
NEUTRAL = "#6c757d"  # Bootstrap secondary grey
INK = "#212529"
MUTED_INK = "#495057"
GRID = "#dee2e6"
TARGET = "#1e3a8a"  # a dark blue that reads apart from green and red
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

_TONES = {"good": GOOD, "bad": BAD, "neutral": NEUTRAL}

Series = Sequence[tuple[str, Number | None]]


# --- Helpers ------------------------------------------------------------------------------------------


def _num(value) -> float | None:
    if value is None:
        return None
    return float(value)


def _auto_decimals(values) -> int:
    for value in values:
        if value is not None and float(value) != round(float(value)):
            return 1
    return 0


def format_value(value, reads_as: str = "", decimals: int | None = None) -> str:
    """The number as printed on a chart: localised, grouped, "%" appended for a share; "–" for None."""
    if value is None:
        return "–"
    if decimals is None:
        decimals = _auto_decimals([value])
    number = Decimal(str(round(float(value), decimals)))
    text = number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return f"{text}%" if str(reads_as) == "%" else text


def _met(value, target, direction) -> bool | None:
    if value is None or target is None:
        return None
    return float(value) <= float(target) if direction == DOWN else float(value) >= float(target)


def _truncate(text: str, max_chars: int) -> str:
    text = str(text)
    return text if len(text) <= max_chars else text[: max(max_chars - 1, 1)].rstrip() + "…"


def _chars_that_fit(width: float, font: float) -> int:
    # An average glyph of a sans-serif face is about 0.55 em wide (Cyrillic slightly more).
    return max(int(width / (font * 0.58)), 3)


def _svg_open(title: str, aria: str, width: int, height: int, max_width: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img" class="kpi-chart" aria-label="{escape(aria)}" '
        f'style="display:block;width:100%;height:auto;max-width:{max_width}px" '
        f'font-family="{escape(FONT_FAMILY)}"><title>{escape(title)}</title>'
    )


def _text(x, y, content, *, size=FONT, anchor="start", fill=INK, weight=None, cls=None) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    extra += f' class="{cls}"' if cls else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(str(content))}</text>"
    )


def _aria(title: str, parts: list[str]) -> str:
    return f"{title}: " + "; ".join(parts) if parts else title


def series_from_figures(figures, *, label_format: str = "M") -> list[tuple[str, Decimal | None]]:
    """`[(month label, value)]` from objects with `.month` (a date) and `.value` (None = no figure),
    the labels localised month names ("Jan", "Янв")."""
    from django.utils.dateformat import format as date_format

    return [(date_format(figure.month, label_format), figure.value) for figure in figures]


# --- Trend ----------------------------------------------------------------------------------------------


def trend_chart_svg(
    series: Series,
    *,
    target=None,
    title: str,
    reads_as: str = "",
    direction: str = UP,
    kind: str = "line",
    decimals: int | None = None,
    height: int = 200,
    show_title: bool = False,
    max_width: int = MAX_WIDTH,
) -> SafeString:
    """A trend over months (usually 12) as a line (`kind="line"`) or columns (`kind="columns"`), with
    the target as a labelled dashed line. Points and columns are green where the target is met, red
    where it is missed (direction UP: higher is better; DOWN: lower is better), grey without target.
    A month without a figure (None) breaks the line and shows "–" at the baseline — never a zero.
    The latest figure is printed beside its point; every month's figure is in the aria-label and in
    a `<title>` tooltip on its point."""
    width = VIEW_WIDTH
    values = [_num(value) for _, value in series]
    known = [value for value in values if value is not None]
    # A target is usually a round figure: printed as such ("Target 90%"), whatever the values' decimals.
    target_decimals = _auto_decimals([target]) if target is not None else 0
    if decimals is None:
        decimals = _auto_decimals(known)
    top_pad = 30 if show_title else 10
    pad_left, pad_right, pad_bottom = 10, 10, 26
    plot_w = width - pad_left - pad_right
    plot_h = height - top_pad - pad_bottom - 18  # room above for the latest value's label
    plot_top = top_pad + 18
    base_y = plot_top + plot_h
    peak = max(known + ([float(target)] if target is not None else []) + [0.0])
    if str(reads_as) == "%" and peak <= 100:
        peak = max(peak, 1.0)
    peak = peak * 1.1 if peak else 1.0
    count = max(len(series), 1)
    slot = plot_w / count

    def y_of(value: float) -> float:
        return base_y - plot_h * value / peak

    aria_parts = [f"{label} {format_value(value, reads_as, decimals)}" for label, value in series]
    if target is not None:
        aria_parts.append(_("target %(value)s") % {"value": format_value(target, reads_as, target_decimals)})
    if reads_as and str(reads_as) != "%":
        aria_parts.append(str(reads_as))
    parts = [_svg_open(title, _aria(title, aria_parts), width, height, max_width)]
    if show_title:
        parts.append(_text(pad_left, 20, title, weight="600"))
    parts.append(
        f'<line x1="{pad_left}" y1="{base_y:.1f}" x2="{width - pad_right}" y2="{base_y:.1f}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    )
    # Month labels: every other month ending with the latest, so that they never collide.
    label_step = 1 if count <= 6 else 2
    for index, (label, _value) in enumerate(series):
        if (count - 1 - index) % label_step:
            continue
        cx = pad_left + slot * (index + 0.5)
        parts.append(_text(cx, height - 8, label, size=SMALL_FONT, anchor="middle", fill=MUTED_INK, cls="month"))

    def colour(value):
        met = _met(value, target, direction)
        return NEUTRAL if met is None else (GOOD if met else BAD)

    if kind == "columns":
        bar_w = slot * 0.64
        for index, ((label, _raw), value) in enumerate(zip(series, values, strict=True)):
            x = pad_left + slot * index + (slot - bar_w) / 2
            tip = f"{label}: {format_value(value, reads_as, decimals)}"
            if value is None:
                parts.append(_gap(x + bar_w / 2, base_y, tip))
                continue
            bar_h = max(plot_h * value / peak, 1.5 if value else 0)
            parts.append(
                f'<rect class="value" x="{x:.1f}" y="{base_y - bar_h:.1f}" width="{bar_w:.1f}" '
                f'height="{bar_h:.1f}" rx="2" fill="{colour(value)}"><title>{escape(tip)}</title></rect>'
            )
    else:
        segment: list[str] = []
        segments: list[list[str]] = []
        for index, value in enumerate(values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{pad_left + slot * (index + 0.5):.1f},{y_of(value):.1f}")
        if segment:
            segments.append(segment)
        for points in segments:
            if len(points) > 1:
                parts.append(
                    f'<polyline class="trend" points="{" ".join(points)}" fill="none" stroke="{MUTED_INK}" '
                    f'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>'
                )
        for index, ((label, _raw), value) in enumerate(zip(series, values, strict=True)):
            cx = pad_left + slot * (index + 0.5)
            tip = f"{label}: {format_value(value, reads_as, decimals)}"
            if value is None:
                parts.append(_gap(cx, base_y, tip))
                continue
            parts.append(
                f'<circle class="value" cx="{cx:.1f}" cy="{y_of(value):.1f}" r="4.5" fill="{colour(value)}" '
                f'stroke="#fff" stroke-width="1.5"><title>{escape(tip)}</title></circle>'
            )
    if target is not None:
        ty = y_of(float(target))
        parts.append(
            f'<line class="target" x1="{pad_left}" y1="{ty:.1f}" x2="{width - pad_right}" y2="{ty:.1f}" '
            f'stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        target_label = _("Target %(value)s") % {"value": format_value(target, reads_as, target_decimals)}
        parts.append(_text(pad_left + 2, ty - 5, target_label, size=SMALL_FONT, fill=TARGET, cls="target-label"))
    # The latest known figure, printed above its point (right-aligned when it is near the edge).
    for index in range(len(values) - 1, -1, -1):
        value = values[index]
        if value is None:
            continue
        cx = pad_left + slot * (index + 0.5)
        anchor = "end" if cx > width - 40 else "middle"
        x = min(cx + 6, width - pad_right) if anchor == "end" else cx
        y = (y_of(value) if kind == "line" else base_y - plot_h * value / peak) - 9
        parts.append(
            _text(x, max(y, top_pad + 14), format_value(value, reads_as, decimals), weight="700", anchor=anchor,
                  fill=colour(value), cls="latest")
        )  # fmt: skip
        break
    if not known:
        parts.append(_text(width / 2, plot_top + plot_h / 2, _("No figures yet"), anchor="middle", fill=NEUTRAL))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above


def _gap(cx: float, base_y: float, tip: str) -> str:
    return (
        f'<g class="gap"><title>{escape(tip)}</title>'
        f'<line x1="{cx - 5:.1f}" y1="{base_y - 4:.1f}" x2="{cx + 5:.1f}" y2="{base_y - 4:.1f}" '
        f'stroke="{NEUTRAL}" stroke-width="2" stroke-dasharray="2 2"/></g>'
    )


def sparkline_svg(series: Series, *, target=None, title: str, direction: str = UP, reads_as: str = "") -> SafeString:
    """A small text-free trend for a KPI card (the figures are in its aria-label and the card's text):
    a line with gaps for missing months, the last point coloured met/missed, the target dashed."""
    width, height, pad = 120, 32, 4
    values = [_num(value) for _, value in series]
    known = [value for value in values if value is not None]
    peak = max(known + ([float(target)] if target is not None else []) + [0.0]) or 1.0
    peak *= 1.1
    count = max(len(series), 1)
    step = (width - 2 * pad) / max(count - 1, 1)

    def y_of(value):
        return height - pad - (height - 2 * pad) * value / peak

    aria_parts = [f"{label} {format_value(value, reads_as)}" for label, value in series]
    if target is not None:
        aria_parts.append(_("target %(value)s") % {"value": format_value(target, reads_as)})
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'class="kpi-sparkline" aria-label="{escape(_aria(title, aria_parts))}" '
        f'style="display:block;width:100%;height:auto;max-width:240px" preserveAspectRatio="none">'
        f"<title>{escape(title)}</title>"
    ]
    if target is not None:
        ty = y_of(float(target))
        parts.append(
            f'<line class="target" x1="0" y1="{ty:.1f}" x2="{width}" y2="{ty:.1f}" stroke="{TARGET}" '
            f'stroke-width="1" stroke-dasharray="4 3" vector-effect="non-scaling-stroke"/>'
        )
    segment: list[str] = []
    for index, value in enumerate(values + [None]):
        if value is None:
            if len(segment) > 1:
                parts.append(
                    f'<polyline class="trend" points="{" ".join(segment)}" fill="none" stroke="{MUTED_INK}" '
                    f'stroke-width="1.5" vector-effect="non-scaling-stroke"/>'
                )
            segment = []
            continue
        segment.append(f"{pad + step * index:.1f},{y_of(value):.1f}")
    for index in range(len(values) - 1, -1, -1):
        if values[index] is not None:
            met = _met(values[index], target, direction)
            fill = NEUTRAL if met is None else (GOOD if met else BAD)
            parts.append(f'<circle cx="{pad + step * index:.1f}" cy="{y_of(values[index]):.1f}" r="3" fill="{fill}"/>')
            break
    parts.append("</svg>")
    return mark_safe("".join(parts))


# --- Two series on one scale ---------------------------------------------------------------------------


def stacked_or_paired_bars_svg(
    series: Sequence[tuple[str, Number | None, Number | None]],
    *,
    names: tuple[str, str],
    title: str,
    mode: str = "stacked",
    colours: tuple[str, str] = (GOOD, BAD),
    decimals: int | None = None,
    show_title: bool = False,
    max_width: int = MAX_WIDTH,
) -> SafeString:
    """Two counts per row on ONE scale — the safe and unsafe observations of each month — as
    horizontal bars, one row per month (so 12 months fit a phone and every bar carries its number):

    - `mode="stacked"`: one bar per month, the first series then the second, the two numbers
      printed after the bar in the legend's order ("34 / 12");
    - `mode="paired"`: two thin bars per month, one under the other, each with its number.

    A row whose two values are both None is a gap ("–"). The legend names both series."""
    width = VIEW_WIDTH
    first_name, second_name = (str(name) for name in names)
    rows = [(str(label), _num(a), _num(b)) for label, a, b in series]
    all_values = [value for _, a, b in rows for value in (a, b) if value is not None]
    if decimals is None:
        decimals = _auto_decimals(all_values)
    label_w = 46
    number_w = 84 if mode == "stacked" else 48
    bar_left = label_w
    bar_span = width - label_w - number_w - 6
    if mode == "stacked":
        peak = max([(a or 0) + (b or 0) for _, a, b in rows] + [0.0]) or 1.0
        row_h = 26
    else:
        peak = max(all_values + [0.0]) or 1.0
        row_h = 40
    top = (30 if show_title else 6) + 26  # the legend
    height = int(top + row_h * len(rows) + 8)

    aria_parts = [
        f"{label} {first_name} {format_value(a, '', decimals)}, {second_name} {format_value(b, '', decimals)}"
        for label, a, b in rows
    ]
    parts = [_svg_open(title, _aria(title, aria_parts), width, height, max_width)]
    # The second series is hatched as well as coloured, so that the two read apart without colour
    # (in grey print, for the colour-blind). The id is unique per chart: a page shows several, and a
    # pattern of an SVG hidden by CSS would not paint in another.
    hatch_id = f"hatch-{zlib.crc32(''.join(aria_parts).encode() + title.encode()):08x}"
    second_fill = f"url(#{hatch_id})"
    parts.append(
        f'<defs><pattern id="{hatch_id}" class="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{colours[1]}"/>'
        f'<line x1="1.5" y1="0" x2="1.5" y2="6" stroke="#fff" stroke-width="2" stroke-opacity="0.6"/></pattern></defs>'
    )
    if show_title:
        parts.append(_text(6, 20, title, weight="600"))
    legend_y = top - 10
    parts.append(f'<rect x="6" y="{legend_y - 11}" width="12" height="12" rx="2" fill="{colours[0]}"/>')
    parts.append(_text(22, legend_y, first_name, size=SMALL_FONT, cls="legend"))
    second_x = 22 + len(first_name) * SMALL_FONT * 0.58 + 18
    parts.append(
        f'<rect class="legend-second" x="{second_x:.1f}" y="{legend_y - 11}" width="12" height="12" rx="2" '
        f'fill="{second_fill}" stroke="{colours[1]}"/>'
    )
    parts.append(_text(second_x + 16, legend_y, second_name, size=SMALL_FONT, cls="legend"))

    def length(value):
        return bar_span * (value or 0) / peak

    for index, (label, a, b) in enumerate(rows):
        y = top + row_h * index
        mid = y + row_h / 2
        parts.append(_text(6, mid + 5, label, size=SMALL_FONT, fill=MUTED_INK, cls="row-label"))
        tip = f"{label}: {first_name} {format_value(a, '', decimals)}, {second_name} {format_value(b, '', decimals)}"
        if a is None and b is None:
            parts.append(_gap(bar_left + 8, mid + 4, tip))
            continue
        if mode == "stacked":
            bar_h = row_h - 8
            la, lb = length(a), length(b)
            parts.append(
                f'<g class="bar"><title>{escape(tip)}</title>'
                f'<rect class="first" x="{bar_left}" y="{y + 4:.1f}" width="{la:.1f}" height="{bar_h}" '
                f'fill="{colours[0]}"/>'
                f'<rect class="second" x="{bar_left + la:.1f}" y="{y + 4:.1f}" width="{lb:.1f}" height="{bar_h}" '
                f'fill="{second_fill}"/></g>'
            )
            x = bar_left + la + lb + 6
            parts.append(
                f'<text class="value" x="{x:.1f}" y="{mid + 5:.1f}" font-size="{FONT}" fill="{INK}">'
                f'<tspan fill="{colours[0]}" font-weight="700">{escape(format_value(a, "", decimals))}</tspan>'
                f'<tspan fill="{NEUTRAL}"> / </tspan>'
                f'<tspan fill="{colours[1]}" font-weight="700">{escape(format_value(b, "", decimals))}</tspan></text>'
            )
        else:
            bar_h = 14
            pairs = ((3, a, colours[0], colours[0], "first"), (3 + bar_h + 3, b, second_fill, colours[1], "second"))
            for offset, value, fill, ink, cls in pairs:
                bar = length(value)
                parts.append(
                    f'<rect class="{cls}" x="{bar_left}" y="{y + offset:.1f}" width="{bar:.1f}" height="{bar_h}" '
                    f'fill="{fill}"><title>{escape(tip)}</title></rect>'
                )
                parts.append(
                    _text(bar_left + bar + 5, y + offset + bar_h - 1.5, format_value(value, "", decimals),
                          size=SMALL_FONT, fill=ink, weight="700", cls="value")
                )  # fmt: skip
    parts.append("</svg>")
    return mark_safe("".join(parts))


# --- Ranked rows --------------------------------------------------------------------------------------


def horizontal_bars_svg(
    rows: Sequence[tuple[str, Number | None]],
    *,
    title: str,
    reads_as: str = "",
    tone: str = "neutral",
    colours: Sequence[str] | None = None,
    links: Sequence[str | None] | None = None,
    target=None,
    decimals: int | None = None,
    show_title: bool = False,
    max_width: int = MAX_WIDTH,
) -> SafeString:
    """Ranked rows (top observation categories, overdue actions by owner, specialists side by side):
    each row its label on a line of its own (long names fit a phone; cut with "…", the full name in
    the tooltip), then a bar with its number at the end. `tone` colours all bars ("good", "bad",
    "neutral"); `colours` gives one per row (e.g. met/missed). `links` (one URL or None per row)
    makes rows drill-down links. `target` draws a labelled dashed line across the bars."""
    width = VIEW_WIDTH
    values = [_num(value) for _, value in rows]
    known = [value for value in values if value is not None]
    if decimals is None:
        decimals = _auto_decimals(known)
    number_w = 64
    pad = 6
    bar_span = width - 2 * pad - number_w
    peak = max(known + ([float(target)] if target is not None else []) + [0.0]) or 1.0
    row_h = 46
    top = 30 if show_title else 4
    height = int(top + row_h * len(rows) + (22 if target is not None else 6))
    aria_parts = [f"{label} {format_value(value, reads_as, decimals)}" for label, value in rows]
    if target is not None:
        aria_parts.append(_("target %(value)s") % {"value": format_value(target, reads_as, decimals)})
    parts = [_svg_open(title, _aria(title, aria_parts), width, height, max_width)]
    if show_title:
        parts.append(_text(pad, 20, title, weight="600"))
    max_chars = _chars_that_fit(width - 2 * pad, FONT)
    default_colour = _TONES.get(tone, NEUTRAL)
    for index, ((label, _raw), value) in enumerate(zip(rows, values, strict=True)):
        y = top + row_h * index
        fill = colours[index] if colours else default_colour
        tip = f"{label}: {format_value(value, reads_as, decimals)}"
        bar = bar_span * value / peak if value is not None else 0
        row = [
            f"<title>{escape(str(tip))}</title>",
            # The whole row is the tap target of its link (a finger, not a mouse pointer).
            f'<rect class="hit" x="0" y="{y}" width="{width}" height="{row_h}" fill="#fff" fill-opacity="0"/>'
            if links and links[index]
            else "",
            _text(pad, y + 17, _truncate(label, max_chars), cls="row-label"),
        ]
        if value is not None:
            row.append(
                f'<rect class="value" x="{pad}" y="{y + 23}" width="{max(bar, 2 if value else 0):.1f}" height="16" '
                f'rx="2" fill="{fill}"/>'
            )
        row.append(
            _text(pad + bar + 6, y + 37, format_value(value, reads_as, decimals), weight="700", fill=INK, cls="value")
        )
        link = links[index] if links else None
        if link:
            parts.append(f'<a href="{escape(link)}" class="bar-row">{"".join(row)}</a>')
        else:
            parts.append(f'<g class="bar-row">{"".join(row)}</g>')
    if target is not None:
        tx = pad + bar_span * float(target) / peak
        bottom = top + row_h * len(rows)
        parts.append(
            f'<line class="target" x1="{tx:.1f}" y1="{top}" x2="{tx:.1f}" y2="{bottom}" stroke="{TARGET}" '
            f'stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        target_label = _("Target %(value)s") % {"value": format_value(target, reads_as, decimals)}
        anchor = "end" if tx > width / 2 else "start"
        parts.append(
            _text(tx, bottom + 16, target_label, size=SMALL_FONT, fill=TARGET, anchor=anchor, cls="target-label")
        )
    if not rows:
        parts.append(_text(pad, top + 18, _("Nothing to show"), fill=NEUTRAL))
    parts.append("</svg>")
    return mark_safe("".join(parts))


# --- Checks -------------------------------------------------------------------------------------------

_VIEWBOX = re.compile(r'viewBox="\s*[-\d.]+\s+[-\d.]+\s+([\d.]+)\s+[\d.]+\s*"')
_FONT_SIZE = re.compile(r'font-size="([\d.]+)"')


def min_rendered_font_px(svg: str, container_px: float) -> float | None:
    """The smallest text of `svg` in CSS px when it is drawn in a container `container_px` wide:
    font-size × rendered width ÷ viewBox width, the rendered width being the container's, capped at
    the chart's max-width and (a chart of this module, class kpi-chart) at least MIN_WIDTH. None
    when it has no text."""
    match = _VIEWBOX.search(str(svg))
    sizes = [float(size) for size in _FONT_SIZE.findall(str(svg))]
    if not match or not sizes:
        return None
    cap = re.search(r"max-width:(\d+)px", str(svg))
    rendered = min(container_px, float(cap.group(1))) if cap else container_px
    if 'class="kpi-chart"' in str(svg):
        rendered = max(rendered, MIN_WIDTH)
    return min(sizes) * rendered / float(match.group(1))


# --- One count per month ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None


def bar_chart_svg(bars: Sequence[Bar], *, title: str, decimals: int | None = None) -> SafeString:
    """One figure per month as columns on the charts' readable canvas (a missing value is a gap,
    not a zero; the latest figure printed, every figure in the tooltips and the aria-label)."""
    return trend_chart_svg([(bar.label, bar.value) for bar in bars], title=title, kind="columns", decimals=decimals)
