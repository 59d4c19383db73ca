"""API endpoints of contractors and passes: api_urls registers each (prefix, viewset, basename) in
ROUTES.

The same services, selectors, filters and capabilities as the pages, so the same rules: companies
and workers are enterprise-wide, work orders are scoped by their unit and passes by their zones (an
outsider gets 404); a role without the step's capability gets 403 before its input is read; a rule
broken answers 400 with the field's error; a step the record's status no longer allows (someone
else was first) answers 409.

Turnstiles POST the presented number to gate-checks/: the answer is decided at that moment from the
pass, its company, its work order and its holder's documents (apps.contractors.gate), every reason
listed, and the check is recorded."""

from contextlib import contextmanager

import django_filters
from django.db import IntegrityError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from apps.accounts.access import can, unit_ids_in_scope, unit_in_scope
from apps.accounts.models import User
from apps.common.api import PortalModelSerializer
from apps.common.errors import StateConflict
from apps.common.fields import RecordDateSerializerField
from apps.common.filters import PortalFilterSet, SearchFilter
from apps.org.filters import YesNoFilter
from apps.org.models import StructuralUnit

from . import gate, selectors, services
from .filters import AccessPassFilterSet, CompanyFilterSet, WorkOrderFilterSet
from .models import (
    AccessPass,
    CompanyDocument,
    ContractorCompany,
    ContractorWorker,
    GateCheck,
    Sanction,
    WorkerDocument,
    WorkOrder,
)

REASON_MAX_LENGTH = services.REASON_MAX_LENGTH

CONFLICT = OpenApiResponse(
    description='The record\'s status no longer allows this step (someone changed it first): `{"detail": "…", '
    '"code": "state_conflict"}`; or the pass changed since the `version` sent was read: `{"detail": "…", '
    '"code": "version_conflict", "version": ["…"], "current_version": 4}`. Reload and decide again.'
)
REFUSED = OpenApiResponse(description="Malformed input or a rule refuses it: the field errors.")
FORBIDDEN = OpenApiResponse(description="Your role may not do this.")


def _write(ok_status, serializer):
    return extend_schema(responses={ok_status: serializer, 400: REFUSED, 403: FORBIDDEN, 409: CONFLICT})


@contextmanager
def _first_one_wins():
    """Two requests saving the same unique number at once both pass the uniqueness check; the
    database refuses the second. That is a lost race (409), not a server error."""
    try:
        yield
    except IntegrityError:
        raise StateConflict(
            _("Someone saved a record with the same number a moment ago. Reload and try again."),
            code="state_conflict",
        ) from None


def _reason_field(**kwargs):
    # Whether a reason is required is the service's rule (the same for the page); its length is
    # checked here as well, so a 10,000-character reason is a field error before anything is read.
    return serializers.CharField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH, **kwargs)


def _version_field():
    return serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text="The pass's `version` as read: the step is refused (409, `version_conflict`) when the pass "
        "changed since. Leave it out to skip the check.",
    )  # fmt: skip


class ReasonSerializer(serializers.Serializer):
    """The input of a pass's status step (only those: the services take its `version`)."""

    reason = _reason_field(help_text="Why: kept with the change in the pass's history.")
    version = _version_field()


@extend_schema_field(OpenApiTypes.INT)
class ScopedField(serializers.PrimaryKeyRelatedField):
    """A record chosen by id among those the signed-in user may read (any other id: invalid)."""

    def __init__(self, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(self.context["request"].user)


def _responsible_choices():
    """Who may answer for a work order on our side: active users with a role."""
    return User.objects.filter(is_active=True).exclude(role="").order_by("last_name", "first_name", "pk")


def _user_name(user) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


# --- Companies ---------------------------------------------------------------------------------


class CompanyDocumentSerializer(PortalModelSerializer):
    valid_until = RecordDateSerializerField()

    class Meta:
        model = CompanyDocument
        fields = ["id", "kind", "number", "valid_until"]


class CompanySerializer(PortalModelSerializer):
    documents = CompanyDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = ContractorCompany
        fields = [
            "id", "name", "tax_number", "status", "status_reason", "contact_name", "contact_phone", "contact_email",
            "notes", "created_at", "documents",
        ]  # fmt: skip
        read_only_fields = ["status", "status_reason", "created_at"]


class CompanyStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ContractorCompany.Status.choices)
    reason = _reason_field(help_text="Why: required for every change of status.")


