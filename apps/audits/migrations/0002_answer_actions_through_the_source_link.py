"""An audit answer's actions are the actions whose source is the answer (one link, the action's
generic source). The answer's own `action` column was a second copy of it: any action it named
that does not yet point back to the answer is pointed there, then the column goes."""

from django.db import migrations


def point_actions_at_their_answers(apps, schema_editor):
    AuditAnswer = apps.get_model("audits", "AuditAnswer")
    Action = apps.get_model("actions", "Action")
    ContentType = apps.get_model("contenttypes", "ContentType")
    answer_type, _ = ContentType.objects.get_or_create(app_label="audits", model="auditanswer")
    for answer_id, action_id in AuditAnswer.objects.filter(action__isnull=False).values_list("id", "action_id"):
        Action.objects.filter(pk=action_id, source_type__isnull=True).update(
            source_type=answer_type, source_id=answer_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0001_initial"),
        ("actions", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(point_actions_at_their_answers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="auditanswer", name="action"),
    ]
