"""Escalations: the HSE head raises, every executive is told; the executive decides, the decision
and comment go to the audit log and back to the head; a decision only while open; the deadline
never in the past; and the pages that carry it (the summary's inline form, the detail page)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.common.errors import StateConflict
from apps.kpis import escalations as services
from apps.kpis.models import Escalation
from apps.notifications.models import OutboxMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 10)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-06-10 09:00:00+03:00", tick=False)


def raise_one(head, **fields) -> Escalation:
    values = {
        "title": "Fund the second LOTO station at the crusher",
        "why": "Two near misses in May during belt cleaning; isolation takes 40 minutes.",
        "options": "Buy now: 1.2 M roubles\n- Wait for next year's budget\nRotate one lock box between shifts",
        "deadline": TODAY + timedelta(days=7),
    }
    values.update(fields)
    return services.escalation_raise(actor=head, **values)


def entries(escalation, action):
    return list(AuditEntry.objects.filter(target_id=str(escalation.pk), action=action))


# --- Raising -----------------------------------------------------------------------------------------


def test_the_head_raises_and_every_executive_is_told_once(hse_head, executive, org):
    other_executive = UserFactory(role="executive", username="deputy")
    UserFactory(role="executive", username="retired", is_active=False)
    escalation = raise_one(hse_head, unit=org.shop)

    assert escalation.status == Escalation.Status.OPEN
    assert services.option_lines(escalation) == [
        "Buy now: 1.2 M roubles",
        "Wait for next year's budget",
        "Rotate one lock box between shifts",
    ]
    told = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.ESCALATION_RAISED)
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        [executive.username, other_executive.username]
    )
    message = told.get(recipient=executive)
    assert message.dedupe_key == f"escalation_raised:{escalation.pk}:{executive.pk}"
    assert "Fund the second LOTO station" in message.subject
    assert "Buy now: 1.2 M roubles" in message.body
    assert message.url == escalation.get_absolute_url()
    [entry] = entries(escalation, "kpis.escalation.raised")
    assert entry.actor == hse_head
    assert entry.unit == org.shop


@pytest.mark.parametrize("persona", ["hse_specialist", "line_manager", "executive", "pass_admin", "system_admin"])
def test_only_the_head_raises(persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        raise_one(user)
    assert not Escalation.objects.exists()


def test_the_deadline_may_be_today_but_not_yesterday(hse_head, executive):
    assert raise_one(hse_head, deadline=TODAY).deadline == TODAY
    with pytest.raises(ValidationError) as refused:
        raise_one(hse_head, deadline=TODAY - timedelta(days=1))
    assert "deadline" in refused.value.message_dict
    assert Escalation.objects.count() == 1


def test_a_raise_without_title_or_options_is_refused_by_field(hse_head):
    with pytest.raises(ValidationError) as refused:
        raise_one(hse_head, title=" ", options="\n")
    assert {"title", "options"} <= set(refused.value.message_dict)


# --- Deciding ------------------------------------------------------------------------------------------


def test_the_executive_decides_the_audit_log_keeps_it_and_the_head_is_told(hse_head, executive):
    escalation = raise_one(hse_head)
    decided = services.escalation_decide(
        actor=executive, escalation=escalation, decision="Buy now: 1.2 M roubles", comment="From the reserve fund."
    )

    decided.refresh_from_db()
    assert decided.status == Escalation.Status.DECIDED
    assert (decided.decision, decided.comment, decided.decided_by) == (
        "Buy now: 1.2 M roubles",
        "From the reserve fund.",
        executive,
    )
    assert decided.decided_at is not None
    [entry] = entries(escalation, "kpis.escalation.decided")
    assert entry.actor == executive
    assert entry.data["decision"] == "Buy now: 1.2 M roubles"
    assert entry.data["comment"] == "From the reserve fund."
    told = OutboxMessage.objects.get(kind=OutboxMessage.Kind.ESCALATION_DECIDED)
    assert told.recipient == hse_head
    assert "Buy now: 1.2 M roubles" in told.body and "From the reserve fund." in told.body


def test_deciding_twice_is_a_state_conflict(hse_head, executive):
    escalation = raise_one(hse_head)
    services.escalation_decide(actor=executive, escalation=escalation, decision="Buy now")
    with pytest.raises(StateConflict):
        services.escalation_decide(actor=executive, escalation=escalation, decision="Wait")
    escalation.refresh_from_db()
    assert escalation.decision == "Buy now"
    assert len(entries(escalation, "kpis.escalation.decided")) == 1


def test_a_withdrawn_escalation_cannot_be_decided(hse_head, executive):
    escalation = raise_one(hse_head)
    services.escalation_withdraw(actor=hse_head, escalation=escalation, reason="Bought from the maintenance budget")
    with pytest.raises(StateConflict):
        services.escalation_decide(actor=executive, escalation=escalation, decision="Buy now")
    [entry] = entries(escalation, "kpis.escalation.withdrawn")
    assert entry.reason == "Bought from the maintenance budget"


def test_a_decision_is_required(hse_head, executive):
    escalation = raise_one(hse_head)
    with pytest.raises(ValidationError) as refused:
        services.escalation_decide(actor=executive, escalation=escalation, decision="  ")
    assert "decision" in refused.value.message_dict
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.OPEN


@pytest.mark.parametrize("persona", ["hse_head", "hse_specialist", "line_manager", "system_admin"])
def test_only_the_executive_decides(persona, request, hse_head):
    escalation = raise_one(hse_head)
    with pytest.raises(PermissionDenied):
        services.escalation_decide(actor=request.getfixturevalue(persona), escalation=escalation, decision="Buy")


def test_only_the_head_withdraws_and_says_why(hse_head, executive):
    escalation = raise_one(hse_head)
    with pytest.raises(PermissionDenied):
        services.escalation_withdraw(actor=executive, escalation=escalation, reason="x")
    with pytest.raises(ValidationError):
        services.escalation_withdraw(actor=hse_head, escalation=escalation, reason="")
    services.escalation_withdraw(actor=hse_head, escalation=escalation, reason="Solved")
    with pytest.raises(StateConflict):
        services.escalation_withdraw(actor=hse_head, escalation=escalation, reason="again")


def test_overdue_is_one_day_after_the_deadline(hse_head, time_machine):
    escalation = raise_one(hse_head, deadline=TODAY)
    assert not escalation.is_overdue(TODAY)
    assert escalation.is_overdue(TODAY + timedelta(days=1))


# --- The pages ---------------------------------------------------------------------------------------


def test_the_executive_decides_on_the_summary_page(client_as, hse_head, executive):
    escalation = raise_one(hse_head)
    client = client_as(executive)
    page = client.get(reverse("kpis:summary"))
    assert page.status_code == 200
    assert escalation.title in page.content.decode()
    assert f'action="{reverse("kpis:escalation_decide", args=[escalation.pk])}"' in page.content.decode()

    response = client.post(
        reverse("kpis:escalation_decide", args=[escalation.pk]),
        {"from": "summary", "next": "/kpis/summary/?month=2026-06", f"e{escalation.pk}-choice": "2",
         f"e{escalation.pk}-comment": "Until the budget is approved."},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == "/kpis/summary/?month=2026-06"
    escalation.refresh_from_db()
    assert escalation.decision == "Rotate one lock box between shifts"
    assert escalation.comment == "Until the budget is approved."


def test_a_decision_without_a_choice_is_refused_in_place_on_the_summary(client_as, hse_head, executive):
    escalation = raise_one(hse_head)
    response = client_as(executive).post(
        reverse("kpis:escalation_decide", args=[escalation.pk]),
        {"from": "summary", "next": "/kpis/summary/?month=2026-05", f"e{escalation.pk}-choice": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose one of the options or write your decision." in body
    assert response.templates[0].name == "kpis/summary.html"
    assert response.context["summary"].month == date(2026, 5, 1)  # the month the form was posted from
    assert 'name="next" value="/kpis/summary/?month=2026-05"' in body  # and where the next try returns
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.OPEN


def test_a_decision_in_ones_own_words_from_the_detail_page(client_as, hse_head, executive):
    escalation = raise_one(hse_head)
    response = client_as(executive).post(
        reverse("kpis:escalation_decide", args=[escalation.pk]),
        {f"e{escalation.pk}-choice": "other", f"e{escalation.pk}-decision": "Buy one now, one next year"},
    )
    assert response.status_code == 302
    assert response["Location"] == escalation.get_absolute_url()
    escalation.refresh_from_db()
    assert escalation.decision == "Buy one now, one next year"
    page = client_as(executive).get(escalation.get_absolute_url())
    assert "Buy one now, one next year" in page.content.decode()
    assert 'data-testid="decision"' in page.content.decode()


def test_deciding_an_already_decided_escalation_on_the_page_says_so(client_as, hse_head, executive):
    escalation = raise_one(hse_head)
    services.escalation_decide(actor=executive, escalation=escalation, decision="Buy now")
    client = client_as(executive)
    response = client.post(
        reverse("kpis:escalation_decide", args=[escalation.pk]), {f"e{escalation.pk}-choice": "1"}, follow=True
    )
    assert "no longer awaiting a decision" in response.content.decode()
    escalation.refresh_from_db()
    assert escalation.decision == "Buy now"


def test_the_head_raises_on_the_page_and_a_past_deadline_is_an_error_in_place(client_as, hse_head, executive):
    client = client_as(hse_head)
    data = {"title": "Stop night shifts on the old kiln", "why": "Two burns.", "options": "Stop\nKeep",
            "deadline": "2026-06-09"}  # fmt: skip
    response = client.post(reverse("kpis:escalation_create"), data)
    assert response.status_code == 400
    assert "cannot be needed by a day that has passed" in response.content.decode()
    data["deadline"] = "2026-06-10"
    response = client.post(reverse("kpis:escalation_create"), data)
    escalation = Escalation.objects.get()
    assert response["Location"] == escalation.get_absolute_url()


def test_the_head_withdraws_on_the_page(client_as, hse_head):
    escalation = raise_one(hse_head)
    client = client_as(hse_head)
    response = client.post(reverse("kpis:escalation_withdraw", args=[escalation.pk]), {"reason": ""})
    assert response.status_code == 400
    response = client.post(reverse("kpis:escalation_withdraw", args=[escalation.pk]), {"reason": "Solved locally"})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.WITHDRAWN


def test_the_list_filters_by_status(client_as, hse_head, executive):
    open_one = raise_one(hse_head, title="Open one")
    decided = raise_one(hse_head, title="Decided one")
    services.escalation_decide(actor=executive, escalation=decided, decision="Yes")
    client = client_as(executive)
    body = client.get(reverse("kpis:escalation_list"), {"status": "open"}).content.decode()
    assert open_one.title in body and decided.title not in body
    assert client.get(reverse("kpis:escalation_list"), {"status": "nonsense"}).status_code == 400
