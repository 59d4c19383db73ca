"""Hostile input for the property tests: what a careless user or a broken client sends.

Each app's `tests/<app>/test_input_properties.py` throws these at its forms and API writes and
asserts two things: no answer is a server error, and whatever was stored can still be read back
by every page and endpoint that shows it (`assert_readable`).

    @given(data=st.fixed_dictionaries({"description": hostile_text(), "observed_at": hostile_datetime()}))
    def test_it(...): ...
"""

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Hypothesis with Django's test database: a few dozen examples per test, no deadline (the first
# request of a run is slow), and function-scoped fixtures are fine since each example cleans up
# by rolling back through the client's own requests only.
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

FORMULAS = ["=1+1", "+SUM(A1)", "-2", "@cmd", '=HYPERLINK("http://x","y")']
TRICKY_NUMBERS = ["²", "١٢", "99999999999999999999", "-1", "1e9", "0x10", "NaN", "Infinity", " 7 ", "3.5", ""]


def hostile_text(max_size: int = 6000):
    """Text that breaks naive code: long, non-Latin, control characters, formulas, NUL bytes."""
    return st.one_of(
        st.text(max_size=max_size),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40),
        st.sampled_from(FORMULAS + ["\x00", "a\x00b", " ", "\u202e", "Петров П. П.", "😀" * 300, "x" * 5001]),
    )


def hostile_number():
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(TRICKY_NUMBERS),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
    )


def json_value():
    """What a broken client may put in any JSON field."""
    return st.one_of(
        hostile_text(),
        hostile_number(),
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    )


def hostile_date():
    """Dates as a form or a client sends them: far past, far future, malformed."""
    return st.one_of(
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
        st.sampled_from(["0001-01-01", "1900-01-01", "9999-12-31", "yesterday", "2026-02-30", "", "2026-13-01"]),
    )


def hostile_datetime():
    return st.one_of(
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
            lambda value: value.strftime("%Y-%m-%dT%H:%M")
        ),
        st.sampled_from(
            [
                "0001-01-01T00:00",
                "1900-01-01T00:00",
                "1969-12-31T23:59",
                "9999-12-31T23:59",
                (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
                "2026-11-30T25:00",
                "now",
                "",
            ]
        ),
    )


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, f"{response.status_code} for {response.request.get('PATH_INFO')}"


def assert_readable(client, urls) -> None:
    """Every page and endpoint showing the stored rows still answers (what was stored renders)."""
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code} after the write"
