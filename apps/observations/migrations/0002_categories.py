"""The reference list of observation categories every installation starts with."""

from django.db import migrations

CATEGORIES = [
    ("ppe", "PPE", "СИЗ", "shield-check"),
    ("loto", "Energy isolation (LOTO)", "Блокировка энергии (LOTO)", "lock"),
    ("height", "Work at height", "Работы на высоте", "ladder"),
    ("lifting", "Lifting operations", "Грузоподъёмные работы", "arrow-up-square"),
    ("machinery", "Moving machinery", "Движущиеся механизмы", "gear-wide-connected"),
    ("driving", "Driving and vehicles", "Вождение и транспорт", "truck"),
    ("housekeeping", "Housekeeping", "Порядок на рабочем месте", "bucket"),
    ("tools", "Tools and equipment", "Инструмент и оборудование", "tools"),
    ("chemicals", "Chemicals", "Химические вещества", "droplet-half"),
    ("other", "Other", "Другое", "three-dots"),
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("observations", "ObservationCategory")
    for order, (code, name_en, name_ru, icon) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code, defaults={"name_en": name_en, "name_ru": name_ru, "icon": icon, "order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("observations", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
