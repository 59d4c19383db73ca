"""/api/v1/ endpoints of the KPIs: their definitions, targets, values and snapshots.

- kpi-definitions: what each KPI is (from the registry, `apps.kpis.definitions`), in the request's
  language.
- kpi-targets: read by the dashboard roles (enterprise-wide and role targets, and the targets of the
  units they see); written by the HSE head (`kpis.manage_targets`) through the services, each change
  in the audit log.
- kpi-values: one KPI's monthly figures read from the snapshots (`?kpi=&unit=&person=&from=&to=`):
  a unit's figure covers the unit and the units under it; without `unit`, every unit the user sees
  (the whole enterprise for the roles that see it). A unit outside the user's scope is a field
  error (400), as is any malformed parameter.
- kpi-snapshots: the snapshot rows themselves, filterable and paginated, of the units in scope.

Values always come from the snapshot table (what the pages show), with `computed_at` saying how
fresh they are."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.accounts.access import unit_ids_in_scope
from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.common.api import PortalModelSerializer
from apps.common.dates import month_start, months_back, next_month
from apps.common.filters import PortalFilterSet, StrictBooleanFilter
from apps.org.models import StructuralUnit
from apps.org.selectors import unit_choices_for_user

from . import definitions, selectors, services
from .models import KpiSnapshot, KpiTarget

REFUSED = OpenApiResponse(description="Malformed input or a rule refuses it: the field errors.")
FORBIDDEN = OpenApiResponse(description="Your role may not do this.")
# The longest range of months one request of kpi-values may ask for.
MAX_MONTHS = 60
KPI_CHOICES = [(kpi.code, kpi.code) for kpi in definitions.KPIS]


def _month_field(**kwargs):
    return serializers.DateField(input_formats=["%Y-%m", "%Y-%m-%d"], **kwargs)


def _scoped_units(user, unit=None) -> list[int] | None:
    """The unit ids a figure covers: the unit and the units under it (within scope), or all the
    units in scope (None: every unit)."""
    scope = unit_ids_in_scope(user)
    if unit is None:
        return None if scope is None else sorted(scope)
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in StructuralUnit.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = set(), [unit.pk]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, ()))
    return sorted(found if scope is None else found & scope)


# --- Definitions -----------------------------------------------------------------------------------


class DefinitionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    explanation = serializers.CharField(help_text="What it counts, why it matters, how it is computed.")
    reads_as = serializers.CharField(help_text='How the value reads: "%", "per month", "per 200,000 h" …')
    direction = serializers.ChoiceField(choices=["up", "down"], help_text="up: higher is better; down: lower is.")
    per_person = serializers.BooleanField(help_text="Also kept per person (observer, auditor, owner, trainer …).")
    lagging = serializers.BooleanField(help_text="A lagging rate, shown for context.")
    has_denominator = serializers.BooleanField(help_text="A ratio (numerator ÷ denominator) rather than a count.")
    decimals = serializers.IntegerField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for key in ("name", "explanation", "reads_as"):
            data[key] = str(getattr(instance, key))
        return data


@extend_schema_view(
    list=extend_schema(description="Every KPI: what it counts, why it matters, how it is computed."),
    retrieve=extend_schema(description="One KPI by its code."),
)
class DefinitionViewSet(viewsets.GenericViewSet):
    capabilities = {"GET": "kpis.view_dashboard"}
    serializer_class = DefinitionSerializer
    lookup_field = "code"
    lookup_value_regex = "[a-z_]+"
    queryset = KpiTarget.objects.none()  # the registry is code; here for the schema only

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(list(definitions.KPIS))
        return self.get_paginated_response(DefinitionSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        definition = definitions.BY_CODE.get(kwargs.get("code", ""))
        if definition is None:
            raise NotFound()
        return Response(DefinitionSerializer(definition).data)


# --- Targets ---------------------------------------------------------------------------------------


class TargetFilterSet(PortalFilterSet):
    kpi = django_filters.ChoiceFilter(label=_("KPI"), choices=KPI_CHOICES)
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=StructuralUnit.objects.all())

    class Meta:
        model = KpiTarget
        fields: list[str] = []


class TargetSerializer(PortalModelSerializer):
    kpi = serializers.ChoiceField(choices=KPI_CHOICES)
    role = serializers.ChoiceField(choices=Role.choices, required=False, allow_blank=True, default="")
    unit = serializers.PrimaryKeyRelatedField(
        queryset=StructuralUnit.objects.all(), required=False, allow_null=True, default=None
    )
    valid_from = _month_field(help_text="The first month the target applies (YYYY-MM or a date in it).")
    value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    reason = serializers.CharField(max_length=services.REASON_MAX_LENGTH, allow_blank=True, required=False, default="")

    class Meta:
        model = KpiTarget
        fields = ["id", "kpi", "role", "unit", "valid_from", "value", "reason", "set_by", "set_at"]
        read_only_fields = ["set_by", "set_at"]


class TargetUpdateSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    reason = serializers.CharField(max_length=services.REASON_MAX_LENGTH, allow_blank=True, required=False, default="")


def _check_unit(user, unit) -> None:
    scope = unit_ids_in_scope(user)
    if unit is not None and scope is not None and unit.pk not in scope:
        raise serializers.ValidationError({"unit": [_("Choose a unit you see.")]})


@extend_schema_view(
    list=extend_schema(description="The targets: enterprise-wide, per role, and of the units you see."),
    create=extend_schema(
        description="Set a target from a month on (the HSE head). The same KPI, level and month again changes it.",
        responses={201: TargetSerializer, 400: REFUSED, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        request=TargetUpdateSerializer, responses={200: TargetSerializer, 400: REFUSED, 403: FORBIDDEN}
    ),
    destroy=extend_schema(
        parameters=[OpenApiParameter("reason", OpenApiTypes.STR, description="Why it is removed.")],
        responses={204: None, 403: FORBIDDEN},
    ),
)
class TargetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    capabilities = {
        "GET": "kpis.view_dashboard",
        "POST": "kpis.manage_targets",
        "PATCH": "kpis.manage_targets",
        "DELETE": "kpis.manage_targets",
    }
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet
    queryset = KpiTarget.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        targets = KpiTarget.objects.order_by("kpi", "-valid_from", "id")
        scope = unit_ids_in_scope(self.request.user)
        if scope is not None:
            targets = targets.filter(unit__isnull=True) | targets.filter(unit_id__in=scope)
        return targets

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def create(self, request, *args, **kwargs):
        serializer = TargetSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _check_unit(request.user, data.get("unit"))
        target = services.target_set(actor=request.user, **data)
        return Response(TargetSerializer(target).data, status=201)

    def partial_update(self, request, *args, **kwargs):
        target = self.get_object()
        serializer = TargetUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = services.target_set(
            actor=request.user, kpi=target.kpi, role=target.role, unit=target.unit, valid_from=target.valid_from,
            **serializer.validated_data,
        )  # fmt: skip
        return Response(TargetSerializer(target).data)

    def perform_destroy(self, instance):
        reason = self.request.query_params.get("reason", "")
        services.target_remove(actor=self.request.user, target=instance, reason=reason)


# --- Values ----------------------------------------------------------------------------------------


class ValueQuerySerializer(serializers.Serializer):
    kpi = serializers.ChoiceField(choices=KPI_CHOICES)
    unit = serializers.PrimaryKeyRelatedField(queryset=StructuralUnit.objects.all(), required=False, allow_null=True)
    person = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)

    def validate_unit(self, unit):
        scope = unit_ids_in_scope(self.context["request"].user)
        if unit is not None and scope is not None and unit.pk not in scope:
            raise serializers.ValidationError(_("Choose a unit you see."))
        return unit

    def validate(self, attrs):
        today = timezone.localdate()
        last = month_start(attrs.get("to") or today)
        first = month_start(attrs.get("from") or months_back(last, 12)[0])
        if first > last:
            raise serializers.ValidationError({"from": [_("The first month comes before the last.")]})
        months = []
        month = first
        while month <= last:
            months.append(month)
            month = next_month(month)
            if len(months) > MAX_MONTHS:
                raise serializers.ValidationError({"to": [_("At most %(n)d months at once.") % {"n": MAX_MONTHS}]})
        attrs["months"] = months
        return attrs


# "from" is a Python keyword: the month fields are declared by name.
ValueQuerySerializer._declared_fields["from"] = _month_field(required=False)
ValueQuerySerializer._declared_fields["to"] = _month_field(required=False)


class FigureSerializer(serializers.Serializer):
    month = serializers.DateField()
    value = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    numerator = serializers.DecimalField(max_digits=24, decimal_places=4)
    denominator = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)


class OneObjectSchema(AutoSchema):
    """The schema of a `list` action that answers one object (found by fuzzing the API)."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class ValueSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    unit = serializers.IntegerField(allow_null=True)
    person = serializers.IntegerField(allow_null=True)
    figures = FigureSerializer(many=True)
    computed_at = serializers.DateTimeField(allow_null=True, help_text="When the oldest row read was computed.")


