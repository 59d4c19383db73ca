"""API endpoints of this app: api_urls registers each (prefix, viewset, basename) in ROUTES.

A mobile client plans audits, starts one from the plan, answers its items one by one (a photo
as multipart), and completes it; the same services and rules as the pages apply."""

from django import forms
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action as route
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from apps.accounts.access import unit_in_scope
from apps.actions.models import Action
from apps.actions.selectors import owner_choices
from apps.common.api import PortalModelSerializer
from apps.common.fields import INTEGER_MAX, LONG_TEXT_MAX_LENGTH, RecordDateSerializerField
from apps.org.models import StructuralUnit

from . import rules, selectors, services
from .filters import AuditApiFilterSet, ChecklistTemplateFilterSet, PlanEntryFilterSet
from .forms import MonthField
from .models import (
    ITEM_TEXT_MAX_LENGTH,
    SECTION_MAX_LENGTH,
    WEIGHT_MAX,
    WEIGHT_MIN,
    Audit,
    AuditAnswer,
    AuditPlanEntry,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateVersion,
)

# Ids sent by a client: never beyond what the id columns hold.
BIGINT_MAX = 2**63 - 1


class AuditConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the step is no longer possible, e.g. “already completed”.")
    code = serializers.CharField(help_text="state_conflict")


CONFLICT = OpenApiResponse(
    AuditConflictSerializer,
    description="The record's state no longer allows this step (someone else did it first).",
)


class ChecklistItemSerializer(PortalModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "order", "section", "text", "guidance", "weight"]


class ChecklistTemplateSerializer(PortalModelSerializer):
    current_version = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "name", "code", "description", "is_active", "current_version", "items"]

    def _current(self, template):
        versions = template.versions.all()  # prefetched, newest first
        return versions[0] if versions else None

    def get_current_version(self, template) -> int | None:
        current = self._current(template)
        return current.number if current else None

    def get_items(self, template) -> list[dict]:
        current = self._current(template)
        return ChecklistItemSerializer(current.items.all(), many=True).data if current else []


class ChecklistItemInputSerializer(serializers.Serializer):
    section = serializers.CharField(max_length=SECTION_MAX_LENGTH, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=ITEM_TEXT_MAX_LENGTH)
    guidance = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    weight = serializers.IntegerField(min_value=WEIGHT_MIN, max_value=WEIGHT_MAX, required=False, default=WEIGHT_MIN)


def _items_field():
    return ChecklistItemInputSerializer(
        many=True,
        min_length=1,
        max_length=rules.ITEMS_MAX,
        help_text=_("The full list of items, in order (errors are listed at the item's position)."),
    )


class ChecklistTemplateCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=ChecklistTemplate._meta.get_field("name").max_length)
    code = serializers.SlugField(max_length=ChecklistTemplate._meta.get_field("code").max_length)
    description = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    items = _items_field()


class ChecklistVersionInputSerializer(serializers.Serializer):
    items = _items_field()
    notes = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    based_on = serializers.IntegerField(
        min_value=0,
        max_value=INTEGER_MAX,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The version the new one was edited from: refused (409) when another was published since."),
    )


