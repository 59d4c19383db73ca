"""Permission-walk expectations for the training pages and API (see tests/walk.py).

The records (built below): a first-aid course required of flotation operators, the HSE specialist
qualified to teach it; a delivered session in the crew with the crew's operator present and passed
(a certificate); a planned session today in the crew, taught by the HSE specialist, with one
attendee present and one only registered.

Who is who here: the HSE specialist covers the shop (the crew is under it) and teaches both
sessions; the HSE head runs any session and revokes certificates; the line manager covers the shop
but is no trainer (reads, plans and runs nothing); the executive and the system admin read (the
system admin also keeps the courses); the pass office has no trainings at all; the outsider, an HSE
specialist of another site, gets 404 for the crew's sessions (and 400 when naming them in a form)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.walk import SIGNED_IN, Case, everyone

VIEWERS = ["hse_specialist", "hse_head", "line_manager", "executive", "system_admin", "outsider"]
COURSE_KEEPERS = ["hse_head", "system_admin"]
RUNNERS = ["hse_specialist", "hse_head"]  # of the walk's sessions: their trainer and the HSE head


def build(ctx) -> None:
    from apps.org.models import Person
    from apps.trainings.models import Attendance, Course, Trainer, TrainingRequirement, TrainingSession
    from apps.trainings.services import add_months

    today = timezone.localdate()
    course = Course.objects.create(code="first-aid", name="First aid", validity_months=12)
    ctx.tr_course = course
    ctx.tr_requirement = TrainingRequirement.objects.create(course=course, applies_to="job_title",
                                                            job_title="Flotation operator")  # fmt: skip
    ctx.tr_trainer = Trainer.objects.create(user=ctx.hse_specialist, course=course, qualified_on=today - timedelta(
        days=400), qualification="Train-the-trainer TT-1")  # fmt: skip
    operator = ctx.crew.people.first()
    ctx.tr_candidate = Person.objects.create(full_name="Ivanova A. A.", personnel_number="W-TR-1",
                                             job_title="Flotation operator", unit=ctx.crew)  # fmt: skip
    helper = Person.objects.create(full_name="Orlov O. O.", personnel_number="W-TR-2", job_title="Fitter",
                                   unit=ctx.crew)  # fmt: skip
    delivered_on = today - timedelta(days=30)
    ctx.tr_delivered = TrainingSession.objects.create(
        course=course, trainer=ctx.hse_specialist, unit=ctx.crew, date=delivered_on, hours=4, place="Room 12",
        status="delivered", created_by=ctx.hse_specialist, delivered_at=timezone.now(),
    )  # fmt: skip
    ctx.tr_passed = Attendance.objects.create(
        session=ctx.tr_delivered, person=operator, presence="present", passed=True,
        valid_until=add_months(delivered_on, 12), certificate_code="WALK-CERT-1",
    )  # fmt: skip
    ctx.tr_planned = TrainingSession.objects.create(
        course=course, trainer=ctx.hse_specialist, unit=ctx.crew, date=today, hours=4, place="Room 14",
        created_by=ctx.hse_specialist,
    )  # fmt: skip
    ctx.tr_present = Attendance.objects.create(session=ctx.tr_planned, person=helper, presence="present")
    ctx.tr_registered = Attendance.objects.create(session=ctx.tr_planned, person=operator)


def only(allowed, ok=302, *, outsider=None, anonymous=302):
    """A page or POST the `allowed` roles get `ok` for, the other signed-in roles 403."""
    expect = dict.fromkeys(SIGNED_IN, 403)
    expect.update(dict.fromkeys(allowed, ok))
    if outsider is not None:
        expect["outsider"] = outsider
    expect["anonymous"] = anonymous
    return expect


def on_session(allowed, ok=302):
    """A request on one of the crew's sessions: `ok` for the allowed roles, 403 for the others, 404
    for the outsider (the session is outside their units)."""
    return only(allowed, ok, outsider=404)


def api_only(allowed, ok=200, *, outsider=None):
    return only(allowed, ok, outsider=outsider, anonymous=401)


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _url(name, attr=None):
    if attr is None:
        return lambda o: reverse(name)
    return lambda o: reverse(name, args=[getattr(o, attr).pk])


def _plan(ctx):
    return {"course": ctx.tr_course.pk, "trainer": ctx.hse_specialist.pk, "unit": ctx.crew.pk, "date": _day(3),
            "hours": "4", "place": "Room 7"}  # fmt: skip


def _edit(ctx):
    return {"trainer": ctx.hse_specialist.pk, "unit": ctx.crew.pk, "date": _day(0), "hours": "3", "place": "Hall"}


def _qualify(ctx):
    return {"user": ctx.line_manager.pk, "qualified_on": _day(-1), "qualification": "TtT 2026"}


EXPECTATIONS: dict = {
    # Sessions
    "trainings:session_list": [
        Case(_url("trainings:session_list"), only(VIEWERS, 200)),
        Case(lambda o: reverse("trainings:session_list") + "?status=nonsense", only(VIEWERS, 400)),
    ],
    "trainings:session_create": [
        Case(_url("trainings:session_create"), only([*RUNNERS, "outsider"], 200)),
        # The outsider plans sessions, but not for the crew: the unit is not among the choices.
        Case(_url("trainings:session_create"), only(RUNNERS, outsider=400), "post", _plan),
    ],
    "trainings:session_detail": [Case(_url("trainings:session_detail", "tr_planned"), on_session(VIEWERS, 200))],
    "trainings:session_edit": [
        Case(_url("trainings:session_edit", "tr_planned"), on_session(RUNNERS, 200)),
        Case(_url("trainings:session_edit", "tr_planned"), on_session(RUNNERS), "post", _edit),
    ],
    "trainings:session_cancel": [
        Case(_url("trainings:session_cancel", "tr_planned"), everyone(405)),
        Case(_url("trainings:session_cancel", "tr_planned"), on_session(RUNNERS), "post", {"reason": "Room flooded"}),
    ],
    "trainings:session_deliver": [
        Case(_url("trainings:session_deliver", "tr_planned"), everyone(405)),
        Case(_url("trainings:session_deliver", "tr_planned"), on_session(RUNNERS), "post", {"result": "Done"}),
    ],
    "trainings:attendee_add": [
        Case(_url("trainings:attendee_add", "tr_planned"), everyone(405)),
        Case(
            _url("trainings:attendee_add", "tr_planned"),
            on_session(RUNNERS),
            "post",
            lambda o: {"people": [o.tr_candidate.pk]},
        ),
    ],  # fmt: skip
    "trainings:attendance_sheet": [
        Case(_url("trainings:attendance_sheet", "tr_planned"), on_session(VIEWERS, 200)),
    ],
    "trainings:attendee_remove": [
        Case(_url("trainings:attendee_remove", "tr_registered"), everyone(405)),
        Case(_url("trainings:attendee_remove", "tr_registered"), on_session(RUNNERS), "post"),
    ],
    "trainings:attendance_mark": [
        Case(_url("trainings:attendance_mark", "tr_registered"), everyone(405)),
        Case(_url("trainings:attendance_mark", "tr_registered"), on_session(RUNNERS), "post", {"mark": "passed"}),
    ],
    "trainings:feedback": [
        Case(_url("trainings:feedback", "tr_present"), everyone(405)),
        Case(_url("trainings:feedback", "tr_present"), on_session(RUNNERS), "post", {"score": "4"}),
    ],
    "trainings:certificate": [Case(_url("trainings:certificate", "tr_passed"), on_session(VIEWERS, 200))],
    "trainings:certificate_revoke": [
        Case(_url("trainings:certificate_revoke", "tr_passed"), everyone(405)),
        Case(_url("trainings:certificate_revoke", "tr_passed"), on_session(["hse_head"]), "post", {"reason": "Forged"}),
    ],
    # The public verification page: anyone, signed in or not; an unknown code is a 404 page.
    "trainings:verify": [
        Case(lambda o: reverse("trainings:verify", args=[o.tr_passed.certificate_code]), everyone(200)),
        Case(lambda o: reverse("trainings:verify", args=["NO-SUCH-CODE"]), everyone(404)),
        Case(lambda o: reverse("trainings:verify", args=[o.tr_passed.certificate_code]), everyone(405), "post"),
    ],
    # The matrix
    "trainings:matrix": [
        Case(_url("trainings:matrix"), only(VIEWERS, 200)),
        Case(lambda o: reverse("trainings:matrix") + "?state=nonsense", only(VIEWERS, 400)),
    ],
    "trainings:matrix_csv": [Case(_url("trainings:matrix_csv"), only(VIEWERS, 200))],
    # Courses (enterprise-wide: the outsider reads them too)
    "trainings:course_list": [Case(_url("trainings:course_list"), only(VIEWERS, 200))],
    "trainings:course_detail": [Case(_url("trainings:course_detail", "tr_course"), only(VIEWERS, 200))],
    "trainings:course_create": [
        Case(_url("trainings:course_create"), only(COURSE_KEEPERS, 200)),
        Case(
            _url("trainings:course_create"),
            only(COURSE_KEEPERS),
            "post",
            {"code": "loto", "name": "Energy isolation", "validity_months": "24", "default_hours": "6"},
        ),
    ],  # fmt: skip
    "trainings:course_edit": [
        Case(_url("trainings:course_edit", "tr_course"), only(COURSE_KEEPERS, 200)),
        Case(
            _url("trainings:course_edit", "tr_course"),
            only(COURSE_KEEPERS),
            "post",
            {"name": "First aid at work", "validity_months": "24", "default_hours": "4", "is_active": "on"},
        ),
    ],  # fmt: skip
    "trainings:requirement_add": [
        Case(_url("trainings:requirement_add", "tr_course"), everyone(405)),
        Case(
            _url("trainings:requirement_add", "tr_course"),
            only(COURSE_KEEPERS),
            "post",
            {"applies_to": "job_title", "job_title": "Welder"},
        ),
    ],  # fmt: skip
    "trainings:requirement_remove": [
        Case(_url("trainings:requirement_remove", "tr_requirement"), everyone(405)),
        Case(_url("trainings:requirement_remove", "tr_requirement"), only(COURSE_KEEPERS), "post"),
    ],
    "trainings:trainer_add": [
        Case(_url("trainings:trainer_add", "tr_course"), everyone(405)),
        Case(_url("trainings:trainer_add", "tr_course"), only(COURSE_KEEPERS), "post", _qualify),
    ],
    "trainings:trainer_withdraw": [
        Case(_url("trainings:trainer_withdraw", "tr_trainer"), everyone(405)),
        Case(_url("trainings:trainer_withdraw", "tr_trainer"), only(COURSE_KEEPERS), "post", {"reason": "Left"}),
    ],
    # Trainers' activity: the trainer (the HSE specialist), their line manager (the HSE head) and the
    # HSE head; anyone else reading trainings gets 404 for the specialist's page.
    "trainings:trainer_list": [Case(_url("trainings:trainer_list"), only(VIEWERS, 200))],
    "trainings:trainer_detail": [
        Case(
            lambda o: reverse("trainings:trainer_detail", args=[o.hse_specialist.pk]),
            {
                **only(["hse_specialist", "hse_head"], 200),
                **dict.fromkeys(["line_manager", "executive", "system_admin", "outsider"], 404),
            },
        )
    ],  # fmt: skip
    # --- The API ---
    "api:course-list": [
        Case(_url("api:course-list"), api_only(VIEWERS)),
        Case(
            _url("api:course-list"),
            api_only(COURSE_KEEPERS, 201),
            "post",
            {"code": "loto", "name": "Energy isolation", "validity_months": 24},
        ),
    ],  # fmt: skip
    "api:course-detail": [
        Case(_url("api:course-detail", "tr_course"), api_only(VIEWERS)),
        Case(_url("api:course-detail", "tr_course"), api_only(COURSE_KEEPERS), "patch", {"validity_months": 36}),
    ],
    "api:training-requirement-list": [
        Case(_url("api:training-requirement-list"), api_only(VIEWERS)),
        Case(
            _url("api:training-requirement-list"),
            api_only(COURSE_KEEPERS, 201),
            "post",
            lambda o: {"course": o.tr_course.pk, "applies_to": "job_title", "job_title": "Welder"},
        ),
    ],  # fmt: skip
    "api:training-requirement-detail": [
        Case(_url("api:training-requirement-detail", "tr_requirement"), api_only(VIEWERS)),
        Case(_url("api:training-requirement-detail", "tr_requirement"), api_only(COURSE_KEEPERS, 204), "delete"),
    ],
    "api:trainer-list": [
        Case(_url("api:trainer-list"), api_only(VIEWERS)),
        Case(
            _url("api:trainer-list"),
            api_only(COURSE_KEEPERS, 201),
            "post",
            lambda o: {**_qualify(o), "course": o.tr_course.pk},
        ),
    ],  # fmt: skip
    "api:trainer-detail": [Case(_url("api:trainer-detail", "tr_trainer"), api_only(VIEWERS))],
    "api:trainer-withdraw": [
        Case(_url("api:trainer-withdraw", "tr_trainer"), api_only(COURSE_KEEPERS), "post", {"reason": "Left"}),
    ],
    "api:training-session-list": [
        Case(_url("api:training-session-list"), api_only(VIEWERS)),
        Case(_url("api:training-session-list"), api_only(RUNNERS, 201, outsider=400), "post", _plan),
    ],
    "api:training-session-detail": [
        Case(_url("api:training-session-detail", "tr_planned"), api_only(VIEWERS, outsider=404)),
        Case(
            _url("api:training-session-detail", "tr_planned"),
            api_only(RUNNERS, outsider=404),
            "patch",
            {"place": "Hall"},
        ),
    ],  # fmt: skip
    "api:training-session-deliver": [
        Case(_url("api:training-session-deliver", "tr_planned"), api_only(RUNNERS, outsider=404), "post"),
    ],
    "api:training-session-cancel": [
        Case(
            _url("api:training-session-cancel", "tr_planned"),
            api_only(RUNNERS, outsider=404),
            "post",
            {"reason": "Room flooded"},
        ),
    ],  # fmt: skip
    "api:attendance-list": [
        Case(_url("api:attendance-list"), api_only(VIEWERS)),
        # The outsider may add attendees, but not to the crew's session: not one they can name.
        Case(
            _url("api:attendance-list"),
            api_only(RUNNERS, 201, outsider=400),
            "post",
            lambda o: {"session": o.tr_planned.pk, "person": o.tr_candidate.pk},
        ),
    ],  # fmt: skip
    "api:attendance-detail": [
        Case(_url("api:attendance-detail", "tr_registered"), api_only(VIEWERS, outsider=404)),
        Case(_url("api:attendance-detail", "tr_registered"), api_only(RUNNERS, 204, outsider=404), "delete"),
    ],
    "api:attendance-mark": [
        Case(
            _url("api:attendance-mark", "tr_registered"),
            api_only(RUNNERS, outsider=404),
            "post",
            {"presence": "present", "passed": True},
        ),
    ],  # fmt: skip
    "api:attendance-feedback": [
        Case(_url("api:attendance-feedback", "tr_present"), api_only(RUNNERS, outsider=404), "post", {"score": 4}),
    ],
    # Revoking is checked on the role first: every other role, the outsider too, gets 403.
    "api:attendance-revoke": [
        Case(_url("api:attendance-revoke", "tr_passed"), api_only(["hse_head"]), "post", {"reason": "Forged"}),
    ],
    "api:competence-matrix-list": [Case(_url("api:competence-matrix-list"), api_only(VIEWERS))],
    "api:trainer-activity-list": [Case(_url("api:trainer-activity-list"), api_only(VIEWERS))],
}
