"""/api/v1/: one router for every domain app's endpoints."""

from django.urls import path
from rest_framework import routers
from rest_framework.routers import DefaultRouter

from apps.accounts.api import obtain_auth_token
from apps.actions import api as actions_api
from apps.audits import api as audits_api
from apps.contractors import api as contractors_api
from apps.incidents import api as incidents_api
from apps.internships import api as internships_api
from apps.kpis import api as kpis_api
from apps.notifications import api as notifications_api
from apps.observations import api as observations_api
from apps.org import api as org_api
from apps.trainings import api as trainings_api


class PortalAPIRootView(routers.APIRootView):
    """The HSE Portal API: every resource the signed-in user may read."""

    capabilities = {"GET": "org.view"}


router = DefaultRouter()
router.APIRootView = PortalAPIRootView
router.include_format_suffixes = False
router.register("sites", org_api.SiteViewSet, basename="site")
router.register("units", org_api.UnitViewSet, basename="unit")
router.register("people", org_api.PersonViewSet, basename="person")
router.register("hours-worked", org_api.HoursWorkedViewSet, basename="hours-worked")
router.register("actions", actions_api.ActionViewSet, basename="action")
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")
for routes in (
    observations_api.ROUTES,
    audits_api.ROUTES,
    incidents_api.ROUTES,
    contractors_api.ROUTES,
    trainings_api.ROUTES,
    internships_api.ROUTES,
    kpis_api.ROUTES,
):
    for prefix, viewset, basename in routes:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="auth-token"),
    *router.urls,
]
