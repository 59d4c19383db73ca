"""Permission-walk expectations for the internship pages and API (see tests/walk.py).

Who is who here: the HSE specialist covers the shop and runs the walk's internship in its crew
(so only they keep its log and record its signals, and only they and the HSE head read their
signals' words); the HSE head sees every unit and may re-plan or cancel any internship, but keeps no
one else's log; the line manager of the shop reads internships and records the host foreman's
review; the executive, the pass office and the system admin have no internship pages but read the
unit's board; the outsider is an HSE specialist of another site (404 for everything in the crew).
The anonymous form answers everyone, signed in or not."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.walk import SIGNED_IN, Case, everyone

VIEWERS = ["hse_specialist", "hse_head", "line_manager", "outsider"]
RUNNERS = ["hse_specialist", "hse_head", "outsider"]


def build(ctx) -> None:
    """A foreman on the crew's roll; an internship of the HSE specialist in progress there (a day
    logged, a contact, a signal they heard, one answered) and a planned one later; a signal a
    worker sent from the crew's QR form."""
    from apps.internships.models import Internship, InternshipContact, InternshipDay, Signal
    from apps.org.models import Person

    today = timezone.localdate()
    ctx.foreman = Person.objects.create(
        full_name="Kozlov K. K.", personnel_number="F-0001", job_title="Flotation foreman", unit=ctx.crew,
        is_foreman=True,
    )  # fmt: skip
    common = {
        "specialist": ctx.hse_specialist, "unit": ctx.crew, "host_foreman": ctx.foreman, "proposed_days": 3,
        "proposal_reason": "2 people in 2 job titles: 3 days", "created_by": ctx.hse_specialist,
    }  # fmt: skip
    ctx.internship = Internship.objects.create(
        **common, starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=1),
        status=Internship.Status.IN_PROGRESS,
    )  # fmt: skip
    ctx.planned_internship = Internship.objects.create(
        **common, starts_on=today + timedelta(days=20), ends_on=today + timedelta(days=22)
    )
    InternshipDay.objects.create(
        internship=ctx.internship, day=today - timedelta(days=1), morning_work_order="Clean the launders",
        crew_roles="Flotation operator", work_done="Cleaned the launders",
    )  # fmt: skip
    ctx.internship_contact = InternshipContact.objects.create(internship=ctx.internship, name="Orlova O.")
    signal = {"unit": ctx.crew, "internship": ctx.internship, "source": Signal.Source.INTERNSHIP, "recorded_on": today}
    ctx.signal = Signal.objects.create(**signal, kind=Signal.Kind.TOOL, raw_text="The torque wrench is too short")
    ctx.answered_signal = Signal.objects.create(
        **signal, kind=Signal.Kind.PPE, raw_text="Our gloves tear", status=Signal.Status.ANSWERED,
        response=Signal.Response.PPE_PROVIDED, response_text="Cut-resistant gloves issued",
        paraphrase="Gloves wear out too fast", responded_on=today,
    )  # fmt: skip
    ctx.form_signal = Signal.objects.create(
        unit=ctx.crew, source=Signal.Source.WORKER_FORM, kind=Signal.Kind.HAZARD, raw_text="Loose grating by cell 2",
        recorded_on=today,
    )  # fmt: skip


def expect(ok: dict, *, default=403, anonymous=302, outsider=404) -> dict:
    """Every role: the statuses in `ok`, `default` for the other signed-in roles."""
    result = dict.fromkeys(SIGNED_IN, default)
    result["outsider"] = outsider
    result.update(ok)
    result["anonymous"] = anonymous
    return result


def api_expect(ok: dict, **kwargs) -> dict:
    kwargs.setdefault("anonymous", 401)
    return expect(ok, **kwargs)


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _url(name, attr=None):
    if attr is None:
        return lambda o: reverse(f"internships:{name}")
    return lambda o: reverse(f"internships:{name}", args=[getattr(o, attr).pk])


def _api(name, attr=None):
    if attr is None:
        return lambda o: reverse(f"api:{name}")
    return lambda o: reverse(f"api:{name}", args=[getattr(o, attr).pk])


def _plan(ctx):
    return {"unit": ctx.crew.pk, "host_foreman": ctx.foreman.pk, "specialist": ctx.hse_specialist.pk,
            "starts_on": _day(10), "ends_on": ""}  # fmt: skip


def _api_plan(ctx):
    return {"unit": ctx.crew.pk, "host_foreman": ctx.foreman.pk, "specialist": ctx.hse_specialist.pk,
            "starts_on": _day(10)}  # fmt: skip


def _day_log(ctx):
    return {"morning_work_order": "Change the screens", "crew_roles": "Fitter", "work_done": "Screens changed"}


def _feedback(ctx):
    from apps.internships.feedback import unit_feedback_token

    return reverse("internships:feedback_form", args=[unit_feedback_token(ctx.crew)])


