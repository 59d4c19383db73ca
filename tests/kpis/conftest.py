"""The KPI pages keep a few figures for a minute or two ("figures as of", the month's top
categories). These tests count the queries of computing them, so nothing is kept here; one test
(test_selectors.py) checks the keeping itself."""

import pytest


@pytest.fixture(autouse=True)
def _nothing_kept(monkeypatch):
    from apps.kpis import dashboard_views, selectors

    monkeypatch.setattr(selectors, "FRESHNESS_SECONDS", 0)
    monkeypatch.setattr(dashboard_views, "TOP_CATEGORIES_SECONDS", 0)
