"""/api/v1/ endpoints of the kpis app: (prefix, viewset, basename) for hse_portal/api_urls.py —
KPI definitions, targets, values and snapshots (kpi_api.py), escalations and monthly reports
(escalation_api.py)."""

from .escalation_api import ROUTES as ESCALATION_ROUTES
from .kpi_api import ROUTES as KPI_ROUTES

ROUTES: list = [*KPI_ROUTES, *ESCALATION_ROUTES]
