"""The internship services: each rule and refusal, the audit entries, and the actions opened with
the internship as their source."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.roles import Role
from apps.actions.models import Action
from apps.audit.models import AuditEntry
from apps.common.errors import StateConflict
from apps.internships import services
from apps.internships.models import Internship, InternshipContact, InternshipDay, Signal
from tests.factories import (
    InternshipDayFactory,
    InternshipFactory,
    PersonFactory,
    SignalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SITE = ZoneInfo("Asia/Yekaterinburg")
TODAY = date(2026, 6, 15)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, time(9, 0), tzinfo=SITE), tick=False)


@pytest.fixture
def foreman(org):
    return PersonFactory(unit=org.crew, full_name="Kozlov K. K.", job_title="Flotation foreman", is_foreman=True)


def plan(actor, specialist, unit, foreman, starts_on=TODAY, **kwargs):
    return services.internship_plan(
        actor=actor, specialist=specialist, unit=unit, host_foreman=foreman, starts_on=starts_on, **kwargs
    )


@pytest.fixture
def running(org, hse_specialist, foreman):
    internship = plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=day(-1), today=day(-1))
    Internship.objects.filter(pk=internship.pk).update(status=Internship.Status.IN_PROGRESS)
    internship.refresh_from_db()
    return internship


def log_day(actor, internship, on, **kwargs):
    values = {"morning_work_order": "Clean launders", "crew_roles": "Operator", "work_done": "Cleaned launders"}
    return services.day_log_save(actor=actor, internship=internship, day=on, **(values | kwargs))


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


# --- Planning ----------------------------------------------------------------------------------


def test_plan_takes_the_proposed_length_and_keeps_its_reason(org, hse_specialist, foreman):
    internship = plan(hse_specialist, hse_specialist, org.crew, foreman)
    # The crew: Petrov and the foreman, two job titles -> 3 days.
    assert (internship.starts_on, internship.ends_on) == (TODAY, day(2))
    assert internship.proposed_days == 3
    assert internship.proposal_reason == "2 people in 2 job titles: 3 days"
    assert internship.status == Internship.Status.PLANNED
    assert internship.created_by == hse_specialist
    [entry] = entries("internships.internship.planned")
    assert entry.actor == hse_specialist and entry.target_id == str(internship.pk) and entry.unit == org.crew
    assert entry.data["days"] == 3


def test_the_head_plans_for_a_specialist_and_may_choose_another_length(org, hse_head, hse_specialist, foreman):
    internship = plan(hse_head, hse_specialist, org.crew, foreman, ends_on=day(6))
    assert internship.length_days == 7 and internship.proposed_days == 3
    assert internship.created_by == hse_head and internship.specialist == hse_specialist


@pytest.mark.parametrize(("last", "ok"), [(1, False), (2, True), (6, True), (7, False)])
def test_an_internship_lasts_three_to_seven_days(org, hse_specialist, foreman, last, ok):
    if ok:
        assert plan(hse_specialist, hse_specialist, org.crew, foreman, ends_on=day(last)).length_days == last + 1
    else:
        with pytest.raises(ValidationError) as error:
            plan(hse_specialist, hse_specialist, org.crew, foreman, ends_on=day(last))
        assert "ends_on" in error.value.message_dict


def test_the_last_day_cannot_be_before_the_first(org, hse_specialist, foreman):
    with pytest.raises(ValidationError) as error:
        plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=day(3), ends_on=day(2))
    assert "ends_on" in error.value.message_dict


def test_the_first_day_cannot_be_in_the_past(org, hse_specialist, foreman):
    with pytest.raises(ValidationError) as error:
        plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=day(-1))
    assert "starts_on" in error.value.message_dict


def test_the_actor_needs_to_run_internships_in_the_unit(org, line_manager, outsider, hse_specialist, foreman):
    for actor in (line_manager, outsider):
        with pytest.raises(PermissionDenied):
            plan(actor, hse_specialist, org.crew, foreman)
    assert not Internship.objects.exists()


def test_the_specialist_must_be_an_hse_role_covering_the_unit(org, hse_head, outsider, line_manager, foreman):
    for specialist in (outsider, line_manager):
        with pytest.raises(ValidationError) as error:
            plan(hse_head, specialist, org.crew, foreman)
        assert "specialist" in error.value.message_dict


def test_the_host_must_be_an_active_foreman_on_the_units_own_roll(org, hse_specialist):
    worker = PersonFactory(unit=org.crew, job_title="Flotation operator")
    elsewhere = PersonFactory(unit=org.shop, is_foreman=True, job_title="Shop foreman")
    gone = PersonFactory(unit=org.crew, is_foreman=True, is_active=False)
    for host in (worker, elsewhere, gone):
        with pytest.raises(ValidationError) as error:
            plan(hse_specialist, hse_specialist, org.crew, host)
        assert "host_foreman" in error.value.message_dict


def test_no_two_internships_of_a_specialist_overlap(org, hse_specialist, foreman):
    first = plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=day(1))  # days 1-3
    with pytest.raises(ValidationError) as error:
        plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=day(3))
    assert "already has an internship" in error.value.message_dict["starts_on"][0]
    with pytest.raises(ValidationError):
        plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=TODAY, ends_on=day(2))
    # The day after the last day is free; so are the days of a cancelled internship.
    assert plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=day(4)).starts_on == day(4)
    services.internship_cancel(actor=hse_specialist, internship=first, reason="Shutdown moved")
    assert plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=TODAY, ends_on=day(2))


def test_update_replans_with_the_same_checks_and_keeps_the_length(org, hse_specialist, foreman):
    internship = plan(hse_specialist, hse_specialist, org.crew, foreman, ends_on=day(4))
    services.internship_update(actor=hse_specialist, internship=internship, starts_on=day(7))
    assert (internship.starts_on, internship.ends_on) == (day(7), day(11))
    [entry] = entries("internships.internship.updated")
    assert entry.data["changes"]["starts_on"] == [TODAY.isoformat(), day(7).isoformat()]
    with pytest.raises(ValidationError):
        services.internship_update(actor=hse_specialist, internship=internship, ends_on=day(14))
    services.internship_update(actor=hse_specialist, internship=internship, starts_on=day(7))  # nothing changed
    assert len(entries("internships.internship.updated")) == 1
    with pytest.raises(ValueError):
        services.internship_update(actor=hse_specialist, internship=internship, unit=org.shop)


def test_only_a_planned_internship_is_replanned_and_only_by_its_people(org, hse_specialist, foreman, hse_head):
    colleague = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
    internship = plan(hse_specialist, hse_specialist, org.crew, foreman)
    with pytest.raises(PermissionDenied):
        services.internship_update(actor=colleague, internship=internship, ends_on=day(3))
    services.internship_update(actor=hse_head, internship=internship, ends_on=day(3))
    services.internship_start(actor=hse_specialist, internship=internship)
    with pytest.raises(StateConflict):
        services.internship_update(actor=hse_specialist, internship=internship, ends_on=day(4))


# --- Start and cancel ----------------------------------------------------------------------------


def test_started_by_its_specialist_between_its_first_and_last_day(org, hse_specialist, hse_head, foreman):
    internship = plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=day(1))
    with pytest.raises(ValidationError):  # the day before the first
        services.internship_start(actor=hse_specialist, internship=internship)
    with pytest.raises(PermissionDenied):
        services.internship_start(actor=hse_head, internship=internship)
    services.internship_start(actor=hse_specialist, internship=internship, today=day(1))
    assert internship.status == Internship.Status.IN_PROGRESS
    assert len(entries("internships.internship.started")) == 1
    with pytest.raises(StateConflict):
        services.internship_start(actor=hse_specialist, internship=internship, today=day(1))


def test_cannot_start_after_the_last_day(org, hse_specialist, foreman):
    internship = plan(hse_specialist, hse_specialist, org.crew, foreman)
    services.internship_start(actor=hse_specialist, internship=internship, today=day(2))  # the last day: fine
    other = plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=day(5))
    with pytest.raises(ValidationError):
        services.internship_start(actor=hse_specialist, internship=other, today=day(8))


def test_cancel_needs_a_reason_and_a_live_internship(running, hse_specialist, line_manager):
    with pytest.raises(ValidationError) as error:
        services.internship_cancel(actor=hse_specialist, internship=running, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.internship_cancel(actor=line_manager, internship=running, reason="No")
    services.internship_cancel(actor=hse_specialist, internship=running, reason="Plant shutdown")
    assert running.status == Internship.Status.CANCELLED
    [entry] = entries("internships.internship.cancelled")
    assert entry.reason == "Plant shutdown" and entry.data["status"] == ["in_progress", "cancelled"]
    with pytest.raises(StateConflict):
        services.internship_cancel(actor=hse_specialist, internship=running, reason="Again")


# --- The daily log and the contacts --------------------------------------------------------------


def test_day_log_is_created_then_updated(running, hse_specialist):
    entry = log_day(hse_specialist, running, TODAY, risks_seen="Slippery grating at cell 4")
    again = log_day(hse_specialist, running, TODAY, work_done="Cleaned launders, changed a valve")
    assert entry.pk == again.pk and InternshipDay.objects.count() == 1
    again.refresh_from_db()
    assert again.work_done == "Cleaned launders, changed a valve" and again.risks_seen == ""
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="internships.day").order_by("id")] == [
        "internships.day.logged",
        "internships.day.updated",
    ]
    assert AuditEntry.objects.get(action="internships.day.logged").target_id == str(running.pk)


def test_day_log_needs_a_day_of_the_internship_not_in_the_future(running, hse_specialist):
    # The internship runs day(-1) .. day(1).
    log_day(hse_specialist, running, day(-1))
    for bad in (day(-2), day(1), day(2)):
        with pytest.raises(ValidationError) as error:
            log_day(hse_specialist, running, bad)
        assert "day" in error.value.message_dict
    log_day(hse_specialist, running, day(1), today=day(1))


def test_day_log_requires_the_work_order_the_crew_and_the_work(running, hse_specialist):
    for field in ("morning_work_order", "crew_roles", "work_done"):
        with pytest.raises(ValidationError) as error:
            log_day(hse_specialist, running, TODAY, **{field: "  "})
        assert field in error.value.message_dict


def test_only_the_specialist_keeps_the_log(running, hse_head, line_manager):
    for actor in (hse_head, line_manager):
        with pytest.raises(PermissionDenied):
            log_day(actor, running, TODAY)


def test_the_log_stays_open_three_days_after_finishing(running, hse_specialist):
    log_day(hse_specialist, running, TODAY)
    services.internship_finish(actor=hse_specialist, internship=running, summary="Done", instruction_changes="")
    log_day(hse_specialist, running, day(-1), today=day(3))  # three days after: still a correction
    with pytest.raises(StateConflict):
        log_day(hse_specialist, running, day(-1), today=day(4))


def test_no_log_before_the_start_nor_after_a_cancel(org, hse_specialist, foreman):
    planned = plan(hse_specialist, hse_specialist, org.crew, foreman)
    with pytest.raises(StateConflict):
        log_day(hse_specialist, planned, TODAY)
    services.internship_cancel(actor=hse_specialist, internship=planned, reason="Moved")
    with pytest.raises(StateConflict):
        log_day(hse_specialist, planned, TODAY)


def test_contacts_added_and_removed_without_naming_anyone_in_the_trail(running, hse_specialist, hse_head):
    contact = services.contact_add(
        actor=hse_specialist, internship=running, name="Ivanova A.", job_title="Sampler",
        how_to_reach="Crew room, day shift", is_safety_ambassador=True,
    )  # fmt: skip
    assert contact.is_safety_ambassador and contact.internship == running
    with pytest.raises(ValidationError):
        services.contact_add(actor=hse_specialist, internship=running, name="")
    with pytest.raises(PermissionDenied):
        services.contact_add(actor=hse_head, internship=running, name="Someone")
    services.contact_remove(actor=hse_specialist, contact=contact)
    assert not InternshipContact.objects.exists()
    trail = AuditEntry.objects.filter(action__startswith="internships.contact")
    assert [entry.action for entry in trail.order_by("id")] == [
        "internships.contact.added",
        "internships.contact.removed",
    ]
    assert all("Ivanova" not in str(entry.data) + entry.reason + entry.target_repr for entry in trail)


# --- Finishing and the host's review -------------------------------------------------------------


def test_finish_opens_the_actions_with_the_internship_as_their_source(running, hse_specialist, line_manager):
    log_day(hse_specialist, running, TODAY)
    finished = services.internship_finish(
        actor=hse_specialist, internship=running, summary="The crew works around the slow LOTO procedure.",
        instruction_changes="Shorten the isolation steps for agitator cleaning.",
        actions=[
            {"title": "Rewrite the agitator isolation instruction", "owner": line_manager, "due_date": day(30),
             "control_level": Action.ControlLevel.ADMINISTRATIVE, "description": "From the internship"},
            {"title": "Fit a lockable isolator at cell 4", "owner": hse_specialist, "due_date": TODAY,
             "control_level": Action.ControlLevel.ENGINEERING},
        ],
    )  # fmt: skip
    assert finished.status == Internship.Status.FINISHED and finished.finished_at is not None
    assert finished.instruction_changes.startswith("Shorten")
    actions = list(running.actions.order_by("id"))
    assert [a.title for a in actions] == [
        "Rewrite the agitator isolation instruction",
        "Fit a lockable isolator at cell 4",
    ]
    internship_type = ContentType.objects.get_for_model(Internship)
    assert all(a.source_type == internship_type and a.source_id == running.pk for a in actions)
    assert all(a.unit == running.unit and a.created_by == hse_specialist for a in actions)
    assert actions[0].source_kind.code == "internship"
    [entry] = entries("internships.internship.finished")
    assert entry.data == {"days_logged": 1, "actions": [a.pk for a in actions]}
    assert len(entries("actions.action.created")) == 2


def test_finish_needs_a_logged_day_and_a_summary(running, hse_specialist):
    with pytest.raises(ValidationError) as error:
        services.internship_finish(actor=hse_specialist, internship=running, summary="", instruction_changes="")
    assert {"summary", "__all__"} <= set(error.value.message_dict)
    assert running.status == Internship.Status.IN_PROGRESS


def test_a_refused_action_refuses_the_whole_finish(running, hse_specialist, line_manager):
    log_day(hse_specialist, running, TODAY)
    bad = [
        {"title": "Fine", "owner": line_manager, "due_date": day(5), "control_level": "engineering"},
        {"title": "Late", "owner": line_manager, "due_date": day(-1), "control_level": "engineering"},
    ]
    with pytest.raises(ValidationError) as error:
        services.internship_finish(actor=hse_specialist, internship=running, summary="S", instruction_changes="",
                                   actions=bad)  # fmt: skip
    assert error.value.message_dict["actions"][0].startswith("Action 2:")
    with pytest.raises(ValidationError) as error:
        services.internship_finish(actor=hse_specialist, internship=running, summary="S", instruction_changes="",
                                   actions=[{"title": "No owner", "due_date": day(5)}])  # fmt: skip
    assert "owner" in error.value.message_dict["actions"][0]
    running.refresh_from_db()
    assert running.status == Internship.Status.IN_PROGRESS and not Action.objects.exists()


def test_only_the_specialist_finishes_a_running_internship(org, running, hse_specialist, hse_head, foreman):
    log_day(hse_specialist, running, TODAY)
    with pytest.raises(PermissionDenied):
        services.internship_finish(actor=hse_head, internship=running, summary="S", instruction_changes="")
    planned = plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=day(10))
    with pytest.raises(StateConflict):
        services.internship_finish(actor=hse_specialist, internship=planned, summary="S", instruction_changes="")


def test_host_review_by_the_specialist_or_the_units_line_manager(org, running, hse_specialist, line_manager,
                                                                 hse_head, foreman):  # fmt: skip
    services.host_review_record(actor=line_manager, internship=running, host_view="visitor", comment="Watched")
    assert (running.host_view, running.host_reviewed_on) == ("visitor", TODAY)
    services.host_review_record(
        actor=hse_specialist, internship=running, host_view=Internship.HostView.CREW_MEMBER, comment="One of us"
    )
    running.refresh_from_db()
    assert (running.host_view, running.host_comment) == ("crew_member", "One of us")
    [first, second] = AuditEntry.objects.filter(action="internships.internship.host_reviewed").order_by("id")
    assert (first.actor, second.actor) == (line_manager, hse_specialist)
    for actor in (hse_head, UserFactory(role=Role.LINE_MANAGER, units=[org.other_shop])):
        with pytest.raises(PermissionDenied):
            services.host_review_record(actor=actor, internship=running, host_view="visitor")
    with pytest.raises(ValidationError):
        services.host_review_record(actor=hse_specialist, internship=running, host_view="hero")
    planned = plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=day(10))
    with pytest.raises(StateConflict):
        services.host_review_record(actor=hse_specialist, internship=planned, host_view="visitor")


# --- Signals -------------------------------------------------------------------------------------


def test_signal_recorded_by_the_specialist_with_the_date_only(running, hse_specialist, org):
    signal = services.signal_record(
        actor=hse_specialist, internship=running, kind=Signal.Kind.RULE_BROKEN, raw_text="  The permit takes an hour "
    )
    assert (signal.unit, signal.internship, signal.source) == (org.crew, running, Signal.Source.INTERNSHIP)
    assert (signal.raw_text, signal.recorded_on, signal.status) == ("The permit takes an hour", TODAY, "new")
    # No audit entry: its timestamp would tell the time of day it was heard.
    assert not AuditEntry.objects.filter(target_id=str(signal.pk)).exists()
    assert not entries("internships.signal.recorded")


def test_signal_record_refusals(org, running, hse_specialist, hse_head, foreman):
    with pytest.raises(PermissionDenied):
        services.signal_record(actor=hse_head, internship=running, kind="ppe", raw_text="x")
    with pytest.raises(ValidationError) as error:
        services.signal_record(actor=hse_specialist, internship=running, kind="gossip", raw_text="x")
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.signal_record(actor=hse_specialist, internship=running, kind="ppe", raw_text=" ")
    assert "raw_text" in error.value.message_dict
    planned = plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=day(10))
    with pytest.raises(StateConflict):
        services.signal_record(actor=hse_specialist, internship=planned, kind="ppe", raw_text="x")
    assert not Signal.objects.exists()


def test_signals_recorded_up_to_three_days_after_finishing(running, hse_specialist):
    log_day(hse_specialist, running, TODAY)
    services.internship_finish(actor=hse_specialist, internship=running, summary="S", instruction_changes="")
    signal = services.signal_record(actor=hse_specialist, internship=running, kind="tool", raw_text="x", today=day(3))
    assert signal.recorded_on == day(3)
    with pytest.raises(StateConflict):
        services.signal_record(actor=hse_specialist, internship=running, kind="tool", raw_text="x", today=day(4))


def test_worker_form_submission_has_no_actor_and_no_trail(org):
    before = AuditEntry.objects.count()
    signal = services.signal_submit_from_form(unit=org.crew, kind=Signal.Kind.HAZARD, text="Loose handrail, stair 2")
    assert (signal.source, signal.internship, signal.unit, signal.recorded_on) == ("worker_form", None, org.crew, TODAY)
    assert AuditEntry.objects.count() == before
    with pytest.raises(ValidationError):
        services.signal_submit_from_form(unit=org.crew, kind="hazard", text="")
    org.crew.is_active = False
    org.crew.save()
    with pytest.raises(ValidationError):
        services.signal_submit_from_form(unit=org.crew, kind="hazard", text="Something")


def test_take_up_then_respond(running, hse_specialist):
    signal = SignalFactory(internship=running, raw_text="The new gloves are too thick to feel the valve")
    services.signal_take_up(actor=hse_specialist, signal=signal)
    assert signal.status == Signal.Status.IN_PROGRESS
    with pytest.raises(StateConflict):
        services.signal_take_up(actor=hse_specialist, signal=signal)
    services.signal_respond(
        actor=hse_specialist, signal=signal, response=Signal.Response.PPE_PROVIDED,
        response_text="Thinner cut-resistant gloves issued to the crew",
        paraphrase="Gloves too thick for fine valve work",
    )  # fmt: skip
    signal.refresh_from_db()
    assert (signal.status, signal.response, signal.responded_on) == ("answered", "ppe_provided", TODAY)
    assert signal.paraphrase == "Gloves too thick for fine valve work"
    [taken, answered] = AuditEntry.objects.filter(action__startswith="internships.signal.").exclude(
        action="internships.signal.recorded").order_by("id")  # fmt: skip
    assert (taken.action, answered.action) == ("internships.signal.taken_up", "internships.signal.answered")
    assert answered.target_type == ContentType.objects.get_for_model(Signal) and answered.actor == hse_specialist
    assert answered.data == {"response": "ppe_provided", "status": ["in_progress", "answered"]}
    with pytest.raises(StateConflict):
        services.signal_respond(actor=hse_specialist, signal=signal, response="explained", response_text="x",
                                paraphrase="y")  # fmt: skip
    with pytest.raises(StateConflict):
        services.signal_take_up(actor=hse_specialist, signal=signal)


def test_respond_needs_a_response_its_text_and_a_real_paraphrase(running, hse_specialist):
    signal = SignalFactory(internship=running, raw_text="Nobody reads the permit")
    with pytest.raises(ValidationError) as error:
        services.signal_respond(actor=hse_specialist, signal=signal, response="", response_text="", paraphrase="")
    assert {"response", "response_text", "paraphrase"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        services.signal_respond(actor=hse_specialist, signal=signal, response="explained", response_text="Told",
                                paraphrase="  nobody reads  the PERMIT ")  # fmt: skip
    assert "paraphrase" in error.value.message_dict
    signal.refresh_from_db()
    assert signal.status == Signal.Status.NEW


def test_respond_follows_can_answer_signal(org, running, hse_head, line_manager, outsider):
    colleague = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
    signal = SignalFactory(internship=running)
    for actor in (colleague, line_manager, outsider):
        with pytest.raises(PermissionDenied):
            services.signal_respond(actor=actor, signal=signal, response="explained", response_text="x",
                                    paraphrase="p")  # fmt: skip
    services.signal_respond(actor=hse_head, signal=signal, response="explained", response_text="x", paraphrase="p")
    from_form = SignalFactory(internship=None, unit=org.crew)
    services.signal_take_up(actor=colleague, signal=from_form)  # a worker's form: the unit's specialists answer
    assert from_form.status == Signal.Status.IN_PROGRESS


def test_a_cancelled_internships_signal_is_still_answered(running, hse_specialist):
    signal = SignalFactory(internship=running)
    services.internship_cancel(actor=hse_specialist, internship=running, reason="Called back to the office")
    services.signal_respond(actor=hse_specialist, signal=signal, response="explained", response_text="x",
                            paraphrase="p")  # fmt: skip
    assert signal.status == Signal.Status.ANSWERED


def test_factories_make_consistent_rows(org):
    day_entry = InternshipDayFactory()
    assert day_entry.internship.host_foreman.unit == day_entry.internship.unit
    internship = InternshipFactory(unit=org.crew)
    assert internship.specialist.units.get() == org.crew
    internship.full_clean()


def test_finish_after_the_host_foreman_moved_to_another_unit(org, running, hse_specialist, foreman):
    log_day(hse_specialist, running, TODAY)
    foreman.unit = org.other_shop
    foreman.save()
    services.internship_finish(actor=hse_specialist, internship=running, summary="Done", instruction_changes="")
    assert running.status == Internship.Status.FINISHED


def test_replanning_for_another_specialist_checks_their_calendar(org, hse_specialist, hse_head, foreman):
    colleague = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
    plan(hse_head, colleague, org.crew, foreman, starts_on=day(1))
    internship = plan(hse_head, hse_specialist, org.crew, foreman, starts_on=day(2))
    with pytest.raises(ValidationError) as error:
        services.internship_update(actor=hse_head, internship=internship, specialist=colleague)
    assert "already has an internship" in error.value.message_dict["starts_on"][0]
    services.internship_update(actor=hse_head, internship=internship, specialist=colleague, starts_on=day(4))
    assert (internship.specialist, internship.starts_on, internship.ends_on) == (colleague, day(4), day(6))


def test_a_first_day_at_the_end_of_the_calendar_is_a_field_error(org, hse_specialist, foreman):
    with pytest.raises(ValidationError) as error:
        plan(hse_specialist, hse_specialist, org.crew, foreman, starts_on=date(9999, 12, 31))
    assert "starts_on" in error.value.message_dict
