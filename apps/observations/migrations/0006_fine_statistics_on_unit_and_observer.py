"""PostgreSQL keeps the row counts of up to 1,000 units and observers (its default is 100), so
that a list scoped to a few small units is read from their rows, not by walking the newest-first
index past hundreds of thousands of other units' observations (measured: 250 ms against 0.1 ms
for an HSE specialist with six units at plant scale). Takes effect at the next ANALYZE."""

from django.db import migrations

COLUMNS = ["unit_id", "observer_id"]


def statistics(target: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE observations_observation ALTER COLUMN {column} SET STATISTICS {target}"
            )

    return apply


class Migration(migrations.Migration):
    dependencies = [("observations", "0005_newest_first_index_monthly_counts_and_search_vector")]

    operations = [migrations.RunPython(statistics(1000), statistics(-1))]
