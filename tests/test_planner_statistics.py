"""On PostgreSQL the big tables keep fine statistics on the columns lists are scoped by, so a
list of a few small units is planned from their real row counts (migrations observations 0006,
actions 0006)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner statistics")
@pytest.mark.parametrize(
    "table, column",
    [
        ("observations_observation", "unit_id"),
        ("observations_observation", "observer_id"),
        ("actions_action", "unit_id"),
        ("actions_action", "owner_id"),
    ],
)
def test_scoping_columns_keep_a_thousand_most_common_values(table, column):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s", [table, column]
        )
        assert cursor.fetchone()[0] == 1000
