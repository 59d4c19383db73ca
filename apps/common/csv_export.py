"""CSV files that open safely in a spreadsheet.

A cell that begins with `=`, `+`, `-`, `@` (or a tab or carriage return) is read by Excel and
LibreOffice as a formula: a description typed as `=HYPERLINK(...)` would run when the file is
opened. Such text cells are written with a leading apostrophe, which spreadsheets show as text."""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """The cell as text that no spreadsheet evaluates; numbers and dates are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


class SafeCSVWriter:
    """`writerow()` returns the encoded line (for a streaming response) with every text cell made
    spreadsheet-safe."""

    def __init__(self):
        self._writer = csv.writer(_Echo())

    def writerow(self, row) -> str:
        return self._writer.writerow([spreadsheet_safe(cell) for cell in row])
