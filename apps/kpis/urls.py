"""/kpis/: the dashboards and scorecards (dashboard_urls.py), the executive summary, escalations
and monthly reports (summary_urls.py)."""

from .dashboard_urls import urlpatterns as dashboard_patterns
from .summary_urls import urlpatterns as summary_patterns

app_name = "kpis"

urlpatterns = [*dashboard_patterns, *summary_patterns]
