"""/api/v1/ endpoints of the internships app: (prefix, viewset, basename) for hse_portal/api_urls.py.

The same services, selectors, rules and capabilities as the pages:
- internships/ — the internships of the units you see (and your own); POST plans one, PATCH
  re-plans it; start/, cancel/, finish/ (with the actions it opens in the register), host-review/;
  days/ (the daily log: GET the days, POST one day's log) and contacts/ (GET, POST; DELETE
  contacts/{id}/).
- signals/ — ONLY the signals whose raw text you may read (`rules.readable_signals`): the
  specialist who heard it, the HSE head, and for the workers' own the HSE specialists of the unit.
  Any other signal is 404, never 403. POST records one (the internship's specialist); take-up/ and
  respond/ answer it.
- boards/{unit id}/ — the unit's "you said — we did" board for every role who sees the unit: the
  answered signals' paraphrase and response, never the raw text.

A rule broken answers 400 with the field's error; a step the record's status no longer allows
(someone else was first) answers 409; a row rule (not the internship's specialist) answers 403."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from apps.accounts.access import get_in_scope_or_404
from apps.accounts.models import User
from apps.actions.models import Action
from apps.actions.selectors import owner_choices
from apps.common.api import PortalModelSerializer
from apps.common.fields import LONG_TEXT_MAX_LENGTH, RecordDateSerializerField
from apps.org.models import Person, StructuralUnit
from apps.org.selectors import unit_list_for_user

from . import selectors, services
from .filters import InternshipFilterSet, SignalFilterSet
from .forms import MAX_PROPOSED_ACTIONS
from .models import Internship, InternshipContact, InternshipDay, Signal

# The board's answer carries at most this many items, most recently answered first.
BOARD_ITEMS = 100

CONFLICT = OpenApiResponse(
    description='The record\'s status no longer allows this step (someone changed it first): `{"detail": "…", '
    '"code": "state_conflict"}`. Reload and decide again.'
)
REFUSED = OpenApiResponse(description="Malformed input or a rule refuses it: the field errors.")
FORBIDDEN = OpenApiResponse(description="Your role, or the record's row rule, does not allow this.")


def _write(ok_status, serializer):
    return extend_schema(responses={ok_status: serializer, 400: REFUSED, 403: FORBIDDEN, 409: CONFLICT})


def _valid(view, request, serializer_class) -> dict:
    serializer = serializer_class(data=request.data, context=view.get_serializer_context())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _user_name(user) -> str | None:
    return (user.get_full_name() or user.username) if user is not None else None


def _text(**kwargs):
    kwargs.setdefault("max_length", LONG_TEXT_MAX_LENGTH)
    return serializers.CharField(**kwargs)


@extend_schema_field(OpenApiTypes.INT)
class ScopedField(serializers.PrimaryKeyRelatedField):
    """A record chosen by id among those the signed-in user may see (any other id: invalid)."""

    def __init__(self, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(self.context["request"].user)


# --- Internships -----------------------------------------------------------------------------------


class InternshipSerializer(PortalModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    specialist_name = serializers.SerializerMethodField()
    host_foreman_name = serializers.CharField(source="host_foreman.full_name", read_only=True)
    length_days = serializers.IntegerField(read_only=True)
    days_logged = serializers.IntegerField(read_only=True)
    signal_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Internship
        fields = [
            "id", "unit", "unit_name", "specialist", "specialist_name", "host_foreman", "host_foreman_name",
            "starts_on", "ends_on", "length_days", "proposed_days", "proposal_reason", "status", "summary",
            "instruction_changes", "finished_at", "host_view", "host_comment", "host_reviewed_on", "days_logged",
            "signal_count",
        ]  # fmt: skip
        read_only_fields = fields

    def get_specialist_name(self, internship) -> str:
        return _user_name(internship.specialist)


class InternshipPlanSerializer(serializers.Serializer):
    unit = ScopedField(unit_list_for_user, help_text="A unit in your scope.")
    host_foreman = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), help_text="An active foreman on the unit's own roll."
    )
    specialist = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False,
        help_text="The HSE specialist who runs it (you, when not given).",
    )  # fmt: skip
    starts_on = RecordDateSerializerField()
    ends_on = RecordDateSerializerField(
        required=False, allow_null=True, help_text="3 to 7 days; the proposed length when not given."
    )


class InternshipUpdateSerializer(serializers.Serializer):
    host_foreman = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False)
    specialist = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    starts_on = RecordDateSerializerField(required=False)
    ends_on = RecordDateSerializerField(required=False)


class InternshipCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.REASON_MAX_LENGTH, allow_blank=True, default="")


class ProposedActionSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=Action._meta.get_field("title").max_length)
    owner = serializers.PrimaryKeyRelatedField(queryset=owner_choices())
    due_date = RecordDateSerializerField()
    control_level = serializers.ChoiceField(choices=Action.ControlLevel.choices)
    description = _text(required=False, allow_blank=True, default="")


class InternshipFinishSerializer(serializers.Serializer):
    summary = _text(allow_blank=True)
    instruction_changes = _text(required=False, allow_blank=True, default="")
    actions = ProposedActionSerializer(many=True, required=False, default=list)

    def validate_actions(self, actions):
        if len(actions) > MAX_PROPOSED_ACTIONS:
            raise serializers.ValidationError(_("At most %(n)s actions.") % {"n": MAX_PROPOSED_ACTIONS})
        return actions


class HostReviewSerializer(serializers.Serializer):
    host_view = serializers.ChoiceField(choices=Internship.HostView.choices)
    comment = serializers.CharField(max_length=services.HOST_COMMENT_MAX_LENGTH, required=False, allow_blank=True)


class InternshipDaySerializer(PortalModelSerializer):
    day = RecordDateSerializerField()
    morning_work_order = _text()
    crew_roles = serializers.CharField(max_length=InternshipDay._meta.get_field("crew_roles").max_length)
    work_done = _text()
    risks_seen = _text(required=False, allow_blank=True, default="")
    surprises = _text(required=False, allow_blank=True, default="")
    shift_handover = _text(required=False, allow_blank=True, default="")

    class Meta:
        model = InternshipDay
        fields = ["id", "day", *services.DAY_TEXT_FIELDS]
        read_only_fields = ["id"]


class InternshipContactSerializer(PortalModelSerializer):
    class Meta:
        model = InternshipContact
        fields = ["id", "name", "job_title", "how_to_reach", "is_safety_ambassador"]
        read_only_fields = ["id"]


@extend_schema_view(
    create=extend_schema(request=InternshipPlanSerializer, responses={201: InternshipSerializer, 400: REFUSED}),
    partial_update=extend_schema(
        request=InternshipUpdateSerializer, responses={200: InternshipSerializer, 400: REFUSED, 409: CONFLICT}
    ),
)
class InternshipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Internships in production of the units you see (and your own), filtered as on the list page:
    `?status=`, `?unit=`, `?q=`, `?mine=true`. POST plans one (HSE roles; the proposed length and its
    reason are computed from the unit); PATCH re-plans a planned one."""

    capabilities = {"GET": "internships.view", "POST": "internships.run", "PATCH": "internships.run"}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = InternshipSerializer
    filterset_class = InternshipFilterSet
    queryset = Internship.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.internship_list_for_user(self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _answer(self, internship, code=status.HTTP_200_OK):
        internship = self.get_queryset().get(pk=internship.pk)
        return Response(InternshipSerializer(internship, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = _valid(self, request, InternshipPlanSerializer)
        data.setdefault("specialist", request.user)
        internship = services.internship_plan(actor=request.user, **data)
        return self._answer(internship, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        internship = self.get_object()
        data = _valid(self, request, InternshipUpdateSerializer)
        services.internship_update(actor=request.user, internship=internship, **data)
        return self._answer(internship)

    @_write(200, InternshipSerializer)
    @extend_schema(request=None)
    @route(detail=True, methods=["post"])
    def start(self, request, pk=None):
        internship = self.get_object()
        services.internship_start(actor=request.user, internship=internship)
        return self._answer(internship)

    @_write(200, InternshipSerializer)
    @extend_schema(request=InternshipCancelSerializer)
    @route(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        internship = self.get_object()
        data = _valid(self, request, InternshipCancelSerializer)
        services.internship_cancel(actor=request.user, internship=internship, reason=data["reason"])
        return self._answer(internship)

    @_write(200, InternshipSerializer)
    @extend_schema(request=InternshipFinishSerializer)
    @route(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        internship = self.get_object()
        data = _valid(self, request, InternshipFinishSerializer)
        services.internship_finish(
            actor=request.user, internship=internship, summary=data["summary"],
            instruction_changes=data["instruction_changes"], actions=[dict(item) for item in data["actions"]],
        )  # fmt: skip
        return self._answer(internship)

    @_write(200, InternshipSerializer)
    @extend_schema(request=HostReviewSerializer)
    @route(detail=True, methods=["post"], url_path="host-review", url_name="host-review",
           capabilities={"POST": "internships.view"})  # fmt: skip
    def host_review(self, request, pk=None):
        """The host foreman's review, by the internship's specialist or the unit's line manager."""
        internship = self.get_object()
        data = _valid(self, request, HostReviewSerializer)
        services.host_review_record(
            actor=request.user, internship=internship, host_view=data["host_view"], comment=data.get("comment", "")
        )
        return self._answer(internship)

    @extend_schema(methods=["GET"], responses={200: InternshipDaySerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=InternshipDaySerializer,
        responses={200: InternshipDaySerializer, 400: REFUSED, 403: FORBIDDEN, 409: CONFLICT},
    )
    @route(detail=True, methods=["get", "post"])
    def days(self, request, pk=None):
        """GET: the daily log. POST: write (or rewrite) one day's log (the internship's specialist)."""
        internship = self.get_object()
        if request.method == "GET":
            return Response(InternshipDaySerializer(selectors.internship_days(internship), many=True).data)
        data = _valid(self, request, InternshipDaySerializer)
        entry = services.day_log_save(actor=request.user, internship=internship, **data)
        return Response(InternshipDaySerializer(entry).data)

    @extend_schema(methods=["GET"], responses={200: InternshipContactSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=InternshipContactSerializer,
        responses={201: InternshipContactSerializer, 400: REFUSED, 403: FORBIDDEN, 409: CONFLICT},
    )
    @route(detail=True, methods=["get", "post"])
    def contacts(self, request, pk=None):
        """GET: the informal contacts. POST: add one (the internship's specialist)."""
        internship = self.get_object()
        if request.method == "GET":
            return Response(InternshipContactSerializer(selectors.internship_contacts(internship), many=True).data)
        data = _valid(self, request, InternshipContactSerializer)
        contact = services.contact_add(actor=request.user, internship=internship, **data)
        return Response(InternshipContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None, 403: FORBIDDEN, 404: None, 409: CONFLICT})
    @route(detail=True, methods=["delete"], url_path=r"contacts/(?P<contact_pk>\d+)", url_name="contact-remove",
           capabilities={"DELETE": "internships.run"})  # fmt: skip
    def contact_remove(self, request, pk=None, contact_pk=None):
        internship = self.get_object()
        contact = get_in_scope_or_404(internship.contacts.all(), request.user, "internship__unit", pk=contact_pk)
        services.contact_remove(actor=request.user, contact=contact)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Signals ---------------------------------------------------------------------------------------


class SignalSerializer(PortalModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Signal
        fields = [
            "id", "unit", "unit_name", "internship", "source", "kind", "raw_text", "recorded_on", "status",
            "paraphrase", "response", "response_text", "responded_on", "escalated_on", "is_overdue",
        ]  # fmt: skip
        read_only_fields = fields

    def get_is_overdue(self, signal) -> bool:
        return signal.is_overdue(timezone.localdate())


class SignalRecordSerializer(serializers.Serializer):
    internship = ScopedField(selectors.internship_list_for_user, help_text="An internship you run, in progress.")
    kind = serializers.ChoiceField(choices=Signal.Kind.choices)
    raw_text = _text(help_text="What was said — no names: what was said, not who said it.")


class SignalRespondSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=Signal.Response.choices)
    response_text = _text(help_text="What was done.")
    paraphrase = serializers.CharField(
        max_length=500, help_text="For the unit's board: reworded so that no one can be recognised."
    )


@extend_schema_view(
    create=extend_schema(
        request=SignalRecordSerializer, responses={201: SignalSerializer, 400: REFUSED, 403: FORBIDDEN, 409: CONFLICT}
    )
)
class SignalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Signals whose raw text you may read, and no other (any other id is 404): `?kind=`,
    `?status=`, `?unit=`, `?overdue=true`. POST records one heard during your internship;
    take-up/ and respond/ answer it (the response and the paraphrase shown on the unit's board)."""

    capabilities = {"GET": "internships.answer_signals", "POST": "internships.answer_signals"}
    serializer_class = SignalSerializer
    filterset_class = SignalFilterSet
    queryset = Signal.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.signal_list_for_user(self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _answer(self, signal, code=status.HTTP_200_OK):
        signal = self.get_queryset().get(pk=signal.pk)
        return Response(SignalSerializer(signal, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = _valid(self, request, SignalRecordSerializer)
        signal = services.signal_record(actor=request.user, **data)
        return self._answer(signal, status.HTTP_201_CREATED)

    @_write(200, SignalSerializer)
    @extend_schema(request=None)
    @route(detail=True, methods=["post"], url_path="take-up", url_name="take-up")
    def take_up(self, request, pk=None):
        signal = self.get_object()
        services.signal_take_up(actor=request.user, signal=signal)
        return self._answer(signal)

    @_write(200, SignalSerializer)
    @extend_schema(request=SignalRespondSerializer)
    @route(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        signal = self.get_object()
        data = _valid(self, request, SignalRespondSerializer)
        services.signal_respond(actor=request.user, signal=signal, **data)
        return self._answer(signal)


# --- The board -------------------------------------------------------------------------------------


class BoardItemSerializer(serializers.Serializer):
    paraphrase = serializers.CharField(help_text="What was said, reworded so that no one can be recognised.")
    kind = serializers.ChoiceField(choices=Signal.Kind.choices)
    kind_label = serializers.CharField()
    response = serializers.ChoiceField(choices=Signal.Response.choices)
    response_label = serializers.CharField()
    response_text = serializers.CharField()
    responded_on = serializers.DateField()
    unit_name = serializers.CharField()


BoardSerializer = inline_serializer(
    "Board",
    {
        "unit": serializers.IntegerField(),
        "unit_name": serializers.CharField(),
        "summary": inline_serializer(
            "BoardSummary",
            {
                name: serializers.IntegerField()
                for name in ("heard", "answered", "in_progress", "awaiting", "answered_in_time")
            },
        ),
        "items": BoardItemSerializer(many=True),
        "items_truncated": serializers.BooleanField(help_text=f"True when there are more than {BOARD_ITEMS} items."),
    },
)


class BoardViewSet(viewsets.GenericViewSet):
    """The "you said — we did" board of a unit (with the units under it), for every role who sees
    the unit: counts, then the answered signals' paraphrase and response, most recently answered
    first. Never the raw text."""

    capabilities = {"GET": "internships.view_board"}
    queryset = StructuralUnit.objects.none()
    serializer_class = BoardItemSerializer
    pagination_class = None
    lookup_value_regex = r"\d+"

    @extend_schema(responses={200: BoardSerializer})
    def retrieve(self, request, pk=None):
        unit = get_in_scope_or_404(StructuralUnit.objects.all(), request.user, "pk", pk=pk)
        items = list(selectors.board_for_unit(unit)[: BOARD_ITEMS + 1])
        return Response(
            {
                "unit": unit.pk,
                "unit_name": unit.name,
                "summary": selectors.board_summary(unit),
                "items": BoardItemSerializer(items[:BOARD_ITEMS], many=True).data,
                "items_truncated": len(items) > BOARD_ITEMS,
            }
        )


ROUTES: list = [
    ("internships", InternshipViewSet, "internship"),
    ("signals", SignalViewSet, "signal"),
    ("boards", BoardViewSet, "board"),
]
