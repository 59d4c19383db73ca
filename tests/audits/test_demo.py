"""The demo data carries the "done when" journey: the specialist runs a planned audit and
downloads its report."""

from datetime import date

from django.urls import reverse

from apps.audits.models import Audit, AuditPlanEntry, ChecklistTemplate
from apps.audits.selectors import audits_done_vs_planned


def test_demo_is_idempotent_and_a_planned_audit_can_be_run(db, client, time_machine):
    from apps.accounts.models import User
    from apps.core.demo import load_demo_data

    time_machine.move_to("2026-11-22 09:00")
    load_demo_data(today=date(2026, 11, 22))
    counts = (ChecklistTemplate.objects.count(), AuditPlanEntry.objects.count(), Audit.objects.count())
    load_demo_data(today=date(2026, 11, 22))
    assert counts == (ChecklistTemplate.objects.count(), AuditPlanEntry.objects.count(), Audit.objects.count())
    # The demo's own audits: of its two months (the demo's year of history holds older ones).
    assert counts[0] == 2 and Audit.objects.filter(plan_entry__month__gte=date(2026, 10, 1)).count() == 2
    walk = ChecklistTemplate.objects.get(code="walk-through")
    assert walk.current_version().number == 2
    assert set(Audit.objects.values_list("template_version__number", flat=True)) == {1}

    specialist = User.objects.get(username="specialist")
    last_month = audits_done_vs_planned(user=specialist, month=date(2026, 10, 1))
    assert (last_month["planned"], last_month["done"]) == (4, 2)

    client.force_login(specialist)
    entry = AuditPlanEntry.objects.filter(auditor=specialist, month=date(2026, 11, 1), audit__isnull=True).first()
    assert entry is not None
    response = client.post(reverse("audits:start", args=[entry.pk]))
    audit = Audit.objects.get(plan_entry=entry)
    assert response["Location"] == reverse("audits:conduct", args=[audit.pk])
    for answer in audit.answers.all():
        prefix = f"item-{answer.item_id}"
        client.post(reverse("audits:answer", args=[audit.pk, answer.item_id]), {f"{prefix}-result": "compliant"})
    assert client.post(reverse("audits:complete", args=[audit.pk])).status_code == 302
    audit.refresh_from_db()
    assert audit.score == 100
    pdf = client.get(reverse("audits:report", args=[audit.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
