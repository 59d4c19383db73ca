"""Dates inside the records' window, numbers and texts within their caps.

The forms, the API and `full_clean()` now check every date, number and text (validators on the
fields); the database refuses an event dated before 1970 (check constraints), the last line behind
them. A row stored before, with an impossible date (a form posted 0001-01-01), would stop the
constraint from being added and made the pages answer 500: it is repaired first, to the best date
known, and the repair is written to the audit log with the value found:

- an incident's `occurred_at` becomes the time it was reported (it cannot have happened later);
- a timeline event's `at` becomes the incident's time.
"""

import datetime

import django.core.validators
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Cast

import apps.common.dates

FLOOR = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def repair_impossible_dates(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    TimelineEvent = apps.get_model("incidents", "TimelineEvent")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    incident_type, _ = ContentType.objects.get_or_create(app_label="incidents", model="incident")
    # The impossible values are read as text only: a year-1 time in a site's zone is in year 0 in
    # UTC, which no Python datetime holds.
    as_text = Cast("occurred_at", models.TextField())
    for pk, unit_id, found in (
        Incident.objects.filter(occurred_at__lt=FLOOR).annotate(found=as_text).values_list("pk", "unit_id", "found")
    ):
        Incident.objects.filter(pk=pk).update(occurred_at=F("created_at"))
        AuditEntry.objects.create(
            actor=None, actor_name="system", action="incidents.incident.date_repaired", target_type=incident_type,
            target_id=str(pk), target_repr=f"INC-{pk}", unit_id=unit_id, data={"field": "occurred_at", "found": found},
            reason="An impossible date (before 1970) was replaced by the time the incident was reported.",
        )  # fmt: skip
    events = TimelineEvent.objects.filter(at__lt=FLOOR)
    for pk, unit_id, found in events.annotate(found=Cast("at", models.TextField())).values_list(
        "incident_id", "incident__unit_id", "found"
    ):
        AuditEntry.objects.create(
            actor=None, actor_name="system", action="incidents.incident.date_repaired", target_type=incident_type,
            target_id=str(pk), target_repr=f"INC-{pk}", unit_id=unit_id, data={"field": "timeline.at", "found": found},
            reason="An impossible date (before 1970) of a timeline event was replaced by the time of the incident.",
        )  # fmt: skip
    events.update(at=Subquery(Incident.objects.filter(pk=OuterRef("incident_id")).values("occurred_at")[:1]))


def text(verbose_name, max_length=5000, **kwargs):
    return models.TextField(
        verbose_name=verbose_name, max_length=max_length,
        validators=[django.core.validators.MaxLengthValidator(max_length)], **kwargs,
    )  # fmt: skip


def event_time(verbose_name):
    return models.DateTimeField(validators=[apps.common.dates.validate_event_time], verbose_name=verbose_name)


def days(verbose_name, **kwargs):
    return models.PositiveIntegerField(
        validators=[django.core.validators.MaxValueValidator(366)], verbose_name=verbose_name, **kwargs
    )


def after_floor(field, name, nullable=False):
    condition = models.Q(**{f"{field}__gte": FLOOR})
    if nullable:
        condition = models.Q(**{f"{field}__isnull": True}) | condition
    return models.CheckConstraint(condition=condition, name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_cause_actions_through_the_source_link"),
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # Validators and caps: checked by Django, nothing changes in the tables.
        migrations.AlterField("incident", "occurred_at", event_time("occurred at")),
        migrations.AlterField("incident", "description", text("what happened")),
        migrations.AlterField("incident", "immediate_actions", text("immediate actions", blank=True)),
        migrations.AlterField("incident", "days_lost", days("days lost", default=0)),
        migrations.AlterField("involvedperson", "injury_description", text("injury", blank=True)),
        migrations.AlterField("involvedperson", "diagnosis", text("medical treatment and diagnosis", blank=True)),
        migrations.AlterField("involvedperson", "sick_leave_days", days("sick leave days", null=True, blank=True)),
        migrations.AlterField("timelineevent", "at", event_time("when")),
        migrations.AlterField("investigation", "approval_note", text("approval note", max_length=2000, blank=True)),
        # Repair what slipped through before, then let the database refuse it.
        migrations.RunPython(repair_impossible_dates, migrations.RunPython.noop),
        migrations.AddConstraint("incident", after_floor("occurred_at", "incidents_occurred_after_floor")),
        migrations.AddConstraint("timelineevent", after_floor("at", "incidents_timeline_after_floor")),
        migrations.AddConstraint(
            "investigation",
            models.CheckConstraint(
                condition=models.Q(deadline__gte=datetime.date(1970, 1, 1)), name="incidents_deadline_after_floor"
            ),
        ),
        migrations.AddConstraint(
            "investigation", after_floor("approved_at", "incidents_approved_after_floor", nullable=True)
        ),
        migrations.AddConstraint(
            "investigation", after_floor("closed_at", "incidents_closed_after_floor", nullable=True)
        ),
    ]