def _quantised(figure: selectors.Figure) -> dict:
    def q(value):
        return None if value is None else round(value, 4)

    return {
        "month": figure.month,
        "value": q(figure.value),
        "numerator": q(figure.numerator),
        "denominator": q(figure.denominator),
    }


@extend_schema_view(
    list=extend_schema(
        description="One KPI's monthly figures from the snapshots. `kpi` (a code), `unit` (the unit and the units "
        "under it; default: every unit you see), `person` (that person's rows, for the per-person KPIs), `from` and "
        "`to` (YYYY-MM; default: the last 12 months, at most 60).",
        parameters=[
            OpenApiParameter("kpi", OpenApiTypes.STR, required=True, enum=[code for code, _label in KPI_CHOICES]),
            OpenApiParameter("unit", OpenApiTypes.INT),
            OpenApiParameter("person", OpenApiTypes.INT),
            OpenApiParameter("from", OpenApiTypes.STR, description="YYYY-MM"),
            OpenApiParameter("to", OpenApiTypes.STR, description="YYYY-MM"),
        ],
        responses={200: ValueSerializer, 400: REFUSED, 403: FORBIDDEN},
        operation_id="kpi_values_list",
    )
)
class ValueViewSet(viewsets.GenericViewSet):
    schema = OneObjectSchema()  # `list` answers one object (the series), not an array
    capabilities = {"GET": "kpis.view_dashboard"}
    serializer_class = ValueSerializer
    queryset = KpiSnapshot.objects.none()
    pagination_class = None

    def list(self, request, *args, **kwargs):
        query = ValueQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        params = query.validated_data
        unit, person = params.get("unit"), params.get("person")
        unit_ids = _scoped_units(request.user, unit)
        figures = selectors.kpi_series(
            params["kpi"], unit_ids=unit_ids, person_id=person.pk if person else None, months=params["months"]
        )
        fresh = selectors.snapshot_freshness(unit_ids=unit_ids, codes=[params["kpi"]], months=params["months"])
        data = {
            "kpi": params["kpi"],
            "unit": unit.pk if unit else None,
            "person": person.pk if person else None,
            "figures": [_quantised(figure) for figure in figures],
            "computed_at": fresh,
        }
        return Response(ValueSerializer(data).data)


