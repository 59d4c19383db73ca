from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.actions.models import Action
from tests.factories import ActionFactory, ObservationFactory


def test_create_page_opens_an_action(client_as, org, hse_specialist, owner):
    response = client_as(hse_specialist).post(
        reverse("actions:create"),
        {
            "title": "Guard the tail pulley",
            "unit": org.crew.pk,
            "owner": owner.pk,
            "due_date": "2099-01-31",
            "priority": "high",
            "control_level": "engineering",
        },
    )
    action = Action.objects.get()
    assert response.status_code == 302
    assert response["Location"] == action.get_absolute_url()
    assert (action.owner, action.created_by, action.unit) == (owner, hse_specialist, org.crew)


def test_create_page_keeps_input_and_shows_errors(client_as, org, hse_specialist, owner):
    response = client_as(hse_specialist).post(
        reverse("actions:create"),
        {"title": "Guard the tail pulley", "unit": org.crew.pk, "owner": owner.pk, "due_date": "2001-01-01"},
    )
    assert response.status_code == 400
    assert "Guard the tail pulley" in response.text
    assert "The due date cannot be in the past." in response.text
    assert "This field is required." in response.text  # control level
    assert not Action.objects.exists()


def test_create_page_offers_only_units_in_scope(client_as, org, hse_specialist):
    response = client_as(hse_specialist).get(reverse("actions:create"))
    assert "Flotation crew" in response.text
    assert "Transport shop" not in response.text


def test_tabs_mine_units_overdue(client_as, org, owner, line_manager):
    ActionFactory(unit=org.crew, owner=owner, title="Owner's overdue", due_date=date(2020, 1, 1))
    ActionFactory(unit=org.crew, owner=line_manager, title="Manager's own", due_date=date(2099, 1, 1))
    client = client_as(line_manager)
    mine = client.get(reverse("actions:list"), {"tab": "mine"}).text
    units = client.get(reverse("actions:list"), {"tab": "units"}).text
    overdue = client.get(reverse("actions:list"), {"tab": "overdue"}).text
    assert "Manager&#x27;s own" in mine and "Owner&#x27;s overdue" not in mine
    assert "Manager&#x27;s own" in units and "Owner&#x27;s overdue" in units
    assert "Owner&#x27;s overdue" in overdue and "Manager&#x27;s own" not in overdue


def test_filters_combine(client_as, org, hse_head, owner):
    observation = ObservationFactory(unit=org.crew, observer=hse_head)
    ActionFactory(unit=org.crew, owner=owner, title="PPE one", control_level="ppe", source_record=observation)
    ActionFactory(unit=org.crew, owner=owner, title="PPE by hand", control_level="ppe")
    ActionFactory(unit=org.crew, owner=owner, title="Engineering one", control_level="engineering")
    page = client_as(hse_head).get(reverse("actions:list"), {"control_level": "ppe", "source": "observation"}).text
    assert "PPE one" in page and "Engineering one" not in page and "PPE by hand" not in page
    by_hand = client_as(hse_head).get(reverse("actions:list"), {"source": "none"}).text
    assert "PPE by hand" in by_hand and "PPE one" not in by_hand


def test_owner_sees_an_action_outside_their_units(client_as, org, owner):
    foreign = ActionFactory(unit=org.other_shop, owner=owner)
    assert client_as(owner).get(foreign.get_absolute_url()).status_code == 200


def test_outsider_gets_404(client_as, action, outsider):
    assert client_as(outsider).get(action.get_absolute_url()).status_code == 404


def test_detail_offers_only_allowed_transitions(client_as, action, owner, line_manager):
    owner_page = client_as(owner).get(action.get_absolute_url()).text
    assert reverse("actions:start", args=[action.pk]) in owner_page
    assert reverse("actions:cancel", args=[action.pk]) not in owner_page
    manager_page = client_as(line_manager).get(action.get_absolute_url()).text
    assert reverse("actions:cancel", args=[action.pk]) in manager_page


