"""Hostile input at every form POST and API write of incidents and investigations: random dates,
numbers and texts never give a server error, and whatever was stored still renders on every page
and endpoint that shows it (the lists, the incident, the investigation, the report PDF)."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import event, given, settings
from hypothesis import strategies as st

from apps.incidents import services
from apps.incidents.models import CauseTreeFact, Incident, Investigation, WhyChain
from tests.properties import (
    PROPERTY_SETTINGS,
    assert_no_server_error,
    assert_readable,
    hostile_date,
    hostile_datetime,
    hostile_number,
    hostile_text,
)

from .helpers import make_incident, make_injured, make_investigation

pytestmark = pytest.mark.django_db

TYPES = st.sampled_from(["injury", "near_miss", "fire", "", "explosion", "=1+1"])
CLASSIFICATIONS = st.sampled_from(["none", "first_aid", "medical", "restricted", "lost_time", "fatality", "", "x"])
SEVERITY = st.one_of(st.integers(min_value=0, max_value=6).map(str), hostile_number())
CHECKBOX = st.sampled_from(["on", "", "true", "0"])


def some(values):
    """A known value (so the write can succeed) or a hostile one. The known values are picked by
    an index, so the strategy's shape does not depend on how many rows the database holds."""
    known = st.integers(min_value=0, max_value=999).map(lambda i: values[i % len(values)] if values else "0")
    return st.one_of(known, known, hostile_number())  # two known for one hostile


def pick(data, values):
    return values[data.draw(st.integers(min_value=0, max_value=999)) % len(values)]


@pytest.fixture
def incident(org, hse_specialist):
    incident = make_incident(org.crew, hse_specialist)
    make_injured(incident)
    return incident


@pytest.fixture
def investigation(incident, hse_specialist, line_manager):
    investigation = make_investigation(incident, hse_specialist, members=[line_manager], status="analysis")
    final = services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught in the pulley")
    services.fact_add(actor=hse_specialist, investigation=investigation, text="Reaches in", leads_to=final)
    return investigation


def answered(client, response, urls):
    """No server error; after a stored write every page and endpoint showing it still answers,
    after a refused one (nothing stored) the first of them does."""
    event(f"answered {response.status_code}")  # --hypothesis-show-statistics: how many were stored
    assert_no_server_error(response)
    assert_readable(client, urls if response.status_code < 400 else urls[:1])


def incident_urls(incident=None):
    urls = [reverse("incidents:list"), reverse("api:incident-list")]
    incident = incident or Incident.objects.order_by("-id").first()
    if incident is not None:
        urls += [incident.get_absolute_url(), reverse("api:incident-detail", args=[incident.pk])]
    return urls


def investigation_urls(investigation):
    return [
        investigation.get_absolute_url(),
        investigation.incident.get_absolute_url(),
        reverse("api:investigation-list"),
        reverse("api:investigation-detail", args=[investigation.pk]),
        reverse("api:why-chain-list"),
        reverse("api:cause-tree-fact-list"),
        reverse("api:cause-tree-link-list"),
    ]


def form(valid: dict, hostile: dict, texts: dict):
    """Valid values with up to two of them replaced by hostile ones, and hostile texts: so that
    many writes are stored (with their hostile texts) and the others are refused field by field."""
    names = st.one_of(st.just(frozenset()), st.sets(st.sampled_from(sorted(hostile)), min_size=1, max_size=2))
    overrides = names.flatmap(lambda names: st.fixed_dictionaries({name: hostile[name] for name in names}))
    return st.tuples(st.fixed_dictionaries(valid), overrides, st.fixed_dictionaries(texts)).map(
        lambda parts: {**parts[0], **parts[2], **parts[1]}
    )


def moments(start, end, suffix=""):
    return st.datetimes(min_value=start, max_value=end).map(lambda value: value.strftime("%Y-%m-%dT%H:%M") + suffix)


# Inside the records' window and the past (the tests' incidents happened on 2026-10-05).
PAST = moments(datetime(2000, 1, 2), datetime(2026, 11, 30))
NEAR_THE_INCIDENT = moments(datetime(2025, 10, 6), datetime(2026, 11, 30))
DUE = st.dates(min_value=timezone.localdate(), max_value=timezone.localdate() + timedelta(days=5 * 365))


