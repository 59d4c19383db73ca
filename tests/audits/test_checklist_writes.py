"""Writing checklists on the pages and through the API: an item's text over 500 characters, a
weight such as "²" or 99999999999999999999 is a field error naming the item (400), the page keeps
every item typed, and nothing is published."""

import pytest
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.audits import services
from apps.audits.models import ChecklistItem, ChecklistTemplate, ChecklistTemplateVersion

BAD_LINES = [
    pytest.param("PPE | Gloves | ²", id="superscript-two"),
    pytest.param("PPE | Gloves | 99999999999999999999", id="huge"),
    pytest.param("PPE | Gloves | 0", id="zero"),
    pytest.param("PPE | Gloves | 101", id="over-a-hundred"),
    pytest.param("PPE | " + "g" * 501 + " | 1", id="text-501"),
    pytest.param("s" * 121 + " | Gloves | 1", id="section-121"),
]


class TestNewVersionPage:
    def url(self, template):
        return reverse("audits:template_new_version", args=[template.pk])

    @pytest.mark.parametrize("bad", BAD_LINES)
    def test_a_bad_line_is_named_and_every_item_is_kept(self, client_as, template, hse_head, bad):
        typed = f"Housekeeping | Walkways clear | 1\n{bad}\nGuarding | Guards fitted | 100"
        response = client_as(hse_head).post(self.url(template), {"items": typed, "based_on": "1"})
        assert response.status_code == 400
        assert "Line 2:" in response.text
        assert "Walkways clear" in response.text and "Guards fitted | 100" in response.text
        assert bad[:40] in response.text
        assert template.versions.count() == 1
        assert not AuditEntry.objects.filter(action="audits.template.version_published", data__version=2).exists()

    def test_the_bounds_are_published(self, client_as, template, hse_head):
        typed = "A | " + "t" * 500 + " | 1\n" + "s" * 120 + " | B | 100"
        response = client_as(hse_head).post(self.url(template), {"items": typed, "based_on": "1"})
        assert response.status_code == 302
        version = template.current_version()
        assert list(version.items.values_list("weight", flat=True)) == [1, 100]

    def test_a_version_published_meanwhile_is_not_overwritten(self, client_as, template, hse_head):
        form = client_as(hse_head).get(self.url(template)).text
        assert 'name="based_on" value="1"' in form
        services.template_publish_new_version(actor=hse_head, template=template, items=[{"text": "Someone else's"}])
        response = client_as(hse_head).post(self.url(template), {"items": "Mine", "based_on": "1"})
        assert response.status_code == 400
        assert "Version 2 was published meanwhile" in response.text
        assert "Mine" in response.text  # kept, to publish again after a look at version 2
        assert template.versions.count() == 2


class TestNewChecklistPage:
    url = staticmethod(lambda: reverse("audits:template_create"))

    def test_only_managers(self, client_as, hse_specialist):
        assert client_as(hse_specialist).get(self.url()).status_code == 403
        response = client_as(hse_specialist).post(self.url(), {"name": "X", "code": "x", "items": "Y"})
        assert response.status_code == 403
        assert not ChecklistTemplate.objects.exists()

    def test_happy_path(self, client_as, hse_head):
        response = client_as(hse_head).post(
            self.url(), {"name": "Lifting", "code": "lifting", "description": "Cranes", "items": "Slings | Tags | 2"}
        )
        template = ChecklistTemplate.objects.get()
        assert response.status_code == 302 and response["Location"] == template.get_absolute_url()
        version = template.current_version()
        assert (version.number, list(version.items.values_list("section", "text", "weight"))) == (
            1,
            [("Slings", "Tags", 2)],
        )

    @pytest.mark.parametrize("bad", BAD_LINES)
    def test_a_bad_line_is_named_and_nothing_is_created(self, client_as, hse_head, bad):
        typed = f"A | first | 1\n\n{bad}"
        response = client_as(hse_head).post(self.url(), {"name": "Lifting", "code": "lifting", "items": typed})
        assert response.status_code == 400
        assert "Line 3:" in response.text and "first" in response.text
        assert not ChecklistTemplate.objects.exists() and not ChecklistItem.objects.exists()

    def test_name_and_code_limits(self, client_as, hse_head, template):
        cases = [
            {"name": "n" * 201, "code": "ok"},
            {"name": "ok", "code": "c" * 51},
            {"name": "ok", "code": "not a slug"},
            {"name": "ok", "code": template.code},  # taken
            {"name": "a\x00b", "code": "ok"},
        ]
        for data in cases:
            response = client_as(hse_head).post(self.url(), {**data, "items": "X"})
            assert response.status_code == 400, data
        assert ChecklistTemplate.objects.count() == 1
        ok = client_as(hse_head).post(self.url(), {"name": "n" * 200, "code": "c" * 50, "items": "X"})
        assert ok.status_code == 302


