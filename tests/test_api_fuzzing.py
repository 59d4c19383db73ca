"""API fuzzing (issue 14): schemathesis against the portal's own OpenAPI schema, as each role.

Every operation of /api/schema/ is called in-process through the WSGI application (no server),
with a token of the role, on the test database: a few cases that fit the schema and a few that do
not (derandomized, so CI sees the same cases every run). Each response is checked by
schemathesis's own checks:

- `not_a_server_error`: never a 5xx;
- `status_code_conformance`: the status is one the operation documents;
- `response_schema_conformance`: the body fits the documented schema of that status;
- `negative_data_rejection`: a request that breaks the schema is refused (4xx).

The run is bounded (`MAX_EXAMPLES` cases per operation, role and mode, no shrinking, and a time
budget) and prints its figures at the end: operations × roles, cases, failures by check.
Known exclusions are listed in `EXCLUDED`, each with its reason; nothing else is skipped.
Deselect locally with `-m "not fuzz"`.
"""

import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import make_executive, make_hse_head, make_hse_specialist, make_line_manager, make_org

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

MAX_EXAMPLES = 3  # per operation, role and generation mode
TIME_BUDGET_S = 420  # the whole module; beyond it the remaining operations are reported as not fuzzed
ONLY = os.environ.get("FUZZ_ONLY", "")  # locally: fuzz only the operations whose label contains one of these
ROLES = ("hse_head", "hse_specialist", "line_manager", "executive")
CHECKS = {
    "not_a_server_error": not_a_server_error,
    "status_code_conformance": status_code_conformance,
    "response_schema_conformance": response_schema_conformance,
    "negative_data_rejection": negative_data_rejection,
}
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


def _empty_query_value(case) -> bool:
    return any(value == "" for value in (case.query or {}).values())


# (operation label, check) -> (why it is not held against the portal, which cases it excuses).
# Keep it short and explicit: anything not matched here fails the run.
EXCLUDED: dict[tuple[str, str], tuple[str, object]] = {
    ("GET /api/v1/trainer-activity/", "negative_data_rejection"): (
        "an empty query value means 'not given': the page's filter form submits its empty fields and "
        "the API shares that FilterSet (apps/trainings/filters.py)",
        _empty_query_value,
    ),
}


@dataclass
class Figures:
    pairs: set = field(default_factory=set)  # (role, operation) fuzzed
    operations: set = field(default_factory=set)
    cases: int = 0
    by_mode: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # check -> count
    excluded: Counter = field(default_factory=Counter)  # check -> count of excused failures
    examples: dict = field(default_factory=lambda: defaultdict(list))  # check -> first messages
    not_fuzzed: list = field(default_factory=list)
    started: float | None = None  # when the first operation is fuzzed (not at import: collection
    # of the whole suite comes minutes before this module runs)

    def elapsed(self) -> float:
        return 0.0 if self.started is None else time.monotonic() - self.started


FIGURES = Figures()


@pytest.fixture
def wsgi_app():
    """The deployed WSGI application, in-process. Like Django's test client, it must not close the
    database connection around each request: that connection holds the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from hse_portal.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _personas():
    org = make_org()
    head = make_hse_head(org)
    return org, {
        "hse_head": head,
        "hse_specialist": make_hse_specialist(org, head),
        "line_manager": make_line_manager(org),
        "executive": make_executive(org),
    }


def _record(role: str, case, response) -> None:
    label = case.operation.label
    FIGURES.cases += 1
    FIGURES.by_mode[case.meta.generation.mode.value if case.meta else "?"] += 1
    FIGURES.statuses[response.status_code] += 1
    for name, check in CHECKS.items():
        try:
            case.validate_response(response, checks=[check])
        except (FailureGroup, Failure) as exc:
            failures = list(exc.exceptions) if isinstance(exc, FailureGroup) else [exc]
            excluded = EXCLUDED.get((label, name))
            if excluded and excluded[1](case):
                FIGURES.excluded[name] += 1
                continue
            FIGURES.failures[name] += 1
            if len(FIGURES.examples[name]) < 30:
                detail = f"{failures[0].title}: {failures[0].message[:400]}" if failures else str(exc)
                FIGURES.examples[name].append(
                    f"{role} {label} [{case.meta.generation.mode.value if case.meta else '?'}] "
                    f"-> {response.status_code}: {detail}; query={case.query} body={str(case.body)[:120]}"
                )


def _fuzz(operation, role: str, headers: dict) -> None:
    for mode in MODES:
        try:
            strategy = operation.as_strategy(generation_mode=mode)
        except Exception as exc:  # noqa: BLE001 - an operation that cannot be generated is reported
            FIGURES.not_fuzzed.append(f"{role} {operation.label} [{mode.value}]: {exc}")
            continue

        @given(case=strategy)
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            response = case.call(headers=headers)
            _record(role, case, response)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - e.g. no negative case exists for an operation without input
            if "Unsatisfiable" in type(exc).__name__ or "Unsatisfied" in str(exc):
                continue
            FIGURES.not_fuzzed.append(f"{role} {operation.label} [{mode.value}]: {type(exc).__name__}: {exc}")


@pytest.mark.parametrize("role", ROLES)
def test_fuzz_api_as(role, wsgi_app):
    """Every operation of the schema, fuzzed as `role`; the checks are summed up by the last test."""
    _org, personas = _personas()
    token, _created = Token.objects.get_or_create(user=personas[role])
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    headers = {"Authorization": f"Token {token.key}"}
    if FIGURES.started is None:
        FIGURES.started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        if ONLY and not any(part in operation.label for part in ONLY.split(",")):
            continue
        if FIGURES.elapsed() > TIME_BUDGET_S:
            FIGURES.not_fuzzed.append(f"{role} {operation.label}: time budget of {TIME_BUDGET_S} s spent")
            continue
        FIGURES.operations.add(operation.label)
        FIGURES.pairs.add((role, operation.label))
        _fuzz(operation, role, headers)


def test_fuzz_figures(capsys):
    """The figures of the run, on the terminal whatever `-s` says; fails on any failure not excused."""
    lines = [
        f"API fuzzing: {len(FIGURES.operations)} operations x {len(ROLES)} roles = {len(FIGURES.pairs)} pairs, "
        f"{FIGURES.cases} cases ({dict(FIGURES.by_mode)}), {FIGURES.elapsed():.0f} s",
        "  statuses: " + ", ".join(f"{code}: {n}" for code, n in sorted(FIGURES.statuses.items())),
        "  failures by check: " + ", ".join(f"{name}: {FIGURES.failures[name]}" for name in CHECKS),
        f"  excused ({len(EXCLUDED)} exclusions): " + ", ".join(f"{n}: {c}" for n, c in FIGURES.excluded.items()),
        f"  not fuzzed: {len(FIGURES.not_fuzzed)}",
    ]
    for name, examples in FIGURES.examples.items():
        lines += [f"  {name}:"] + [f"    {example}" for example in examples]
    lines += [f"    not fuzzed: {line}" for line in FIGURES.not_fuzzed[:30]]
    with capsys.disabled():  # on the CI log whatever `-s` says
        print("\n" + "\n".join(lines))
    assert FIGURES.cases, "no case was generated"
    assert not FIGURES.failures, "\n".join(lines)
    assert not FIGURES.not_fuzzed, "\n".join(lines)
