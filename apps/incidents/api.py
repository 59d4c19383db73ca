"""API endpoints of this app: api_urls registers each (prefix, viewset, basename) in ROUTES.

The same services as the pages, so the same rules: a wrong cause tree answers 400 with the
commission-friendly messages; a step the investigation's status no longer allows (another user
was first) answers 409. Injured persons' medical fields are dropped from the answer for users who
may not see them (not sent empty: not sent at all). Every list takes the filters of its FilterSet
(apps/incidents/filters.py): a malformed one answers 400 with the field's error."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from apps.accounts.access import unit_in_scope
from apps.common.api import PortalModelSerializer
from apps.common.fields import EventDateTimeSerializerField
from apps.org.models import StructuralUnit

from . import rules, selectors, services
from .filters import AnalysisFilterSet, IncidentFilterSet, InvestigationFilterSet
from .models import (
    APPROVAL_NOTE_MAX_LENGTH,
    CauseTreeFact,
    CauseTreeLink,
    Incident,
    Investigation,
    InvolvedPerson,
    WhyChain,
    WhyStep,
)

CONFLICT = OpenApiResponse(
    description="The investigation's status no longer allows this (another user moved it on, or removed the "
    'record first): `{"detail": "…", "code": "state_conflict"}`; or the record changed since the `version` sent '
    'was read: `{"detail": "…", "code": "version_conflict", "version": ["…"], "current_version": 4}`. Reload and '
    "decide again."
)


def _version_field(record):
    return serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text=f"The {record}'s `version` as read: refused (409, `version_conflict`) when it changed since. "
        "Leave it out to skip the check.",
    )  # fmt: skip


REFUSED = OpenApiResponse(description="A rule of the analysis is broken: the field errors, or the reasons.")
FORBIDDEN = OpenApiResponse(description="You are not on the commission nor an HSE role of the unit.")


def _write(ok_status, serializer=None):
    """The schema of a write of the analysis: each may meet an investigation approved meanwhile."""
    return extend_schema(responses={ok_status: serializer, 400: REFUSED, 403: FORBIDDEN, 409: CONFLICT})


class InvolvedPersonSerializer(PortalModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = InvolvedPerson
        fields = ["id", "role", "person", "name", *InvolvedPerson.MEDICAL_FIELDS]


class IncidentSerializer(PortalModelSerializer):
    reference = serializers.CharField(read_only=True)
    is_recordable = serializers.BooleanField(read_only=True)
    unit = serializers.PrimaryKeyRelatedField(queryset=StructuralUnit.objects.all())
    # 1 (negligible) to 5 (catastrophic); plain integers keep the schema's enum names unambiguous.
    actual_severity = serializers.IntegerField(min_value=1, max_value=5)
    potential_severity = serializers.IntegerField(min_value=1, max_value=5)
    occurred_at = EventDateTimeSerializerField()
    people = serializers.SerializerMethodField()
    investigation = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id", "reference", "type", "actual_severity", "potential_severity", "occurred_at", "unit", "location",
            "description", "immediate_actions", "classification", "is_recordable", "days_lost", "reported_by",
            "created_at", "people", "investigation",
        ]  # fmt: skip
        read_only_fields = ["reported_by", "created_at"]

    def validate_unit(self, unit):
        if not unit_in_scope(self.context["request"].user, unit):
            raise serializers.ValidationError(_("Unknown unit."))
        return unit

    def get_people(self, incident) -> list[dict]:
        people = InvolvedPersonSerializer(incident.people.all(), many=True).data
        if rules.may_view_medical(self.context["request"].user, incident):
            return people
        return [{k: v for k, v in person.items() if k not in InvolvedPerson.MEDICAL_FIELDS} for person in people]

    def get_investigation(self, incident) -> int | None:
        investigation = getattr(incident, "investigation", None)
        return investigation.pk if investigation else None


def _incidents(user):
    return selectors.incident_list_for_user(user).prefetch_related("people__person", Prefetch("investigation__members"))


class IncidentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Incidents of the units you see. POST reports one (HSE roles and line managers)."""

    capabilities = {"GET": "incidents.view", "POST": "incidents.report"}
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    queryset = Incident.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return _incidents(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.incident_report(actor=self.request.user, **data)


class ScopedInvestigationField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return selectors.investigation_list_for_user(self.context["request"].user)


class InvestigationListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        # The analyses of the whole page at once: a fixed number of queries, however many rows.
        rows = list(data.all() if hasattr(data, "all") else data)
        self.context.setdefault("_analysis", {}).update(selectors.investigation_analyses(rows))
        return super().to_representation(rows)


class InvestigationSerializer(PortalModelSerializer):
    status = serializers.CharField(read_only=True, help_text="opened, analysis, actions_planned, approved, closed")
    quality = serializers.SerializerMethodField()
    tree_errors = serializers.SerializerMethodField()

    class Meta:
        model = Investigation
        fields = [
            "id", "incident", "coordinator", "members", "deadline", "status", "opened_at", "approved_by",
            "approved_at", "approval_note", "closed_at", "version", "quality", "tree_errors",
        ]  # fmt: skip
        read_only_fields = fields
        list_serializer_class = InvestigationListSerializer

    def _analysis(self, investigation):
        cache = self.context.setdefault("_analysis", {})
        if investigation.pk not in cache:
            cache[investigation.pk] = selectors.investigation_analysis(investigation)
        return cache[investigation.pk]

    def get_quality(self, investigation) -> dict:
        score = self._analysis(investigation).quality()
        return {
            "percent": score.percent,
            "criteria": [{"code": c.code, "passed": c.passed, "detail": c.detail} for c in score.criteria],
        }

    def get_tree_errors(self, investigation) -> list[str]:
        return self._analysis(investigation).tree_errors


class TransitionSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=sorted(services.INVESTIGATION_STEPS))
    note = serializers.CharField(required=False, allow_blank=True, max_length=APPROVAL_NOTE_MAX_LENGTH, default="")
    version = _version_field("investigation")


class InvestigationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Investigations with their quality score (the KPI's input) and what is wrong with the tree.
    POST transition/ moves the workflow on: analysis, plan, approve (HSE head, with a note), close;
    the same rules as the page."""

    capabilities = {"GET": "incidents.view", "POST": "incidents.view"}
    serializer_class = InvestigationSerializer
    filterset_class = InvestigationFilterSet
    queryset = Investigation.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.investigation_list_for_user(self.request.user).prefetch_related("members")

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: InvestigationSerializer,
            400: OpenApiResponse(description="The step is unknown, or a rule refuses it (why, in the answer)."),
            403: OpenApiResponse(description="Your role may not take this step."),
            409: CONFLICT,
        },
    )
    @route(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        investigation = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = serializer.validated_data["step"]
        extra = {"note": serializer.validated_data["note"]} if step == "approve" else {}
        version = serializer.validated_data.get("version")
        services.INVESTIGATION_STEPS[step](actor=request.user, investigation=investigation, version=version, **extra)
        investigation.refresh_from_db()
        return Response(InvestigationSerializer(investigation, context=self.get_serializer_context()).data)


class WhyStepSerializer(PortalModelSerializer):
    class Meta:
        model = WhyStep
        fields = ["id", "order", "answer", "is_root_cause"]
        read_only_fields = ["order"]


class WhyChainSerializer(PortalModelSerializer):
    investigation = ScopedInvestigationField()
    steps = WhyStepSerializer(many=True, read_only=True)

    class Meta:
        model = WhyChain
        fields = ["id", "investigation", "problem_statement", "steps"]


@extend_schema_view(create=_write(201, WhyChainSerializer))
class WhyChainViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Five Whys chains; POST whys/ answers the next why (the last may be the root cause)."""

    capabilities = {"GET": "incidents.view", "POST": "incidents.view"}
    filterset_class = AnalysisFilterSet
    queryset = WhyChain.objects.none()

    def get_serializer_class(self):
        return WhyStepSerializer if self.action == "whys" else WhyChainSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return WhyChain.objects.filter(
            investigation__in=selectors.investigation_list_for_user(self.request.user).values("pk")
        ).prefetch_related("steps")

    def perform_create(self, serializer):
        serializer.instance = services.chain_add(actor=self.request.user, **serializer.validated_data)

    @extend_schema(
        request=WhyStepSerializer, responses={201: WhyChainSerializer, 400: REFUSED, 403: FORBIDDEN, 409: CONFLICT}
    )
    @route(detail=True, methods=["post"], filterset_class=None)
    def whys(self, request, pk=None):
        chain = self.get_object()
        serializer = WhyStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.step_add(actor=request.user, chain=chain, **serializer.validated_data)
        chain = self.get_queryset().get(pk=chain.pk)
        return Response(WhyChainSerializer(chain, context=self.get_serializer_context()).data, status=201)


def _not_in_this_tree():
    return _("That fact is not in this tree.")


class TreeFactField(serializers.PrimaryKeyRelatedField):
    """A fact of the investigation's cause tree. A fact that does not exist, one the user may not
    see and one of another tree get the same answer (400, the same words on the field): the API
    tells nothing about which facts exist elsewhere."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Set per serializer (fields are rebuilt for each one), so in the caller's language.
        self.error_messages["does_not_exist"] = _not_in_this_tree()


def _same_tree(attrs, *names):
    investigation = attrs.get("investigation")
    errors = {
        name: _not_in_this_tree()
        for name in names
        if attrs.get(name) is not None
        and investigation is not None
        and attrs[name].investigation_id != investigation.pk
    }
    if errors:
        raise serializers.ValidationError(errors)
    return attrs


class FactSerializer(PortalModelSerializer):
    investigation = ScopedInvestigationField()
    leads_to = TreeFactField(queryset=CauseTreeFact.objects.none(), required=False, allow_null=True, write_only=True)

    class Meta:
        model = CauseTreeFact
        fields = ["id", "investigation", "text", "is_unusual", "is_final_event", "version", "leads_to"]
        read_only_fields = ["is_final_event", "version"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["leads_to"].queryset = _facts_for(request.user)
        return fields

    def validate(self, attrs):
        return _same_tree(attrs, "leads_to")


class FactUpdateSerializer(PortalModelSerializer):
    version = _version_field("fact")

    class Meta:
        model = CauseTreeFact
        fields = ["id", "investigation", "text", "is_unusual", "is_final_event", "version"]
        read_only_fields = ["investigation", "is_final_event"]


def _facts_for(user):
    return CauseTreeFact.objects.filter(investigation__in=selectors.investigation_list_for_user(user).values("pk"))


@extend_schema_view(
    create=_write(201, FactSerializer), update=_write(200, FactUpdateSerializer),
    partial_update=_write(200, FactUpdateSerializer), destroy=_write(204),
)  # fmt: skip
class CauseTreeFactViewSet(viewsets.ModelViewSet):
    """Facts of the cause tree. The first fact of an investigation is its final event; later ones
    give `leads_to` (the fact they were necessary for). A change that breaks the tree is refused."""

    capabilities = {"GET": "incidents.view", "POST": "incidents.view", "PATCH": "incidents.view",
                    "PUT": "incidents.view", "DELETE": "incidents.view"}  # fmt: skip
    filterset_class = AnalysisFilterSet
    queryset = CauseTreeFact.objects.none()

    def get_serializer_class(self):
        return FactUpdateSerializer if self.action in ("update", "partial_update") else FactSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return _facts_for(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.fact_add(
            actor=self.request.user, investigation=data["investigation"], text=data["text"],
            is_unusual=data.get("is_unusual", False), leads_to=data.get("leads_to"),
        )  # fmt: skip

    def perform_update(self, serializer):
        fact = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.fact_update(
            actor=self.request.user, fact=fact, text=data.get("text", fact.text),
            is_unusual=data.get("is_unusual", fact.is_unusual), version=data.get("version"),
        )  # fmt: skip

    def perform_destroy(self, instance):
        services.fact_remove(actor=self.request.user, fact=instance)


class LinkSerializer(PortalModelSerializer):
    investigation = ScopedInvestigationField()
    antecedent = TreeFactField(queryset=CauseTreeFact.objects.none())
    consequent = TreeFactField(queryset=CauseTreeFact.objects.none())
    kind = serializers.SerializerMethodField()

    class Meta:
        model = CauseTreeLink
        fields = ["id", "investigation", "antecedent", "consequent", "kind"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["antecedent"].queryset = _facts_for(request.user)
            fields["consequent"].queryset = _facts_for(request.user)
        return fields

    def validate(self, attrs):
        return _same_tree(attrs, "antecedent", "consequent")

    def get_kind(self, link) -> str:
        kinds = self.context.get("kinds")
        if kinds is None:
            return ""
        return kinds.get(link.investigation_id, {}).get((link.antecedent_id, link.consequent_id), "")


@extend_schema_view(create=_write(201, LinkSerializer), destroy=_write(204))
class CauseTreeLinkViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Links antecedent → consequent; `kind` (chain, conjunction, disjunction) follows from the tree."""

    capabilities = {"GET": "incidents.view", "POST": "incidents.view", "DELETE": "incidents.view"}
    serializer_class = LinkSerializer
    filterset_class = AnalysisFilterSet
    queryset = CauseTreeLink.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return CauseTreeLink.objects.filter(
            investigation__in=selectors.investigation_list_for_user(self.request.user).values("pk")
        )

    def get_serializer_context(self):
        from .causetree import link_kinds

        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False) or not self.request.user.is_authenticated:
            return context
        pairs: dict[int, list] = {}
        for inv, ante, cons in self.get_queryset().values_list("investigation_id", "antecedent_id", "consequent_id"):
            pairs.setdefault(inv, []).append((ante, cons))
        context["kinds"] = {inv: link_kinds(links) for inv, links in pairs.items()}
        return context

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.link_add(
            actor=self.request.user, investigation=data["investigation"], antecedent=data["antecedent"],
            consequent=data["consequent"],
        )  # fmt: skip

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        # The kind may change with the new link: answer with the fresh one.
        link = CauseTreeLink.objects.get(pk=response.data["id"])
        return Response(self.get_serializer(link).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.link_remove(actor=self.request.user, link=instance)


ROUTES: list = [
    ("incidents", IncidentViewSet, "incident"),
    ("investigations", InvestigationViewSet, "investigation"),
    ("why-chains", WhyChainViewSet, "why-chain"),
    ("cause-tree-facts", CauseTreeFactViewSet, "cause-tree-fact"),
    ("cause-tree-links", CauseTreeLinkViewSet, "cause-tree-link"),
]
