"""The server-side SVG charts: valid XML, the figures in text and aria-label, gaps for missing
months (never zeros), the target line, one scale for two series, and text readable on a phone:
font-size × container width ÷ viewBox width, computed at a 390 px container."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation

from apps.kpis import charts
from apps.kpis.definitions import DOWN, UP

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
PHONE_CONTAINER = 390  # px: the brief's phone; the real content column is narrower (see below)
PHONE_CONTENT_COLUMN = 334  # 390 − page padding (2 × 12) − card padding (2 × 16)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(root) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def view_width(root) -> float:
    return float(root.get("viewBox").split()[2])


def font_sizes(root) -> list[float]:
    return [float(element.get("font-size")) for element in root.iter(f"{SVG}text")]


def rendered_min_px(svg, container_px) -> float:
    root = parse(svg)
    max_width = float(re.search(r"max-width:(\d+)px", root.get("style")).group(1))
    return min(font_sizes(root)) * min(container_px, max_width) / view_width(root)


def all_charts():
    series = list(zip(MONTHS, [5, 7, None, 9, 12, 8, 11, 14, None, 10, 13, Decimal(16)], strict=True))
    return {
        "trend": charts.trend_chart_svg(series, target=10, title="Observations", reads_as="per month"),
        "columns": charts.trend_chart_svg(series, target=10, title="Observations", kind="columns"),
        "stacked": charts.stacked_or_paired_bars_svg(
            [(m, Decimal(30 + i), Decimal(10 - i % 5)) for i, m in enumerate(MONTHS)], names=("Safe", "Unsafe"),
            title="Safe vs unsafe",
        ),
        "paired": charts.stacked_or_paired_bars_svg(
            [(m, 30 + i, 10) for i, m in enumerate(MONTHS)], names=("Safe", "Unsafe"), title="S", mode="paired"
        ),
        "bars": charts.horizontal_bars_svg(
            [("Ivanov Ivan Ivanovich, foreman of crew 2 of the mechanical shop", Decimal(7)), ("Petrova", 3)],
            title="Overdue by owner", target=5,
        ),
    }  # fmt: skip


# --- Markup ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["trend", "columns", "stacked", "paired", "bars"])
def test_it_is_accessible_svg_that_scales_to_its_container(name):
    svg = all_charts()[name]
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root.find(f"{SVG}title") is not None
    assert root.get("width") == "100%"
    assert "width:100%" in root.get("style") and "height:auto" in root.get("style")


def test_the_trend_shows_the_latest_value_the_month_labels_and_the_target_line():
    series = list(zip(MONTHS, [5, 7, None, 9, 12, 8, 11, 14, None, 10, 13, 16], strict=True))
    root = parse(charts.trend_chart_svg(series, target=10, title="Observations", reads_as="per month"))
    shown = texts(root)
    assert "16" in shown  # the latest value printed
    assert "Target 10" in shown
    assert "Dec" in shown and "Oct" in shown  # every other month, ending with the latest
    targets = [line for line in root.iter(f"{SVG}line") if line.get("class") == "target"]
    assert len(targets) == 1
    assert targets[0].get("stroke-dasharray")
    label = root.get("aria-label")
    assert "Jan 5" in label and "Dec 16" in label and "target 10" in label and "Mar –" in label


def test_missing_months_are_gaps_not_zeros():
    series = [("Jan", 4), ("Feb", None), ("Mar", 6), ("Apr", 0)]
    root = parse(charts.trend_chart_svg(series, title="T"))
    points = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "value"]
    assert len(points) == 3  # January, March and a real zero in April; February has none
    gaps = [g for g in root.iter(f"{SVG}g") if g.get("class") == "gap"]
    assert len(gaps) == 1
    assert "Feb: –" in "".join(gaps[0].itertext())
    # The line breaks at the gap: no segment joins January to March.
    lines = [p for p in root.iter(f"{SVG}polyline") if p.get("class") == "trend"]
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # March–April only


def test_columns_leave_a_gap_and_keep_a_real_zero():
    root = parse(charts.trend_chart_svg([("Jan", 3), ("Feb", None), ("Mar", 0)], title="T", kind="columns"))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "value"]
    assert len(bars) == 2
    assert float(bars[1].get("height")) == 0
    assert len([g for g in root.iter(f"{SVG}g") if g.get("class") == "gap"]) == 1


def test_met_and_missed_points_are_coloured_by_the_direction():
    up = parse(charts.trend_chart_svg([("Jan", 5), ("Feb", 15)], target=10, title="T", direction=UP))
    down = parse(charts.trend_chart_svg([("Jan", 5), ("Feb", 15)], target=10, title="T", direction=DOWN))
    up_fills = [c.get("fill") for c in up.iter(f"{SVG}circle") if c.get("class") == "value"]
    down_fills = [c.get("fill") for c in down.iter(f"{SVG}circle") if c.get("class") == "value"]
    assert up_fills == [charts.BAD, charts.GOOD]
    assert down_fills == [charts.GOOD, charts.BAD]
    neutral = parse(charts.trend_chart_svg([("Jan", 5)], title="T"))
    assert [c.get("fill") for c in neutral.iter(f"{SVG}circle")] == [charts.NEUTRAL]


def test_a_target_on_the_boundary_is_met():
    root = parse(charts.trend_chart_svg([("Jan", 10)], target=10, title="T", direction=UP))
    assert [c.get("fill") for c in root.iter(f"{SVG}circle")] == [charts.GOOD]


def test_shares_print_a_percent_sign_and_decimals():
    root = parse(charts.trend_chart_svg([("Jan", Decimal("87.46"))], target=90, title="T", reads_as="%", decimals=1))
    assert "87.5%" in texts(root)
    assert "Target 90%" in texts(root)  # a round target stays round


def test_no_figures_at_all_says_so():
    root = parse(charts.trend_chart_svg([("Jan", None), ("Feb", None)], title="T"))
    assert "No figures yet" in texts(root)


def test_text_is_escaped():
    root = parse(charts.horizontal_bars_svg([("<b>&co</b>", 1)], title='"quoted" <title>'))
    assert "<b>&co</b>" in texts(root)
    assert root.find(f"{SVG}title").text == '"quoted" <title>'


# --- Two series on one scale --------------------------------------------------------------------------


def test_safe_and_unsafe_share_one_scale():
    rows = [("Jan", 30, 10), ("Feb", 10, 30)]
    root = parse(charts.stacked_or_paired_bars_svg(rows, names=("Safe", "Unsafe"), title="T"))
    first = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("class") == "first"]
    second = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("class") == "second"]
    # 30 safe in January is as long as 30 unsafe in February: one scale, not two.
    assert first[0] == pytest.approx(second[1])
    assert first[1] == pytest.approx(second[0])
    assert first[0] == pytest.approx(3 * first[1])
    shown = texts(root)
    assert "30 / 10" in shown and "10 / 30" in shown
    assert "Safe" in shown and "Unsafe" in shown  # the legend names both: never colour alone


def test_paired_bars_share_one_scale_and_label_each_bar():
    rows = [("Jan", 40, 10), ("Feb", 20, None)]
    root = parse(charts.stacked_or_paired_bars_svg(rows, names=("Safe", "Unsafe"), title="T", mode="paired"))
    widths = {
        (r.get("class"), i): float(r.get("width"))
        for i, r in enumerate(r for r in root.iter(f"{SVG}rect") if r.get("class") in ("first", "second"))
    }
    values = list(widths.values())
    assert values[0] == pytest.approx(4 * values[1])  # 40 vs 10 on the same axis
    assert values[0] == pytest.approx(2 * values[2])
    shown = texts(root)
    assert "40" in shown and "10" in shown and "20" in shown and "–" in shown


def test_a_month_without_either_figure_is_a_gap():
    root = parse(charts.stacked_or_paired_bars_svg([("Jan", None, None)], names=("A", "B"), title="T"))
    assert [g for g in root.iter(f"{SVG}g") if g.get("class") == "gap"]
    assert not [r for r in root.iter(f"{SVG}rect") if r.get("class") == "first"]


# --- Ranked rows --------------------------------------------------------------------------------------


def test_horizontal_bars_label_every_row_and_link_it():
    root = parse(
        charts.horizontal_bars_svg(
            [("Petrova", 3), ("Sidorov", None)], title="T", tone="bad", links=["/actions/?owner=1", None]
        )
    )
    anchors = list(root.iter(f"{SVG}a"))
    assert [a.get("href") for a in anchors] == ["/actions/?owner=1"]
    assert "Petrova" in texts(root) and "3" in texts(root) and "–" in texts(root)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "value"]
    assert len(bars) == 1 and bars[0].get("fill") == charts.BAD


def test_long_labels_are_cut_with_the_full_name_in_the_tooltip():
    name = "Ivanov Ivan Ivanovich, foreman of crew 2 of the mechanical shop, day shift"
    root = parse(charts.horizontal_bars_svg([(name, 7)], title="T"))
    label = [t for t in texts(root) if t.startswith("Ivanov")][0]
    assert label.endswith("…") and len(label) < len(name)
    assert any(name in (t.text or "") for t in root.iter(f"{SVG}title"))


def test_horizontal_bars_draw_the_target_across():
    root = parse(charts.horizontal_bars_svg([("A", 80), ("B", 95)], title="T", reads_as="%", target=90))
    assert [line for line in root.iter(f"{SVG}line") if line.get("class") == "target"]
    assert "Target 90%" in texts(root)


# --- Readable on a phone --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["trend", "columns", "stacked", "paired", "bars"])
def test_text_is_body_size_on_a_390px_phone(name):
    svg = all_charts()[name]
    # At the brief's 390 px container, every text is at least 14 px (body-text size) …
    assert rendered_min_px(svg, PHONE_CONTAINER) >= 14
    # … and in the real content column of a 390 px phone (card inside the page), never below 12 px.
    assert rendered_min_px(svg, PHONE_CONTENT_COLUMN) >= 12
    assert charts.min_rendered_font_px(svg, PHONE_CONTAINER) == pytest.approx(rendered_min_px(svg, PHONE_CONTAINER))


@pytest.mark.parametrize("name", ["trend", "stacked", "bars"])
def test_text_does_not_balloon_on_a_desktop(name):
    svg = all_charts()[name]
    assert rendered_min_px(svg, 1300) <= 24  # capped by max-width


def test_the_common_bar_chart_is_readable_on_a_phone():
    """The complaint of the issue (labels of about 6 px on a phone), measured: the common bar chart
    (hours worked of a unit) is now drawn on the readable canvas."""
    from apps.common.charts import Bar, bar_chart_svg

    chart = bar_chart_svg([Bar("Jan", 3), Bar("Feb", None)], title="T")
    assert charts.min_rendered_font_px(chart, PHONE_CONTENT_COLUMN) >= 12
    assert charts.min_rendered_font_px(chart, 150) >= 12  # a half-width card: drawn at 20rem, scrolls


def test_the_sparkline_has_no_text_and_reads_out_its_figures():
    root = parse(charts.sparkline_svg([("Jan", 1), ("Feb", None), ("Mar", 3)], target=2, title="Obs"))
    assert not list(root.iter(f"{SVG}text"))
    assert "Jan 1" in root.get("aria-label") and "Feb –" in root.get("aria-label")
    assert [line for line in root.iter(f"{SVG}line") if line.get("class") == "target"]


def test_numbers_follow_the_language():
    with translation.override("ru"):
        assert charts.format_value(Decimal("1234.5"), "", 1) in ("1\xa0234,5", "1 234,5")
    assert charts.format_value(Decimal("1234.5"), "", 1) == "1,234.5"
    assert charts.format_value(None) == "–"


def test_series_from_figures_uses_month_names():
    from datetime import date

    class F:
        def __init__(self, month, value):
            self.month, self.value = month, value

    assert charts.series_from_figures([F(date(2026, 1, 1), 3), F(date(2026, 2, 1), None)]) == [
        ("Jan", 3),
        ("Feb", None),
    ]
