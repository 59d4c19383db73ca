import pytest
from django.test import RequestFactory

from apps.common.pagination import CappedPaginator, paginate
from tests.factories import UnitFactory


def test_small_lists_are_counted_exactly():
    paginator = CappedPaginator(list(range(60)), 25)
    assert (paginator.count, paginator.is_capped, paginator.num_pages) == (60, False, 3)
    assert paginator.page(3).end_index() == 60


def test_the_count_stops_one_past_the_cap():
    paginator = CappedPaginator(list(range(30)), 5)
    paginator.cap = 20
    assert (paginator.count, paginator.is_capped, paginator.num_pages) == (21, True, 4)
    last = paginator.page(4)
    assert (last.start_index(), last.end_index(), last.has_next()) == (16, 20, False)


def test_at_the_cap_exactly_the_list_is_not_capped():
    paginator = CappedPaginator(list(range(20)), 5)
    paginator.cap = 20
    assert (paginator.count, paginator.is_capped, paginator.num_pages) == (20, False, 4)


def test_an_empty_list_has_one_empty_page():
    assert CappedPaginator([], 25).num_pages == 1


@pytest.mark.django_db
def test_a_queryset_is_counted_without_its_order(django_assert_max_num_queries):
    UnitFactory.create_batch(3)
    from apps.org.models import StructuralUnit

    page = paginate(RequestFactory().get("/", {"page": "99"}), StructuralUnit.objects.order_by("name"), per_page=2)
    assert (page.number, page.paginator.count) == (2, 3)


def test_api_lists_say_whether_the_count_is_capped(client_as, hse_head):
    body = client_as(hse_head).get("/api/v1/units/").json()
    assert set(body) == {"count", "count_is_capped", "next", "previous", "results"}
    assert body["count_is_capped"] is False and body["count"] == len(body["results"])
