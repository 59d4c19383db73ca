"""Charts people can read (issue 15): safe and unsafe on ONE scale and told apart without colour,
the period picker's parameter, and the cause tree's two layouts with text of at least 12 px."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.http import QueryDict
from django.utils import translation

from apps.common import charts
from apps.common.periods import DEFAULT_PERIOD, period_from, period_months
from apps.incidents.causetree import FONT_MIN, LAYOUTS, Fact, cause_tree_svg

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def rects(root, cls):
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == cls]


# --- One scale ----------------------------------------------------------------------------------------


def test_paired_bars_draw_10_safe_twice_as_long_as_5_unsafe():
    root = parse(
        charts.stacked_or_paired_bars_svg([("Jan", 10, 5)], names=("Safe", "Unsafe"), title="T", mode="paired")
    )
    (safe,), (unsafe,) = rects(root, "first"), rects(root, "second")
    assert float(safe.get("width")) == pytest.approx(2 * float(unsafe.get("width")))


def test_stacked_bars_share_one_scale_across_months():
    rows = [("Jan", 10, 0), ("Feb", 0, 5)]
    root = parse(charts.stacked_or_paired_bars_svg(rows, names=("Safe", "Unsafe"), title="T"))
    first, second = rects(root, "first"), rects(root, "second")
    # January's 10 safe against February's 5 unsafe: twice the length, drawn on the same axis.
    assert float(first[0].get("width")) == pytest.approx(2 * float(second[1].get("width")))
    assert float(first[0].get("width")) > 0


def test_the_second_series_is_hatched_in_the_bars_and_the_legend():
    svg = str(charts.stacked_or_paired_bars_svg([("Jan", 3, 2)], names=("Safe", "Unsafe"), title="T"))
    root = parse(svg)
    (pattern,) = list(root.iter(f"{SVG}pattern"))
    hatch = f"url(#{pattern.get('id')})"
    assert [rect.get("fill") for rect in rects(root, "second")] == [hatch]
    assert [rect.get("fill") for rect in rects(root, "legend-second")] == [hatch]
    assert rects(root, "first")[0].get("fill") == charts.GOOD  # the first stays plain
    # Two charts of a page never share a pattern id (a hidden one's pattern would not paint).
    other = str(charts.stacked_or_paired_bars_svg([("Feb", 1, 1)], names=("Safe", "Unsafe"), title="T"))
    assert pattern.get("id") not in other


@pytest.mark.parametrize("container", [150, 334, 390])
def test_the_two_series_chart_text_is_at_least_12px(container):
    rows = [(month, 10 * index, 3 * index) for index, month in enumerate(["Jan", "Feb", "Mar"], 1)]
    svg = charts.stacked_or_paired_bars_svg(rows, names=("Safe", "Unsafe"), title="T")
    assert charts.min_rendered_font_px(svg, container) >= 12


def test_the_min_width_is_what_keeps_text_at_12px():
    """The 20rem floor of portal.css is what the measure assumes: 14 units × 320 ÷ 360."""
    svg = charts.trend_chart_svg([("Jan", 1)], title="T")
    assert charts.min_rendered_font_px(svg, 100) == pytest.approx(charts.SMALL_FONT * 320 / 360)
    assert charts.SMALL_FONT * charts.MIN_WIDTH / charts.VIEW_WIDTH >= 12
    assert charts.SMALL_FONT * (charts.MIN_WIDTH - 48) / charts.VIEW_WIDTH < 12  # 3rem less would not do


# --- The period -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [("", 12), ("months=3", 3), ("months=6", 6), ("months=12", 12)])
def test_the_period_offered(query, expected):
    months, form, valid = period_from(QueryDict(query))
    assert (months, valid) == (expected, True)


@pytest.mark.parametrize("value", ["0", "1", "2", "4", "24", "-3", "abc", "6.0", "1e1"])
def test_a_period_not_offered_is_an_error_and_the_default(value):
    months, form, valid = period_from(QueryDict(f"months={value}"))
    assert (months, valid) == (DEFAULT_PERIOD, False)
    assert form.errors["months"] == ["Choose a period of 3, 6 or 12 months."]


def test_the_period_is_exactly_its_months_ending_with_the_last():
    months = period_months(date(2026, 3, 1), 6)
    assert months == [date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1),
                      date(2026, 2, 1), date(2026, 3, 1)]  # fmt: skip


# --- The cause tree -------------------------------------------------------------------------------------

FINAL = Fact(1, "Hand caught in the tail pulley", is_final_event=True)
FACTS = [
    FINAL,
    Fact(2, "Operator reaches in to clear spillage"),
    Fact(3, "Conveyor running during cleaning", is_unusual=True),
    Fact(4, "Guard removed and not refitted", is_unusual=True),
    Fact(5, "Stopping the belt needs a call to the control room"),
]
LINKS = [(2, 1), (3, 1), (4, 1), (5, 3)]


def boxes(svg):
    root = parse(svg)
    found = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("data-fact"):
            rect = group.find(f"{SVG}rect")
            found[int(group.get("data-fact"))] = tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))
    return root, found


@pytest.mark.parametrize("layout", ["wide", "narrow"])
def test_every_text_of_the_tree_is_at_least_12px_drawn_one_to_one(layout):
    root, _boxes = boxes(cause_tree_svg(FACTS, LINKS, layout=layout))
    view_width = float(root.get("viewBox").split()[2])
    assert float(root.get("width")) == view_width  # one unit = one CSS px: the font size is the size
    sizes = [float(text.get("font-size") or text_size(root, text)) for text in root.iter(f"{SVG}text")]
    assert sizes and min(sizes) >= 12
    assert FONT_MIN == 12 and LAYOUTS[layout].font >= 13


def text_size(root, text):
    for group in root.iter(f"{SVG}g"):
        if text in list(group) and group.get("font-size"):
            return group.get("font-size")
    raise AssertionError("a text without a font size")


def test_the_narrow_tree_runs_top_to_bottom_with_the_final_event_last():
    _root, found = boxes(cause_tree_svg(FACTS, LINKS, layout="narrow"))
    assert found[5][1] < found[3][1] < found[1][1]  # earliest at the top, the final event at the bottom
    assert found[2][1] == found[3][1] == found[4][1]  # one level, one row


def test_the_narrow_tree_fits_a_phone_when_no_level_has_more_than_two_facts():
    root, found = boxes(cause_tree_svg(FACTS[:3], [(2, 1), (3, 1)], layout="narrow"))
    width = float(root.get("width"))
    assert width <= 320  # a 390 px phone's card: no sideways scroll
    assert all(x >= 0 and x + w <= width for x, _y, w, _h in found.values())


def test_the_wide_tree_runs_left_to_right():
    _root, found = boxes(cause_tree_svg(FACTS, LINKS))
    assert found[5][0] < found[3][0] < found[1][0]
