"""API endpoints of this app: api_urls registers each (prefix, viewset, basename) in ROUTES."""

from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from apps.accounts.access import unit_in_scope
from apps.common.api import PortalModelSerializer
from apps.common.fields import LONG_TEXT_MAX_LENGTH, EventDateTimeSerializerField

from . import selectors, services
from .filters import ObservationFilterSet
from .models import Observation, ObservationCategory


class CategorySerializer(PortalModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = ObservationCategory
        fields = ["id", "code", "name", "name_en", "name_ru", "icon"]


class ObservationSerializer(PortalModelSerializer):
    reference = serializers.CharField(read_only=True)
    observer = serializers.StringRelatedField()
    category = serializers.PrimaryKeyRelatedField(queryset=ObservationCategory.objects.filter(is_active=True))
    observed_at = EventDateTimeSerializerField(required=False)
    description = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH)
    feedback_text = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, required=False, allow_blank=True)
    # Checked by content in the service (apps.common.uploads), as on the phone form.
    photos = serializers.ListField(
        child=serializers.FileField(), write_only=True, required=False, max_length=services.PHOTOS_PER_OBSERVATION
    )
    photo_count = serializers.SerializerMethodField()

    class Meta:
        model = Observation
        fields = [
            "id", "reference", "observed_at", "unit", "area", "kind", "category", "description", "feedback_given",
            "feedback_to", "feedback_text", "work_stopped", "risk", "observer", "photos", "photo_count", "created_at",
        ]  # fmt: skip
        read_only_fields = ["observer", "created_at"]

    def get_photo_count(self, observation) -> int:
        return len(observation.photos.all())

    def validate_unit(self, unit):
        if not unit_in_scope(self.context["request"].user, unit):
            raise serializers.ValidationError(_("Unknown unit."))
        return unit


class ObservationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Gemba observations of the user's units, filtered as on the list page (a malformed or
    out-of-scope parameter answers 400 with the field's error). POST (JSON, or multipart with
    `photos`) logs one; the same rules apply as on the phone form (no worker names, a time inside
    the records' window and not in the future, photos checked by content)."""

    serializer_class = ObservationSerializer
    filterset_class = ObservationFilterSet
    queryset = Observation.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    capabilities = {"GET": "observations.view", "POST": "observations.log"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.observation_list_for_user(self.request.user).prefetch_related("photos")

    def filter_queryset(self, queryset):
        # The list's filters are the list's: a detail URL is not narrowed by them.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.observation_log(actor=self.request.user, **data)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The observation categories (reference list)."""

    serializer_class = CategorySerializer
    queryset = ObservationCategory.objects.filter(is_active=True)
    capabilities = {"GET": "observations.view"}


ROUTES: list = [
    ("observations", ObservationViewSet, "observation"),
    ("observation-categories", CategoryViewSet, "observation-category"),
]
