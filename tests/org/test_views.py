from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.org.models import HoursWorked
from tests.factories import PersonFactory, UnitFactory


def test_unit_detail_shows_people_and_hours_form_to_specialist(client_as, org, hse_specialist):
    response = client_as(hse_specialist).get(reverse("org:unit_detail", args=[org.crew.pk]))
    assert response.status_code == 200
    assert "Petrov P. P." in response.text
    assert f'action="/org/units/{org.crew.pk}/hours/"' in response.text
    assert "<svg" in response.text


def test_unit_detail_hides_hours_form_from_line_manager(client_as, org, line_manager):
    response = client_as(line_manager).get(reverse("org:unit_detail", args=[org.crew.pk]))
    assert response.status_code == 200
    assert "/hours/" not in response.text


def test_outsider_gets_404_for_a_unit_outside_scope(client_as, org, outsider):
    assert client_as(outsider).get(reverse("org:unit_detail", args=[org.crew.pk])).status_code == 404


class TestRecordHours:
    def url(self, unit):
        return reverse("org:hours_record", args=[unit.pk])

    def test_get_is_rejected(self, client_as, org, hse_specialist):
        assert client_as(hse_specialist).get(self.url(org.crew)).status_code == 405

    def test_role_without_capability_is_refused(self, client_as, org, line_manager):
        response = client_as(line_manager).post(self.url(org.crew), {"month": "2026-10", "hours": "100"})
        assert response.status_code == 403
        assert not HoursWorked.objects.exists()

    def test_outsider_is_refused(self, client_as, org, outsider):
        response = client_as(outsider).post(self.url(org.crew), {"month": "2026-10", "hours": "100"})
        assert response.status_code == 404

    def test_happy_path(self, client_as, org, hse_specialist):
        response = client_as(hse_specialist).post(self.url(org.crew), {"month": "2026-10", "hours": "1534.5"})
        assert response.status_code == 302
        row = HoursWorked.objects.get()
        assert (row.unit, row.month, row.hours) == (org.crew, date(2026, 10, 1), Decimal("1534.5"))

    def test_bad_input_shows_errors_in_place_and_keeps_what_was_typed(self, client_as, org, hse_specialist):
        response = client_as(hse_specialist).post(
            self.url(org.crew), {"month": "2026-10", "hours": "-3", "reason": "from the timesheet"}
        )
        assert response.status_code == 400
        assert "is-invalid" in response.text
        assert "from the timesheet" in response.text
        assert not HoursWorked.objects.exists()


def test_person_list_filters_by_unit_and_search(client_as, org, hse_head):
    PersonFactory(unit=org.other_shop, full_name="Kozlov K. K.", job_title="Bus driver")
    client = client_as(hse_head)
    response = client.get(reverse("org:person_list"), {"unit": org.other_shop.pk, "q": "bus"})
    assert "Kozlov K. K." in response.text
    assert "Petrov P. P." not in response.text


@pytest.mark.parametrize("url_name", ["org:person_list", "org:unit_list"])
def test_list_query_count_does_not_grow_with_rows(client_as, org, hse_head, django_assert_max_num_queries, url_name):
    client = client_as(hse_head)
    client.get(reverse(url_name))  # warm up: session, content types
    with django_assert_max_num_queries(12) as few:
        client.get(reverse(url_name))
    for index in range(30):
        unit = UnitFactory(parent=org.shop, site=org.shop.site, kind="crew")
        PersonFactory(unit=unit, full_name=f"Extra {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(url_name))
    assert response.status_code == 200


def test_unit_detail_query_count_does_not_grow_with_people(client_as, org, hse_head, django_assert_max_num_queries):
    client = client_as(hse_head)
    url = reverse("org:unit_detail", args=[org.crew.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    PersonFactory.create_batch(20, unit=org.crew)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


class TestRecordHoursLimits:
    def post(self, client_as, org, user, **data):
        return client_as(user).post(
            reverse("org:hours_record", args=[org.crew.pk]), {"month": "2026-10", "hours": "1"} | data
        )

    @pytest.mark.parametrize(
        ("month", "status"), [("2026-12", 302), ("2027-01", 400), ("2000-01", 302), ("1999-12", 400), ("0001-01", 400)]
    )
    def test_month_window(self, client_as, org, hse_specialist, now, month, status):
        response = self.post(client_as, org, hse_specialist, month=month)
        assert response.status_code == status
        assert HoursWorked.objects.exists() == (status == 302)
        if status == 400:
            assert "is-invalid" in response.text

    @pytest.mark.parametrize(
        ("hours", "status"), [("0", 302), ("10000000", 302), ("10000000.1", 400), ("-0.1", 400), ("Infinity", 400)]
    )
    def test_hours_bounds(self, client_as, org, hse_specialist, hours, status):
        response = self.post(client_as, org, hse_specialist, hours=hours)
        assert response.status_code == status
        assert HoursWorked.objects.exists() == (status == 302)

    def test_the_note_is_at_most_500_characters(self, client_as, org, hse_specialist):
        assert self.post(client_as, org, hse_specialist, reason="x" * 501).status_code == 400
        assert not HoursWorked.objects.exists()
        assert self.post(client_as, org, hse_specialist, reason="x" * 500).status_code == 302

    def test_the_form_caps_match_the_model(self):
        from apps.org.forms import HoursWorkedForm
        from apps.org.models import HOURS_WORKED_MAX

        field = HoursWorkedForm.base_fields["hours"]
        assert (field.min_value, field.max_value, field.max_digits, field.decimal_places) == (
            0,
            HOURS_WORKED_MAX,
            12,
            1,
        )
