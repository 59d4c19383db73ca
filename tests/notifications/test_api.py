import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.notifications.models import Notification
from apps.notifications.selectors import unread_count_for_user
from tests.factories import UserFactory


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def notify(user, count):
    Notification.objects.bulk_create(
        Notification(recipient=user, kind="actions_digest", title=f"Digest {index}", url="/actions/")
        for index in range(count)
    )


def test_the_list_shows_only_ones_own_newest_first(org, line_manager, hse_head):
    notify(line_manager, 2)
    notify(hse_head, 1)
    rows = api(line_manager).get("/api/v1/notifications/").json()["results"]
    assert [row["title"] for row in rows] == ["Digest 1", "Digest 0"]


def test_list_query_count_does_not_grow(org, line_manager, django_assert_max_num_queries):
    client = api(line_manager)
    notify(line_manager, 2)
    client.get("/api/v1/notifications/")
    with django_assert_max_num_queries(10) as few:
        client.get("/api/v1/notifications/")
    notify(line_manager, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/notifications/")
    assert response.json()["count"] == 42


def test_read_marks_one_and_someone_elses_is_a_404(org, line_manager, hse_head):
    notify(line_manager, 1)
    note = Notification.objects.get()
    assert api(hse_head).post(f"/api/v1/notifications/{note.pk}/read/").status_code == 404
    assert unread_count_for_user(line_manager) == 1
    response = api(line_manager).post(f"/api/v1/notifications/{note.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert unread_count_for_user(line_manager) == 0


@pytest.mark.parametrize("target", ["https://evil.test/phish", "//evil.test/x", ""])
def test_opening_a_notification_never_leaves_the_portal(client_as, org, line_manager, target):
    note = Notification.objects.create(recipient=line_manager, kind="actions_digest", title="x", url=target)
    response = client_as(line_manager).post(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read_page(client_as, org, line_manager):
    notify(line_manager, 3)
    other = UserFactory(role="line_manager")
    notify(other, 1)
    response = client_as(line_manager).post(reverse("notifications:mark_all_read"))
    assert response["Location"] == reverse("notifications:list")
    assert unread_count_for_user(line_manager) == 0 and unread_count_for_user(other) == 1


def test_list_page_query_count_does_not_grow(client_as, org, line_manager, django_assert_max_num_queries):
    client = client_as(line_manager)
    notify(line_manager, 2)
    client.get(reverse("notifications:list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("notifications:list"))
    notify(line_manager, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("notifications:list")).status_code == 200
