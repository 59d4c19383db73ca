"""Signals are confidential and anonymous by construction.

1. No column of a signal could identify a person: its exact field list is pinned here (adding,
   say, `created_by` or a `created_at` time fails this test until someone thinks again), and it
   has no date-and-time column at all.
2. No chain of foreign keys leads from a violation, a sanction or an observation to a signal.
   The walk follows every forward ForeignKey, OneToOneField and ManyToManyField, transitively,
   over all installed models. It does not follow reverse relations (a unit has many signals, and
   many observations: sharing a unit is not a link between them), nor generic links:
   `Action.source_record` and `AuditEntry.target` are a content type and an id, not foreign keys,
   and no database constraint ties them to a signal. The register's kinds of source are checked
   separately: a signal is never the source of an action.
3. No log line carries a signal's raw text, a username or an IP while a signal is recorded,
   answered, or sent from the QR form.
4. The audit entries about signals carry no raw text; recording one is an entry about the
   internship that does not name the signal.
"""

import logging
from collections import deque

import pytest
from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from apps.actions.sources import source_kinds
from apps.audit.models import AuditEntry
from apps.internships import services
from apps.internships.models import Internship, Signal
from tests.factories import InternshipFactory

SIGNAL_FIELDS = [
    "id", "unit", "internship", "source", "kind", "raw_text", "recorded_on", "paraphrase", "status", "response",
    "response_text", "responded_on", "escalated_on",
]  # fmt: skip


# --- 1. The columns ------------------------------------------------------------------------------


def test_the_signal_has_exactly_these_fields_and_nothing_that_points_to_it():
    # Every field, forward and reverse: a new column or a model pointing to a signal both fail here.
    assert [field.name for field in Signal._meta.get_fields()] == SIGNAL_FIELDS


def test_a_signal_keeps_dates_never_times():
    assert not [f.name for f in Signal._meta.concrete_fields if isinstance(f, models.DateTimeField | models.TimeField)]
    assert isinstance(Signal._meta.get_field("recorded_on"), models.DateField)


def test_a_signal_points_only_to_its_unit_and_its_internship():
    related = {f.name: f.related_model for f in Signal._meta.concrete_fields if f.is_relation}
    assert related == {"unit": apps.get_model("org", "StructuralUnit"), "internship": Internship}
    assert not any(isinstance(f, GenericForeignKey) for f in Signal._meta.private_fields)


# --- 2. The schema ------------------------------------------------------------------------------


def _forward_targets(model) -> list:
    """The models a model's forward relations lead to (ForeignKey, OneToOne, ManyToMany). Generic
    foreign keys have no target model: they are a content type and an id (see the docstring)."""
    targets = []
    for field in model._meta.get_fields(include_hidden=True):
        if not field.is_relation or field.auto_created or isinstance(field, GenericForeignKey):
            continue
        if field.related_model is None:
            continue
        if field.many_to_one or field.one_to_one or field.many_to_many:
            targets.append(field.related_model)
            through = getattr(getattr(field, "remote_field", None), "through", None)
            if field.many_to_many and through is not None:
                targets.append(through)
    return targets


def _reachable(*start) -> set:
    seen = set(start)
    queue = deque(start)
    while queue:
        for target in _forward_targets(queue.popleft()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def test_the_walk_does_follow_foreign_keys():
    # The walk is not vacuous: from a sanction it reaches the violation, the company and a user.
    reached = _reachable(apps.get_model("contractors", "Sanction"))
    assert {apps.get_model("contractors", "Violation"), apps.get_model("accounts", "User"),
            apps.get_model("org", "StructuralUnit")} <= reached  # fmt: skip
    assert apps.get_model("internships", "Internship") in _reachable(Signal)


def test_no_foreign_key_chain_from_sanctions_violations_or_observations_reaches_a_signal():
    start = [
        apps.get_model("contractors", "Sanction"),
        apps.get_model("contractors", "Violation"),
        apps.get_model("observations", "Observation"),
    ]
    assert Signal not in _reachable(*start)


def test_no_model_of_the_contractors_or_observations_apps_reaches_a_signal():
    start = [*apps.get_app_config("contractors").get_models(), *apps.get_app_config("observations").get_models()]
    assert start
    assert Signal not in _reachable(*start)


def test_no_model_anywhere_points_to_a_signal():
    pointing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models(include_auto_created=True)
        if model is not Signal
        for field in model._meta.get_fields(include_hidden=True)
        if field.is_relation and not field.auto_created and field.related_model is Signal
    ]
    assert pointing == []


def test_a_signal_is_never_the_source_of_an_action():
    assert all("internships.signal" not in (m.lower() for m in kind.models) for kind in source_kinds())


# --- 3. Log lines --------------------------------------------------------------------------------

RAW = "Sidorenko from B shift says the gas detector alarm is ignored at cell 9"
FORM_RAW = "Handrail at stair 4 is loose, nobody fixes it"
IP = "203.0.113.57"


