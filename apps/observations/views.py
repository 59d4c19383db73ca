from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.access import can, capability_required, require
from apps.actions.selectors import actions_of
from apps.common import charts, uploads
from apps.common.csv_export import SafeCSVWriter
from apps.common.drafts import keep_draft, take_draft
from apps.common.filters import filtered_for_page
from apps.common.forms import add_service_errors
from apps.common.pagination import paginate, query_without_page
from apps.common.periods import period_from
from apps.exports.services import export_request
from apps.org.selectors import unit_list_for_user

from . import exports, selectors, services
from .filters import ObservationFilterSet
from .forms import ObservationForm
from .models import ObservationPhoto

# What a user typed when the session had expired, kept until they sign in again.
PENDING_KEY = "observations.pending_form"


def _filtered(request):
    """The list's filter, bound to the query string, and the rows it lets through (none, with
    status 400, when a parameter is malformed)."""
    visible = selectors.observation_list_for_user(request.user)
    filterset = ObservationFilterSet(request.GET, queryset=visible, request=request)
    observations, status = filtered_for_page(filterset)
    return filterset, observations, status


def _list_page(request, filterset, observations, status):
    tab = filterset.current_tab
    page = paginate(request, observations.prefetch_related("photos"))
    if page.paginator.is_capped:
        # Tens of thousands match: the cards show this month in the user's units, from the
        # monthly counts, rather than aggregating every matching row on each request.
        unit = filterset.form.cleaned_data.get("unit") if filterset.is_valid() else None
        counts = selectors.monthly_counts_for_user(request.user, unit_id=getattr(unit, "pk", None))
        summary, summary_is_month = selectors.month_figures(counts, timezone.localdate()), True
    else:
        summary, summary_is_month = selectors.observation_summary(observations), False
    return render(
        request,
        "observations/observation_list.html",
        {
            "tab": tab,
            "filter": filterset,
            "keep": {"tab": tab},
            "summary": summary,
            "summary_is_month": summary_is_month,
            "today": timezone.localdate(),
            "page": page,
            "query": query_without_page(request),
            "can_log": can(request.user, "observations.log"),
        },
        status=status,
    )


@capability_required("observations.view")
def observation_list(request):
    return _list_page(request, *_filtered(request))


@capability_required("observations.view")
def observation_export(request):
    """The filtered list as CSV (no worker names: observations never hold any). Every text cell is
    written so that no spreadsheet runs it as a formula. A malformed filter answers the list page
    with its errors (400), not a file. A list longer than DIRECT_EXPORT_MAX rows becomes a background
    job (apps.exports): the user follows its progress and downloads a file that is complete."""
    filterset, observations, status = _filtered(request)
    if status != 200:
        return _list_page(request, filterset, observations, status)
    if exports.count_upto(observations, exports.DIRECT_EXPORT_MAX) > exports.DIRECT_EXPORT_MAX:
        params = {key: value for key, value in request.GET.items() if key != "page"}
        job = export_request(actor=request.user, kind="observations", params=params)
        messages.info(request, _("This list is long: the file is being made. It will be ready here."))
        return redirect(job)
    writer = SafeCSVWriter()

    def rows():
        yield writer.writerow(exports.header())
        for row in exports.rows(observations):
            yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="observations-{timezone.localdate():%Y%m%d}.csv"'
    return response


def observation_create(request):
    """The phone form. If the session expired while it was being filled in, what was typed is
    kept in the (new) session and offered again once the user has signed in."""
    if not request.user.is_authenticated:
        if request.method == "POST":
            if keep_draft(request, PENDING_KEY):
                messages.warning(request, _("Your session had expired. Sign in again: your observation has been kept."))
            else:
                messages.warning(request, _("Please sign in to log an observation. It was not saved."))
        return redirect_to_login(reverse("observations:create"))
    require(request.user, "observations.log")
    units = unit_list_for_user(request.user)
    if request.method == "POST":
        form = ObservationForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            try:
                observation = services.observation_log(actor=request.user, **form.service_arguments())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Observation %(ref)s saved. Thank you.") % {"ref": observation.reference})
                return redirect(observation)
        return render(request, "observations/observation_form.html", {"form": form}, status=400)
    pending = take_draft(request, PENDING_KEY)
    if pending:
        initial = pending
        messages.info(request, _("Here is what you had typed. Check it and save."))
    else:
        # "Log another" keeps where the last one was seen (the unit and area), nothing else. The
        # unit is only an initial value: the form accepts it only if it is among the choices.
        initial = {
            "unit": request.GET.get("unit", ""),
            "area": request.GET.get("area", "")[:200],
            "action_due_date": services.default_follow_up_due(),
        }
    form = ObservationForm(initial=initial, units=units)
    return render(request, "observations/observation_form.html", {"form": form})


@capability_required("observations.view")
def observation_detail(request, pk):
    observation = get_object_or_404(selectors.observation_list_for_user(request.user).prefetch_related("photos"), pk=pk)
    actions = actions_of(observation)
    log_another = None
    if observation.observer_id == request.user.pk and can(request.user, "observations.log"):
        keep = {"unit": observation.unit_id, **({"area": observation.area} if observation.area else {})}
        log_another = f"{reverse('observations:create')}?{urlencode(keep)}"
    return render(
        request,
        "observations/observation_detail.html",
        {"observation": observation, "actions": actions, "log_another_url": log_another},
    )


@capability_required("observations.view")
def photo(request, pk):
    """Photos are served only to those who may see the observation."""
    picture = get_object_or_404(
        ObservationPhoto.objects.filter(observation__in=selectors.observation_list_for_user(request.user)), pk=pk
    )
    # Shown inline in the detail page's <img> (raster pictures only; see uploads.file_response).
    return uploads.file_response(
        picture.image, filename=f"observation-{picture.observation_id}-photo-{picture.pk}", inline_pictures=True
    )


@capability_required("observations.view")
def observation_stats(request):
    """Proactive figures of the observations in the user's units over a period (the last 3, 6 or
    12 months, `?months=`): totals, feedback given, safe and unsafe month by month on one scale;
    and the observers of the current month against the monthly target."""
    today = timezone.localdate()
    visible = selectors.observation_list_for_user(request.user)
    month = today.replace(day=1)
    period, period_form, valid = period_from(request.GET)
    counts = selectors.monthly_counts_for_user(request.user)
    trend = selectors.counts_trend(counts, last_month=month, months=period)
    chart = charts.stacked_or_paired_bars_svg(
        [(date_format(row["month"], "CHART_MONTH_FORMAT"), row["safe"], row["unsafe"]) for row in trend],
        names=(_("Safe"), _("Unsafe")),
        title=_("Safe and unsafe observations, month by month"),
    )
    return render(
        request,
        "observations/observation_stats.html",
        {
            "month": month,
            "period": period,
            "period_form": period_form,
            "period_first": trend[0]["month"],
            "observers": selectors.observer_monthly_counts(visible, month=month),
            "summary": selectors.period_figures(counts, first=trend[0]["month"], last=month),
            "trend": trend,
            "chart": chart,
        },
        status=200 if valid else 400,
    )