@extend_schema_view(create=_write(201, CompanySerializer))
class CompanyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Contractor companies (enterprise-wide), with their documents. POST registers one; status/
    approves, suspends or bans it (with a reason): a suspended or banned company's passes are
    refused at every gate at once. documents/ adds a document (insurance, licence, permit)."""

    capabilities = {"GET": "contractors.view", "POST": "contractors.manage_companies"}
    serializer_class = CompanySerializer
    filterset_class = CompanyFilterSet
    queryset = ContractorCompany.objects.none()

    def get_serializer_class(self):
        return {"status_": CompanyStatusSerializer, "documents": CompanyDocumentSerializer}.get(
            self.action, CompanySerializer
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.company_list_for_user(self.request.user).prefetch_related("documents")

    def filter_queryset(self, queryset):
        # The list's parameters filter the list only; one company is found by its id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        with _first_one_wins():
            serializer.instance = services.company_create(actor=self.request.user, **serializer.validated_data)

    def _answer(self, company, code=status.HTTP_200_OK):
        company = self.get_queryset().get(pk=company.pk)
        return Response(CompanySerializer(company, context=self.get_serializer_context()).data, status=code)

    @_write(200, CompanySerializer)
    @route(detail=True, methods=["post"], url_path="status", url_name="status")
    def status_(self, request, pk=None):
        company = self.get_object()
        data = _valid(self, request)
        services.company_set_status(actor=request.user, company=company, status=data["status"], reason=data["reason"])
        return self._answer(company)

    @_write(201, CompanySerializer)
    @route(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        company = self.get_object()
        data = _valid(self, request)
        services.company_document_add(actor=request.user, company=company, **data)
        return self._answer(company, status.HTTP_201_CREATED)


# --- Workers -----------------------------------------------------------------------------------


class WorkerFilterSet(PortalFilterSet):
    q = SearchFilter(label=_("Name"), help_text=_("Part of the worker's name."))
    company = django_filters.ModelChoiceFilter(
        label=_("Company"), queryset=ContractorCompany.objects.order_by("name", "id"), empty_label=_("Any company")
    )

    class Meta:
        model = ContractorWorker
        fields: list[str] = []

    def filter_with(self, queryset, **values):
        text = values.get("q", "").strip()
        if text:
            queryset = queryset.filter(full_name__icontains=text)
        if "company" in values:
            queryset = queryset.filter(company=values["company"])
        return queryset


class WorkerDocumentSerializer(PortalModelSerializer):
    valid_until = RecordDateSerializerField()

    class Meta:
        model = WorkerDocument
        fields = ["id", "kind", "number", "valid_until"]


class WorkerSerializer(PortalModelSerializer):
    company = serializers.PrimaryKeyRelatedField(queryset=ContractorCompany.objects.all())
    company_name = serializers.CharField(source="company.name", read_only=True)
    documents = WorkerDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = ContractorWorker
        fields = ["id", "company", "company_name", "full_name", "job_title", "is_active", "documents"]
        read_only_fields = ["is_active"]


@extend_schema_view(create=_write(201, WorkerSerializer))
class WorkerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Contractor workers (enterprise-wide) with their documents; `?q=` finds a name, `?company=`
    narrows to one company. documents/ adds a document: the newest of a kind is the one the gate
    reads (medical clearance and site induction are required to enter)."""

    capabilities = {"GET": "contractors.view", "POST": "contractors.manage_workers"}
    filterset_class = WorkerFilterSet
    queryset = ContractorWorker.objects.none()

    def get_serializer_class(self):
        return WorkerDocumentSerializer if self.action == "documents" else WorkerSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.worker_list_for_user(self.request.user).prefetch_related("documents")

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        serializer.instance = services.worker_create(actor=self.request.user, **serializer.validated_data)

    @_write(201, WorkerSerializer)
    @route(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        worker = self.get_object()
        data = _valid(self, request)
        services.worker_document_add(actor=request.user, worker=worker, **data)
        worker = self.get_queryset().get(pk=worker.pk)
        return Response(WorkerSerializer(worker, context=self.get_serializer_context()).data, status=201)


# --- Work orders -------------------------------------------------------------------------------


class WorkOrderSerializer(PortalModelSerializer):
    company = serializers.PrimaryKeyRelatedField(queryset=ContractorCompany.objects.all())
    company_name = serializers.CharField(source="company.name", read_only=True)
    unit = serializers.PrimaryKeyRelatedField(queryset=StructuralUnit.objects.all())
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    responsible = serializers.PrimaryKeyRelatedField(queryset=_responsible_choices())
    responsible_name = serializers.SerializerMethodField()
    starts_on = RecordDateSerializerField()
    ends_on = RecordDateSerializerField()

    class Meta:
        model = WorkOrder
        fields = [
            "id", "number", "title", "company", "company_name", "unit", "unit_name", "location", "starts_on",
            "ends_on", "responsible", "responsible_name", "is_high_hazard", "status", "stop_reason", "hours_on_site",
        ]  # fmt: skip
        read_only_fields = ["status", "stop_reason", "hours_on_site"]

    def get_responsible_name(self, order) -> str:
        return _user_name(order.responsible)

    def validate_unit(self, unit):
        if not unit_in_scope(self.context["request"].user, unit):
            raise serializers.ValidationError(_("Unknown unit."))
        return unit

    def validate(self, data):
        if data["ends_on"] < data["starts_on"]:
            raise serializers.ValidationError({"ends_on": _("The work cannot end before it starts.")})
        return data


class WorkOrderStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=list(services.WORK_ORDER_STEPS))
    reason = _reason_field(help_text="Why: required to stop and to resume.")