@pytest.fixture
def running(org, hse_specialist):
    return InternshipFactory(unit=org.crew, specialist=hse_specialist, status=Internship.Status.IN_PROGRESS)


_STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None)))


def _all_text(record: logging.LogRecord) -> str:
    """Everything a handler could write: the message, its arguments and any extra attributes."""
    extras = [str(value) for key, value in vars(record).items() if key not in _STANDARD_ATTRIBUTES]
    return " ".join([record.getMessage(), str(record.args), str(record.exc_text or ""), *extras])


@pytest.mark.django_db(transaction=True)
def test_no_log_line_carries_the_raw_text_a_username_or_an_ip(caplog, org, running, hse_specialist, hse_head):
    caplog.set_level(logging.DEBUG)  # the root logger and everything below it
    signal = services.signal_record(actor=hse_specialist, internship=running, kind="rule_broken", raw_text=RAW)
    services.signal_take_up(actor=hse_head, signal=signal)
    services.signal_respond(
        actor=hse_head, signal=signal, response="rule_changed", response_text="The alarm set point was corrected",
        paraphrase="A gas alarm goes off so often that people stop reacting",
    )  # fmt: skip
    services.signal_submit_from_form(unit=org.crew, kind="hazard", text=FORM_RAW)
    logging.getLogger("apps.internships.probe").debug("probe")  # the capture does see DEBUG lines
    assert caplog.records[-1].getMessage() == "probe"
    text = "\n".join(_all_text(record) for record in caplog.records)
    for secret in (RAW, "Sidorenko", FORM_RAW, hse_specialist.username, hse_head.username, IP, "127.0.0.1"):
        assert secret not in text


# --- 4. Audit entries ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_entries_about_signals_carry_no_raw_text_and_recording_does_not_name_the_signal(
    org, running, hse_specialist, hse_head
):
    signal = services.signal_record(actor=hse_specialist, internship=running, kind="rule_broken", raw_text=RAW)
    services.signal_respond(actor=hse_head, signal=signal, response="explained", response_text="Told the crew why",
                            paraphrase="Why the gas alarm matters")  # fmt: skip
    services.signal_submit_from_form(unit=org.crew, kind="hazard", text=FORM_RAW)
    entries = list(AuditEntry.objects.all())
    for entry in entries:
        stored = " ".join([entry.reason, entry.target_repr, str(entry.data), entry.actor_name])
        assert RAW not in stored and "Sidorenko" not in stored and FORM_RAW not in stored
    # Recording writes no entry: its timestamp would tell the time of day the signal was heard.
    assert not [e for e in entries if e.action == "internships.signal.recorded"]
    # The recorder is never the actor of an entry that targets the signal at recording time.
    signal_type = ContentType.objects.get_for_model(Signal)
    on_signal = [e for e in entries if e.target_type == signal_type]
    assert [(e.action, e.actor) for e in on_signal] == [("internships.signal.answered", hse_head)]
    # The form's submission left no entry at all.
    assert len(entries) == 1


# --- The Django admin and the QR form's token ------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_never_shows_or_loads_the_raw_text(client_as, system_admin, running):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    signal = services.signal_record(actor=running.specialist, internship=running, kind="ppe", raw_text=RAW)
    client = client_as(system_admin)  # a superuser
    with CaptureQueriesContext(connection) as queries:
        listing = client.get(reverse("admin:internships_signal_changelist"))
        page = client.get(reverse("admin:internships_signal_change", args=[signal.pk]))
    assert listing.status_code == 200 and page.status_code == 200
    for response in (listing, page):
        assert RAW not in response.content.decode() and "Sidorenko" not in response.content.decode()
    assert not any('"raw_text"' in query["sql"] for query in queries.captured_queries)
    assert client.get(reverse("admin:internships_signal_changelist") + "?q=Sidorenko").status_code == 200
    assert client.post(reverse("admin:internships_signal_change", args=[signal.pk]), {}).status_code == 403


@pytest.mark.django_db
def test_the_feedback_token_names_an_active_unit_and_nothing_else(org):
    from apps.internships.feedback import unit_feedback_token, unit_for_feedback_token

    token = unit_feedback_token(org.crew)
    assert token == unit_feedback_token(org.crew)  # stable: the printed poster keeps working
    assert token != unit_feedback_token(org.shop)
    assert unit_for_feedback_token(token) == org.crew
    assert "/" not in token and ":" not in token
    value, signature = token.split(".")
    forged = f"{org.shop.pk}.{signature}"
    for bad in (forged, token[:-1] + ("A" if token[-1] != "A" else "B"), "", "x" * 500, f"{value}", "a.b.c", None):
        assert unit_for_feedback_token(bad) is None
    from django.core import signing

    other_salt = signing.Signer(salt="something.else", sep=".").sign(str(org.crew.pk))
    assert unit_for_feedback_token(other_salt) is None
    org.crew.is_active = False
    org.crew.save()
    assert unit_for_feedback_token(token) is None
