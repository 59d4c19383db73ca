"""The list filters of contractors and passes, for the pages and the API alike (see
apps/common/filters.py): a malformed parameter or a unit outside the user's scope is a field
error (400), never ignored."""

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common.filters import PortalFilterSet, SearchFilter
from apps.org.filters import YesNoFilter
from apps.org.models import StructuralUnit
from apps.org.selectors import unit_list_for_user

from . import selectors
from .models import AccessPass, ContractorCompany, WorkOrder

EXPIRING = "expiring"  # active and ending within the warning window


def _units(request):
    return unit_list_for_user(request.user) if request is not None else StructuralUnit.objects.none()


def _companies(request):
    return ContractorCompany.objects.order_by("name", "id")


class AccessPassFilterSet(PortalFilterSet):
    q = SearchFilter(label=_("Number, name or company"), help_text=_("A pass number's start, or part of a name."))
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*AccessPass.Status.choices, (EXPIRING, _("Expiring within a week"))],
        empty_label=_("Any status"),
    )
    company = django_filters.ModelChoiceFilter(label=_("Company"), queryset=_companies, empty_label=_("Any company"))
    zone = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=_units, empty_label=_("All units"), field_name="zones"
    )

    layout = {"q": "col-md-4", "status": "col-6 col-md-2", "company": "col-6 col-md-3", "zone": "col-6 col-md-3"}

    class Meta:
        model = AccessPass
        fields: list[str] = []

    def filter_with(self, queryset, **values):
        queryset = selectors.pass_search(queryset, values.get("q", ""))
        status = values.get("status", "")
        if status == EXPIRING:
            today = timezone.localdate()
            queryset = queryset.filter(
                status=AccessPass.Status.ACTIVE,
                valid_until__gte=today,
                valid_until__lte=today + timedelta(days=selectors.EXPIRY_WARNING_DAYS),
            )
        elif status:
            queryset = queryset.filter(status=status)
        if "company" in values:
            queryset = queryset.filter(company=values["company"])
        if "zone" in values:
            queryset = queryset.filter(zones=values["zone"])  # one zone: no duplicate rows
        return queryset


class WorkOrderFilterSet(PortalFilterSet):
    q = SearchFilter(label=_("Number or work"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=WorkOrder.Status.choices, empty_label=_("Any status")
    )
    company = django_filters.ModelChoiceFilter(label=_("Company"), queryset=_companies, empty_label=_("Any company"))
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units, empty_label=_("All units"))
    high_hazard = YesNoFilter(label=_("High-hazard work only"))

    layout = {"q": "col-md-4"}

    class Meta:
        model = WorkOrder
        fields: list[str] = []

    def filter_with(self, queryset, **values):
        text = values.get("q", "").strip()
        if text:
            queryset = queryset.filter(Q(number__istartswith=text) | Q(title__icontains=text))
        for name in ("status", "company", "unit"):
            if name in values:
                queryset = queryset.filter(**{name: values[name]})
        if values.get("high_hazard") is not None:
            queryset = queryset.filter(is_high_hazard=values["high_hazard"])
        return queryset


class CompanyFilterSet(PortalFilterSet):
    q = SearchFilter(label=_("Name or tax number"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ContractorCompany.Status.choices, empty_label=_("Any status")
    )

    layout = {"q": "col-md-6"}

    class Meta:
        model = ContractorCompany
        fields: list[str] = []

    def filter_with(self, queryset, **values):
        text = values.get("q", "").strip()
        if text:
            queryset = queryset.filter(Q(name__icontains=text) | Q(tax_number__startswith=text))
        if values.get("status"):
            queryset = queryset.filter(status=values["status"])
        return queryset