@extend_schema_view(
    create=extend_schema(
        request=ChecklistTemplateCreateSerializer, responses={201: ChecklistTemplateSerializer, 409: CONFLICT}
    ),
)
class ChecklistTemplateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Checklist templates with the items of their current version. POST creates one with its
    first version (HSE head); POST versions/ publishes a new version. Filter: active."""

    capabilities = {"GET": "audits.view", "POST": "audits.manage_templates"}
    serializer_class = ChecklistTemplateSerializer
    filterset_class = ChecklistTemplateFilterSet
    queryset = ChecklistTemplate.objects.none()

    def get_serializer_class(self):
        return {
            "create": ChecklistTemplateCreateSerializer,
            "versions": ChecklistVersionInputSerializer,
        }.get(self.action, ChecklistTemplateSerializer)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        versions = ChecklistTemplateVersion.objects.order_by("-number").prefetch_related(
            Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "id"))
        )
        return ChecklistTemplate.objects.prefetch_related(Prefetch("versions", queryset=versions)).order_by("name")

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _shown(self, template, status):
        template = self.get_queryset().get(pk=template.pk)
        return Response(
            ChecklistTemplateSerializer(template, context=self.get_serializer_context()).data, status=status
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = services.template_create(actor=request.user, **serializer.validated_data)
        return self._shown(template, 201)

    @extend_schema(request=ChecklistVersionInputSerializer, responses={201: ChecklistTemplateSerializer, 409: CONFLICT})
    @route(detail=True, methods=["post"])
    def versions(self, request, pk=None):
        template = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.template_publish_new_version(actor=request.user, template=template, **serializer.validated_data)
        return self._shown(template, 201)


class MonthSerializerField(serializers.DateField):
    """A month as YYYY-MM or any date in it; stored as its first day."""

    def to_internal_value(self, value):
        if not isinstance(value, str):
            raise serializers.ValidationError(_("Give the month as YYYY-MM."))
        try:
            return MonthField().clean(value)
        except forms.ValidationError as error:  # a malformed month, or one outside the records' window
            raise serializers.ValidationError(error.messages) from None


class PlanEntrySerializer(PortalModelSerializer):
    month = MonthSerializerField()
    audit = serializers.SerializerMethodField()
    audit_status = serializers.SerializerMethodField()

    class Meta:
        model = AuditPlanEntry
        fields = ["id", "month", "unit", "auditor", "template", "planned_by", "created_at", "audit", "audit_status"]
        read_only_fields = ["planned_by", "created_at"]
        validators = []  # the service says why a duplicate is refused

    def _audit(self, entry):
        return getattr(entry, "audit", None)

    def get_audit(self, entry) -> int | None:
        audit = self._audit(entry)
        return audit.pk if audit else None

    def get_audit_status(self, entry) -> str:
        audit = self._audit(entry)
        return audit.status if audit else "not_started"

    def validate_unit(self, unit):
        if not unit_in_scope(self.context["request"].user, unit):
            raise serializers.ValidationError(_("Unknown unit."))
        return unit


@extend_schema_view(create=extend_schema(responses={201: PlanEntrySerializer, 409: CONFLICT}))
class PlanEntryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The audit plan. Filters: month (YYYY-MM), unit, auditor, not_started=true. The same audit
    planned twice answers 409."""

    capabilities = {"GET": "audits.view", "POST": "audits.plan"}
    serializer_class = PlanEntrySerializer
    filterset_class = PlanEntryFilterSet
    queryset = AuditPlanEntry.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.plan_entry_list_for_user(self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        serializer.instance = services.plan_entry_create(actor=self.request.user, **serializer.validated_data)


class AuditAnswerSerializer(PortalModelSerializer):
    item = ChecklistItemSerializer(read_only=True)
    photo_url = serializers.SerializerMethodField()
    actions = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text=_("Actions opened for it."))

    class Meta:
        model = AuditAnswer
        fields = ["id", "item", "result", "comment", "photo_url", "answered_at", "actions"]

    def get_photo_url(self, answer) -> str | None:
        if not answer.photo:
            return None
        return self.context["request"].build_absolute_uri(reverse("audits:photo", args=[answer.pk]))


class AuditSerializer(PortalModelSerializer):
    reference = serializers.CharField(read_only=True)
    template = serializers.IntegerField(source="template_version.template_id", read_only=True)
    template_name = serializers.CharField(source="template_version.template.name", read_only=True)
    template_version = serializers.IntegerField(source="template_version.number", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    # A plain string in the schema: "in_progress" or "completed".
    status = serializers.CharField(read_only=True, help_text=_("in_progress or completed"))

    class Meta:
        model = Audit
        fields = [
            "id", "reference", "plan_entry", "unit", "unit_name", "auditor", "template", "template_name",
            "template_version", "status", "started_at", "completed_at", "score",
        ]  # fmt: skip
        read_only_fields = fields


class AuditDetailSerializer(AuditSerializer):
    answers = AuditAnswerSerializer(many=True, read_only=True)

    class Meta(AuditSerializer.Meta):
        fields = [*AuditSerializer.Meta.fields, "answers"]
        read_only_fields = fields


class AuditStartSerializer(serializers.Serializer):
    plan_entry = serializers.PrimaryKeyRelatedField(queryset=AuditPlanEntry.objects.none(), required=False)
    unit = serializers.PrimaryKeyRelatedField(queryset=StructuralUnit.objects.none(), required=False)
    template = serializers.PrimaryKeyRelatedField(
        queryset=ChecklistTemplate.objects.filter(is_active=True), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from apps.org.selectors import unit_list_for_user

        request = self.context.get("request")
        if request is not None:
            self.fields["plan_entry"].queryset = selectors.plan_entry_list_for_user(request.user)
            self.fields["unit"].queryset = unit_list_for_user(request.user)

    def validate(self, data):
        if not data.get("plan_entry") and not (data.get("unit") and data.get("template")):
            raise serializers.ValidationError(_("Give a planned audit, or a unit and a checklist."))
        return data


class AuditAnswerInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)
    result = serializers.ChoiceField(choices=AuditAnswer.Result.choices)
    comment = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    photo = serializers.FileField(required=False, allow_null=True)
    remove_photo = serializers.BooleanField(required=False, default=False)


class FindingActionSerializer(serializers.Serializer):
    answer = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)
    owner = serializers.PrimaryKeyRelatedField(queryset=owner_choices(), required=False)
    due_date = RecordDateSerializerField(required=False)
    control_level = serializers.ChoiceField(choices=Action.ControlLevel.choices, required=False)


