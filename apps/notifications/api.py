from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from apps.common.api import PortalModelSerializer

from . import selectors, services
from .models import Notification


class NotificationSerializer(PortalModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in user's own notifications (the bell)."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # the model, for the schema; rows come from get_queryset
    capabilities = {"GET": "notifications.view", "POST": "notifications.view"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.notification_list_for_user(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @route(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notification_mark_read(user=request.user, notification_id=notification.pk)
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)
