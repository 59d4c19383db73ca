from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.access import can, capability_required, get_in_scope_or_404, require
from apps.common.charts import Bar, bar_chart_svg
from apps.common.filters import filtered_for_page
from apps.common.forms import add_service_errors
from apps.common.pagination import paginate, query_without_page

from . import selectors, services
from .filters import PersonFilterSet, UnitPageFilterSet
from .forms import HoursWorkedForm
from .models import StructuralUnit

UNITS_PER_PAGE = 100


@capability_required("org.view")
def unit_list(request):
    filterset = UnitPageFilterSet(request.GET, queryset=selectors.unit_list_for_user(request.user), request=request)
    units, status = filtered_for_page(filterset)
    tree = selectors.unit_tree(units)
    context = {
        "filter": filterset,
        "page": paginate(request, tree, per_page=UNITS_PER_PAGE),
        "query": query_without_page(request),
    }
    return render(request, "org/unit_list.html", context, status=status)


def _unit_detail_context(request, unit, hours_form=None):
    today = timezone.localdate()
    hours = selectors.unit_hours_by_month(unit, last=today.replace(day=1), count=12)
    chart = bar_chart_svg(
        [Bar(date_format(month, "CHART_MONTH_FORMAT"), value) for month, value in hours],
        title=_("Hours worked per month"),
    )
    can_record = can(request.user, "org.record_hours", unit)
    if can_record and hours_form is None:
        hours_form = HoursWorkedForm(initial={"month": today.replace(day=1)})
    people = selectors.person_list_for_user(request.user, unit_id=unit.pk).order_by("-is_foreman", "full_name")
    return {
        "unit": unit,
        "sub_units": selectors.unit_list_for_user(request.user).filter(parent=unit),
        "people_page": paginate(request, people),
        "hours": list(reversed(hours)),
        "hours_chart": chart,
        "hours_form": hours_form if can_record else None,
        # Pages of the apps above this one about the unit, reached by URL name only.
        "can_view_board": can(request.user, "internships.view_board", unit),
        "can_view_matrix": can(request.user, "trainings.view", unit),
    }


@capability_required("org.view")
def unit_detail(request, pk):
    unit = get_in_scope_or_404(
        StructuralUnit.objects.select_related("site", "parent"), request.user, unit_field="pk", pk=pk
    )
    return render(request, "org/unit_detail.html", _unit_detail_context(request, unit))


@require_POST
@capability_required("org.view")
def hours_record(request, pk):
    unit = get_in_scope_or_404(StructuralUnit.objects.select_related("site"), request.user, unit_field="pk", pk=pk)
    require(request.user, "org.record_hours", unit)
    form = HoursWorkedForm(request.POST)
    if form.is_valid():
        try:
            services.hours_worked_record(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if not form.is_valid():
        context = _unit_detail_context(request, unit, hours_form=form)
        return render(request, "org/unit_detail.html", context, status=400)
    messages.success(request, _("Hours worked saved."))
    return redirect(unit)


@capability_required("org.view")
def person_list(request):
    filterset = PersonFilterSet(request.GET, queryset=selectors.person_list_for_user(request.user), request=request)
    people, status = filtered_for_page(filterset)
    context = {"filter": filterset, "page": paginate(request, people), "query": query_without_page(request)}
    return render(request, "org/person_list.html", context, status=status)
