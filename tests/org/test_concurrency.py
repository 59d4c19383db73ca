"""Many requests at once on the same record (PostgreSQL, `tests/concurrency.py`): a consistent final
state, no server error, and exactly one audit entry per committed change."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from apps.accounts.models import User
from apps.accounts.services import api_token_renew
from apps.audit.models import AuditEntry
from apps.org import services
from apps.org.models import HoursWorked, Person, StructuralUnit
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 20


def test_hours_saved_at_once_for_one_month_are_one_row_and_a_chain_of_corrections(org, hse_specialist):
    def step(index):
        return services.hours_worked_record(
            actor=User.objects.get(pk=hse_specialist.pk),
            unit=StructuralUnit.objects.get(pk=org.crew.pk),
            month=date(2026, 10, 1 + index),
            hours=Decimal(100 + index),
        )

    outcomes = race(PARALLEL, step)
    assert outcomes.failed == []
    row = HoursWorked.objects.get()
    entries = list(AuditEntry.objects.filter(action="org.hours_worked.recorded").order_by("id"))
    assert len(entries) == PARALLEL
    # Applied one after the other: each entry's previous figure is the one saved just before it.
    assert entries[0].data["previous_hours"] is None
    for before, after in zip(entries, entries[1:], strict=False):
        assert Decimal(after.data["previous_hours"]) == Decimal(before.data["hours"])
    assert row.hours == Decimal(entries[-1].data["hours"])
    assert {entry.target_id for entry in entries} == {str(row.pk)}


def test_people_changed_at_once_keep_a_true_trail(org, hse_head):
    person = Person.objects.get(full_name="Petrov P. P.")

    def step(index):
        return services.person_update(
            actor=User.objects.get(pk=hse_head.pk), person=Person.objects.get(pk=person.pk), job_title=f"Title {index}"
        )

    outcomes = race(PARALLEL, step)
    assert outcomes.failed == []
    entries = list(AuditEntry.objects.filter(action="org.person.updated").order_by("id"))
    assert len(entries) == PARALLEL
    titles = [entry.data["changes"]["job_title"] for entry in entries]
    assert titles[0][0] == "Flotation operator"
    for (_, new), (old, _) in zip(titles, titles[1:], strict=False):
        assert old == new
    person.refresh_from_db()
    assert person.job_title == titles[-1][1]


def test_one_personnel_number_added_at_once_is_one_person(org, hse_head):
    def step(index):
        return services.person_create(
            actor=User.objects.get(pk=hse_head.pk),
            full_name=f"Racer {index}",
            personnel_number="R-1",
            job_title="Welder",
            unit=StructuralUnit.objects.get(pk=org.crew.pk),
        )

    outcomes = race(PARALLEL, step)
    assert outcomes.succeeded == 1
    assert len(outcomes.failed) == PARALLEL - 1
    assert all(isinstance(error, ValidationError) for error in outcomes.failed), outcomes.failed
    assert all("personnel_number" in error.message_dict for error in outcomes.failed)
    person = Person.objects.get(personnel_number="R-1")
    assert list(AuditEntry.objects.filter(action="org.person.created").values_list("target_id", flat=True)) == [
        str(person.pk)
    ]


def test_tokens_renewed_at_once_end_with_one_token(org, hse_specialist):
    outcomes = race(PARALLEL, lambda index: api_token_renew(user=User.objects.get(pk=hse_specialist.pk)))
    assert outcomes.failed == []
    token = Token.objects.get(user=hse_specialist)
    assert token.key in {result.key for result in outcomes.results}
    assert AuditEntry.objects.filter(action="accounts.api_token.renewed").count() == PARALLEL
