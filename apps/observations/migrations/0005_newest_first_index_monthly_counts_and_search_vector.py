"""Observations at plant scale (a million rows):

- an index in the list's order (newest first), which also serves month bounds over every unit;
- monthly counts per unit and kind, for the headline figures and the trend (filled here from the
  observations already logged);
- on PostgreSQL, a stored search vector with a GIN index: a one-word search no longer runs
  to_tsvector over every row. (SQLite searches by substring and needs neither.)"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SEARCH_VECTOR = """
ALTER TABLE observations_observation ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(description, '') || ' ' || coalesce(area, '') || ' ' || coalesce(feedback_text, ''))
) STORED;
CREATE INDEX observations_search_vector ON observations_observation USING gin (search_vector);
"""
DROP_SEARCH_VECTOR = """
DROP INDEX IF EXISTS observations_search_vector;
ALTER TABLE observations_observation DROP COLUMN IF EXISTS search_vector;
"""


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_VECTOR)


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SEARCH_VECTOR)


def count_what_was_logged(apps, schema_editor):
    from apps.observations.counts import rebuild_monthly_counts

    rebuild_monthly_counts(
        apps.get_model("observations", "Observation"), apps.get_model("observations", "ObservationMonthlyCount")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('observations', '0004_limits_and_the_records_window'),
        ('org', '0002_hours_worked_month_window_and_cap'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ObservationMonthlyCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('kind', models.CharField(choices=[('safe_act', 'Safe act'), ('unsafe_act', 'Unsafe act'), ('unsafe_condition', 'Unsafe condition'), ('good_practice', 'Good practice'), ('near_miss', 'Near miss seen')], max_length=20)),
                ('total', models.PositiveIntegerField(default=0)),
                ('with_feedback', models.PositiveIntegerField(default=0)),
                ('work_stopped', models.PositiveIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'observations per month',
                'verbose_name_plural': 'observations per month',
            },
        ),
        migrations.AddIndex(
            model_name='observation',
            index=models.Index(fields=['-observed_at', '-id'], name='observations_newest_first'),
        ),
        migrations.AddField(
            model_name='observationmonthlycount',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.structuralunit'),
        ),
        migrations.AddIndex(
            model_name='observationmonthlycount',
            index=models.Index(fields=['month', 'unit'], name='observation_month_3d515e_idx'),
        ),
        migrations.AddConstraint(
            model_name='observationmonthlycount',
            constraint=models.UniqueConstraint(fields=('unit', 'month', 'kind'), name='observations_one_count_per_unit_month_kind'),
        ),
        migrations.RunPython(add_search_vector, drop_search_vector),
        migrations.RunPython(count_what_was_logged, migrations.RunPython.noop),
    ]
