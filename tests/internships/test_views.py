"""The internship and signal pages: what each role sees, every mutation POST only with its refusal
shown in place, raw text only where the rules allow, and list pages with a bounded query count."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.roles import Role
from apps.actions.models import Action
from apps.internships.models import Internship, InternshipContact, InternshipDay, Signal
from tests.factories import (
    AnsweredSignalFactory,
    InternshipContactFactory,
    InternshipDayFactory,
    InternshipFactory,
    PersonFactory,
    SignalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SITE = ZoneInfo("Asia/Yekaterinburg")
TODAY = date(2026, 6, 15)
RAW = "The foreman tells us to skip the lockout when the shift is behind"


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
        starts_on=TODAY - timedelta(days=1), ends_on=TODAY + timedelta(days=2), proposed_days=4,
        proposal_reason="24 people in 5 job titles: 3 days, +1 for more than 15 people",
    )  # fmt: skip


@pytest.fixture
def colleague(org):
    """Another HSE specialist covering the same shop: sees the internship, not its signals' words."""
    return UserFactory(username="colleague", role=Role.HSE_SPECIALIST, units=[org.shop])


def detail(internship):
    return reverse("internships:detail", args=[internship.pk])


# --- The list ------------------------------------------------------------------------------------


def test_the_list_shows_each_internship_with_its_counts(client_as, hse_specialist, running):
    InternshipDayFactory(internship=running, day=running.starts_on)
    SignalFactory(internship=running)
    SignalFactory(internship=running)
    response = client_as(hse_specialist).get(reverse("internships:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Flotation crew" in html and "Kozlov K. K." in html
    assert "1 / 4" in html  # days logged of the length
    assert re.search(r'<td class="text-end">2</td>', html)  # signals
    assert "Plan an internship" in html


def test_the_line_manager_reads_the_list_but_plans_nothing(client_as, line_manager, running):
    html = client_as(line_manager).get(reverse("internships:list")).content.decode()
    assert "Flotation crew" in html
    assert "Plan an internship" not in html


def test_the_outsider_does_not_see_the_crews_internship(client_as, outsider, running):
    html = client_as(outsider).get(reverse("internships:list")).content.decode()
    assert "Kozlov K. K." not in html
    assert "No internships in your units yet." in html


def test_a_malformed_filter_is_shown_in_place(client_as, hse_specialist, running):
    response = client_as(hse_specialist).get(reverse("internships:list") + "?status=nonsense")
    assert response.status_code == 400
    assert "Kozlov K. K." not in response.content.decode()
    finished = client_as(hse_specialist).get(reverse("internships:list") + "?status=finished")
    assert finished.status_code == 200 and "Kozlov K. K." not in finished.content.decode()


def _queries(client, url) -> int:
    client.get(url)  # warm: the filter card's choices are cached for a minute
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_query_count_does_not_grow_with_rows(client_as, hse_specialist, org, foreman):
    client = client_as(hse_specialist)
    InternshipFactory(unit=org.crew, specialist=hse_specialist, host_foreman=foreman)
    one = _queries(client, reverse("internships:list"))
    for offset in range(1, 8):
        internship = InternshipFactory(
            unit=org.crew,
            specialist=hse_specialist,
            host_foreman=foreman,
            starts_on=TODAY + timedelta(days=10 * offset),
        )
        SignalFactory(internship=internship)
    assert _queries(client, reverse("internships:list")) == one
    assert one <= 12


# --- Planning ------------------------------------------------------------------------------------


def test_planning_shows_the_proposal_once_the_unit_is_picked(client_as, hse_specialist, org, foreman):
    client = client_as(hse_specialist)
    empty = client.get(reverse("internships:create")).content.decode()
    assert 'data-testid="proposal-empty"' in empty
    for _ in range(20):
        PersonFactory(unit=org.crew, job_title="Reagent operator")
    response = client.get(reverse("internships:create") + f"?unit={org.crew.pk}&starts_on=2026-06-20")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Proposed length: 4 days" in html
    assert "more than 15 people" in html
    assert "Kozlov K. K." in html  # the unit's foreman
    assert 'value="2026-06-23"' in html  # the last day from the proposal
    assert re.search(rf'<option value="{hse_specialist.pk}" selected>', html)  # the specialist: self


def test_the_htmx_refresh_answers_the_unit_part_only(client_as, hse_specialist, org, foreman):
    response = client_as(hse_specialist).get(
        reverse("internships:create") + f"?unit={org.crew.pk}", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="plan-details">')
    assert "<html" not in html and "Proposed length" in html


def test_planning_an_internship(client_as, hse_specialist, org, foreman):
    response = client_as(hse_specialist).post(
        reverse("internships:create"),
        {"unit": org.crew.pk, "host_foreman": foreman.pk, "specialist": hse_specialist.pk, "starts_on": "2026-06-20",
         "ends_on": ""},
    )  # fmt: skip
    internship = Internship.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(internship)
    assert (internship.starts_on, internship.ends_on, internship.status) == (
        date(2026, 6, 20),
        date(2026, 6, 22),
        "planned",
    )


def test_a_plan_refused_is_shown_in_place(client_as, hse_specialist, org, foreman):
    response = client_as(hse_specialist).post(
        reverse("internships:create"),
        {"unit": org.crew.pk, "host_foreman": foreman.pk, "specialist": hse_specialist.pk, "starts_on": "2026-06-20",
         "ends_on": "2026-06-29"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "3 to 7 days" in response.content.decode() or "lasts" in response.content.decode()
    assert not Internship.objects.exists()


def test_the_line_manager_may_not_plan(client_as, line_manager):
    assert client_as(line_manager).get(reverse("internships:create")).status_code == 403


# --- One internship ------------------------------------------------------------------------------


def test_the_detail_shows_plan_log_contacts_and_own_signals(client_as, hse_specialist, running):
    InternshipDayFactory(internship=running, day=running.starts_on, risks_seen="Wet floor by cell 4")
    InternshipContactFactory(internship=running, name="Sergeev S.", is_safety_ambassador=True)
    SignalFactory(internship=running, raw_text=RAW)
    html = client_as(hse_specialist).get(detail(running)).content.decode()
    assert "more than 15 people" in html  # the proposal's reason
    assert "Wet floor by cell 4" in html
    assert "Sergeev S." in html and "safety ambassador" in html
    assert RAW in html  # the specialist's own signal
    assert 'data-testid="signal-count">1<' in html
    assert "Record a signal" in html and "Finish" in html
    assert "Start the internship" not in html


@pytest.mark.parametrize("who", ["line_manager", "colleague"])
def test_others_see_the_count_of_signals_not_their_words(client_as, persona, colleague, running, who):
    SignalFactory(internship=running, raw_text=RAW)
    user = colleague if who == "colleague" else persona(who)
    html = client_as(user).get(detail(running)).content.decode()
    assert RAW not in html
    assert 'data-testid="signal-count">1<' in html
    assert "1 signal heard here is confidential" in html
    assert "Record a signal" not in html


def test_the_hse_head_reads_the_words(client_as, hse_head, running):
    SignalFactory(internship=running, raw_text=RAW)
    assert RAW in client_as(hse_head).get(detail(running)).content.decode()


def test_a_planned_internship_offers_start_and_re_plan(client_as, hse_specialist, org, foreman):
    planned = InternshipFactory(unit=org.crew, specialist=hse_specialist, host_foreman=foreman, starts_on=TODAY)
    html = client_as(hse_specialist).get(detail(planned)).content.decode()
    assert "Start the internship" in html and "Re-plan" in html
    assert "Record a signal" not in html


def test_starting_is_post_only(client_as, hse_specialist, org, foreman):
    planned = InternshipFactory(unit=org.crew, specialist=hse_specialist, host_foreman=foreman, starts_on=TODAY)
    client = client_as(hse_specialist)
    url = reverse("internships:start", args=[planned.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    planned.refresh_from_db()
    assert planned.status == "in_progress"


def test_a_colleague_may_not_start_anothers_internship(client_as, colleague, org, foreman, hse_specialist):
    planned = InternshipFactory(unit=org.crew, specialist=hse_specialist, host_foreman=foreman, starts_on=TODAY)
    assert client_as(colleague).post(reverse("internships:start", args=[planned.pk])).status_code == 403


def test_cancelling_needs_a_reason(client_as, hse_specialist, running):
    client = client_as(hse_specialist)
    url = reverse("internships:cancel", args=[running.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert 'id="cancel" open' in refused.content.decode()
    assert client.post(url, {"reason": "The shop stopped for repairs"}).status_code == 302
    running.refresh_from_db()
    assert running.status == "cancelled"


def test_re_planning_a_planned_internship(client_as, hse_specialist, org, foreman):
    planned = InternshipFactory(unit=org.crew, specialist=hse_specialist, host_foreman=foreman, starts_on=TODAY)
    client = client_as(hse_specialist)
    url = reverse("internships:edit", args=[planned.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "host_foreman": foreman.pk,
            "specialist": hse_specialist.pk,
            "starts_on": "2026-06-16",
            "ends_on": "2026-06-20",
        },
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.starts_on, planned.ends_on) == (date(2026, 6, 16), date(2026, 6, 20))


# --- The daily log -------------------------------------------------------------------------------


def day_url(internship, day):
    return reverse("internships:day_log", args=[internship.pk, day.isoformat()])


def test_the_day_log_form_follows_the_day(client_as, hse_specialist, running):
    html = client_as(hse_specialist).get(day_url(running, TODAY)).content.decode()
    order = [html.index(f'name="{name}"') for name in (
        "morning_work_order", "crew_roles", "work_done", "risks_seen", "surprises", "shift_handover")]  # fmt: skip
    assert order == sorted(order)
    assert "Day 2" in html


def test_saving_a_day(client_as, hse_specialist, running):
    response = client_as(hse_specialist).post(
        day_url(running, TODAY),
        {"morning_work_order": "Replace the pump seal", "crew_roles": "Fitter, operator", "work_done": "Seal replaced",
         "risks_seen": "Hot surfaces"},
    )  # fmt: skip
    assert response.status_code == 302
    entry = InternshipDay.objects.get(internship=running)
    assert (entry.day, entry.risks_seen) == (TODAY, "Hot surfaces")


def test_a_day_missing_the_work_done_is_refused_in_place(client_as, hse_specialist, running):
    response = client_as(hse_specialist).post(
        day_url(running, TODAY), {"morning_work_order": "Replace the seal", "crew_roles": "Fitter"}
    )
    assert response.status_code == 400
    assert "Replace the seal" in response.content.decode()
    assert not InternshipDay.objects.exists()


def test_a_day_outside_the_internship_is_404(client_as, hse_specialist, running):
    assert client_as(hse_specialist).get(day_url(running, running.ends_on + timedelta(days=1))).status_code == 404
    assert client_as(hse_specialist).get(f"/internships/{running.pk}/days/2026-02-30/").status_code == 404


def test_a_future_day_is_not_yet_open(client_as, hse_specialist, running):
    response = client_as(hse_specialist).get(day_url(running, TODAY + timedelta(days=1)))
    assert response.status_code == 200
    assert "has not begun yet" in response.content.decode()
    assert 'name="work_done"' not in response.content.decode()


@pytest.mark.parametrize("who", ["line_manager", "hse_head"])
def test_only_the_specialist_keeps_the_log(client_as, persona, running, who):
    assert client_as(persona(who)).get(day_url(running, TODAY)).status_code == 403


# --- Contacts ------------------------------------------------------------------------------------


def test_adding_and_removing_a_contact(client_as, hse_specialist, running):
    client = client_as(hse_specialist)
    add = reverse("internships:contact_add", args=[running.pk])
    assert client.get(add).status_code == 405
    assert client.post(add, {"name": "", "job_title": "Operator"}).status_code == 400
    assert (
        client.post(add, {"name": "Orlova O.", "how_to_reach": "Day shift", "is_safety_ambassador": "on"}).status_code
        == 302
    )
    contact = InternshipContact.objects.get()
    assert contact.is_safety_ambassador
    assert client.post(reverse("internships:contact_remove", args=[contact.pk])).status_code == 302
    assert not InternshipContact.objects.exists()


def test_a_colleague_may_not_remove_a_contact(client_as, colleague, running):
    contact = InternshipContactFactory(internship=running)
    assert client_as(colleague).post(reverse("internships:contact_remove", args=[contact.pk])).status_code == 403
    assert InternshipContact.objects.exists()


# --- Finishing and the host's review -------------------------------------------------------------


def _finish_data(**actions):
    data = {"summary": "The crew trusts the lockout only on paper", "instruction_changes": "Shorter LOTO card",
            "actions-TOTAL_FORMS": "5", "actions-INITIAL_FORMS": "0", "actions-MIN_NUM_FORMS": "0",
            "actions-MAX_NUM_FORMS": "5"}  # fmt: skip
    data.update(actions)
    return data


def test_finishing_opens_the_actions(client_as, hse_specialist, running, line_manager):
    InternshipDayFactory(internship=running, day=running.starts_on)
    client = client_as(hse_specialist)
    url = reverse("internships:finish", args=[running.pk])
    html = client.get(url).content.decode()
    assert html.count('name="actions-') >= 5 * 5
    response = client.post(url, _finish_data(**{
        "actions-0-title": "Print a one-page LOTO card", "actions-0-owner": line_manager.pk,
        "actions-0-due_date": "2026-07-15", "actions-0-control_level": "administrative"}))  # fmt: skip
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.status == "finished"
    action = Action.objects.get()
    assert (action.title, action.owner, action.unit) == ("Print a one-page LOTO card", line_manager, running.unit)
    assert list(running.actions.all()) == [action]


def test_a_half_filled_action_is_refused_in_place(client_as, hse_specialist, running):
    InternshipDayFactory(internship=running, day=running.starts_on)
    response = client_as(hse_specialist).post(
        reverse("internships:finish", args=[running.pk]), _finish_data(**{"actions-0-title": "Print a card"})
    )
    assert response.status_code == 400
    assert "Required for a proposed action." in response.content.decode()
    running.refresh_from_db()
    assert running.status == "in_progress"


def test_finishing_without_a_logged_day_is_refused_in_place(client_as, hse_specialist, running):
    response = client_as(hse_specialist).post(reverse("internships:finish", args=[running.pk]), _finish_data())
    assert response.status_code == 400
    assert "Log at least one day" in response.content.decode()


def test_the_line_manager_records_the_host_review(client_as, line_manager, running):
    client = client_as(line_manager)
    url = reverse("internships:host_review", args=[running.pk])
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"host_view": "crew_member", "comment": "Carried the hoses like one of us"}).status_code == 302
    )
    running.refresh_from_db()
    assert (running.host_view, running.host_reviewed_on) == ("crew_member", TODAY)
    assert "Carried the hoses" in client.get(detail(running)).content.decode()


def test_a_review_without_a_choice_is_refused(client_as, line_manager, running):
    assert client_as(line_manager).post(reverse("internships:host_review", args=[running.pk]), {}).status_code == 400


# --- Signals -------------------------------------------------------------------------------------


def test_recording_a_signal_on_a_phone(client_as, hse_specialist, running):
    client = client_as(hse_specialist)
    url = reverse("internships:signal_create", args=[running.pk])
    html = client.get(url).content.decode()
    assert "No names: what was said, not who said it." in html
    assert re.findall(r'name="kind" [^>]*value="([a-z_]+)"', html)[:4] == ["concern", "tool", "rule", "ppe"]
    response = client.post(url, {"kind": "rule", "raw_text": RAW, "another": "1"})
    assert response.status_code == 302 and response["Location"] == url
    signal = Signal.objects.get()
    assert (signal.internship, signal.kind, signal.raw_text, signal.recorded_on) == (running, "rule", RAW, TODAY)


def test_a_signal_without_words_is_refused(client_as, hse_specialist, running):
    response = client_as(hse_specialist).post(reverse("internships:signal_create", args=[running.pk]), {"kind": "rule"})
    assert response.status_code == 400
    assert not Signal.objects.exists()


def test_the_signal_list_shows_what_the_user_may_read(client_as, hse_specialist, colleague, running, org):
    SignalFactory(internship=running, raw_text=RAW)
    SignalFactory(internship=None, unit=org.crew, raw_text="Gloves tear on the new ore", source="worker_form")
    mine = client_as(hse_specialist).get(reverse("internships:signal_list")).content.decode()
    assert RAW in mine and "Gloves tear on the new ore" in mine
    theirs = client_as(colleague).get(reverse("internships:signal_list")).content.decode()
    assert RAW not in theirs and "Gloves tear on the new ore" in theirs


def test_the_list_says_how_long_a_signal_waits_after_14_days(client_as, hse_specialist, running):
    SignalFactory(internship=running, raw_text="Fourteen days", recorded_on=TODAY - timedelta(days=14))
    SignalFactory(internship=running, raw_text="Fifteen days", recorded_on=TODAY - timedelta(days=15))
    html = client_as(hse_specialist).get(reverse("internships:signal_list")).content.decode()
    assert html.count('data-testid="overdue"') == 1
    assert "15 days without a response" in html
    assert "14 days ago" in html
    overdue = client_as(hse_specialist).get(reverse("internships:signal_list") + "?overdue=true").content.decode()
    assert "Fifteen days" in overdue and "Fourteen days" not in overdue


def test_the_signal_list_query_count_does_not_grow(client_as, hse_specialist, running):
    client = client_as(hse_specialist)
    SignalFactory(internship=running)
    one = _queries(client, reverse("internships:signal_list"))
    for _ in range(8):
        SignalFactory(internship=running)
    assert _queries(client, reverse("internships:signal_list")) == one
    assert one <= 10


def test_the_line_manager_has_no_signal_pages(client_as, line_manager, running):
    signal = SignalFactory(internship=running)
    assert client_as(line_manager).get(reverse("internships:signal_list")).status_code == 403
    assert client_as(line_manager).get(signal.get_absolute_url()).status_code == 403


def test_a_signal_the_user_may_not_read_is_404(client_as, colleague, hse_head, running):
    signal = SignalFactory(internship=running, raw_text=RAW)
    assert client_as(colleague).get(signal.get_absolute_url()).status_code == 404
    response = client_as(hse_head).get(signal.get_absolute_url())
    assert response.status_code == 200 and RAW in response.content.decode()


def test_taking_up_and_answering_a_signal(client_as, hse_specialist, running):
    signal = SignalFactory(internship=running, raw_text=RAW)
    client = client_as(hse_specialist)
    take_up = reverse("internships:signal_take_up", args=[signal.pk])
    assert client.get(take_up).status_code == 405
    assert client.post(take_up).status_code == 302
    signal.refresh_from_db()
    assert signal.status == "in_progress"
    respond = reverse("internships:signal_respond", args=[signal.pk])
    form = client.get(respond).content.decode()
    textarea = re.search(r'<textarea name="paraphrase"[^>]*>(.*?)</textarea>', form, re.S)
    assert textarea and textarea.group(1).strip() == ""  # never prefilled with the raw text
    assert "no one can be recognised" in form
    same = client.post(respond, {"response": "rule_changed", "response_text": "LOTO card shortened", "paraphrase": RAW})
    assert same.status_code == 400
    response = client.post(respond, {
        "response": "procedure_simplified", "response_text": "The lockout takes two steps now",
        "paraphrase": "Lockout is skipped when the shift runs late"})  # fmt: skip
    assert response.status_code == 302
    signal.refresh_from_db()
    assert (signal.status, signal.response, signal.responded_on) == ("answered", "procedure_simplified", TODAY)


def test_an_answered_signal_cannot_be_answered_again(client_as, hse_specialist, running):
    signal = AnsweredSignalFactory(internship=running)
    response = client_as(hse_specialist).get(reverse("internships:signal_respond", args=[signal.pk]))
    assert response.status_code == 302