# --- Snapshots -------------------------------------------------------------------------------------


class SnapshotFilterSet(PortalFilterSet):
    kpi = django_filters.ChoiceFilter(label=_("KPI"), choices=KPI_CHOICES)
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=StructuralUnit.objects.none())
    person = django_filters.NumberFilter(label=_("Person"), field_name="person_id")
    month = django_filters.DateFilter(label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"], method="filter_month")
    per_person = StrictBooleanFilter(label=_("Per-person rows"), method="filter_per_person")

    class Meta:
        model = KpiSnapshot
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["unit"].queryset = unit_choices_for_user(request.user)

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=month_start(value))

    def filter_per_person(self, queryset, name, value):
        return queryset.filter(person__isnull=not value)


class SnapshotSerializer(PortalModelSerializer):
    value = serializers.SerializerMethodField()

    class Meta:
        model = KpiSnapshot
        fields = ["id", "kpi", "month", "unit", "person", "numerator", "denominator", "value", "computed_at"]

    def get_value(self, row) -> float | None:
        value = definitions.value_of(definitions.kpi(row.kpi), row.numerator, row.denominator)
        return None if value is None else float(round(value, 4))


@extend_schema_view(
    list=extend_schema(
        description="The snapshot rows (numerator and denominator per KPI, unit, month, and person for the "
        "per-person KPIs) of the units you see; newest month first."
    )
)
class SnapshotViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    capabilities = {"GET": "kpis.view_dashboard"}
    serializer_class = SnapshotSerializer
    filterset_class = SnapshotFilterSet
    queryset = KpiSnapshot.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        rows = KpiSnapshot.objects.order_by("-month", "kpi", "unit_id", "person_id", "id")
        scope = unit_ids_in_scope(self.request.user)
        return rows if scope is None else rows.filter(unit_id__in=scope)


ROUTES: list = [
    ("kpi-definitions", DefinitionViewSet, "kpi-definition"),
    ("kpi-targets", TargetViewSet, "kpi-target"),
    ("kpi-values", ValueViewSet, "kpi-value"),
    ("kpi-snapshots", SnapshotViewSet, "kpi-snapshot"),
]
