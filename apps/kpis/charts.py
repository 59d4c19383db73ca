"""The KPI pages' charts. The chart library itself is apps.common.charts (the observation figures
and the organisation pages draw with it too, below the KPI layer); its public API is re-exported
here, so the dashboard, the executive summary and the monthly PDF keep importing it from here."""

from apps.common.charts import (
    BAD,
    FONT,
    GOOD,
    GRID,
    INK,
    MAX_WIDTH,
    MIN_WIDTH,
    MUTED_INK,
    NEUTRAL,
    SMALL_FONT,
    TARGET,
    VIEW_WIDTH,
    format_value,
    horizontal_bars_svg,
    min_rendered_font_px,
    series_from_figures,
    sparkline_svg,
    stacked_or_paired_bars_svg,
    trend_chart_svg,
)

__all__ = [
    "BAD",
    "FONT",
    "GOOD",
    "GRID",
    "INK",
    "MAX_WIDTH",
    "MIN_WIDTH",
    "MUTED_INK",
    "NEUTRAL",
    "SMALL_FONT",
    "TARGET",
    "VIEW_WIDTH",
    "format_value",
    "horizontal_bars_svg",
    "min_rendered_font_px",
    "series_from_figures",
    "sparkline_svg",
    "stacked_or_paired_bars_svg",
    "trend_chart_svg",
]
