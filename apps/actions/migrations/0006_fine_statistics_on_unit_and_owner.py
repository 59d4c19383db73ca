"""PostgreSQL keeps the row counts of up to 1,000 units and owners (its default is 100), as
the observations do: a list scoped to a few small units or owners is then planned from their
real number of rows. Takes effect at the next ANALYZE."""

from django.db import migrations

COLUMNS = ["unit_id", "owner_id"]


def statistics(target: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE actions_action ALTER COLUMN {column} SET STATISTICS {target}"
            )

    return apply


class Migration(migrations.Migration):
    dependencies = [("actions", "0005_index_for_the_headline_counts")]

    operations = [migrations.RunPython(statistics(1000), statistics(-1))]
