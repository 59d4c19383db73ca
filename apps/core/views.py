import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import can, unit_ids_in_scope
from apps.accounts.services import user_set_language
from apps.actions.selectors import action_counts_for_user
from apps.common.cache import cached, scope_key
from apps.common.signals import announce_access_denied, capability_of
from apps.contractors.gate import describe
from apps.contractors.selectors import pass_office_day
from apps.observations.selectors import observer_month_summary
from apps.org.selectors import organisation_summary_for_user, unit_tree_for_user

from . import health
from .navigation import quick_links_for

# Each role has its home page, named after the role: core/home_<role>.html.
NO_ROLE_HOME = "core/home_no_role.html"


HOME_TREE_ROWS = 15


def home_unit_tree(user) -> list[dict]:
    """The first rows of the user's unit tree with headcounts, kept five minutes per scope and
    language: building the whole tree of a plant with its headcounts on every home page visit
    cost more than the rest of the page."""

    def compute():
        return [
            {"pk": unit.pk, "name": unit.name, "kind": unit.get_kind_display(), "depth": depth,
             "headcount": unit.total_headcount}
            for unit, depth in unit_tree_for_user(user)[:HOME_TREE_ROWS]
        ]  # fmt: skip

    key = f"home-tree:{scope_key(unit_ids_in_scope(user))}:{get_language()}"
    return cached(key, compute)


def home_summary(user, today) -> dict:
    """The home page's headline figures (units, headcount, foremen, hours worked), kept five
    minutes per scope and day: they change with the org structure, not by the minute."""
    key = f"home-summary:{scope_key(unit_ids_in_scope(user))}:{today.isoformat()}"
    return cached(key, lambda: organisation_summary_for_user(user, today=today))


@login_required
def home(request):
    user = request.user
    template = f"core/home_{user.role}.html" if user.role else NO_ROLE_HOME
    context = {}
    if user.role:
        context = {
            "summary": home_summary(user, timezone.localdate()),
            "tree": home_unit_tree(user),
            "quick_links": quick_links_for(user),
        }
        today = timezone.localdate()
        if can(user, "actions.view"):
            context["action_counts"] = action_counts_for_user(user, today=today)
        if can(user, "observations.log"):
            context["my_observations"] = observer_month_summary(user, month=today)
        if can(user, "passes.issue"):
            context["pass_day"] = pass_office_home(user, today=today)
    return render(request, template, context)


# Rows of each of the pass office's lists on its home page (the pass list shows the rest).
PASS_DAY_ROWS = 8


def pass_office_home(user, *, today) -> dict:
    """The pass office's day: passes running out this week, passes blocked today and why, today's
    refusals at the gates with every reason, and the counts."""
    day = pass_office_day(user, today=today)
    expiring = list(day["expiring"].prefetch_related("zones")[: PASS_DAY_ROWS + 1])
    blocked = list(day["blocked_today"][: PASS_DAY_ROWS + 1])
    refusals = list(day["refusals_today"][: PASS_DAY_ROWS + 1])
    return {
        "counts": day["counts"],
        "week_end": day["week_end"],
        "expiring": expiring[:PASS_DAY_ROWS],
        "more_expiring": len(expiring) > PASS_DAY_ROWS,
        "blocked_today": blocked[:PASS_DAY_ROWS],
        "more_blocked": len(blocked) > PASS_DAY_ROWS,
        "refusals": [
            {"check": check, "reasons": [describe(reason) for reason in check.reasons]}
            for check in refusals[:PASS_DAY_ROWS]
        ],
        "more_refusals": len(refusals) > PASS_DAY_ROWS,
        "expiring_count": day["expiring"].count(),
        "refusal_count": day["refusals_today"].count(),
    }


@never_cache
@require_GET
def healthz(request):
    """200 {"status": "ok"} when the database and the broker answer, 503 {"status": "error"} when
    one does not. Which one, and what it is (vendor, transport, the error's class), only to a
    signed-in system admin or staff member: an anonymous caller learns nothing of the stack."""
    db_ok, db_detail = health.database_ok()
    broker_ok, broker_detail = health.broker_ok()
    ok = db_ok and broker_ok
    body = {"status": "ok" if ok else "error"}
    user = request.user
    if user.is_authenticated and user.is_active and (user.is_staff or can(user, "core.view_health_details")):
        body["database"] = {"ok": db_ok, "detail": db_detail}
        body["broker"] = {"ok": broker_ok, "detail": broker_detail}
    return JsonResponse(body, status=200 if ok else 503)


@never_cache
@require_GET
def livez(request):
    """The process answers: no database, no broker (a liveness probe, and the benchmarks' baseline)."""
    return JsonResponse({"status": "ok"})


@require_POST
def set_language(request):
    """Switch the interface language; a signed-in user keeps the choice on every device."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or reverse("core:home")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("core:home")
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        if request.user.is_authenticated and can(request.user, "accounts.set_own_language"):
            user_set_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 60 * 60,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def permission_denied(request, exception=None):
    announce_access_denied(request, capability_of(exception))  # into the audit log
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


# How long a caller is asked to wait when the database cannot be reached (Retry-After, seconds).
DATABASE_RETRY_AFTER = 60


def server_error(request):
    """The 500 handler. A request that failed because PostgreSQL cannot be reached (stopped,
    restarting, connections refused) answers 503 with Retry-After instead: a page (or JSON for
    the API) saying to try again in a minute. Nothing on the way touches the database: the
    templates render without a request, so no context processor reads the user or session."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": str(_("The portal cannot reach its database; try again in a minute.")),
                 "code": "database_unavailable"},
                status=503,
            )  # fmt: skip
        else:
            response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