class AuditCompleteSerializer(serializers.Serializer):
    actions = FindingActionSerializer(
        many=True, required=False, max_length=rules.ITEMS_MAX, help_text=_("Per non-compliant answer (optional).")
    )


class AuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Safety audits. POST starts one (from a plan entry, or unit + checklist); POST answer/
    records one item (multipart for a photo); POST complete/ scores it and opens the actions.
    A step the audit's state no longer allows (already started, already completed) answers 409.
    List filters: status, unit, auditor, month_from, month_to (YYYY-MM)."""

    capabilities = {"GET": "audits.view", "POST": "audits.conduct"}
    queryset = Audit.objects.none()
    filterset_class = AuditApiFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self):
        return {
            "retrieve": AuditDetailSerializer,
            "create": AuditStartSerializer,
            "answer": AuditAnswerInputSerializer,
            "complete": AuditCompleteSerializer,
        }.get(self.action, AuditSerializer)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        audits = selectors.audit_list_for_user(self.request.user)
        if self.action == "retrieve":
            return audits.prefetch_related(
                Prefetch(
                    "answers",
                    queryset=AuditAnswer.objects.select_related("item")
                    .prefetch_related("actions")
                    .order_by("item__order"),
                )
            )
        return audits

    def _detail(self, audit):
        audit = (
            Audit.objects.select_related("unit", "template_version__template")
            .prefetch_related(
                Prefetch(
                    "answers",
                    queryset=AuditAnswer.objects.select_related("item")
                    .prefetch_related("actions")
                    .order_by("item__order"),
                )
            )
            .get(pk=audit.pk)
        )
        return AuditDetailSerializer(audit, context=self.get_serializer_context()).data

    def filter_queryset(self, queryset):
        # The list's filters are the list's: a step on one audit ignores the query string.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(request=AuditStartSerializer, responses={201: AuditDetailSerializer, 409: CONFLICT})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        audit = services.audit_start(actor=request.user, **serializer.validated_data)
        return Response(self._detail(audit), status=201)

    @extend_schema(request=AuditAnswerInputSerializer, responses={200: AuditAnswerSerializer, 409: CONFLICT})
    @route(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        audit = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = audit.template_version.items.filter(pk=data["item"]).first()
        if item is None:
            raise serializers.ValidationError({"item": [_("This item is not on the audit's checklist.")]})
        answer = services.audit_answer(
            actor=request.user,
            audit=audit,
            item=item,
            result=data["result"],
            comment=data["comment"],
            photo=data.get("photo"),
            remove_photo=data["remove_photo"],
        )
        return Response(AuditAnswerSerializer(answer, context=self.get_serializer_context()).data)

    @extend_schema(request=AuditCompleteSerializer, responses={200: AuditDetailSerializer, 409: CONFLICT})
    @route(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        audit = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        nc_actions = {
            row["answer"]: {key: value for key, value in row.items() if key != "answer"}
            for row in serializer.validated_data.get("actions", [])
        }
        audit = services.audit_complete(actor=request.user, audit=audit, nc_actions=nc_actions)
        return Response(self._detail(audit))


ROUTES: list = [
    ("audits", AuditViewSet, "audit"),
    ("audit-plan", PlanEntryViewSet, "audit-plan-entry"),
    ("checklist-templates", ChecklistTemplateViewSet, "checklist-template"),
]
