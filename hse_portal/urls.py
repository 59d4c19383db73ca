from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.core import views as core_views

admin.site.site_header = _("HSE Portal administration")
admin.site.site_title = _("HSE Portal")

urlpatterns = [
    path("", include("apps.core.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("livez", core_views.livez, name="livez"),
    path("accounts/", include("apps.accounts.urls")),
    path("org/", include("apps.org.urls")),
    path("audit/", include("apps.core.audit_log")),
    path("actions/", include("apps.actions.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("exports/", include("apps.exports.urls")),
    path("observations/", include("apps.observations.urls")),
    path("audits/", include("apps.audits.urls")),
    path("incidents/", include("apps.incidents.urls")),
    path("contractors/", include("apps.contractors.urls")),
    path("trainings/", include("apps.trainings.urls")),
    path("internships/", include("apps.internships.urls")),
    path("kpis/", include("apps.kpis.urls")),
    path("api/v1/", include(("hse_portal.api_urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script from this same URL (`?script`), so the
    # page has no inline script and the portal's Content-Security-Policy applies unchanged.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"
# PostgreSQL unreachable: 503 with Retry-After instead of the 500 page (issue 14).
handler500 = "apps.core.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
