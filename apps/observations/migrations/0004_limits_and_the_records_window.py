"""Integrity limits of an observation: when it happened lies inside the records' window (form,
API and model), and the database refuses anything before 1970 as the last line; free text is
capped at 5000 characters (forms, API and full_clean(); the column stays text).

Rows stored before this check with a mistyped year (0001-01-01 became a BC timestamp, which no
page could render) take the time they were logged instead: the best record of when they were
seen, and what the observer would have meant."""

import django.core.validators
import django.utils.timezone
from django.db import migrations, models
from django.db.models import F

import apps.common.dates

FLOOR = apps.common.dates.DATABASE_FLOOR
LONG_TEXT = 5000


def logged_time_for_impossible_dates(apps, schema_editor):
    Observation = apps.get_model("observations", "Observation")
    Observation.objects.filter(observed_at__lt=FLOOR).update(observed_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("observations", "0003_submission_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="observation",
            name="observed_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                validators=[apps.common.dates.validate_event_time],
                verbose_name="when",
            ),
        ),
        migrations.AlterField(
            model_name="observation",
            name="description",
            field=models.TextField(
                max_length=LONG_TEXT,
                validators=[django.core.validators.MaxLengthValidator(LONG_TEXT)],
                verbose_name="what was seen",
            ),
        ),
        migrations.AlterField(
            model_name="observation",
            name="feedback_text",
            field=models.TextField(
                blank=True,
                max_length=LONG_TEXT,
                validators=[django.core.validators.MaxLengthValidator(LONG_TEXT)],
                verbose_name="what was said",
            ),
        ),
        migrations.RunPython(logged_time_for_impossible_dates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="observation",
            constraint=models.CheckConstraint(
                condition=models.Q(observed_at__gte=FLOOR), name="observations_observed_after_floor"
            ),
        ),
    ]