@extend_schema_view(create=_write(201, WorkOrderSerializer))
class WorkOrderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Work orders of the units you see, filtered as on the list page. POST opens one (HSE roles,
    an approved company, a unit in your scope); step/ starts, stops, resumes or finishes it. A
    stopped order refuses its passes at the gate until it is resumed."""

    capabilities = {"GET": "contractors.view", "POST": "contractors.manage_work_orders"}
    filterset_class = WorkOrderFilterSet
    queryset = WorkOrder.objects.none()

    def get_serializer_class(self):
        return WorkOrderStepSerializer if self.action == "step" else WorkOrderSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.work_order_list_for_user(self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        with _first_one_wins():
            serializer.instance = services.work_order_create(actor=self.request.user, **serializer.validated_data)

    @_write(200, WorkOrderSerializer)
    @route(detail=True, methods=["post"])
    def step(self, request, pk=None):
        order = self.get_object()
        data = _valid(self, request)
        services.work_order_step(actor=request.user, order=order, step=data["step"], reason=data["reason"])
        order = self.get_queryset().get(pk=order.pk)
        return Response(WorkOrderSerializer(order, context=self.get_serializer_context()).data)


# --- Access passes -----------------------------------------------------------------------------


class ZoneSerializer(PortalModelSerializer):
    class Meta:
        model = StructuralUnit
        fields = ["id", "code", "name"]


class RefusalSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for turnstiles: unknown_number, pass_blocked, company_suspended, …")
    message = serializers.CharField(help_text="What to tell the guard, in the reader's language.")


def _refusals(reasons) -> list[dict]:
    return [{"code": reason["code"], "message": gate.describe(reason)} for reason in reasons]


class GateNowSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    reasons = RefusalSerializer(many=True)


def _with_gate(passes):
    """Passes with what their row and the gate's answer read, for a whole page at once: zones, the
    holders' documents, the sanctions in force and what the checks of other apps read."""
    in_force = Sanction.objects.filter(status=Sanction.Status.IN_FORCE)
    return passes.prefetch_related(
        "zones",
        "holder__documents",
        Prefetch("sanctions", queryset=in_force, to_attr="sanctions_in_force"),
        *gate.check_prefetches(),
    )


class AccessPassSerializer(PortalModelSerializer):
    holder_name = serializers.CharField(source="holder.full_name", read_only=True)
    company_name = serializers.CharField(source="company.name", read_only=True)
    work_order_number = serializers.CharField(source="work_order.number", read_only=True, allow_null=True)
    zones = ZoneSerializer(many=True, read_only=True)
    gate = serializers.SerializerMethodField(help_text="Would the gate let the holder in now, and if not, why.")

    class Meta:
        model = AccessPass
        fields = [
            "id", "number", "holder", "holder_name", "company", "company_name", "work_order", "work_order_number",
            "zones", "valid_from", "valid_until", "status", "status_reason", "status_changed_at", "issued_by",
            "issued_at", "version", "gate",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(GateNowSerializer)
    def get_gate(self, access_pass) -> dict:
        today = self.context.setdefault("today", timezone.localdate())
        documents = list(access_pass.holder.documents.all())
        sanctions = getattr(access_pass, "sanctions_in_force", None)  # None: the gate reads them
        memo = self.context.setdefault("gate_memo", {})
        refusals = gate.refusals_for(access_pass, today=today, documents=documents, sanctions=sanctions, memo=memo)
        decision = gate.Decision(access_pass, refusals)
        return {"allowed": decision.allowed, "reasons": _refusals(r.as_dict() for r in decision.refusals)}


class AccessPassIssueSerializer(serializers.Serializer):
    holder = ScopedField(selectors.worker_list_for_user)
    zones = serializers.PrimaryKeyRelatedField(
        many=True, queryset=StructuralUnit.objects.all(), help_text="The units the pass opens (in your scope)."
    )
    valid_from = RecordDateSerializerField()
    valid_until = RecordDateSerializerField(help_text="At most a year after valid_from, never beyond the work order.")
    work_order = ScopedField(selectors.work_order_list_for_user, required=False, allow_null=True, default=None)
    number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20,
        help_text="Printed on the card (like P-000123); the next free number when left out.",
    )  # fmt: skip


