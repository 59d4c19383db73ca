"""One date and number style per language, everywhere: the format modules, a real page in both
languages, and a scan that refuses a literal date format in a template or a message."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from apps.org.models import HoursWorked
from hse_portal.formats.en import formats as en_formats
from hse_portal.formats.ru import formats as ru_formats
from tests.incidents.helpers import make_incident

BASE = Path(settings.BASE_DIR)
DAY = date(2026, 11, 26)
MOMENT = datetime(2026, 11, 26, 9, 5, tzinfo=UTC)  # 14:05 at the plant (Asia/Yekaterinburg)

# Machine formats: query strings, element ids and input values, never text a person reads.
MACHINE_FORMATS = {"Y-m", "Y-m-d", "c"}
FORMAT_NAMES = {name for name in dir(en_formats) if name.endswith("_FORMAT")}


def _module_names(module) -> set[str]:
    return {name for name in dir(module) if name.isupper()}


def test_every_language_defines_every_named_format():
    assert _module_names(en_formats) == _module_names(ru_formats)
    assert {"SHORT_YEAR_MONTH_FORMAT", "YEAR_MONTH_GENITIVE_FORMAT", "CHART_MONTH_FORMAT"} <= FORMAT_NAMES


@pytest.mark.parametrize(
    ("language", "day", "moment", "month", "number", "decimal"),
    [
        ("en", "26 Nov 2026", "26 Nov 2026, 14:05", "November 2026", "12,345", "1,234.5"),
        ("ru", "26.11.2026", "26.11.2026 14:05", "Ноябрь 2026", "12\xa0345", "1\xa0234,5"),
    ],
)
def test_each_language_has_one_date_style(language, day, moment, month, number, decimal):
    with translation.override(language):
        assert formats.date_format(DAY) == day
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == day
        assert formats.localize(timezone.localtime(MOMENT)) == moment
        assert formats.date_format(timezone.localtime(MOMENT), "SHORT_DATETIME_FORMAT") == moment
        assert formats.date_format(DAY, "YEAR_MONTH_FORMAT") == month
        assert formats.number_format(12345, force_grouping=True) == number
        assert formats.number_format(Decimal("1234.5"), decimal_pos=1, force_grouping=True) == decimal
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


def test_russian_genitive_month_reads_after_since():
    with translation.override("ru"):
        assert formats.date_format(DAY, "YEAR_MONTH_GENITIVE_FORMAT") == "ноября 2026"
        assert formats.date_format(DAY, "WEEKDAY_DATE_FORMAT") == "Четверг, 26 ноября"
    with translation.override("en"):
        assert formats.date_format(DAY, "YEAR_MONTH_GENITIVE_FORMAT") == "November 2026"
        assert formats.date_format(DAY, "WEEKDAY_DATE_FORMAT") == "Thursday, 26 November"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_iso_dates_are_read_first(language):
    with translation.override(language):
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
        assert "%m/%d/%Y" not in formats.get_format("DATE_INPUT_FORMATS")


def test_a_russian_figure_never_breaks_across_lines():
    """The thousands separator is a no-break space (U+00A0) or a narrow one (U+202F), never U+0020."""
    with translation.override("ru"):
        separator = formats.get_format("THOUSAND_SEPARATOR")
        text = formats.number_format(1234567, force_grouping=True)
    assert separator in ("\xa0", "\u202f")
    assert text == f"1{separator}234{separator}567"
    assert " " not in text


@pytest.fixture
def incident_page_world(org, hse_head, time_machine):
    time_machine.move_to(datetime(2026, 11, 26, 6, 0, tzinfo=UTC), tick=False)
    HoursWorked.objects.create(unit=org.crew, month=date(2026, 10, 1), hours=Decimal("12345"))
    make_incident(org.crew, hse_head, occurred_at=datetime(2026, 10, 5, 9, 30, tzinfo=UTC))
    return hse_head


@pytest.mark.parametrize(
    ("language", "expected", "refused"),
    [
        ("en", ["1 Nov 2025", "26 Nov 2026", "12,345", "5 Oct 2026, 14:30"], ["11/26/2026", "Nov. 26", "10/05/2026"]),
        ("ru", ["01.11.2025", "26.11.2026", "12\xa0345", "05.10.2026 14:30"], ["12 345", "12,345", "2026-10-05"]),
    ],
)
def test_the_incident_list_prints_dates_and_figures_in_the_language(
    client_as, incident_page_world, language, expected, refused
):
    head = incident_page_world
    head.language = language
    head.save(update_fields=["language"])
    page = client_as(head).get(reverse("incidents:list")).text
    for text in expected:
        assert text in page, text
    for text in refused:
        assert text not in page, text


# --- the scan -------------------------------------------------------------------------------------

TEMPLATE_FORMAT = re.compile(r"""\|(?:date|time):\s*(["'])(?P<format>[^"']*)\1""")
PYTHON_FORMAT = re.compile(r"""date_format\([^,()]+(?:\([^()]*\))?,\s*(["'])(?P<format>[^"']*)\1""")


def _templates():
    yield from (BASE / "templates").rglob("*.html")
    yield from (BASE / "templates").rglob("*.txt")
    for folder in (BASE / "apps").glob("*/templates"):
        yield from folder.rglob("*.html")
        yield from folder.rglob("*.txt")


def literal_formats(text: str, pattern: re.Pattern) -> list[str]:
    found = (match.group("format") for match in pattern.finditer(text))
    return [name for name in found if name not in FORMAT_NAMES and name not in MACHINE_FORMATS]


def test_the_scan_finds_a_literal_format():
    assert literal_formats('{{ day|date:"F Y" }} {{ day|date:"YEAR_MONTH_FORMAT" }}', TEMPLATE_FORMAT) == ["F Y"]
    assert literal_formats("{{ t|time:'H:i' }} {{ d|date:'Y-m' }}", TEMPLATE_FORMAT) == ["H:i"]
    assert literal_formats('date_format(row["month"], "M") date_format(d, "CHART_MONTH_FORMAT")', PYTHON_FORMAT) == [
        "M"
    ]


def test_no_template_prints_a_date_in_a_format_of_its_own():
    """A date a person reads uses a named format of hse_portal/formats/<lang>/formats.py, so each
    language prints it one way; only machine formats (query strings, ids) are literal."""
    offenders = {
        str(path.relative_to(BASE)): found
        for path in _templates()
        if (found := literal_formats(path.read_text(), TEMPLATE_FORMAT))
    }
    assert not offenders, offenders


def test_no_python_message_formats_a_date_of_its_own():
    offenders = {
        str(path.relative_to(BASE)): found
        for path in (BASE / "apps").rglob("*.py")
        if "migrations" not in path.parts and (found := literal_formats(path.read_text(), PYTHON_FORMAT))
    }
    assert not offenders, offenders
