"""Dates of audits inside the records' window (validators; the 1970 floor as check constraints),
a completion date only on a completed audit and after its start, a score that is a percentage, long texts capped, and item
weights from 1 to 100.

No form ever offered a weight above 100, but the service took any number a smallint holds: such
weights (if any) become 100 before the constraint is added. The stored scores of past audits do
not change; only the weight shown for those items does."""

import apps.common.dates
import datetime
import django.core.validators
from django.conf import settings
from django.db import migrations, models


def cap_item_weights(apps, schema_editor):
    ChecklistItem = apps.get_model("audits", "ChecklistItem")
    ChecklistItem.objects.filter(weight__gt=100).update(weight=100)


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0002_answer_actions_through_the_source_link'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='checklistitem',
            name='audits_item_weight_positive',
        ),
        migrations.AlterField(
            model_name='audit',
            name='completed_at',
            field=models.DateTimeField(blank=True, null=True, validators=[apps.common.dates.validate_event_time], verbose_name='completed at'),
        ),
        migrations.AlterField(
            model_name='audit',
            name='started_at',
            field=models.DateTimeField(validators=[apps.common.dates.validate_event_time], verbose_name='started at'),
        ),
        migrations.AlterField(
            model_name='auditanswer',
            name='answered_at',
            field=models.DateTimeField(blank=True, null=True, validators=[apps.common.dates.validate_event_time], verbose_name='answered at'),
        ),
        migrations.AlterField(
            model_name='auditanswer',
            name='comment',
            field=models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(5000)], verbose_name='comment'),
        ),
        migrations.AlterField(
            model_name='auditplanentry',
            name='month',
            field=models.DateField(help_text='The first day of the month.', validators=[apps.common.dates.validate_record_date], verbose_name='month'),
        ),
        migrations.AlterField(
            model_name='checklistitem',
            name='guidance',
            field=models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(5000)], verbose_name='guidance'),
        ),
        migrations.AlterField(
            model_name='checklistitem',
            name='weight',
            field=models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='weight'),
        ),
        migrations.AlterField(
            model_name='checklisttemplate',
            name='description',
            field=models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(5000)], verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='checklisttemplateversion',
            name='notes',
            field=models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(5000)], verbose_name='what changed'),
        ),
        migrations.AddConstraint(
            model_name='audit',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'completed'), ('completed_at__isnull', True), _connector='OR'), name='audits_date_only_when_completed'),
        ),
        migrations.AddConstraint(
            model_name='audit',
            constraint=models.CheckConstraint(condition=models.Q(('started_at__gte', datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), name='audits_started_after_floor'),
        ),
        migrations.AddConstraint(
            model_name='audit',
            constraint=models.CheckConstraint(condition=models.Q(('completed_at__isnull', True), ('completed_at__gte', models.F('started_at')), _connector='OR'), name='audits_completed_after_start'),
        ),
        migrations.AddConstraint(
            model_name='audit',
            constraint=models.CheckConstraint(condition=models.Q(('score__isnull', True), models.Q(('score__gte', 0), ('score__lte', 100)), _connector='OR'), name='audits_score_a_percentage'),
        ),
        migrations.AddConstraint(
            model_name='auditanswer',
            constraint=models.CheckConstraint(condition=models.Q(('answered_at__isnull', True), ('answered_at__gte', datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), _connector='OR'), name='audits_answered_after_floor'),
        ),
        migrations.AddConstraint(
            model_name='auditplanentry',
            constraint=models.CheckConstraint(condition=models.Q(('month__gte', datetime.date(1970, 1, 1))), name='audits_plan_month_after_floor'),
        ),
        migrations.RunPython(cap_item_weights, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='checklistitem',
            constraint=models.CheckConstraint(condition=models.Q(('weight__gte', 1), ('weight__lte', 100)), name='audits_item_weight_in_range'),
        ),
    ]