def report_fields(unit_id, *, suffix=""):
    return form(
        valid={
            "unit": st.just(unit_id),
            "type": st.sampled_from(["injury", "near_miss", "fire"]),
            "occurred_at": moments(datetime(2000, 1, 2), datetime(2026, 11, 30), suffix),
            "actual_severity": st.integers(min_value=1, max_value=5),
            "potential_severity": st.integers(min_value=1, max_value=5),
            "classification": st.sampled_from(["none", "first_aid", "medical"]),
        },
        hostile={
            "unit": hostile_number(),
            "type": TYPES,
            "occurred_at": hostile_datetime(),
            "actual_severity": SEVERITY,
            "potential_severity": SEVERITY,
            "classification": CLASSIFICATIONS,
            "days_lost": hostile_number(),
        },  # fmt: skip
        texts={"location": hostile_text(400), "description": hostile_text(), "immediate_actions": hostile_text()},
    )


# Incidents -------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_report_form(client_as, org, line_manager, data):
    client = client_as(line_manager)
    response = client.post(reverse("incidents:create"), data.draw(report_fields(org.crew.pk)))
    answered(client, response, incident_urls())


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_report_api(client_as, org, line_manager, data):
    client = client_as(line_manager)
    fields = data.draw(report_fields(org.crew.pk, suffix=":00+05:00"))
    response = client.post(reverse("api:incident-list"), fields, content_type="application/json")
    answered(client, response, incident_urls())


@PROPERTY_SETTINGS
@given(at=st.one_of(NEAR_THE_INCIDENT, hostile_datetime()), description=hostile_text(600))
def test_the_timeline_form(client_as, incident, hse_specialist, at, description):
    client = client_as(hse_specialist)
    response = client.post(
        reverse("incidents:timeline_add", args=[incident.pk]), {"at": at, "description": description}
    )
    answered(client, response, incident_urls(incident))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_person_form(client_as, incident, hse_specialist, data):
    from apps.org.models import Person

    person = Person.objects.filter(unit=incident.unit).first()
    fields = data.draw(
        form(
            valid={
                "role": st.sampled_from(["injured", "witness", "involved"]),
                "person": st.just(person.pk),
                "sick_leave_days": st.integers(min_value=0, max_value=366),
            },
            hostile={
                "role": st.sampled_from(["boss", ""]),
                "person": hostile_number(),
                "sick_leave_days": hostile_number(),
            },
            texts={
                "name": hostile_text(300),
                "injury_description": hostile_text(),
                "body_part": hostile_text(200),
                "diagnosis": hostile_text(),
            },
        )  # fmt: skip
    )
    client = client_as(hse_specialist)
    response = client.post(reverse("incidents:person_add", args=[incident.pk]), fields)
    answered(client, response, incident_urls(incident))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_open_investigation_form(client_as, org, hse_specialist, line_manager, hse_head, data):
    incident = make_incident(org.crew, hse_specialist)
    people = [hse_specialist.pk, line_manager.pk, hse_head.pk]
    fields = data.draw(
        form(
            valid={
                "coordinator": st.sampled_from([hse_specialist.pk, hse_head.pk]),
                "members": st.lists(st.sampled_from(people), max_size=3),
            },
            hostile={"coordinator": some(people), "members": st.lists(some(people), max_size=4)},
            texts={},
        )  # fmt: skip
    )
    client = client_as(hse_specialist)
    response = client.post(reverse("incidents:investigation_open", args=[incident.pk]), fields)
    investigation = Investigation.objects.filter(incident=incident).first()
    answered(client, response, incident_urls(incident) + (investigation_urls(investigation) if investigation else []))


