"""The list filters of internships and signals, for the pages and the API alike (see
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

from .models import SIGNAL_ANSWER_DAYS, Internship, Signal


def _units(request):
    return unit_list_for_user(request.user) if request is not None else StructuralUnit.objects.none()


class InternshipFilterSet(PortalFilterSet):
    q = SearchFilter(label=_("Unit, specialist or host"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Internship.Status.choices, empty_label=_("Any status")
    )
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units, empty_label=_("All units"))
    mine = YesNoFilter(label=_("Mine only"))

    layout = {"q": "col-md-4", "status": "col-6 col-md-3", "unit": "col-6 col-md-3", "mine": "col-6 col-md-2"}

    class Meta:
        model = Internship
        fields: list[str] = []

    def filter_with(self, queryset, **values):
        text = values.get("q", "").strip()
        if text:
            queryset = queryset.filter(
                Q(unit__name__icontains=text)
                | Q(host_foreman__full_name__icontains=text)
                | Q(specialist__last_name__icontains=text)
                | Q(specialist__first_name__icontains=text)
            )
        for name in ("status", "unit"):
            if name in values:
                queryset = queryset.filter(**{name: values[name]})
        if values.get("mine") is not None and self.request is not None:
            mine = Q(specialist=self.request.user)
            queryset = queryset.filter(mine) if values["mine"] else queryset.exclude(mine)
        return queryset


class SignalFilterSet(PortalFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Signal.Kind.choices, empty_label=_("Any kind"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Signal.Status.choices, empty_label=_("Any status"))
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units, empty_label=_("All units"))
    overdue = YesNoFilter(label=_("Unanswered for more than 14 days"))

    class Meta:
        model = Signal
        fields: list[str] = []

    def filter_with(self, queryset, **values):
        for name in ("kind", "status", "unit"):
            if name in values:
                queryset = queryset.filter(**{name: values[name]})
        if values.get("overdue") is not None:
            # Overdue: not answered and recorded more than 14 days ago (Signal.is_overdue).
            limit = timezone.localdate() - timedelta(days=SIGNAL_ANSWER_DAYS)
            overdue = ~Q(status=Signal.Status.ANSWERED) & Q(recorded_on__lt=limit)
            queryset = queryset.filter(overdue) if values["overdue"] else queryset.exclude(overdue)
        return queryset
