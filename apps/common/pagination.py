"""Pagination that never counts a million rows.

A list page shows "1–25 of 1,234" when the list is small, and "1–25 of more than 10,000" when it is
not: the count stops at `COUNT_CAP` (one indexed scan of at most 10,001 rows, without sorting),
because nobody pages through ten thousand records; they filter. Pages and the API share it.
"""

from functools import cached_property
from math import ceil

from django.core.paginator import Page, Paginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

PAGE_SIZE = 25
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Paginator whose `count` stops at `cap` + 1 (`is_capped` then says there are more)."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            return rows.order_by()[: self.cap + 1].count()
        return len(rows[: self.cap + 1])

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        shown = min(self.count, self.cap)
        if shown == 0 and not self.allow_empty_first_page:
            return 0
        return ceil(max(1, shown - self.orphans) / self.per_page)

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)


class CappedPage(Page):
    def end_index(self) -> int:
        return min(super().end_index(), self.start_index() + len(self.object_list) - 1)


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """The requested page of a list; a page number out of range gives the last page."""
    return CappedPaginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current filters as a query string, for pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class PortalPagination(PageNumberPagination):
    """The API's pages: `?page=N`, 50 rows; `count` is exact up to 10,000 and `count_is_capped`
    says when there are more (then `count` is 10,001: filter to narrow the list)."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_capped": self.page.paginator.is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["count"]["description"] = "Exact up to 10,000; 10,001 means more."
        paginated["properties"]["count_is_capped"] = {
            "type": "boolean",
            "description": "True when there are more than 10,000 rows: filter to narrow the list.",
        }
        paginated["required"] = [*paginated.get("required", []), "count_is_capped"]
        return paginated