class ExtendSerializer(serializers.Serializer):
    valid_until = RecordDateSerializerField(help_text="A later end date: at most a year from today.")
    reason = _reason_field()
    version = _version_field()


class HistoryEntrySerializer(serializers.Serializer):
    action = serializers.CharField(help_text="contractors.pass.issued, .blocked, .extended, …")
    label = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")
    by = serializers.CharField(source="actor_name", help_text="Who; “system” for the daily expiry run.")
    reason = serializers.CharField()
    before = serializers.SerializerMethodField(help_text="The pass's status before the change.")
    after = serializers.SerializerMethodField(help_text="The pass's status after the change.")
    valid_until = serializers.SerializerMethodField(help_text="[before, after] when the end date moved.")

    def _status(self, entry):
        change = (entry.data or {}).get("status")
        return change if isinstance(change, list) and len(change) == 2 else [None, None]

    def get_before(self, entry) -> str | None:
        return self._status(entry)[0]

    def get_after(self, entry) -> str | None:
        return self._status(entry)[1]

    @extend_schema_field({"type": "array", "items": {"type": "string", "format": "date", "nullable": True}})
    def get_valid_until(self, entry):
        return (entry.data or {}).get("valid_until")


def _pass_step(service, serializer_class=ReasonSerializer, capability=None):
    """A status step of a pass, named after its service: the capability it needs (checked before
    its input is read; by default the viewset's, `passes.issue`), its input, the service."""

    def step(self, request, pk=None):
        access_pass = self.get_object()
        data = _valid(self, request)
        service(actor=request.user, access_pass=access_pass, **data)
        return self._answer(access_pass)

    step.__name__ = service.__name__.removeprefix("pass_")  # the URL and the action's name
    step.__doc__ = service.__doc__
    extra = {"capabilities": {"POST": capability}} if capability else {}
    step = route(detail=True, methods=["post"], serializer_class=serializer_class, **extra)(step)
    return _write(200, AccessPassSerializer)(step)


