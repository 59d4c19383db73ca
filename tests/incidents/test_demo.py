from datetime import date

import pytest
from django.core.management import call_command

from apps.incidents.models import Incident, Investigation
from apps.incidents.selectors import investigation_analysis

pytestmark = pytest.mark.django_db


def test_demo_holds_investigated_incidents_with_valid_trees_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    assert Incident.objects.count() == 4
    done = Investigation.objects.filter(status__in=["approved", "closed"])
    assert done.count() == 2
    for investigation in done:
        analysis = investigation_analysis(investigation)
        assert analysis.tree_errors == []
        assert analysis.five_whys_complete and analysis.tree_complete
        assert not analysis.uncovered
        assert any(kind == "conjunction" for _link, kind in analysis.link_rows())
        assert any(fact.is_unusual for fact in analysis.facts)
        assert analysis.quality(today=date(2026, 1, 1)).percent >= 60
