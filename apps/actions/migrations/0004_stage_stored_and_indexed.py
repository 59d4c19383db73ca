"""The action list's order (open work, then waiting for verification, then closed) stored as a
generated column and indexed with the due date, per unit and per owner: at 100,000 actions the
list is read in index order instead of sorting every action on each request."""
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0003_text_caps_and_due_date_floor'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('org', '0002_hours_worked_month_window_and_cap'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='action',
            name='stage',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(status__in=('open', 'in_progress'), then=models.Value(0)), models.When(status='done', then=models.Value(1)), default=models.Value(2)), output_field=models.PositiveSmallIntegerField()),
        ),
        migrations.AddIndex(
            model_name='action',
            index=models.Index(fields=['stage', 'due_date', 'id'], name='actions_by_stage'),
        ),
        migrations.AddIndex(
            model_name='action',
            index=models.Index(fields=['unit', 'stage', 'due_date'], name='actions_unit_by_stage'),
        ),
        migrations.AddIndex(
            model_name='action',
            index=models.Index(fields=['owner', 'stage', 'due_date'], name='actions_owner_by_stage'),
        ),
    ]
