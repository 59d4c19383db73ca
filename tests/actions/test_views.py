from datetime import date

import pytest
from django.urls import reverse

from apps.actions.models import Action
from tests.actions.conftest import in_days, jpeg
from tests.factories import ActionFactory, ObservationFactory


def test_create_page_opens_an_action(client_as, org, hse_specialist, owner):
    response = client_as(hse_specialist).post(
        reverse("actions:create"),
        {
            "title": "Guard the tail pulley",
            "unit": org.crew.pk,
            "owner": owner.pk,
            "due_date": in_days(60).isoformat(),
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
    ActionFactory(unit=org.crew, owner=line_manager, title="Manager's own", due_date=in_days(60))
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
        photo = jpeg()
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
    photo = jpeg()
    client_as(owner).post(reverse("actions:complete", args=[action.pk]), {"evidence": "x", "files": [photo]})
    evidence = action.evidence_files.get()
    assert client_as(outsider).get(reverse("actions:evidence_download", args=[evidence.pk])).status_code == 404


def test_edit_needs_a_reason_to_move_the_due_date(client_as, action, owner, line_manager):
    url = reverse("actions:edit", args=[action.pk])
    assert client_as(owner).get(url).status_code == 403
    data = {
        "title": action.title,
        "owner": owner.pk,
        "due_date": in_days(90).isoformat(),
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


class TestConflictsOnThePages:
    """A step someone else made impossible: the message is shown and the page shows the action as
    it is now (a redirect), nothing is written."""

    @pytest.mark.parametrize(
        ("step", "data", "message"),
        [
            ("start", {}, "This action is already done."),
            ("complete", {"evidence": "Guard fitted"}, "This action is already done."),
            ("cancel", {"reason": "Not needed"}, "This action is already done."),
        ],
    )
    def test_a_step_on_an_action_done_meanwhile(self, client_as, org, owner, hse_head, step, data, message):
        from apps.audit.selectors import history_for

        done = ActionFactory(unit=org.crew, owner=owner, status="done")
        if step == "cancel":
            Action.objects.filter(pk=done.pk).update(status="verified", verified_by=hse_head)
            message = "This action is already verified."
        client = client_as(hse_head)
        response = client.post(reverse(f"actions:{step}", args=[done.pk]), data, follow=True)
        assert response.redirect_chain == [(done.get_absolute_url(), 302)]
        assert message in response.text
        assert not history_for(done).exists()

    def test_verify_on_an_action_cancelled_meanwhile(self, client_as, org, owner, line_manager):
        cancelled = ActionFactory(unit=org.crew, owner=owner, status="cancelled", cancel_reason="Plant closed")
        response = client_as(line_manager).post(
            reverse("actions:verify", args=[cancelled.pk]), {"effective": "yes", "note": "ok"}, follow=True
        )
        assert "This action is already cancelled." in response.text
        cancelled.refresh_from_db()
        assert (cancelled.status, cancelled.verified_at) == ("cancelled", None)

    def test_editing_an_action_done_meanwhile_keeps_input(self, client_as, action, owner, line_manager, monkeypatch):
        from apps.actions import services

        url = reverse("actions:edit", args=[action.pk])
        real_update = services.action_update

        def done_meanwhile(**kwargs):
            Action.objects.filter(pk=action.pk).update(status="done")
            return real_update(**kwargs)

        monkeypatch.setattr("apps.actions.services.action_update", done_meanwhile)
        data = {"title": "Re-planned title", "owner": owner.pk, "due_date": action.due_date.isoformat(),
                "priority": "medium", "control_level": "engineering", "reason": ""}  # fmt: skip
        response = client_as(line_manager).post(url, data)
        assert response.status_code == 400
        assert "This action is already done." in response.text
        assert "Re-planned title" in response.text
        action.refresh_from_db()
        assert action.title != "Re-planned title"


class TestEvidenceOnThePages:
    def test_the_file_inputs_accept_the_evidence_kinds(self, client_as, action, owner):
        page = client_as(owner).get(action.get_absolute_url()).text
        assert 'accept=".docx,.heic,.heif,.jpeg,.jpg,.pdf,.png,.txt,.webp,.xlsx"' in page

    def test_a_renamed_executable_is_refused_in_place(self, client_as, action, owner):
        from tests.actions.conftest import renamed_executable

        response = client_as(owner).post(
            reverse("actions:complete", args=[action.pk]), {"evidence": "done", "files": [renamed_executable()]}
        )
        assert response.status_code == 400
        assert "guard.jpg: this type of file is not accepted" in response.text
        action.refresh_from_db()
        assert action.status == "open" and not action.evidence_files.exists()

    def test_a_real_pdf_is_added_as_evidence(self, client_as, org, owner):
        from tests.actions.conftest import pdf

        done = ActionFactory(unit=org.crew, owner=owner, status="done")
        response = client_as(owner).post(reverse("actions:evidence_add", args=[done.pk]), {"files": [pdf()]})
        assert response.status_code == 302
        assert done.evidence_files.get().original_name == "work-order.pdf"

    def test_a_renamed_executable_as_more_evidence_is_refused(self, client_as, org, owner):
        from tests.actions.conftest import renamed_executable

        done = ActionFactory(unit=org.crew, owner=owner, status="done")
        response = client_as(owner).post(
            reverse("actions:evidence_add", args=[done.pk]), {"files": [renamed_executable("order.pdf")]}
        )
        assert response.status_code == 400
        assert "order.pdf: this type of file is not accepted" in response.text
        assert not done.evidence_files.exists()


class TestFormLimits:
    def test_create_accepts_today_and_refuses_yesterday(self, client_as, org, hse_specialist, owner):
        data = {"title": "Guard", "unit": org.crew.pk, "owner": owner.pk, "priority": "high",
                "control_level": "engineering"}  # fmt: skip
        client = client_as(hse_specialist)
        response = client.post(reverse("actions:create"), {**data, "due_date": in_days(-1).isoformat()})
        assert response.status_code == 400
        assert "The due date cannot be in the past." in response.text
        assert not Action.objects.exists()
        assert client.post(reverse("actions:create"), {**data, "due_date": in_days(0).isoformat()}).status_code == 302
        assert Action.objects.get().due_date == in_days(0)

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("title", "t" * 301, "Ensure this value has at most 300 characters"),
            ("description", "d" * 5001, "Ensure this value has at most 5000 characters"),
            ("due_date", "0001-01-01", "This is before the enterprise"),
            ("due_date", "9999-12-31", "This is more than 10 years ahead."),
        ],
    )
    def test_create_refuses_out_of_range_values(self, client_as, org, hse_specialist, owner, field, value, message):
        data = {"title": "Guard", "unit": org.crew.pk, "owner": owner.pk, "priority": "high",
                "control_level": "engineering", "due_date": in_days(5).isoformat(), field: value}  # fmt: skip
        response = client_as(hse_specialist).post(reverse("actions:create"), data)
        assert response.status_code == 400
        assert message in response.text
        assert not Action.objects.exists()

    def test_verify_with_a_past_follow_up_date_shows_it_on_the_field(self, client_as, org, owner, line_manager):
        done = ActionFactory(unit=org.crew, owner=owner, status="done")
        response = client_as(line_manager).post(
            reverse("actions:verify", args=[done.pk]),
            {
                "effective": "no",
                "note": "Still slippery",
                "not_effective_then": "follow_up",
                "follow_up_due_date": in_days(-1).isoformat(),
            },  # fmt: skip
        )
        assert response.status_code == 400
        assert "The due date cannot be in the past." in response.text
        assert "Still slippery" in response.text
        done.refresh_from_db()
        assert done.status == "done" and not done.follow_ups.exists()

    def test_cancel_reason_over_the_cap_is_refused(self, client_as, action, line_manager):
        response = client_as(line_manager).post(reverse("actions:cancel", args=[action.pk]), {"reason": "r" * 5001})
        assert response.status_code == 400
        action.refresh_from_db()
        assert action.status == "open"
