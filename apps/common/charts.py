"""Charts drawn on the server as SVG, so a page and its PDF show the very same picture."""

from dataclasses import dataclass
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None


def bar_chart_svg(
    bars: list[Bar], *, title: str, width: int = 640, height: int = 220, colour: str = "#2f855a"
) -> SafeString:
    """A labelled vertical bar chart; a missing value shows as an empty slot, not as zero."""
    pad_left, pad_bottom, pad_top = 8, 28, 20
    plot_w, plot_h = width - 2 * pad_left, height - pad_bottom - pad_top
    peak = max((bar.value or 0 for bar in bars), default=0) or 1
    slot = plot_w / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line x1="{pad_left}" y1="{pad_top + plot_h}" x2="{width - pad_left}" '
        f'y2="{pad_top + plot_h}" stroke="#adb5bd" stroke-width="1"/>',
    ]
    for index, bar in enumerate(bars):
        x = pad_left + index * slot + slot * 0.15
        bar_w = slot * 0.7
        cx = x + bar_w / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{height - 8}" font-size="11" text-anchor="middle" '
            f'fill="#6c757d">{escape(bar.label)}</text>'
        )
        if bar.value is None:
            parts.append(
                f'<rect x="{x:.1f}" y="{pad_top + plot_h - 2}" width="{bar_w:.1f}" height="2" fill="#dee2e6"/>'
            )
            continue
        bar_h = plot_h * float(bar.value) / float(peak)
        y = pad_top + plot_h - bar_h
        label = number_format(round(float(bar.value)), force_grouping=True)
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" rx="2" '
            f'fill="{colour}"><title>{escape(bar.label)}: {escape(label)}</title></rect>'
        )
        parts.append(
            f'<text x="{cx:.1f}" y="{max(y - 4, 10):.1f}" font-size="10" text-anchor="middle" '
            f'fill="#495057">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above