# The analysis: pages ---------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_five_whys_forms(client_as, investigation, line_manager, data):
    client = client_as(line_manager)
    new_chain, text, root, index = data.draw(
        st.tuples(st.booleans(), hostile_text(600), CHECKBOX, st.integers(min_value=0, max_value=999))
    )
    chains = list(WhyChain.objects.order_by("pk"))
    if new_chain or not chains:
        response = client.post(reverse("incidents:chain_add", args=[investigation.pk]), {"problem_statement": text})
    else:
        chain = chains[index % len(chains)]
        response = client.post(reverse("incidents:step_add", args=[chain.pk]), {"answer": text, "is_root_cause": root})
    answered(client, response, investigation_urls(investigation))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_cause_tree_forms(client_as, investigation, hse_specialist, data):
    client = client_as(hse_specialist)
    fact_ids = list(CauseTreeFact.objects.values_list("pk", flat=True))
    kind = data.draw(st.sampled_from(["fact", "link", "edit"]))
    if kind == "fact":
        url = reverse("incidents:fact_add", args=[investigation.pk])
        fields = {"text": data.draw(hostile_text(400)), "is_unusual": data.draw(CHECKBOX),
                  "leads_to": data.draw(some(fact_ids))}  # fmt: skip
    elif kind == "link":
        url = reverse("incidents:link_add", args=[investigation.pk])
        fields = {"antecedent": data.draw(some(fact_ids)), "consequent": data.draw(some(fact_ids))}
    else:
        url = reverse("incidents:fact_edit", args=[pick(data, fact_ids)])
        fields = {"text": data.draw(hostile_text(400)), "is_unusual": data.draw(CHECKBOX)}
    response = client.post(url, fields)
    answered(client, response, investigation_urls(investigation))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_action_form(client_as, investigation, hse_specialist, line_manager, data):
    client = client_as(hse_specialist)
    causes = [f"fact-{pk}" for pk in CauseTreeFact.objects.filter(is_final_event=False).values_list("pk", flat=True)]
    index = data.draw(st.integers(min_value=0, max_value=999))
    fields = data.draw(
        form(
            valid={
                "cause": st.just(causes[index % len(causes)]),
                "owner": st.just(line_manager.pk),
                "control_level": st.sampled_from(["elimination", "engineering", "ppe"]),
                "due_date": DUE.map(date.isoformat),
            },
            hostile={
                "cause": st.sampled_from(["why-1", "fact-x", "fact-", "", "fact-99999999999999999999"]),
                "owner": hostile_number(),
                "control_level": st.sampled_from(["", "magic"]),
                "due_date": hostile_date(),
            },
            texts={"title": hostile_text(400), "description": hostile_text()},
        )  # fmt: skip
    )
    response = client.post(reverse("incidents:action_add", args=[investigation.pk]), fields)
    answered(client, response, investigation_urls(investigation))


@PROPERTY_SETTINGS
@given(note=hostile_text(3000), step=st.sampled_from(["analysis", "plan", "approve", "close", "jump"]))
def test_the_workflow_buttons(client_as, investigation, hse_head, note, step):
    client = client_as(hse_head)
    response = client.post(reverse("incidents:investigation_status", args=[investigation.pk, step]), {"note": note})
    answered(client, response, investigation_urls(investigation))


# The analysis: the API -------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_analysis_api(client_as, investigation, line_manager, data):
    client = client_as(line_manager)
    fact_ids = list(CauseTreeFact.objects.values_list("pk", flat=True))
    chain_ids = list(WhyChain.objects.values_list("pk", flat=True)) or [0]
    investigation_id = some([investigation.pk])
    writes = {
        "chain": ("post", reverse("api:why-chain-list"),
                  {"investigation": investigation_id, "problem_statement": hostile_text(600)}),
        "why": ("post", reverse("api:why-chain-whys", args=[pick(data, chain_ids)]),
                {"answer": hostile_text(600), "is_root_cause": st.one_of(st.booleans(), hostile_text(5))}),
        "fact": ("post", reverse("api:cause-tree-fact-list"),
                 {"investigation": investigation_id, "text": hostile_text(400), "leads_to": some(fact_ids),
                  "is_unusual": st.booleans()}),
        "edit": ("patch", reverse("api:cause-tree-fact-detail", args=[pick(data, fact_ids)]),
                 {"text": hostile_text(400), "is_unusual": st.one_of(st.booleans(), hostile_number())}),
        "link": ("post", reverse("api:cause-tree-link-list"),
                 {"investigation": investigation_id, "antecedent": some(fact_ids), "consequent": some(fact_ids)}),
        "step": ("post", reverse("api:investigation-transition", args=[investigation.pk]),
                 {"step": st.sampled_from(["analysis", "plan", "approve", "close", "x"]), "note": hostile_text(3000)}),
    }  # fmt: skip
    method, url, fields = writes[data.draw(st.sampled_from(sorted(writes)))]
    body = data.draw(st.fixed_dictionaries(fields))
    response = getattr(client, method)(url, body, content_type="application/json")
    answered(client, response, investigation_urls(investigation))


@settings(PROPERTY_SETTINGS, max_examples=4)
@given(texts=st.lists(hostile_text(300), min_size=1, max_size=3), answer=hostile_text(500))
def test_the_report_pdf_renders_what_was_stored(client_as, investigation, hse_specialist, texts, answer):
    client = client_as(hse_specialist)
    final = CauseTreeFact.objects.get(investigation=investigation, is_final_event=True)
    for text in texts:
        client.post(reverse("incidents:fact_add", args=[investigation.pk]), {"text": text, "leads_to": final.pk})
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    client.post(reverse("incidents:step_add", args=[chain.pk]), {"answer": answer})
    client.post(reverse("incidents:timeline_add", args=[investigation.incident.pk]),
                {"at": "2026-10-05T09:00", "description": answer[:500] or "x"})  # fmt: skip
    response = client.get(reverse("incidents:report_pdf", args=[investigation.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert_readable(client, investigation_urls(investigation))
