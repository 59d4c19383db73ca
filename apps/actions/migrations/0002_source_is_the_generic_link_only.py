"""An action's source is its generic link (`source_type`, `source_id`) alone: the `source` kind
follows from the linked model (see apps/actions/sources.py) and the label from the record."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="action", name="source"),
        migrations.RemoveField(model_name="action", name="source_label"),
    ]
