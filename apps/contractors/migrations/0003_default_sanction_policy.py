"""The sanction policy the portal starts with (editable in the admin): severity × occurrence of
the company within 12 months → the sanction proposed to the HSE specialist."""

from django.db import migrations

DEFAULT_POLICY = {
    # severity: (first, second, third or later)
    "minor": ("warning", "warning", "fine"),
    "serious": ("warning", "fine", "stop_work"),
    "severe": ("stop_work", "block_passes", "removal"),
    "critical": ("stop_work", "removal", "termination"),
}


def add_policy(apps, schema_editor):
    rule = apps.get_model("contractors", "SanctionRule")
    for severity, kinds in DEFAULT_POLICY.items():
        for repetition, kind in enumerate(kinds, start=1):
            rule.objects.get_or_create(severity=severity, repetition=repetition, defaults={"proposed_kind": kind})


def remove_policy(apps, schema_editor):
    apps.get_model("contractors", "SanctionRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("contractors", "0002_violations_and_sanctions")]

    operations = [migrations.RunPython(add_policy, remove_policy)]
