"""Two people changing one pass (issue 14, lost updates): A opens the pass, B changes it, A saves
what A saw. A's change is refused with who changed it and when, B's change stays, the page shows
A's input again with the current version, and sending it again is accepted. The same for the bulk
action of the pass list and through the API (409, a `version` field error)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.common.versioning import VersionConflict
from apps.contractors import services
from apps.contractors.models import AccessPass
from tests.concurrency import race
from tests.factories import AccessPassFactory, UserFactory

STALE = "after you opened it. Your changes were not saved: review the current version and try again."


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def version_in(html: str, action: str) -> int:
    form = re.search(r'<form[^>]*action="' + re.escape(action) + r'"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form posting to {action}"
    field = re.search(r'<input[^>]*name="version"[^>]*>', form.group(1))
    assert field, f"no version in the form posting to {action}"
    return int(re.search(r'value="(\d+)"', field.group(0)).group(1))


@pytest.fixture
def anna(org):
    return UserFactory(username="anna", first_name="Anna", last_name="Petrova", role=Role.PASS_ADMIN)


@pytest.fixture
def crew_pass(org):
    return AccessPassFactory(number="P-000201", zones=[org.crew], valid_until=in_days(20))


@pytest.mark.django_db
class TestPassPage:
    def test_extending_a_pass_suspended_meanwhile_is_refused_and_the_input_kept(self, pass_admin, anna, crew_pass):
        extend = reverse("contractors:pass_extend", args=[crew_pass.pk])
        mine = signed_in(pass_admin)
        seen = version_in(mine.get(crew_pass.get_absolute_url()).text, extend)
        assert seen == 1

        services.pass_suspend(actor=anna, access_pass=crew_pass, reason="Medical certificate out of date", version=1)

        until = in_days(40).isoformat()
        response = mine.post(extend, {"valid_until": until, "reason": "Contract prolonged", "version": seen})
        assert response.status_code == 409
        crew_pass.refresh_from_db()
        assert crew_pass.valid_until == in_days(20)  # A's change not saved
        assert crew_pass.status == "suspended" and crew_pass.status_reason == "Medical certificate out of date"
        page = response.text
        assert "Someone else changed this pass (Anna Petrova, " in page and STALE in page
        assert f'value="{until}"' in page and "Contract prolonged" in page  # A's input kept
        assert "Medical certificate out of date" in page  # the pass as it is now
        assert version_in(page, extend) == 2

        response = mine.post(extend, {"valid_until": until, "reason": "Contract prolonged", "version": 2})
        assert response.status_code == 302
        crew_pass.refresh_from_db()
        assert crew_pass.valid_until == in_days(40) and crew_pass.version == 3

    def test_a_step_no_longer_possible_is_told_above_the_page(self, pass_admin, anna, crew_pass):
        suspend = reverse("contractors:pass_suspend", args=[crew_pass.pk])
        mine = signed_in(pass_admin)
        seen = version_in(mine.get(crew_pass.get_absolute_url()).text, suspend)
        services.pass_revoke(actor=anna, access_pass=crew_pass, reason="Worker left the company")
        response = mine.post(suspend, {"reason": "Holiday", "version": seen})
        assert response.status_code == 409
        assert any("Someone else changed this pass (Anna Petrova, " in str(m) for m in response.context["messages"])
        crew_pass.refresh_from_db()
        assert crew_pass.status == "revoked" and crew_pass.status_reason == "Worker left the company"

    def test_a_change_with_the_current_version_passes(self, pass_admin, crew_pass):
        response = signed_in(pass_admin).post(
            reverse("contractors:pass_block", args=[crew_pass.pk]), {"reason": "Fight at the gate", "version": 1}
        )
        assert response.status_code == 302
        crew_pass.refresh_from_db()
        assert crew_pass.status == "blocked" and crew_pass.version == 2


@pytest.mark.django_db
class TestBulk:
    url = reverse("contractors:pass_bulk")

    def test_passes_changed_since_the_list_was_opened_are_left_alone_and_stay_ticked(self, pass_admin, anna, org):
        first = AccessPassFactory(number="P-000301", zones=[org.crew], valid_until=in_days(20))
        second = AccessPassFactory(number="P-000302", zones=[org.crew], valid_until=in_days(20))
        page = signed_in(pass_admin).get(reverse("contractors:pass_list")).text
        seen = dict(re.findall(r'name="seen-(\d+)" value="(\d+)"', page))
        assert seen == {str(first.pk): "1", str(second.pk): "1"}

        services.pass_extend(actor=anna, access_pass=first, valid_until=in_days(50), reason="New contract")

        response = signed_in(pass_admin).post(
            self.url,
            {"passes": [first.pk, second.pk], "operation": "suspend", "reason": "Site closed for the audit",
             **{f"seen-{pk}": version for pk, version in seen.items()}},
        )  # fmt: skip
        assert response.status_code == 409
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == "active" and first.valid_until == in_days(50)  # B's change intact
        assert second.status == "suspended"
        text = response.text
        assert "1 pass changed after you opened the list and was not changed: it is still ticked." in text
        assert "Site closed for the audit" in text  # the reason typed, kept
        assert re.search(rf'value="{first.pk}"[^>]*checked', text)
        assert not re.search(rf'value="{second.pk}"[^>]*checked', text)
        assert f'name="seen-{first.pk}" value="2"' in text  # the row's version is the current one

    def test_a_bulk_change_on_current_versions_changes_all(self, pass_admin, org):
        passes = [AccessPassFactory(zones=[org.crew]) for _ in range(3)]
        response = signed_in(pass_admin).post(
            self.url,
            {"passes": [p.pk for p in passes], "operation": "suspend", "reason": "Audit",
             **{f"seen-{p.pk}": "1" for p in passes}},
        )  # fmt: skip
        assert response.status_code == 302
        assert AccessPass.objects.filter(status="suspended", version=2).count() == 3


@pytest.mark.django_db
class TestApi:
    def test_a_stale_step_answers_409_with_a_version_error(self, pass_admin, anna, crew_pass):
        url = f"/api/v1/access-passes/{crew_pass.pk}/"
        seen = api(pass_admin).get(url).json()["version"]
        assert api(anna).post(url + "block/", {"reason": "Fight", "version": seen}, format="json").status_code == 200
        response = api(pass_admin).post(url + "suspend/", {"reason": "Holiday", "version": seen}, format="json")
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "version_conflict" and body["current_version"] == seen + 1
        assert body["version"][0].startswith("Someone else changed this pass (Anna Petrova, ")
        crew_pass.refresh_from_db()
        assert crew_pass.status == "blocked" and crew_pass.status_reason == "Fight"

    def test_a_current_version_passes_and_the_answer_has_the_next(self, pass_admin, crew_pass):
        url = f"/api/v1/access-passes/{crew_pass.pk}/extend/"
        response = api(pass_admin).post(url, {"valid_until": in_days(30).isoformat(), "version": 1}, format="json")
        assert response.status_code == 200 and response.json()["version"] == 2

    def test_the_schema_documents_the_version(self, pass_admin):
        schema = api(pass_admin).get("/api/schema/", {"format": "json"}).json()
        suspend = schema["paths"]["/api/v1/access-passes/{id}/suspend/"]["post"]
        assert suspend["responses"]["409"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/PortalConflict"
        }
        assert "version" in schema["components"]["schemas"]["AccessPass"]["properties"]


@pytest.mark.django_db
def test_the_nightly_expiry_counts_as_a_change(pass_admin, org):
    """A pass page opened before the expiry run is stale after it."""
    expired = AccessPassFactory(zones=[org.crew], valid_from=in_days(-10), valid_until=in_days(-1))
    assert services.passes_expire(today=timezone.localdate()) == 1
    expired.refresh_from_db()
    assert expired.version == 2
    with pytest.raises(VersionConflict, match=r"Someone else changed this pass \(system, "):
        services.pass_suspend(actor=pass_admin, access_pass=expired, reason="x", version=1)


@pytest.mark.django_db(transaction=True)
def test_ten_extensions_read_at_one_version_extend_once(org, pass_admin):
    crew_pass = AccessPassFactory(zones=[org.crew], valid_until=in_days(20))
    outcomes = race(
        10,
        lambda i: services.pass_extend(
            actor=pass_admin, access_pass=AccessPass.objects.get(pk=crew_pass.pk), valid_until=in_days(30 + i),
            version=1,
        ),
    )  # fmt: skip
    assert outcomes.succeeded == 1
    assert len(outcomes.failed) == 9 and all(isinstance(error, VersionConflict) for error in outcomes.failed)
    crew_pass.refresh_from_db()
    assert crew_pass.valid_until == outcomes.results[0].valid_until and crew_pass.version == 2
