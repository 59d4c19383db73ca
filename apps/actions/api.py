from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from apps.accounts.access import require, unit_in_scope
from apps.common.api import PortalModelSerializer
from apps.common.fields import LONG_TEXT_MAX_LENGTH, RecordDateSerializerField

from . import selectors, services
from .filters import ActionFilterSet
from .models import Action
from .sources import kind_for_content_type

WRITABLE = ["title", "description", "unit", "owner", "due_date", "priority", "control_level"]
REASON_MAX_LENGTH = 500


def _long_text(**kwargs):
    return serializers.CharField(allow_blank=True, required=False, max_length=LONG_TEXT_MAX_LENGTH, **kwargs)


def _source_type(action):
    """The action's source content type without a query per row: the list loads it with the row."""
    if action.source_type_id is None:
        return None
    if Action.source_type.is_cached(action):
        return action.source_type
    return ContentType.objects.get_for_id(action.source_type_id)


class ActionSerializer(PortalModelSerializer):
    reference = serializers.CharField(read_only=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=selectors.owner_choices())
    due_date = RecordDateSerializerField(help_text="Not in the past when set or moved.")
    description = _long_text(default="")
    is_overdue = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField(help_text="The kind of record that found the need for the action.")
    source_type = serializers.SerializerMethodField(help_text="The source record's model, as app_label.model.")

    class Meta:
        model = Action
        fields = [
            "id", "reference", *WRITABLE, "status", "source", "source_type", "source_id", "follow_up_of", "created_by",
            "created_at", "evidence", "completed_at", "completed_by", "verified_at", "verified_by", "is_effective",
            "verification_note", "cancel_reason", "escalation", "escalated_at", "is_overdue",
        ]  # fmt: skip
        read_only_fields = [name for name in fields if name not in WRITABLE]

    def get_source(self, action) -> str | None:
        kind = kind_for_content_type(_source_type(action))
        return kind.code if kind else None

    def get_source_type(self, action) -> str | None:
        content_type = _source_type(action)
        if content_type is None:
            return None
        return f"{content_type.app_label}.{content_type.model}"

    def get_is_overdue(self, action) -> bool:
        return action.is_overdue(timezone.localdate())

    def validate_unit(self, unit):
        if not unit_in_scope(self.context["request"].user, unit):
            raise serializers.ValidationError(_("Unknown unit."))
        return unit


class ActionUpdateSerializer(ActionSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, write_only=True, max_length=REASON_MAX_LENGTH)

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "reason"]
        read_only_fields = [*ActionSerializer.Meta.read_only_fields, "unit"]


class CompleteSerializer(serializers.Serializer):
    evidence = _long_text(default="")


class VerifySerializer(serializers.Serializer):
    effective = serializers.BooleanField()
    note = _long_text(default="")
    not_effective_then = serializers.ChoiceField(choices=services.NOT_EFFECTIVE_THEN, required=False, default="reopen")
    follow_up_due_date = RecordDateSerializerField(required=False)

    def validate(self, data):
        if not data["effective"] and data["not_effective_then"] == "follow_up" and not data.get("follow_up_due_date"):
            raise serializers.ValidationError({"follow_up_due_date": _("Give the follow-up action a due date.")})
        return data


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH)


class StateConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the step is no longer possible, e.g. “This action is already done”.")
    code = serializers.CharField(help_text="state_conflict")


CONFLICT = OpenApiResponse(
    StateConflictSerializer,
    description="The action's status no longer allows this step (someone changed it first).",
)


@extend_schema_view(
    update=extend_schema(responses={200: ActionUpdateSerializer, 409: CONFLICT}),
    partial_update=extend_schema(responses={200: ActionUpdateSerializer, 409: CONFLICT}),
)
class ActionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The action register. Status changes are POSTs to start/, complete/, verify/ and cancel/;
    the same rules apply as on the pages (owner, owner's line manager, HSE roles). A step the
    action's current status no longer allows (someone else did it first) answers 409."""

    capabilities = {"GET": "actions.view", "POST": "actions.view", "PUT": "actions.view", "PATCH": "actions.view"}
    filterset_class = ActionFilterSet
    queryset = Action.objects.none()  # the model, for the schema; rows come from get_queryset

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ActionUpdateSerializer
        return {
            "complete": CompleteSerializer,
            "verify": VerifySerializer,
            "cancel": CancelSerializer,
        }.get(self.action, ActionSerializer)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.action_list_for_user(self.request.user).select_related("source_type")

    def filter_queryset(self, queryset):
        # The list's parameters filter the list only; one action is found by its id alone.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def create(self, request, *args, **kwargs):
        # A role that may not open actions is refused before its input is looked at (403, not 400).
        require(request.user, "actions.create")
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.action_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        serializer.instance = services.action_update(
            actor=self.request.user, action=serializer.instance, reason=reason, **data
        )

    def _done(self, action):
        action.refresh_from_db()
        return Response(ActionSerializer(action, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: ActionSerializer, 409: CONFLICT})
    @route(detail=True, methods=["post"])
    def start(self, request, pk=None):
        action = self.get_object()
        services.action_start(actor=request.user, action=action)
        return self._done(action)

    @extend_schema(responses={200: ActionSerializer, 409: CONFLICT})
    @route(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        action = self.get_object()
        data = self._valid(request)
        services.action_complete(actor=request.user, action=action, evidence=data["evidence"])
        return self._done(action)

    @extend_schema(responses={200: ActionSerializer, 409: CONFLICT})
    @route(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        action = self.get_object()
        data = self._valid(request)
        services.action_verify(
            actor=request.user,
            action=action,
            effective=data["effective"],
            note=data["note"],
            not_effective_then=data["not_effective_then"],
            follow_up={"due_date": data.get("follow_up_due_date")},
        )
        return self._done(action)

    @extend_schema(responses={200: ActionSerializer, 409: CONFLICT})
    @route(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        action = self.get_object()
        data = self._valid(request)
        services.action_cancel(actor=request.user, action=action, reason=data["reason"])
        return self._done(action)

    def _valid(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
