from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from apps.accounts.access import unit_in_scope
from apps.common.api import PortalModelSerializer

from . import selectors, services
from .filters import HoursWorkedFilterSet, PersonFilterSet, SiteFilterSet, UnitFilterSet
from .forms import REASON_MAX_LENGTH
from .models import HoursWorked, Person, Site, StructuralUnit


def _validate_unit_in_scope(serializer, unit):
    if not unit_in_scope(serializer.context["request"].user, unit):
        raise serializers.ValidationError(_("Unknown unit."))
    return unit


class SiteSerializer(PortalModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name", "code", "address"]


class UnitSerializer(PortalModelSerializer):
    headcount = serializers.IntegerField(read_only=True)

    class Meta:
        model = StructuralUnit
        fields = ["id", "site", "parent", "name", "code", "kind", "is_active", "headcount"]


class PersonSerializer(PortalModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "full_name", "personnel_number", "job_title", "unit", "is_foreman", "is_active"]

    def validate_unit(self, unit):
        return _validate_unit_in_scope(self, unit)


class HoursWorkedSerializer(PortalModelSerializer):
    """`month` may be any day of the month (it is stored as the first day); a month that has not
    begun and a figure above the plausibility cap (`HOURS_WORKED_MAX`) are field errors."""

    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=REASON_MAX_LENGTH)

    class Meta:
        model = HoursWorked
        fields = ["id", "unit", "month", "hours", "reason"]
        # One row per unit and month is kept by the service (an upsert), not refused here.
        validators = []

    def validate_unit(self, unit):
        return _validate_unit_in_scope(self, unit)


class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SiteSerializer
    filterset_class = SiteFilterSet
    capabilities = {"GET": "org.view"}

    def get_queryset(self):
        return selectors.site_list_for_user(self.request.user)


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    capabilities = {"GET": "org.view"}

    def get_queryset(self):
        return selectors.unit_list_for_user(self.request.user)


class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People on the units' rolls. People leave the roll (is_active=false); they are not deleted."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    capabilities = {"GET": "org.view", "POST": "org.manage", "PUT": "org.manage", "PATCH": "org.manage"}

    def get_queryset(self):
        return selectors.person_list_for_user(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.person_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.person_update(
            actor=self.request.user, person=serializer.instance, **serializer.validated_data
        )


class HoursWorkedViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Monthly hours worked per unit. POST sets the figure for (unit, month), replacing any earlier one."""

    serializer_class = HoursWorkedSerializer
    filterset_class = HoursWorkedFilterSet
    capabilities = {"GET": "org.view", "POST": "org.record_hours"}

    def get_queryset(self):
        return selectors.hours_worked_list_for_user(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.hours_worked_record(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)
