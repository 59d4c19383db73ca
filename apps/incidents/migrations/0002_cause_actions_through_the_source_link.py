"""The actions of a root cause or a cause-tree fact are the actions whose source is that cause
(one link, the action's generic source). `InvestigationAction` was a second copy of it: an action
it linked that does not yet point to a cause is pointed to the linked one, then the table goes.
An action linked to several causes keeps its own source; the commission opens an action per cause."""

from django.db import migrations


def point_actions_at_their_causes(apps, schema_editor):
    InvestigationAction = apps.get_model("incidents", "InvestigationAction")
    Action = apps.get_model("actions", "Action")
    ContentType = apps.get_model("contenttypes", "ContentType")
    step_type, _ = ContentType.objects.get_or_create(app_label="incidents", model="whystep")
    fact_type, _ = ContentType.objects.get_or_create(app_label="incidents", model="causetreefact")
    for link in InvestigationAction.objects.order_by("id"):
        source = (step_type, link.why_step_id) if link.why_step_id else (fact_type, link.fact_id)
        Action.objects.filter(pk=link.action_id, source_type__isnull=True).update(
            source_type=source[0], source_id=source[1]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        ("actions", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(point_actions_at_their_causes, migrations.RunPython.noop),
        migrations.DeleteModel(name="InvestigationAction"),
    ]
