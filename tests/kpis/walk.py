"""Permission-walk expectations for the KPI pages and API (see tests/walk.py): the dashboards' and
scorecards' in walk_dashboards.py, the executive summary's, escalations' and reports' in
walk_summary.py, the KPI API's in walk_api.py. Each module has its own `build(ctx)`."""

import importlib

PARTS = ["walk_dashboards", "walk_summary", "walk_api"]


def _modules():
    found = []
    for name in PARTS:
        try:
            found.append(importlib.import_module(f"tests.kpis.{name}"))
        except ModuleNotFoundError as error:
            if error.name != f"tests.kpis.{name}":
                raise
    return found


def build(ctx) -> None:
    for module in _modules():
        module.build(ctx)


EXPECTATIONS: dict = {}
for _module in _modules():
    EXPECTATIONS.update(_module.EXPECTATIONS)
