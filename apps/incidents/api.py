"""API endpoints of this app: api_urls registers each (prefix, viewset, basename) in ROUTES.

The same services as the pages, so the same rules: a wrong cause tree answers 400 with the
commission-friendly messages. Injured persons' medical fields are dropped from the answer for
users who may not see them (not sent empty: not sent at all)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from apps.accounts.access import unit_in_scope
from apps.org.models import StructuralUnit

from . import rules, selectors, services
from .models import CauseTreeFact, CauseTreeLink, Incident, Investigation, InvolvedPerson, WhyChain, WhyStep


class InvolvedPersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = InvolvedPerson
        fields = ["id", "role", "person", "name", *InvolvedPerson.MEDICAL_FIELDS]


class IncidentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    is_recordable = serializers.BooleanField(read_only=True)
    unit = serializers.PrimaryKeyRelatedField(queryset=StructuralUnit.objects.all())
    # 1 (negligible) to 5 (catastrophic); plain integers keep the schema's enum names unambiguous.
    actual_severity = serializers.IntegerField(min_value=1, max_value=5)
    potential_severity = serializers.IntegerField(min_value=1, max_value=5)
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
            raise serializers.ValidationError("Unknown unit.")
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
    queryset = Incident.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        params = self.request.query_params
        return selectors.incident_filter(
            _incidents(self.request.user),
            type=params.get("type", ""),
            classification=params.get("classification", ""),
            unit_id=params.get("unit") if (params.get("unit") or "").isdigit() else None,
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.incident_report(actor=self.request.user, **data)


class ScopedInvestigationField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return selectors.investigation_list_for_user(self.context["request"].user)


class InvestigationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="opened, analysis, actions_planned, approved, closed")
    quality = serializers.SerializerMethodField()
    tree_errors = serializers.SerializerMethodField()

    class Meta:
        model = Investigation
        fields = [
            "id", "incident", "coordinator", "members", "deadline", "status", "opened_at", "approved_by",
            "approved_at", "approval_note", "closed_at", "quality", "tree_errors",
        ]  # fmt: skip
        read_only_fields = fields

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
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class InvestigationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Investigations with their quality score (the KPI's input) and what is wrong with the tree.
    POST transition/ moves the workflow on: analysis, plan, approve (HSE head, with a note), close;
    the same rules as the page."""

    capabilities = {"GET": "incidents.view", "POST": "incidents.view"}
    serializer_class = InvestigationSerializer
    queryset = Investigation.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.investigation_list_for_user(self.request.user).prefetch_related("members")

    @extend_schema(request=TransitionSerializer, responses=InvestigationSerializer)
    @route(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        investigation = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = serializer.validated_data["step"]
        extra = {"note": serializer.validated_data["note"]} if step == "approve" else {}
        services.INVESTIGATION_STEPS[step](actor=request.user, investigation=investigation, **extra)
        investigation.refresh_from_db()
        return Response(InvestigationSerializer(investigation, context=self.get_serializer_context()).data)


class WhyStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = WhyStep
        fields = ["id", "order", "answer", "is_root_cause"]
        read_only_fields = ["order"]


class WhyChainSerializer(serializers.ModelSerializer):
    investigation = ScopedInvestigationField()
    steps = WhyStepSerializer(many=True, read_only=True)

    class Meta:
        model = WhyChain
        fields = ["id", "investigation", "problem_statement", "steps"]


class WhyChainViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Five Whys chains; POST whys/ answers the next why (the last may be the root cause)."""

    capabilities = {"GET": "incidents.view", "POST": "incidents.view"}
    queryset = WhyChain.objects.none()

    def get_serializer_class(self):
        return WhyStepSerializer if self.action == "whys" else WhyChainSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        chains = WhyChain.objects.filter(
            investigation__in=selectors.investigation_list_for_user(self.request.user).values("pk")
        ).prefetch_related("steps")
        investigation = self.request.query_params.get("investigation", "")
        return chains.filter(investigation_id=investigation) if investigation.isdigit() else chains

    def perform_create(self, serializer):
        serializer.instance = services.chain_add(actor=self.request.user, **serializer.validated_data)

    @extend_schema(request=WhyStepSerializer, responses=WhyChainSerializer)
    @route(detail=True, methods=["post"])
    def whys(self, request, pk=None):
        chain = self.get_object()
        serializer = WhyStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.step_add(actor=request.user, chain=chain, **serializer.validated_data)
        chain = self.get_queryset().get(pk=chain.pk)
        return Response(WhyChainSerializer(chain, context=self.get_serializer_context()).data, status=201)


class FactSerializer(serializers.ModelSerializer):
    investigation = ScopedInvestigationField()
    leads_to = serializers.PrimaryKeyRelatedField(
        queryset=CauseTreeFact.objects.all(), required=False, allow_null=True, write_only=True
    )

    class Meta:
        model = CauseTreeFact
        fields = ["id", "investigation", "text", "is_unusual", "is_final_event", "leads_to"]
        read_only_fields = ["is_final_event"]


class FactUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = CauseTreeFact
        fields = ["id", "investigation", "text", "is_unusual", "is_final_event"]
        read_only_fields = ["investigation", "is_final_event"]


def _facts_for(user):
    return CauseTreeFact.objects.filter(investigation__in=selectors.investigation_list_for_user(user).values("pk"))


class CauseTreeFactViewSet(viewsets.ModelViewSet):
    """Facts of the cause tree. The first fact of an investigation is its final event; later ones
    give `leads_to` (the fact they were necessary for). A change that breaks the tree is refused."""

    capabilities = {"GET": "incidents.view", "POST": "incidents.view", "PATCH": "incidents.view",
                    "PUT": "incidents.view", "DELETE": "incidents.view"}  # fmt: skip
    queryset = CauseTreeFact.objects.none()

    def get_serializer_class(self):
        return FactUpdateSerializer if self.action in ("update", "partial_update") else FactSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        facts = _facts_for(self.request.user)
        investigation = self.request.query_params.get("investigation", "")
        return facts.filter(investigation_id=investigation) if investigation.isdigit() else facts

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
            is_unusual=data.get("is_unusual", fact.is_unusual),
        )  # fmt: skip

    def perform_destroy(self, instance):
        services.fact_remove(actor=self.request.user, fact=instance)


class LinkSerializer(serializers.ModelSerializer):
    investigation = ScopedInvestigationField()
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

    def get_kind(self, link) -> str:
        kinds = self.context.get("kinds")
        if kinds is None:
            return ""
        return kinds.get(link.investigation_id, {}).get((link.antecedent_id, link.consequent_id), "")


class CauseTreeLinkViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Links antecedent → consequent; `kind` (chain, conjunction, disjunction) follows from the tree."""

    capabilities = {"GET": "incidents.view", "POST": "incidents.view", "DELETE": "incidents.view"}
    serializer_class = LinkSerializer
    queryset = CauseTreeLink.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        links = CauseTreeLink.objects.filter(
            investigation__in=selectors.investigation_list_for_user(self.request.user).values("pk")
        )
        investigation = self.request.query_params.get("investigation", "")
        return links.filter(investigation_id=investigation) if investigation.isdigit() else links

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