def _thanks(ctx):
    from apps.internships.feedback import unit_feedback_token

    return reverse("internships:feedback_thanks", args=[unit_feedback_token(ctx.crew)])


ONLY_SPECIALIST = {"hse_specialist": 200}
RESPONSE = {
    "response": "tool_replaced",
    "response_text": "A longer wrench is in the crib",
    "paraphrase": "Wrench too short",
}

EXPECTATIONS: dict = {
    # --- Pages: internships
    "internships:list": [
        Case(_url("list"), expect(dict.fromkeys(VIEWERS, 200))),
        Case(lambda o: reverse("internships:list") + "?status=nonsense", expect(dict.fromkeys(VIEWERS, 400))),
    ],
    "internships:create": [
        Case(_url("create"), expect(dict.fromkeys(RUNNERS, 200))),
        # The outsider may plan, but not in the crew (not a unit of theirs): the form says so.
        Case(_url("create"), expect({"hse_specialist": 302, "hse_head": 302, "outsider": 400}), "post", _plan),
    ],
    "internships:detail": [Case(_url("detail", "internship"), expect(dict.fromkeys(VIEWERS[:3], 200)))],
    "internships:edit": [
        Case(_url("edit", "planned_internship"), expect({"hse_specialist": 200, "hse_head": 200})),
        Case(
            _url("edit", "planned_internship"),
            expect({"hse_specialist": 302, "hse_head": 302}),
            "post",
            lambda o: {"host_foreman": o.foreman.pk, "specialist": o.hse_specialist.pk, "starts_on": _day(21)},
        ),
    ],
    "internships:start": [
        Case(_url("start", "planned_internship"), everyone(405)),
        # Only its specialist; too early to start: told so on the internship's page.
        Case(_url("start", "planned_internship"), expect({"hse_specialist": 302}), "post"),
    ],
    "internships:cancel": [
        Case(_url("cancel", "planned_internship"), everyone(405)),
        Case(
            _url("cancel", "planned_internship"),
            expect({"hse_specialist": 302, "hse_head": 302}),
            "post",
            {"reason": "The shop stops for repairs"},
        ),
    ],
    "internships:day_log": [
        Case(lambda o: reverse("internships:day_log", args=[o.internship.pk, _day(0)]), expect(ONLY_SPECIALIST)),
        Case(
            lambda o: reverse("internships:day_log", args=[o.internship.pk, _day(0)]),
            expect({"hse_specialist": 302}),
            "post",
            _day_log,
        ),
    ],
    "internships:contact_add": [
        Case(_url("contact_add", "internship"), everyone(405)),
        Case(_url("contact_add", "internship"), expect({"hse_specialist": 302}), "post", {"name": "Sergeev S."}),
    ],
    "internships:contact_remove": [
        Case(_url("contact_remove", "internship_contact"), everyone(405)),
        Case(_url("contact_remove", "internship_contact"), expect({"hse_specialist": 302}), "post"),
    ],
    "internships:finish": [
        Case(_url("finish", "internship"), expect(ONLY_SPECIALIST)),
        Case(
            _url("finish", "internship"),
            expect({"hse_specialist": 302}),
            "post",
            {"summary": "Rules fine, tools short", "actions-TOTAL_FORMS": "5", "actions-INITIAL_FORMS": "0"},
        ),
    ],
    "internships:host_review": [
        Case(_url("host_review", "internship"), expect({"hse_specialist": 200, "line_manager": 200})),
        Case(
            _url("host_review", "internship"),
            expect({"hse_specialist": 302, "line_manager": 302}),
            "post",
            {"host_view": "crew_member", "comment": "One of us"},
        ),
    ],
    # --- Pages: signals
    "internships:signal_create": [
        Case(_url("signal_create", "internship"), expect(ONLY_SPECIALIST)),
        Case(
            _url("signal_create", "internship"),
            expect({"hse_specialist": 302}),
            "post",
            {"kind": "rule", "raw_text": "The permit takes an hour to sign"},
        ),
    ],
    "internships:signal_list": [Case(_url("signal_list"), expect(dict.fromkeys(RUNNERS, 200), outsider=200))],
    "internships:signal_detail": [
        Case(_url("signal_detail", "signal"), expect({"hse_specialist": 200, "hse_head": 200})),
        # A worker's signal: every HSE specialist covering the crew reads it (not the outsider).
        Case(_url("signal_detail", "form_signal"), expect({"hse_specialist": 200, "hse_head": 200})),
    ],
    "internships:signal_take_up": [
        Case(_url("signal_take_up", "signal"), everyone(405)),
        Case(_url("signal_take_up", "signal"), expect({"hse_specialist": 302, "hse_head": 302}), "post"),
    ],
    "internships:signal_respond": [
        Case(_url("signal_respond", "signal"), expect({"hse_specialist": 200, "hse_head": 200})),
        Case(_url("signal_respond", "signal"), expect({"hse_specialist": 302, "hse_head": 302}), "post", RESPONSE),
    ],
    # --- The board and the poster
    "internships:board": [Case(lambda o: reverse("internships:board", args=[o.crew.pk]), expect({}, default=200))],
    "internships:board_print": [
        Case(lambda o: reverse("internships:board_print", args=[o.crew.pk]), expect({}, default=200))
    ],
    "internships:feedback_poster": [
        Case(
            lambda o: reverse("internships:feedback_poster", args=[o.crew.pk]),
            expect(dict.fromkeys(VIEWERS[:3], 200)),
        )
    ],
    # --- The workers' anonymous form: no login, for everyone
    "internships:feedback_form": [
        Case(_feedback, everyone(200)),
        Case(_feedback, everyone(302), "post", {"kind": "hazard", "text": "Loose grating by cell 4"}),
        Case(_feedback, everyone(400), "post", {"kind": "hazard", "text": ""}),
    ],
    "internships:feedback_thanks": [Case(_thanks, everyone(200)), Case(_thanks, everyone(405), "post")],
    # --- API: internships
    "api:internship-list": [
        Case(_api("internship-list"), api_expect(dict.fromkeys(VIEWERS, 200), outsider=200)),
        Case(
            _api("internship-list"),
            api_expect({"hse_specialist": 201, "hse_head": 201}, outsider=400),
            "post",
            _api_plan,
        ),  # fmt: skip
    ],
    "api:internship-detail": [
        Case(_api("internship-detail", "internship"), api_expect(dict.fromkeys(VIEWERS[:3], 200))),
        Case(
            _api("internship-detail", "planned_internship"),
            api_expect({"hse_specialist": 200, "hse_head": 200}),
            "patch",
            lambda o: {"ends_on": _day(23)},
        ),
    ],
    "api:internship-start": [
        # Its specialist gets through to the date rule (too early: 400); no one else gets that far.
        Case(_api("internship-start", "planned_internship"), api_expect({"hse_specialist": 400}), "post"),
    ],
    "api:internship-cancel": [
        Case(
            _api("internship-cancel", "planned_internship"),
            api_expect({"hse_specialist": 200, "hse_head": 200}),
            "post",
            {"reason": "Repairs"},
        ),
    ],
    "api:internship-finish": [
        Case(_api("internship-finish", "internship"), api_expect({"hse_specialist": 200}), "post", {"summary": "Done"}),
    ],
    "api:internship-host-review": [
        Case(
            _api("internship-host-review", "internship"),
            api_expect({"hse_specialist": 200, "line_manager": 200}),
            "post",
            {"host_view": "visitor"},
        ),
    ],
    "api:internship-days": [
        Case(_api("internship-days", "internship"), api_expect(dict.fromkeys(VIEWERS[:3], 200))),
        Case(
            _api("internship-days", "internship"),
            api_expect({"hse_specialist": 200}),
            "post",
            lambda o: {**_day_log(o), "day": _day(0)},
        ),
    ],
    "api:internship-contacts": [
        Case(_api("internship-contacts", "internship"), api_expect(dict.fromkeys(VIEWERS[:3], 200))),
        Case(
            _api("internship-contacts", "internship"), api_expect({"hse_specialist": 201}), "post", {"name": "Ivanova"}
        ),
    ],
    "api:internship-contact-remove": [
        Case(
            lambda o: reverse("api:internship-contact-remove", args=[o.internship.pk, o.internship_contact.pk]),
            api_expect({"hse_specialist": 204}),
            "delete",
        ),
    ],
    # --- API: signals (only the HSE roles; only what they may read)
    "api:signal-list": [
        Case(_api("signal-list"), api_expect(dict.fromkeys(RUNNERS, 200), outsider=200)),
        # The outsider cannot name the crew's internship (400); the HSE head may read but not record.
        Case(
            _api("signal-list"),
            api_expect({"hse_specialist": 201, "hse_head": 403}, outsider=400),
            "post",
            lambda o: {"internship": o.internship.pk, "kind": "tool", "raw_text": "The hoist is slow"},
        ),
    ],
    "api:signal-detail": [
        Case(_api("signal-detail", "signal"), api_expect({"hse_specialist": 200, "hse_head": 200})),
    ],
    "api:signal-take-up": [
        Case(_api("signal-take-up", "signal"), api_expect({"hse_specialist": 200, "hse_head": 200}), "post"),
    ],
    "api:signal-respond": [
        Case(_api("signal-respond", "signal"), api_expect({"hse_specialist": 200, "hse_head": 200}), "post", RESPONSE),
    ],
    # --- API: the board, for every role who sees the unit
    "api:board-detail": [
        Case(lambda o: reverse("api:board-detail", args=[o.crew.pk]), api_expect({}, default=200)),
    ],
}
