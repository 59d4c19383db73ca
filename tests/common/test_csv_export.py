import pytest

from apps.common.csv_export import SafeCSVWriter, spreadsheet_safe


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"])
def test_formula_starts_are_written_as_text(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["Oil spill = danger", "Guard missing", "", 5, -5, None])
def test_other_cells_are_unchanged(value):
    assert spreadsheet_safe(value) == value


def test_writer_returns_the_line():
    assert SafeCSVWriter().writerow(["=1+1", "ok", 3]) == "'=1+1,ok,3\r\n"
