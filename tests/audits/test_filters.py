"""One filter pattern for the audit lists (apps/audits/filters.py): a malformed parameter is a
field error, 400 from the API and in place on the page, never a 500 nor silently ignored; months
compare raw timestamps with the months' bounds."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audits.models import Audit, AuditPlanEntry, ChecklistTemplate
from apps.audits.selectors import audit_filter, audit_list_for_user, audits_done_vs_planned
from apps.common.dates import month_bounds

MONTH = date(2026, 10, 1)


def _audit(template, unit, auditor, started, completed=None, plan_entry=None):
    return Audit.objects.create(
        plan_entry=plan_entry,
        unit=unit,
        auditor=auditor,
        template_version=template.current_version(),
        status="completed" if completed else "in_progress",
        started_at=started,
        completed_at=completed,
    )


class TestMonthBounds:
    """A month is [its first instant, the next month's first instant) in the site's time zone."""

    @pytest.fixture
    def edges(self, org, template, hse_specialist):
        begins, ends = month_bounds(MONTH)
        tick = timedelta(microseconds=1)
        return {
            "before": _audit(template, org.crew, hse_specialist, begins - tick),
            "first": _audit(template, org.crew, hse_specialist, begins),
            "last": _audit(template, org.crew, hse_specialist, ends - tick),
            "after": _audit(template, org.crew, hse_specialist, ends),
        }

    def _shown(self, hse_specialist, edges, **filters):
        audits = audit_filter(audit_list_for_user(hse_specialist), **filters)
        names = {audit.pk: name for name, audit in edges.items()}
        return {names[pk] for pk in audits.values_list("pk", flat=True)}

    def test_from_a_month_starts_at_its_first_instant(self, hse_specialist, edges):
        assert self._shown(hse_specialist, edges, month_from=MONTH) == {"first", "last", "after"}

    def test_to_a_month_ends_before_the_next_months_first_instant(self, hse_specialist, edges):
        assert self._shown(hse_specialist, edges, month_to=MONTH) == {"before", "first", "last"}

    def test_one_month(self, hse_specialist, edges):
        assert self._shown(hse_specialist, edges, month_from=MONTH, month_to=MONTH) == {"first", "last"}

    def test_completed_audits_go_by_the_month_they_were_completed_in(self, org, template, hse_specialist, hse_head):
        begins, ends = month_bounds(MONTH)
        early = _audit(template, org.crew, hse_specialist, begins - timedelta(days=3), completed=begins)
        late = _audit(template, org.crew, hse_specialist, ends - timedelta(hours=1), completed=ends)
        listed = audit_filter(audit_list_for_user(hse_head), tab="completed", month_from=MONTH, month_to=MONTH)
        assert list(listed) == [early]
        assert late not in audit_filter(audit_list_for_user(hse_head), tab="completed", month_to=MONTH)

    def test_the_query_compares_the_raw_column(self, hse_specialist, edges):
        sql = str(audit_filter(audit_list_for_user(hse_specialist), month_from=MONTH, month_to=MONTH).query)
        assert '"audits_audit"."started_at" >=' in sql and '"audits_audit"."started_at" <' in sql
        assert "::date" not in sql and "AT TIME ZONE" not in sql

    def test_unplanned_audits_done_in_the_month(self, org, template, hse_specialist, hse_head):
        begins, ends = month_bounds(MONTH)
        tick = timedelta(microseconds=1)
        for completed in (begins - tick, begins, ends - tick, ends):
            _audit(template, org.crew, hse_specialist, completed - timedelta(hours=1), completed=completed)
        assert audits_done_vs_planned(user=hse_head, month=MONTH)["unplanned"] == 2


class TestAuditListPage:
    url = staticmethod(lambda: reverse("audits:list"))

    @pytest.fixture
    def completed(self, org, template, hse_specialist):
        now = timezone.now()
        return _audit(template, org.crew, hse_specialist, now - timedelta(hours=1), completed=now)

    @pytest.mark.parametrize(
        "params",
        [
            {"unit": "abc"},
            {"auditor": "999999"},
            {"month_from": "0001-01"},
            {"month_from": "2026-13"},
            {"month_to": "yesterday"},
            {"month_from": "2026-10", "month_to": "2026-09"},
            {"month_from": "9999-12"},
        ],
    )
    def test_a_malformed_filter_is_shown_in_place(self, client_as, hse_specialist, completed, params):
        response = client_as(hse_specialist).get(self.url(), {"tab": "completed", **params})
        assert response.status_code == 400
        assert "invalid-feedback" in response.text
        assert '<details class="card card-body mb-3" open>' in response.text
        assert completed.reference not in response.text  # no rows under a broken filter

    def test_a_unit_outside_the_users_scope_is_an_error(self, client_as, hse_specialist, org, completed):
        response = client_as(hse_specialist).get(self.url(), {"tab": "completed", "unit": org.other_shop.pk})
        assert response.status_code == 400

    def test_valid_filters(self, client_as, hse_specialist, org, completed):
        month = f"{timezone.localdate():%Y-%m}"
        client = client_as(hse_specialist)
        shown = client.get(self.url(), {"tab": "completed", "unit": org.crew.pk, "month_from": month})
        assert shown.status_code == 200 and completed.reference in shown.text
        other = client.get(self.url(), {"tab": "completed", "unit": org.shop.pk})
        assert other.status_code == 200 and completed.reference not in other.text
        by_auditor = client.get(self.url(), {"tab": "completed", "auditor": hse_specialist.pk})
        assert completed.reference in by_auditor.text

    def test_a_former_auditor_can_still_be_filtered_by(self, client_as, hse_specialist, hse_head, completed):
        hse_specialist.is_active = False
        hse_specialist.save()
        response = client_as(hse_head).get(self.url(), {"tab": "completed", "auditor": hse_specialist.pk})
        assert response.status_code == 200 and completed.reference in response.text

    def test_the_planned_tab_filters_by_month(self, client_as, plan_entry, hse_specialist):
        client = client_as(hse_specialist)
        assert client.get(self.url(), {"tab": "planned", "month": "soon"}).status_code == 400
        shown = client.get(self.url(), {"tab": "planned", "month": f"{plan_entry.month:%Y-%m}"})
        assert reverse("audits:start", args=[plan_entry.pk]) in shown.text
        later = client.get(self.url(), {"tab": "planned", "month": f"{plan_entry.month + timedelta(days=40):%Y-%m}"})
        assert later.status_code == 200 and reverse("audits:start", args=[plan_entry.pk]) not in later.text

    def test_clear_keeps_the_tab(self, client_as, hse_specialist):
        page = client_as(hse_specialist).get(self.url(), {"tab": "completed"}).text
        assert 'href="?tab=completed"' in page and 'name="tab" value="completed"' in page


class TestPlanPage:
    def test_a_malformed_filter_is_shown_in_place(self, client_as, hse_head, plan_entry):
        for params in ({"month": "9999-12"}, {"month": "0001-01"}, {"unit": "x"}, {"auditor": "0"}):
            response = client_as(hse_head).get(reverse("audits:plan"), params)
            assert response.status_code == 400, params
            assert "invalid-feedback" in response.text

    def test_the_month_is_shown(self, client_as, hse_head, plan_entry):
        response = client_as(hse_head).get(reverse("audits:plan"), {"month": f"{plan_entry.month:%Y-%m}"})
        assert response.status_code == 200
        assert response.context["month"] == plan_entry.month
        assert list(response.context["entries"]) == [plan_entry]


class TestApi:
    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"unit": "abc"}, "unit"),
            ({"auditor": "-1"}, "auditor"),
            ({"status": "maybe"}, "status"),
            ({"month_from": "0001-01"}, "month_from"),
            ({"month_to": "2026-02-30"}, "month_to"),
        ],
    )
    def test_audits_list_answers_400_naming_the_field(self, client_as, hse_specialist, params, field):
        response = client_as(hse_specialist).get(reverse("api:audit-list"), params)
        assert response.status_code == 400
        assert field in response.json()

    def test_audits_list_filters(self, client_as, org, template, hse_specialist):
        now = timezone.now()
        done = _audit(template, org.crew, hse_specialist, now - timedelta(hours=1), completed=now)
        going = _audit(template, org.crew, hse_specialist, now)
        client = client_as(hse_specialist)

        def ids(**params):
            return [row["id"] for row in client.get(reverse("api:audit-list"), params).json()["results"]]

        assert ids(status="completed") == [done.pk]
        assert ids(status="in_progress") == [going.pk]
        assert ids(unit=org.crew.pk, month_from=f"{now:%Y-%m}") == [going.pk, done.pk]
        assert ids(unit=org.shop.pk) == []

    def test_a_unit_outside_the_scope_is_400(self, client_as, org, outsider):
        response = client_as(outsider).get(reverse("api:audit-list"), {"unit": org.crew.pk})
        assert response.status_code == 400 and "unit" in response.json()

    def test_plan_list_answers_400(self, client_as, hse_specialist, org):
        client = client_as(hse_specialist)
        for params in ({"month": "soon"}, {"month": "1969-12"}, {"unit": org.other_shop.pk}):
            response = client.get(reverse("api:audit-plan-entry-list"), params)
            assert response.status_code == 400, params

    def test_plan_list_filters(self, client_as, plan_entry, hse_specialist, audit):
        client = client_as(hse_specialist)
        month = f"{plan_entry.month:%Y-%m}"
        rows = client.get(reverse("api:audit-plan-entry-list"), {"month": month}).json()["results"]
        assert [row["id"] for row in rows] == [plan_entry.pk]
        waiting = client.get(reverse("api:audit-plan-entry-list"), {"month": month, "not_started": "true"})
        assert waiting.json()["results"] == []

    def test_templates_filter_by_active(self, client_as, template, hse_specialist):
        retired = ChecklistTemplate.objects.create(name="Old", code="old", is_active=False)
        client = client_as(hse_specialist)

        def ids(**params):
            return [row["id"] for row in client.get(reverse("api:checklist-template-list"), params).json()["results"]]

        assert ids() == [retired.pk, template.pk]
        assert ids(active="true") == [template.pk]
        assert ids(active="false") == [retired.pk]


class TestApiListQueryCounts:
    """Every API list of the app: the number of queries does not grow with the rows."""

    def _grow(self, org, hse_head, hse_specialist, template, count):
        from apps.audits import services

        for _ in range(count):
            other = ChecklistTemplate.objects.create(
                name="T", code=f"t-{ChecklistTemplate.objects.count()}", is_active=True
            )
            services.template_publish_new_version(
                actor=hse_head, template=other, items=[{"text": "A"}, {"text": "B", "weight": 2}]
            )
            entry = AuditPlanEntry.objects.create(
                unit=org.crew, auditor=hse_specialist, month=timezone.localdate().replace(day=1), template=other,
                planned_by=hse_head,
            )  # fmt: skip
            audit = services.audit_start(actor=hse_specialist, plan_entry=entry)
            answers = list(audit.answers.select_related("item"))
            services.audit_answer(
                actor=hse_specialist, audit=audit, item=answers[0].item, result="non_compliant", comment="x"
            )
            services.audit_answer(actor=hse_specialist, audit=audit, item=answers[1].item, result="compliant")
            services.audit_complete(actor=hse_specialist, audit=audit)

    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/audits/",
            "/api/v1/audits/?status=completed",
            "/api/v1/audit-plan/",
            "/api/v1/checklist-templates/",
        ],
    )
    def test_constant(self, url, client_as, org, hse_head, hse_specialist, template, django_assert_max_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = client_as(hse_specialist)
        self._grow(org, hse_head, hse_specialist, template, 2)
        client.get(url)  # warm the session and content types
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        self._grow(org, hse_head, hse_specialist, template, 12)
        with django_assert_max_num_queries(len(few)):
            response = client.get(url)
        assert response.status_code == 200
        assert response.json()["count"] >= 13