class TestApi:
    def test_create(self, client_as, hse_head):
        response = client_as(hse_head).post(
            reverse("api:checklist-template-list"),
            {"name": "Lifting", "code": "lifting", "items": [{"text": "Tags", "weight": 2}, {"text": "Hooks"}]},
            content_type="application/json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["current_version"] == 1
        assert [(item["text"], item["weight"]) for item in body["items"]] == [("Tags", 2), ("Hooks", 1)]

    @pytest.mark.parametrize(
        ("item", "field"),
        [
            ({"text": "Gloves", "weight": "²"}, "weight"),
            ({"text": "Gloves", "weight": 99999999999999999999}, "weight"),
            ({"text": "Gloves", "weight": "99999999999999999999"}, "weight"),
            ({"text": "Gloves", "weight": 0}, "weight"),
            ({"text": "Gloves", "weight": 101}, "weight"),
            ({"text": "g" * 501}, "text"),
            ({"text": "Gloves", "section": "s" * 121}, "section"),
            ({"text": "Gloves", "guidance": "g" * 5001}, "guidance"),
            ({"text": ""}, "text"),
        ],
    )
    def test_a_bad_item_is_400_at_its_position(self, client_as, template, hse_head, item, field):
        items = [{"text": "Fine"}, item]
        client = client_as(hse_head)
        created = client.post(
            reverse("api:checklist-template-list"),
            {"name": "Lifting", "code": "lifting", "items": items},
            content_type="application/json",
        )
        assert created.status_code == 400
        assert field in created.json()["items"]["1"] and "0" not in created.json()["items"]
        version = client.post(
            reverse("api:checklist-template-versions", args=[template.pk]),
            {"items": items},
            content_type="application/json",
        )
        assert version.status_code == 400
        assert field in version.json()["items"]["1"]
        assert ChecklistTemplate.objects.count() == 1 and ChecklistTemplateVersion.objects.count() == 1

    def test_the_bounds_are_taken(self, client_as, template, hse_head):
        response = client_as(hse_head).post(
            reverse("api:checklist-template-versions", args=[template.pk]),
            {"items": [{"text": "t" * 500, "weight": 1}, {"text": "B", "section": "s" * 120, "weight": 100}]},
            content_type="application/json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["current_version"] == 2

    def test_at_most_200_items(self, client_as, template, hse_head):
        url = reverse("api:checklist-template-versions", args=[template.pk])
        client = client_as(hse_head)
        too_many = client.post(url, {"items": [{"text": f"{n}"} for n in range(201)]}, content_type="application/json")
        assert too_many.status_code == 400 and "items" in too_many.json()
        enough = client.post(url, {"items": [{"text": f"{n}"} for n in range(200)]}, content_type="application/json")
        assert enough.status_code == 201

    def test_a_stale_base_is_409(self, client_as, template, hse_head):
        url = reverse("api:checklist-template-versions", args=[template.pk])
        client = client_as(hse_head)
        first = client.post(url, {"items": [{"text": "A"}], "based_on": 1}, content_type="application/json")
        assert first.status_code == 201
        second = client.post(url, {"items": [{"text": "B"}], "based_on": 1}, content_type="application/json")
        assert second.status_code == 409 and second.json()["code"] == "state_conflict"
        assert template.versions.count() == 2

    def test_a_taken_code_is_400(self, client_as, template, hse_head):
        response = client_as(hse_head).post(
            reverse("api:checklist-template-list"),
            {"name": "Again", "code": template.code, "items": [{"text": "X"}]},
            content_type="application/json",
        )
        assert response.status_code == 400 and "code" in response.json()
        assert ChecklistTemplate.objects.count() == 1

    def test_a_specialist_may_not_publish(self, client_as, template, hse_specialist):
        response = client_as(hse_specialist).post(
            reverse("api:checklist-template-versions", args=[template.pk]),
            {"items": [{"text": "X"}]},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert template.versions.count() == 1
