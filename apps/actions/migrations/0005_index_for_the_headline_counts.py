"""An index holding what the headline action counts read (stage, due date, owner, unit), so they
come from the index alone on PostgreSQL."""
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0004_stage_stored_and_indexed'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('org', '0002_hours_worked_month_window_and_cap'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='action',
            index=models.Index(fields=['stage', 'due_date'], include=('owner', 'unit'), name='actions_counts_covering'),
        ),
    ]
