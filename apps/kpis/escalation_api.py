"""API endpoints of the escalations and the monthly executive reports (apps/kpis/api.py gathers
them into the app's ROUTES).

The same services and capabilities as the pages: the executive and the HSE head read; the HSE head
raises and withdraws, the executive decides. A role without the step's capability gets 403 before
its input is read; a rule broken answers 400 with the field's error; a step the escalation's status
no longer allows (someone decided or withdrew it first) answers 409."""

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from apps.common.api import PortalModelSerializer
from apps.common.fields import LONG_TEXT_MAX_LENGTH, RecordDateSerializerField
from apps.org.models import StructuralUnit

from . import escalations as services
from . import reports
from .models import Escalation, MonthlyReport
from .summary_forms import EscalationFilterSet

VIEW = "kpis.view_executive_summary"

CONFLICT = OpenApiResponse(
    description='The escalation is no longer open (someone decided or withdrew it first): `{"detail": "…", '
    '"code": "state_conflict"}`.'
)
REFUSED = OpenApiResponse(description="Malformed input or a rule refuses it: the field errors.")
FORBIDDEN = OpenApiResponse(description="Your role may not do this.")


def _write(ok_status, serializer, *, conflict=True):
    responses = {ok_status: serializer, 400: REFUSED, 403: FORBIDDEN}
    if conflict:
        responses[409] = CONFLICT
    return extend_schema(responses=responses)


def _name(user) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def _valid(view, request) -> dict:
    serializer = view.get_serializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Escalations -------------------------------------------------------------------------------------


class EscalationSerializer(PortalModelSerializer):
    option_list = serializers.SerializerMethodField(help_text="The options, one per line of `options`.")
    raised_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField(help_text="Open and past its deadline.")

    class Meta:
        model = Escalation
        fields = [
            "id", "title", "why", "options", "option_list", "deadline", "unit", "status", "is_overdue",
            "raised_by", "raised_at", "decision", "comment", "decided_by", "decided_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_option_list(self, escalation) -> list[str]:
        return services.option_lines(escalation)

    def get_raised_by(self, escalation) -> str | None:
        return _name(escalation.raised_by)

    def get_decided_by(self, escalation) -> str | None:
        return _name(escalation.decided_by)

    def get_is_overdue(self, escalation) -> bool:
        return escalation.is_overdue(timezone.localdate())


class EscalationRaiseSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=Escalation._meta.get_field("title").max_length)
    why = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH)
    options = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, help_text="One option per line.")
    deadline = RecordDateSerializerField(help_text="The decision is needed by this day (today at the earliest).")
    unit = serializers.PrimaryKeyRelatedField(
        queryset=StructuralUnit.objects.all(), required=False, allow_null=True, default=None,
        help_text="The unit it concerns, if one.",
    )  # fmt: skip


class EscalationDecideSerializer(serializers.Serializer):
    decision = serializers.CharField(
        max_length=services.DECISION_MAX_LENGTH, help_text="One of the options, or another."
    )
    comment = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")


class EscalationWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.REASON_MAX_LENGTH)


@extend_schema_view(create=_write(201, EscalationSerializer, conflict=False))
class EscalationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Escalations the HSE head puts to the executive for a decision (newest first; `?status=`).
    POST raises one (the HSE head; every executive is told); decide/ records the executive's
    decision and comment (the head is told), withdraw/ takes it back (the head, with the reason)."""

    capabilities = {"GET": VIEW, "POST": "kpis.raise_escalations"}
    serializer_class = EscalationSerializer
    filterset_class = EscalationFilterSet
    queryset = Escalation.objects.none()

    def get_serializer_class(self):
        return {
            "create": EscalationRaiseSerializer,
            "decide": EscalationDecideSerializer,
            "withdraw": EscalationWithdrawSerializer,
        }.get(self.action, EscalationSerializer)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return Escalation.objects.select_related("raised_by", "decided_by").order_by("-raised_at", "-id")

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _answer(self, escalation, code=status.HTTP_200_OK):
        escalation = self.get_queryset().get(pk=escalation.pk)
        return Response(EscalationSerializer(escalation, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = _valid(self, request)
        escalation = services.escalation_raise(actor=request.user, **data)
        return self._answer(escalation, status.HTTP_201_CREATED)

    @_write(200, EscalationSerializer)
    @route(detail=True, methods=["post"], capabilities={"POST": "kpis.decide_escalations"})
    def decide(self, request, pk=None):
        escalation = self.get_object()
        data = _valid(self, request)
        services.escalation_decide(actor=request.user, escalation=escalation, **data)
        return self._answer(escalation)

    @_write(200, EscalationSerializer)
    @route(detail=True, methods=["post"], capabilities={"POST": "kpis.raise_escalations"})
    def withdraw(self, request, pk=None):
        escalation = self.get_object()
        data = _valid(self, request)
        services.escalation_withdraw(actor=request.user, escalation=escalation, reason=data["reason"])
        return self._answer(escalation)


# --- Monthly reports ------------------------------------------------------------------------------


class MonthlyReportSerializer(PortalModelSerializer):
    requested_by = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField(help_text="Where the PDF downloads (when the report is done).")

    class Meta:
        model = MonthlyReport
        fields = [
            "id", "month", "status", "progress", "requested_by", "requested_at", "finished_at", "emailed_at", "error",
            "file_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_requested_by(self, report) -> str | None:
        return _name(report.requested_by)

    def get_file_url(self, report) -> str | None:
        if report.status != MonthlyReport.Status.DONE or not report.file:
            return None
        url = reverse("api:monthly-report-file", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class MonthlyReportRequestSerializer(serializers.Serializer):
    month = serializers.DateField(
        input_formats=["%Y-%m", "%Y-%m-%d"], help_text="The month (YYYY-MM, or any day of it); not after this one."
    )


@extend_schema_view(create=_write(202, MonthlyReportSerializer, conflict=False))
class MonthlyReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The monthly executive reports, newest month first, with their progress while a worker makes
    them. POST asks for one (202: queued; a report of that month already on its way is returned
    instead); file/ downloads the PDF once it is done."""

    capabilities = {"GET": VIEW, "POST": "kpis.generate_monthly_report"}
    serializer_class = MonthlyReportSerializer
    queryset = MonthlyReport.objects.none()

    def get_serializer_class(self):
        return MonthlyReportRequestSerializer if self.action == "create" else MonthlyReportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return MonthlyReport.objects.select_related("requested_by").order_by("-month", "-requested_at", "-id")

    def create(self, request, *args, **kwargs):
        data = _valid(self, request)
        report = reports.report_request(actor=request.user, month=data["month"])
        serializer = MonthlyReportSerializer(report, context=self.get_serializer_context())
        return Response(serializer.data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such report, or it is not done yet."),
        }
    )
    @route(detail=True, methods=["get"])
    def file(self, request, pk=None):
        report = self.get_object()
        if report.status != MonthlyReport.Status.DONE or not report.file:
            raise Http404
        try:
            handle = report.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=reports.report_filename(report.month))


ROUTES: list = [
    ("escalations", EscalationViewSet, "escalation"),
    ("monthly-reports", MonthlyReportViewSet, "monthly-report"),
]