@extend_schema_view(create=_write(201, AccessPassSerializer))
class AccessPassViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Access passes opening one of the units you see, filtered as on the pass office's list, each
    with the gate's answer now (`gate`: allowed, and every reason not). POST issues one (the pass
    office); extend/, suspend/, reinstate/ and revoke/ are the pass office's, block/ also the HSE
    function's, unblock/ the pass office's or the HSE head's. history/ lists every status change:
    who, when, why, before and after."""

    capabilities = {"GET": "passes.view", "POST": "passes.issue"}
    filterset_class = AccessPassFilterSet
    queryset = AccessPass.objects.none()

    def get_serializer_class(self):
        if self.action == "create":
            return AccessPassIssueSerializer
        if self.action == "history":
            return HistoryEntrySerializer
        return getattr(self, "serializer_class", None) or AccessPassSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        passes = selectors.pass_list_for_user(self.request.user)
        # A step or the history finds the pass only; what the answer shows is read by _answer.
        return _with_gate(passes) if self.action in ("list", "retrieve") else passes

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _answer(self, access_pass, code=status.HTTP_200_OK):
        access_pass = _with_gate(selectors.pass_list_for_user(self.request.user)).get(pk=access_pass.pk)
        return Response(AccessPassSerializer(access_pass, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = _valid(self, request)
        with _first_one_wins():
            access_pass = services.pass_issue(actor=request.user, **data)
        return self._answer(access_pass, status.HTTP_201_CREATED)

    extend = _pass_step(services.pass_extend, ExtendSerializer)
    suspend = _pass_step(services.pass_suspend)
    reinstate = _pass_step(services.pass_reinstate)
    block = _pass_step(services.pass_block, capability="passes.block")
    unblock = _pass_step(services.pass_unblock, capability="passes.unblock")
    revoke = _pass_step(services.pass_revoke)

    @extend_schema(
        responses={200: HistoryEntrySerializer(many=True)},
        description="Every change of the pass, newest first: who, when, why, the status before and after "
        "(and the end date's, when it moved).",
    )
    @route(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        access_pass = self.get_object()
        entries = selectors.pass_history(access_pass)
        return Response(HistoryEntrySerializer(entries, many=True).data)


# --- Gate checks -------------------------------------------------------------------------------


def _checks_for(user):
    """Checks of the passes the user may read; enterprise-wide roles also see unknown numbers."""
    if not can(user, "passes.view"):
        return GateCheck.objects.none()
    checks = GateCheck.objects.select_related("access_pass__holder", "access_pass__company", "checked_by")
    if unit_ids_in_scope(user) is not None:
        checks = checks.filter(access_pass__in=selectors.pass_list_for_user(user).values("pk"))
    return checks.order_by("-checked_at", "-id")


def _passes(request):
    return selectors.pass_list_for_user(request.user) if request is not None else AccessPass.objects.none()


class GateCheckFilterSet(PortalFilterSet):
    allowed = YesNoFilter(label=_("Let in"))

    class Meta:
        model = GateCheck
        fields: list[str] = []

    @classmethod
    def get_filters(cls):
        # `pass` is the parameter's name, and a Python keyword: it cannot be a class attribute.
        passes = django_filters.ModelChoiceFilter(field_name="access_pass", label=_("Pass"), queryset=_passes)
        return {"pass": passes, **super().get_filters()}


class PresentedPassSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40, help_text="As scanned from the card's QR code or typed.")
    checkpoint = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Which gate or turnstile."
    )


class GateAnswerSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    number = serializers.CharField(help_text="The number presented.")
    reasons = RefusalSerializer(many=True, help_text="Every reason to refuse (none when allowed).")
    holder = serializers.CharField(allow_null=True, help_text="The holder's name; null for an unknown number.")
    company = serializers.CharField(allow_null=True, help_text="The holder's company; null for an unknown number.")
    check = serializers.IntegerField(help_text="The id of the recorded check.")
    checked_at = serializers.DateTimeField()


class GateCheckSerializer(PortalModelSerializer):
    number = serializers.CharField(source="number_presented", read_only=True)
    holder = serializers.CharField(source="access_pass.holder.full_name", read_only=True, allow_null=True)
    company = serializers.CharField(source="access_pass.company.name", read_only=True, allow_null=True)
    checked_by = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = GateCheck
        fields = ["id", "access_pass", "number", "holder", "company", "checked_at", "checked_by", "checkpoint",
                  "allowed", "reasons"]  # fmt: skip
        read_only_fields = fields

    def get_checked_by(self, check) -> str:
        return _user_name(check.checked_by)

    @extend_schema_field(RefusalSerializer(many=True))
    def get_reasons(self, check):
        return _refusals(check.reasons or [])


@extend_schema_view(
    create=extend_schema(
        request=PresentedPassSerializer,
        responses={200: GateAnswerSerializer, 400: REFUSED, 403: FORBIDDEN},
        description="Check a pass at a gate now and record the check. An unknown number is answered (not "
        "allowed, `unknown_number`) and recorded too.",
    )
)
class GateCheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Gate checks, newest first: `?pass=` one pass's, `?allowed=false` the refusals. POST checks a
    pass now (the guards' and turnstiles' endpoint): a role that may not check gets 403 and learns
    nothing about the number."""

    capabilities = {"GET": "passes.view", "POST": "passes.check"}
    serializer_class = GateCheckSerializer
    filterset_class = GateCheckFilterSet
    queryset = GateCheck.objects.none()

    def get_serializer_class(self):
        return PresentedPassSerializer if self.action == "create" else GateCheckSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return _checks_for(self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def create(self, request, *args, **kwargs):
        data = _valid(self, request)
        check, decision = services.gate_check(actor=request.user, number=data["number"], checkpoint=data["checkpoint"])
        holder = decision.access_pass.holder if decision.access_pass else None
        answer = {
            "allowed": decision.allowed,
            "number": check.number_presented,
            "reasons": _refusals(check.reasons),
            "holder": holder.full_name if holder else None,
            "company": decision.access_pass.company.name if decision.access_pass else None,
            "check": check.pk,
            "checked_at": check.checked_at,
        }
        return Response(GateAnswerSerializer(answer).data, status=status.HTTP_200_OK)


def _valid(view, request) -> dict:
    serializer = view.get_serializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


ROUTES: list = [
    ("contractor-companies", CompanyViewSet, "contractor-company"),
    ("contractor-workers", WorkerViewSet, "contractor-worker"),
    ("work-orders", WorkOrderViewSet, "work-order"),
    ("access-passes", AccessPassViewSet, "access-pass"),
    ("gate-checks", GateCheckViewSet, "gate-check"),
]
