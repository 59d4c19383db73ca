"""Fields a request may not set are refused, not silently dropped: every serializer of every API
resource that takes a body refuses each field it only shows (status, owner, who and when, scores:
what services and workflow steps set) with a 400 field error; and end to end, an owner who sends a
status for their action, or a pass office that sends `status: blocked` with an extension, changes
nothing."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from apps.common.api import PortalModelSerializer
from hse_portal.api_urls import router
from tests.factories import AccessPassFactory, ActionFactory

# Shown by the API, set only by the portal: each must be refused wherever a serializer shows it.
SET_BY_THE_PORTAL = {
    "status", "owner", "role", "blocked", "created_by", "created_at", "updated_at", "verified_by",
    "verified_at", "approved_by", "approved_at", "observer", "reported_by", "raised_by", "decided_by",
    "decided_at", "score", "closed_at", "reference", "number", "version",
}  # fmt: skip


def _writing_serializers():
    found = {}
    for _prefix, viewset, basename in router.registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        writes = any(hasattr(viewset, name) for name in ("create", "update", "partial_update"))
        if serializer_class and writes and issubclass(serializer_class, serializers.ModelSerializer):
            found[basename] = serializer_class
    return found


WRITING = _writing_serializers()


def test_every_model_serializer_that_takes_a_body_is_the_portals():
    assert len(WRITING) >= 10, sorted(WRITING)
    plain = sorted(name for name, serializer in WRITING.items() if not issubclass(serializer, PortalModelSerializer))
    assert plain == [], f"serializers that would drop a field they only show: {plain}"


@pytest.mark.parametrize("basename", sorted(WRITING))
def test_each_field_only_shown_is_refused(basename, db):
    serializer_class = WRITING[basename]
    shown_only = sorted(
        name for name, field in serializer_class().fields.items() if field.read_only and name in SET_BY_THE_PORTAL
    )
    for name in shown_only:
        serializer = serializer_class(data={name: "x"}, partial=True)
        assert not serializer.is_valid(), f"{basename}: {name}"
        assert list(serializer.errors) == [name], f"{basename}: {serializer.errors}"


def test_a_writable_field_with_an_id_sent_back_is_taken(db):
    class Probe(PortalModelSerializer):
        class Meta:
            from apps.org.models import Site

            model = Site
            fields = ["id", "name"]
            read_only_fields = ["id"]

    probe = Probe(data={"id": 7, "name": "North pit"})
    assert probe.is_valid(), probe.errors
    assert probe.validated_data == {"name": "North pit"}


def test_the_owner_cannot_close_an_action_by_sending_its_status(org, line_manager):
    action = ActionFactory(unit=org.crew, owner=line_manager)
    client = APIClient()
    client.force_authenticate(line_manager)
    response = client.patch(f"/api/v1/actions/{action.pk}/", {"status": "verified"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["status"]
    action.refresh_from_db()
    assert action.status == "open"


def test_blocking_a_pass_is_a_step_with_a_reason_not_a_field(org, pass_admin):
    access_pass = AccessPassFactory(zones=[org.crew])
    client = APIClient()
    client.force_authenticate(pass_admin)
    response = client.patch(f"/api/v1/access-passes/{access_pass.pk}/", {"status": "blocked"}, format="json")
    assert response.status_code == 405  # no field of a pass is written directly: each change is a step
    access_pass.refresh_from_db()
    assert access_pass.status == "active"