class TestComplete:
    def url(self, action):
        return reverse("actions:complete", args=[action.pk])

    def test_get_is_rejected(self, client_as, action, owner):
        assert client_as(owner).get(self.url(action)).status_code == 405

    def test_a_stranger_in_scope_is_refused(self, client_as, action, executive):
        assert client_as(executive).post(self.url(action), {"evidence": "x"}).status_code == 403

    def test_outsider_is_refused(self, client_as, action, outsider):
        assert client_as(outsider).post(self.url(action), {"evidence": "x"}).status_code == 404

    def test_happy_path_with_a_photo(self, client_as, action, owner):
        photo = SimpleUploadedFile("guard.jpg", b"\xff\xd8\xff" + b"0" * 64, content_type="image/jpeg")
        response = client_as(owner).post(self.url(action), {"evidence": "Guard fitted", "files": [photo]})
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.status == "done"
        evidence = action.evidence_files.get()
        download = client_as(owner).get(reverse("actions:evidence_download", args=[evidence.pk]))
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"\xff\xd8\xff")

    def test_no_evidence_shows_the_error_in_place(self, client_as, action, owner):
        response = client_as(owner).post(self.url(action), {"evidence": ""})
        assert response.status_code == 400
        assert "Describe what was done or attach a file as evidence." in response.text
        action.refresh_from_db()
        assert action.status == "open"


def test_verify_by_manager_and_not_by_owner(client_as, action, owner, line_manager):
    client_as(owner).post(reverse("actions:complete", args=[action.pk]), {"evidence": "done"})
    assert client_as(owner).post(reverse("actions:verify", args=[action.pk]), {"effective": "yes"}).status_code == 403
    response = client_as(line_manager).post(
        reverse("actions:verify", args=[action.pk]), {"effective": "yes", "note": "Checked"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "verified"


def test_evidence_of_an_action_is_not_served_to_outsiders(client_as, action, owner, outsider):
    photo = SimpleUploadedFile("guard.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    client_as(owner).post(reverse("actions:complete", args=[action.pk]), {"evidence": "x", "files": [photo]})
    evidence = action.evidence_files.get()
    assert client_as(outsider).get(reverse("actions:evidence_download", args=[evidence.pk])).status_code == 404


def test_edit_needs_a_reason_to_move_the_due_date(client_as, action, owner, line_manager):
    url = reverse("actions:edit", args=[action.pk])
    assert client_as(owner).get(url).status_code == 403
    data = {
        "title": action.title,
        "owner": owner.pk,
        "due_date": "2099-03-01",
        "priority": "medium",
        "control_level": "engineering",
        "reason": "",
    }
    response = client_as(line_manager).post(url, data)
    assert response.status_code == 400
    assert "Say why the due date changes." in response.text
    response = client_as(line_manager).post(url, {**data, "reason": "Shutdown moved"})
    assert response.status_code == 302


@pytest.mark.parametrize("tab", ["mine", "units", "overdue"])
def test_list_query_count_does_not_grow(client_as, org, hse_head, owner, tab, django_assert_max_num_queries):
    client = client_as(hse_head)
    ActionFactory(unit=org.crew, owner=owner, due_date=date(2020, 1, 1))
    ActionFactory(unit=org.crew, owner=hse_head, due_date=date(2020, 1, 1))  # every tab shows a row
    client.get(reverse("actions:list"), {"tab": tab})
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("actions:list"), {"tab": tab})
    ActionFactory.create_batch(30, unit=org.crew, owner=owner, due_date=date(2020, 1, 1))
    ActionFactory.create_batch(10, unit=org.crew, owner=hse_head, due_date=date(2020, 1, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("actions:list"), {"tab": tab}).status_code == 200


def test_detail_query_count_is_bounded(client_as, action, owner, line_manager, django_assert_max_num_queries):
    client = client_as(line_manager)
    client.get(action.get_absolute_url())
    with django_assert_max_num_queries(25):
        client.get(action.get_absolute_url())


def test_bell_shows_unread_count(client_as, org, owner):
    from apps.notifications.models import Notification

    Notification.objects.create(recipient=owner, kind="actions_digest", title="2 overdue actions", url="/actions/")
    page = client_as(owner).get(reverse("notifications:list")).text
    assert 'data-testid="unread-count">1<' in page
    note = Notification.objects.get()
    response = client_as(owner).post(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == "/actions/"
    note.refresh_from_db()
    assert note.read_at is not None
