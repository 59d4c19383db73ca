"""The internships API: the same rules as the pages. Signals only for the roles allowed and only
those whose raw text the caller may read (any other is 404); the board never carries raw text;
400 with field errors, 409 for a step the status no longer allows; lists with a bounded query count."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.roles import Role
from apps.actions.models import Action
from apps.internships.models import Internship, InternshipContact, Signal
from tests.factories import (
    AnsweredSignalFactory,
    InternshipDayFactory,
    InternshipFactory,
    PersonFactory,
    SignalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SITE = ZoneInfo("Asia/Yekaterinburg")
TODAY = date(2026, 6, 15)
RAW = "We skip the gas test on the night shift because the meter is locked away"


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, time(9, 0)).replace(tzinfo=SITE), tick=False)


@pytest.fixture
def foreman(org):
    return PersonFactory(unit=org.crew, full_name="Kozlov K. K.", job_title="Flotation foreman", is_foreman=True)


@pytest.fixture
def running(org, hse_specialist, foreman):
    return InternshipFactory(
        unit=org.crew, specialist=hse_specialist, host_foreman=foreman, status=Internship.Status.IN_PROGRESS,
        starts_on=TODAY - timedelta(days=1), ends_on=TODAY + timedelta(days=2),
    )  # fmt: skip


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_listing_internships_with_their_counts(client_as, line_manager, running):
    InternshipDayFactory(internship=running, day=running.starts_on)
    SignalFactory(internship=running, raw_text=RAW)
    response = client_as(line_manager).get(reverse("api:internship-list"))
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert (row["id"], row["unit_name"], row["host_foreman_name"]) == (running.pk, "Flotation crew", "Kozlov K. K.")
    assert (row["days_logged"], row["signal_count"], row["length_days"]) == (1, 1, 4)
    assert RAW not in response.content.decode()


def test_the_internship_list_query_count_does_not_grow(client_as, hse_specialist, org, foreman):
    client = client_as(hse_specialist)
    InternshipFactory(unit=org.crew, specialist=hse_specialist, host_foreman=foreman)
    client.get(reverse("api:internship-list"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("api:internship-list"))
    for offset in range(1, 6):
        InternshipFactory(unit=org.crew, specialist=hse_specialist, host_foreman=foreman,
                          starts_on=TODAY + timedelta(days=10 * offset))  # fmt: skip
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("api:internship-list"))
    assert len(more) == len(first) <= 8


def test_planning_through_the_api(client_as, hse_specialist, org, foreman):
    response = post(client_as(hse_specialist), reverse("api:internship-list"),
                    {"unit": org.crew.pk, "host_foreman": foreman.pk, "starts_on": "2026-06-20"})  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["specialist"], body["starts_on"], body["ends_on"], body["status"]) == (
        hse_specialist.pk, "2026-06-20", "2026-06-22", "planned",
    )  # fmt: skip
    assert body["proposal_reason"]


def test_a_plan_refused_answers_400_with_the_field(client_as, hse_specialist, org):
    other = PersonFactory(unit=org.other_shop, is_foreman=True)
    response = post(client_as(hse_specialist), reverse("api:internship-list"),
                    {"unit": org.crew.pk, "host_foreman": other.pk, "starts_on": "2026-06-20"})  # fmt: skip
    assert response.status_code == 400
    assert "host_foreman" in response.json()
    missing = post(client_as(hse_specialist), reverse("api:internship-list"), {"unit": "x"})
    assert missing.status_code == 400 and {"unit", "host_foreman", "starts_on"} <= set(missing.json())


def test_re_planning_and_a_step_the_status_forbids(client_as, hse_specialist, org, foreman, running):
    planned = InternshipFactory(unit=org.crew, specialist=hse_specialist, host_foreman=foreman,
                                starts_on=TODAY + timedelta(days=10))  # fmt: skip
    client = client_as(hse_specialist)
    response = client.patch(reverse("api:internship-detail", args=[planned.pk]), {"ends_on": "2026-06-30"},
                            content_type="application/json")  # fmt: skip
    assert response.status_code == 200 and response.json()["ends_on"] == "2026-06-30"
    again = post(client, reverse("api:internship-start", args=[running.pk]))
    assert again.status_code == 409 and again.json()["code"] == "state_conflict"


def test_the_daily_log_and_contacts(client_as, hse_specialist, running):
    client = client_as(hse_specialist)
    days = reverse("api:internship-days", args=[running.pk])
    saved = post(client, days, {"day": TODAY.isoformat(), "morning_work_order": "Change the screens",
                                "crew_roles": "Fitter", "work_done": "Screens changed"})  # fmt: skip
    assert saved.status_code == 200, saved.json()
    assert [row["day"] for row in client.get(days).json()] == [TODAY.isoformat()]
    future = post(client, days, {"day": "2026-06-16", "morning_work_order": "x", "crew_roles": "x", "work_done": "x"})
    assert future.status_code == 400 and "day" in future.json()
    contacts = reverse("api:internship-contacts", args=[running.pk])
    added = post(client, contacts, {"name": "Orlova O.", "is_safety_ambassador": True})
    assert added.status_code == 201
    contact = InternshipContact.objects.get()
    removed = client.delete(reverse("api:internship-contact-remove", args=[running.pk, contact.pk]))
    assert removed.status_code == 204 and not InternshipContact.objects.exists()


def test_finishing_opens_actions_and_the_host_review(client_as, hse_specialist, line_manager, running):
    InternshipDayFactory(internship=running, day=running.starts_on)
    response = post(client_as(hse_specialist), reverse("api:internship-finish", args=[running.pk]), {
        "summary": "Rules are fine, the meter cabinet is not", "actions": [
            {"title": "Key for the gas meter cabinet on the night shift", "owner": line_manager.pk,
             "due_date": "2026-07-01", "control_level": "engineering"}]})  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "finished"
    assert Action.objects.get().title.startswith("Key for the gas meter")
    review = post(client_as(line_manager), reverse("api:internship-host-review", args=[running.pk]),
                  {"host_view": "visitor", "comment": "Watched more than worked"})  # fmt: skip
    assert review.status_code == 200 and review.json()["host_view"] == "visitor"


def test_too_many_actions_is_a_field_error(client_as, hse_specialist, line_manager, running):
    action = {"title": "x", "owner": line_manager.pk, "due_date": "2026-07-01", "control_level": "ppe"}
    response = post(client_as(hse_specialist), reverse("api:internship-finish", args=[running.pk]),
                    {"summary": "s", "actions": [action] * 6})  # fmt: skip
    assert response.status_code == 400 and "actions" in response.json()


def test_a_colleague_may_not_log_anothers_day(client_as, org, running):
    colleague = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
    data = {"day": TODAY.isoformat(), "morning_work_order": "x", "crew_roles": "x", "work_done": "x"}
    response = post(client_as(colleague), reverse("api:internship-days", args=[running.pk]), data)
    assert response.status_code == 403


# --- Signals -------------------------------------------------------------------------------------


def test_signals_list_only_what_the_caller_may_read(client_as, hse_specialist, hse_head, org, running):
    own = SignalFactory(internship=running, raw_text=RAW)
    colleague = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
    form = SignalFactory(internship=None, unit=org.crew, source="worker_form")
    ids = lambda user: [row["id"] for row in client_as(user).get(reverse("api:signal-list")).json()["results"]]  # noqa: E731
    assert set(ids(hse_specialist)) == {own.pk, form.pk}
    assert ids(colleague) == [form.pk]
    assert set(ids(hse_head)) == {own.pk, form.pk}
    assert client_as(colleague).get(reverse("api:signal-detail", args=[own.pk])).status_code == 404
    assert client_as(hse_specialist).get(reverse("api:signal-detail", args=[own.pk])).json()["raw_text"] == RAW


@pytest.mark.parametrize("who", ["line_manager", "executive", "pass_admin", "system_admin"])
def test_other_roles_have_no_signals(client_as, persona, running, who):
    signal = SignalFactory(internship=running)
    client = client_as(persona(who))
    assert client.get(reverse("api:signal-list")).status_code == 403
    assert client.get(reverse("api:signal-detail", args=[signal.pk])).status_code == 403


def test_recording_taking_up_and_answering(client_as, hse_specialist, running):
    client = client_as(hse_specialist)
    created = post(client, reverse("api:signal-list"), {"internship": running.pk, "kind": "rule", "raw_text": RAW})
    assert created.status_code == 201, created.json()
    signal = Signal.objects.get()
    assert (signal.source, signal.recorded_on) == ("internship", TODAY)
    assert post(client, reverse("api:signal-take-up", args=[signal.pk])).json()["status"] == "in_progress"
    same = post(client, reverse("api:signal-respond", args=[signal.pk]),
                {"response": "explained", "response_text": "x", "paraphrase": RAW})  # fmt: skip
    assert same.status_code == 400 and "paraphrase" in same.json()
    done = post(client, reverse("api:signal-respond", args=[signal.pk]), {
        "response": "tool_replaced", "response_text": "The meter hangs by the door now",
        "paraphrase": "The gas meter is hard to get to at night"})  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "answered"
    twice = post(client, reverse("api:signal-take-up", args=[signal.pk]))
    assert twice.status_code == 409


def test_a_signal_without_kind_or_words_is_a_field_error(client_as, hse_specialist, running):
    response = post(client_as(hse_specialist), reverse("api:signal-list"), {"internship": running.pk})
    assert response.status_code == 400 and {"kind", "raw_text"} <= set(response.json())


def test_the_signal_list_query_count_does_not_grow(client_as, hse_specialist, running):
    client = client_as(hse_specialist)
    SignalFactory(internship=running)
    client.get(reverse("api:signal-list"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("api:signal-list"))
    for _ in range(6):
        SignalFactory(internship=running)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("api:signal-list"))
    assert len(more) == len(first) <= 8


# --- The board -----------------------------------------------------------------------------------


def test_the_board_never_carries_raw_text(client_as, executive, running, org):
    AnsweredSignalFactory(internship=running, raw_text=RAW, paraphrase="Gas tests get skipped at night")
    SignalFactory(internship=running, raw_text="Unanswered words")
    response = client_as(executive).get(reverse("api:board-detail", args=[org.crew.pk]))
    assert response.status_code == 200
    body = response.json()
    assert body["summary"]["heard"] == 2 and body["summary"]["answered"] == 1
    assert [item["paraphrase"] for item in body["items"]] == ["Gas tests get skipped at night"]
    assert "raw_text" not in body["items"][0]
    assert RAW not in response.content.decode() and "Unanswered words" not in response.content.decode()


def test_the_board_is_404_outside_the_scope(client_as, outsider, org):
    assert client_as(outsider).get(reverse("api:board-detail", args=[org.crew.pk])).status_code == 404
    assert client_as(outsider).get("/api/v1/boards/abc/").status_code == 404


def test_the_schema_documents_the_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/internships/", "/api/v1/signals/{id}/respond/", "/api/v1/boards/{id}/"):
        assert path in schema
