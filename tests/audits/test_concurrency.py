"""Twenty requests at once on one audit, plan entry or checklist (PostgreSQL row locks): one
transition wins, the others are refused with a StateConflict, and the audit log has exactly one
entry per committed change."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.actions.models import Action
from apps.audit.models import AuditEntry
from apps.audits import services
from apps.audits.models import Audit, AuditAnswer, AuditPlanEntry, ChecklistTemplate, ChecklistTemplateVersion
from apps.common.errors import StateConflict
from tests.concurrency import race

from .conftest import answer_all

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 20


def log_count(code):
    return AuditEntry.objects.filter(action=code).count()


def assert_refused_as_conflicts(outcomes, message):
    assert all(isinstance(error, StateConflict) for error in outcomes.failed), outcomes.failed
    assert {error.messages[0] for error in outcomes.failed} == {message}


def test_twenty_completes_complete_once(audit, hse_specialist, line_manager):
    answer_all(audit, hse_specialist, ["non_compliant", "compliant", "non_compliant"])
    outcomes = race(
        RACERS, lambda i: services.audit_complete(actor=hse_specialist, audit=Audit.objects.get(pk=audit.pk))
    )
    assert outcomes.succeeded == 1
    assert len(outcomes.failed) == RACERS - 1
    assert_refused_as_conflicts(outcomes, "This audit has already been completed.")
    audit.refresh_from_db()
    assert audit.status == Audit.Status.COMPLETED and audit.score is not None
    assert Action.objects.count() == 2  # one set of actions: one per non-compliant item
    assert log_count("audits.audit.completed") == 1


def test_twenty_starts_from_one_plan_entry_start_one_audit(plan_entry, hse_specialist):
    entries = loaded(plan_entry)
    outcomes = race(RACERS, lambda i: services.audit_start(actor=hse_specialist, plan_entry=entries[i]))
    assert outcomes.succeeded == 1
    assert_refused_as_conflicts(outcomes, "This planned audit has already been started.")
    audit = Audit.objects.get()
    assert audit.plan_entry_id == plan_entry.pk
    assert audit.answers.count() == 3
    assert log_count("audits.audit.started") == 1


def test_answers_saved_at_once_do_not_duplicate(audit, hse_specialist):
    answers = list(audit.answers.select_related("item").order_by("item__order"))
    results = ["compliant", "non_compliant", "not_applicable"]

    def answer(i):
        target = answers[i % len(answers)]
        return services.audit_answer(
            actor=hse_specialist,
            audit=Audit.objects.get(pk=audit.pk),
            item=target.item,
            result=results[i % 3],
            comment=f"note {i}",
        )

    outcomes = race(RACERS, answer)
    assert outcomes.succeeded == RACERS, outcomes.failed
    assert AuditAnswer.objects.filter(audit=audit).count() == 3
    for stored in AuditAnswer.objects.filter(audit=audit).select_related("item"):
        # The last writer's whole answer, never a mix of two.
        index = int(stored.comment.split()[1])
        assert stored.item_id == answers[index % 3].item_id and stored.result == results[index % 3]


def test_answers_racing_the_completion_are_either_in_or_refused(audit, hse_specialist):
    answer_all(audit, hse_specialist, ["compliant"] * 3)
    item = audit.answers.order_by("item__order").first().item

    def step(i):
        fresh = Audit.objects.get(pk=audit.pk)
        if i == 0:
            return services.audit_complete(actor=hse_specialist, audit=fresh)
        return services.audit_answer(actor=hse_specialist, audit=fresh, item=item, result="not_applicable")

    outcomes = race(RACERS, step)
    # The answers that came after the completion are refused (how many depends on the race).
    assert all(isinstance(error, StateConflict) for error in outcomes.failed), outcomes.failed
    assert {error.messages[0] for error in outcomes.failed} <= {
        "This audit is completed; its answers can no longer change."
    }
    assert outcomes.succeeded + len(outcomes.failed) == RACERS
    audit.refresh_from_db()
    assert audit.status == Audit.Status.COMPLETED
    # The stored score is the score of the answers as they stand: no answer changed after it.
    from apps.audits.models import compute_score

    assert audit.score == compute_score(audit.answers.select_related("item"))
    assert AuditAnswer.objects.filter(audit=audit, answered_at__gt=audit.completed_at).count() == 0


def test_twenty_identical_plan_entries_plan_one(org, hse_head, hse_specialist, template):
    month = timezone.localdate()
    outcomes = race(
        RACERS,
        lambda i: services.plan_entry_create(
            actor=hse_head, unit=org.crew, auditor=hse_specialist, month=month, template=template
        ),
    )
    assert outcomes.succeeded == 1
    assert_refused_as_conflicts(outcomes, "This audit is already in the plan.")
    assert AuditPlanEntry.objects.count() == 1
    assert log_count("audits.plan_entry.created") == 1


def loaded(entry):
    """What each request holds: the row as it loaded it, before any of them changed it."""
    return [AuditPlanEntry.objects.get(pk=entry.pk) for _ in range(RACERS)]


def test_twenty_deletes_of_one_plan_entry_delete_once(plan_entry, hse_head):
    entries = loaded(plan_entry)
    outcomes = race(RACERS, lambda i: services.plan_entry_delete(actor=hse_head, entry=entries[i]))
    assert outcomes.succeeded == 1
    assert_refused_as_conflicts(outcomes, "This audit is no longer in the plan.")
    assert not AuditPlanEntry.objects.exists()
    assert log_count("audits.plan_entry.deleted") == 1


def test_start_and_delete_at_once_leave_a_consistent_plan(plan_entry, hse_head, hse_specialist):
    entries = loaded(plan_entry)

    def step(i):
        entry = entries[i]
        if i % 2:
            return services.audit_start(actor=hse_specialist, plan_entry=entry)
        return services.plan_entry_delete(actor=hse_head, entry=entry)

    outcomes = race(RACERS, step)
    assert outcomes.succeeded == 1
    assert all(isinstance(error, StateConflict) for error in outcomes.failed), outcomes.failed
    if AuditPlanEntry.objects.exists():  # started first: the entry stays, with its one audit
        assert Audit.objects.get().plan_entry_id == plan_entry.pk
        assert (log_count("audits.audit.started"), log_count("audits.plan_entry.deleted")) == (1, 0)
    else:  # deleted first: nothing was started from it
        assert not Audit.objects.exists()
        assert (log_count("audits.audit.started"), log_count("audits.plan_entry.deleted")) == (0, 1)


def test_twenty_versions_from_the_same_one_publish_once(template, hse_head):
    outcomes = race(
        RACERS,
        lambda i: services.template_publish_new_version(
            actor=hse_head,
            template=ChecklistTemplate.objects.get(pk=template.pk),
            items=[{"text": f"Edit {i}"}],
            based_on=1,
        ),
    )
    assert outcomes.succeeded == 1
    assert_refused_as_conflicts(outcomes, "Version 2 was published meanwhile: review it and publish again.")
    assert list(template.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert log_count("audits.template.version_published") == 2  # version 1 and the winner


def test_twenty_versions_without_a_base_get_twenty_numbers(template, hse_head):
    outcomes = race(
        RACERS,
        lambda i: services.template_publish_new_version(
            actor=hse_head, template=ChecklistTemplate.objects.get(pk=template.pk), items=[{"text": f"Item {i}"}]
        ),
    )
    assert outcomes.succeeded == RACERS, outcomes.failed
    numbers = sorted(ChecklistTemplateVersion.objects.filter(template=template).values_list("number", flat=True))
    assert numbers == list(range(1, RACERS + 2))
    assert log_count("audits.template.version_published") == RACERS + 1


def test_twenty_checklists_with_one_code_create_one(hse_head):
    outcomes = race(
        RACERS,
        lambda i: services.template_create(actor=hse_head, name=f"Lifting {i}", code="lifting", items=[{"text": "X"}]),
    )
    assert outcomes.succeeded == 1
    assert all(isinstance(error, Exception) and "code" in error.message_dict for error in outcomes.failed)
    assert ChecklistTemplate.objects.count() == 1
    assert log_count("audits.template.created") == 1


def test_the_api_answers_409_to_the_losers(audit, hse_specialist):
    from rest_framework.authtoken.models import Token

    answer_all(audit, hse_specialist, ["compliant"] * 3)
    token = Token.objects.create(user=hse_specialist)

    def complete(i):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client.post(reverse("api:audit-complete", args=[audit.pk]), {}, format="json").status_code

    outcomes = race(RACERS, complete)
    assert sorted(outcomes.results) == [200] + [409] * (RACERS - 1)
    assert log_count("audits.audit.completed") == 1
