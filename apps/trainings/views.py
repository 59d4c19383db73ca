"""The training pages: parse, check, call a service, render.

Mutations are POST only. A service's ValidationError is shown on its form in place (400); a
StateConflict (the session changed meanwhile) is shown as a message over the record as it is now.
Who may run a session, plan one or read a trainer's activity is decided by `rules`; every read goes
through the app's selectors, so scoping is the same as the API's.

The verification page is the one page here without sign-in: it shows what the certificate says
(valid until, expired on, revoked; the course, the session date, the name) and nothing more, sets
no cookie and asks search engines not to index it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Case, DateField, F, Value, When
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import can, capability_required, require
from apps.accounts.models import User
from apps.common.csv_export import SafeCSVWriter
from apps.common.errors import StateConflict
from apps.common.filters import filtered_for_page
from apps.common.forms import add_service_errors
from apps.common.pagination import paginate, query_without_page
from apps.common.pdf import pdf_response
from apps.common.views import call_service
from apps.org.selectors import unit_choices_for_user

from . import certificates, rules, selectors, services
from . import matrix as competence
from .filters import CELL_STATES, MatrixFilterSet, PeriodFilterSet, SessionFilterSet
from .forms import (
    AttendeeAddForm,
    CourseEditForm,
    CourseForm,
    DeliverForm,
    FeedbackForm,
    MarkForm,
    ReasonForm,
    RequirementForm,
    SessionForm,
    TrainerForm,
    mark_of,
)
from .models import Attendance, Course, Trainer, TrainingRequirement, TrainingSession

Status = TrainingSession.Status

# Candidates offered at once in the "add attendees" box; a name typed in its search narrows them.
CANDIDATES_SHOWN = 60
# The CSV of the matrix: at most this many people (narrow the filters for more).
EXPORT_MAX = 10_000
# Sessions of a trainer shown on their page (paginated).
CERTIFICATE_CODE_MAX = 24
MATRIX_PAGE_SIZE = 25


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _conflict(request, error) -> None:
    messages.error(request, " ".join(error.messages))


# --- Sessions ----------------------------------------------------------------------------------------


def _sessions(user):
    return selectors.session_list_for_user(user).select_related("course", "trainer", "unit")


def _get_session(request, pk) -> TrainingSession:
    return get_object_or_404(_sessions(request.user), pk=pk)


def _require_run(request, session) -> None:
    if not rules.can_run_session(request.user, session):
        raise PermissionDenied("trainings.run_session")


def _upcoming_first(sessions, today):
    """Upcoming sessions first, soonest first; then past ones, latest first."""
    past = Case(When(date__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField())
    upcoming_date = Case(When(date__gte=today, then=F("date")), default=None, output_field=DateField())
    return sessions.annotate(is_past=past).order_by("is_past", upcoming_date.asc(nulls_last=True), "-date", "-pk")


@capability_required("trainings.view")
def session_list(request):
    user = request.user
    today = timezone.localdate()
    filterset = SessionFilterSet(request.GET, queryset=_sessions(user), request=request)
    sessions, status = filtered_for_page(filterset)
    return render(
        request,
        "trainings/session_list.html",
        {
            "filter": filterset,
            "page": paginate(request, _upcoming_first(sessions, today)),
            "query": query_without_page(request),
            "today": today,
            "can_plan": rules.can_plan_session(user),
            "can_manage_courses": can(user, "trainings.manage_courses"),
            "tabs": _tabs(request, "sessions"),
        },
        status=status,
    )


def _tabs(request, active: str) -> list[dict]:
    """The section's tabs (every one readable with trainings.view)."""
    tabs = [
        ("sessions", _("Sessions"), "trainings:session_list"),
        ("matrix", _("Competence matrix"), "trainings:matrix"),
        ("courses", _("Courses"), "trainings:course_list"),
        ("trainers", _("Trainers"), "trainings:trainer_list"),
    ]
    return [{"label": label, "url": reverse(name), "active": key == active} for key, label, name in tabs]


def _session_form_page(request, form, *, title, submit, cancel_url, status=200, subtitle=""):
    return render(
        request,
        "trainings/simple_form.html",
        {
            "form": form,
            "title": title,
            "subtitle": subtitle,
            "submit": submit,
            "cancel_url": cancel_url,
            "breadcrumbs": [(reverse("trainings:session_list"), _("Trainings"))],
        },
        status=status,
    )


@capability_required("trainings.run_sessions")
def session_create(request):
    user = request.user
    if not rules.can_plan_session(user):
        raise PermissionDenied("trainings.plan_session")
    initial = {}
    course_id = request.GET.get("course", "")
    if course_id.isdigit() and len(course_id) < 19:
        course = Course.objects.filter(pk=course_id, is_active=True).first()
        if course is not None:
            initial = {"course": course.pk, "hours": course.default_hours}
    form = SessionForm(request.POST or None, units=unit_choices_for_user(user), user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not rules.can_plan_session(user, data["unit"]):
            form.add_error("unit", _("You may not plan sessions for this unit."))
        else:
            try:
                session = services.session_plan(actor=user, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(course)s planned for %(date)s.")
                    % {"course": session.course.name, "date": date_format(session.date, "SHORT_DATE_FORMAT")},
                )
                return redirect(session)
    return _session_form_page(
        request,
        form,
        title=_("Plan a session"),
        submit=_("Plan the session"),
        cancel_url=reverse("trainings:session_list"),
        status=400 if request.method == "POST" else 200,
    )


@capability_required("trainings.view")
def session_edit(request, pk):
    session = _get_session(request, pk)
    _require_run(request, session)
    user = request.user
    fields = ["trainer", "unit", "date", "hours", "preparation_hours", "place"]
    initial = {name: getattr(session, name) for name in fields}
    initial["trainer"], initial["unit"] = session.trainer_id, session.unit_id
    form = SessionForm(request.POST or None, units=unit_choices_for_user(user), editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = {name: value for name, value in data.items() if value != getattr(session, name)}
        response = call_service(
            request,
            form,
            lambda: services.session_update(actor=user, session=session, **changed) if changed else None,
            success=_("Session updated.") if changed else _("Nothing changed."),
            done_url=session,
        )
        if response is not None:
            return response
    return _session_form_page(
        request,
        form,
        title=_("Edit the session"),
        subtitle=f"{session.course.name} · {date_format(session.date, 'SHORT_DATE_FORMAT')}",
        submit=_("Save"),
        cancel_url=session.get_absolute_url(),
        status=400 if request.method == "POST" else 200,
    )


def _row_flags(user, session) -> dict:
    """What the attendee rows offer the user (the same for every row of the session)."""
    may_run = rules.can_run_session(user, session)
    open_ = session.status != Status.CANCELLED
    return {
        # Attendance is marked on the day of the session or later (the service refuses it before).
        "can_mark": may_run and open_ and session.date <= timezone.localdate(),
        "can_remove": may_run and session.status == Status.PLANNED,
        "can_feedback": may_run and open_,
        "can_revoke": can(user, "trainings.revoke_certificates", session.unit_id),
    }


def _dress(attendance, today, flags, bound=None):
    """The attendee's row: its mark, its certificate's state, and the forms the user may use on it
    (the bound one, with its errors, when that form was just refused)."""
    bound = bound or {}
    attendance.mark = mark_of(attendance)
    attendance.cert_state = attendance.certificate_state(today)
    attendance.feedback_form = None
    attendance.revoke_form = None
    if flags["can_feedback"] and attendance.presence == Attendance.Presence.PRESENT:
        attendance.feedback_form = bound.get("feedback", {}).get(attendance.pk) or FeedbackForm(
            auto_id=f"fb{attendance.pk}_%s",
            initial={"score": attendance.feedback_score, "comment": attendance.feedback_comment},
        )
    if flags["can_revoke"] and attendance.cert_state in ("valid", "expired"):
        refused = bound.get("revoke", {}).get(attendance.pk)
        attendance.revoke_form = refused or ReasonForm(auto_id=f"rv{attendance.pk}_%s")
    return attendance


def _candidates(request, session, find: str):
    people, workers = selectors.attendee_candidates(session, request.user)
    if find:
        people = people.filter(full_name__icontains=find)
        workers = workers.filter(full_name__icontains=find)
    return people, workers


def _session_context(request, session, *, bound=None) -> dict:
    user = request.user
    today = timezone.localdate()
    bound = bound or {}
    flags = _row_flags(user, session)
    may_run = rules.can_run_session(user, session)
    planned = session.status == Status.PLANNED
    attendances = [_dress(a, today, flags, bound) for a in selectors.session_attendances(session)]
    context = {
        "session": session,
        "attendances": attendances,
        "today": today,
        "flags": flags,
        "can_run": may_run,
        "can_edit": may_run and planned,
        "can_cancel": may_run and planned,
        "can_deliver": may_run and planned and session.date <= today,
        "can_add": may_run and planned,
        "marked_later": may_run and planned and session.date > today,
        "cancel_form": bound.get("cancel") or ReasonForm(auto_id="cancel_%s"),
        "deliver_form": bound.get("deliver") or DeliverForm(auto_id="deliver_%s"),
        "present": sum(1 for a in attendances if a.presence == Attendance.Presence.PRESENT),
        "passed": sum(1 for a in attendances if a.passed),
    }
    if context["can_add"]:
        find = request.GET.get("find", "").strip()[:100]
        people, workers = _candidates(request, session, find)
        people = list(people[: CANDIDATES_SHOWN + 1])
        workers = list(workers[: CANDIDATES_SHOWN + 1])
        context.update(
            find=find,
            add_form=bound.get("add"),
            candidate_people=people[:CANDIDATES_SHOWN],
            candidate_workers=workers[:CANDIDATES_SHOWN],
            more_candidates=len(people) > CANDIDATES_SHOWN or len(workers) > CANDIDATES_SHOWN,
            chosen_people=set(bound["add"]["people"].value() or []) if bound.get("add") else set(),
            chosen_workers=set(bound["add"]["workers"].value() or []) if bound.get("add") else set(),
        )
    return context


def _session_page(request, session, *, bound=None, status=200):
    return render(
        request, "trainings/session_detail.html", _session_context(request, session, bound=bound), status=status
    )


@capability_required("trainings.view")
def session_detail(request, pk):
    return _session_page(request, _get_session(request, pk))


@require_POST
@capability_required("trainings.view")
def session_cancel(request, pk):
    session = _get_session(request, pk)
    _require_run(request, session)
    form = ReasonForm(request.POST, auto_id="cancel_%s")
    if form.is_valid():
        response = call_service(
            request,
            form,
            lambda: services.session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"]),
            success=_("Session cancelled."),
            done_url=session,
        )
        if response is not None:
            return response
    return _session_page(request, _get_session(request, pk), bound={"cancel": form}, status=400)


@require_POST
@capability_required("trainings.view")
def session_deliver(request, pk):
    session = _get_session(request, pk)
    _require_run(request, session)
    form = DeliverForm(request.POST, auto_id="deliver_%s")
    if form.is_valid():
        response = call_service(
            request,
            form,
            lambda: services.session_deliver(actor=request.user, session=session, result=form.cleaned_data["result"]),
            success=_("Session marked delivered."),
            done_url=session,
        )
        if response is not None:
            return response
    return _session_page(request, _get_session(request, pk), bound={"deliver": form}, status=400)


@require_POST
@capability_required("trainings.view")
def attendee_add(request, pk):
    """Add the ticked employees and contractor workers (each through the service): the page says
    how many were added and which were refused, and why."""
    session = _get_session(request, pk)
    _require_run(request, session)
    people, workers = selectors.attendee_candidates(session, request.user)
    form = AttendeeAddForm(request.POST, people=people, workers=workers)
    if not form.is_valid():
        return _session_page(request, session, bound={"add": form}, status=400)
    added, refused = 0, []
    chosen = [("person", p) for p in form.cleaned_data["people"]]
    chosen += [("contractor_worker", w) for w in form.cleaned_data["workers"]]
    for field, who in chosen:
        try:
            services.attendee_add(actor=request.user, session=session, **{field: who})
        except StateConflict as conflict:
            _conflict(request, conflict)
            return redirect(session)
        except ValidationError as error:
            refused.append((who.full_name, " ".join(error.messages)))
        else:
            added += 1
    if added:
        messages.success(request, ngettext("%(n)d attendee added.", "%(n)d attendees added.", added) % {"n": added})
    for name, why in refused:
        messages.warning(request, _("%(name)s not added: %(why)s") % {"name": name, "why": why})
    return redirect(f"{session.get_absolute_url()}#attendees")


def _get_attendance(request, pk) -> Attendance:
    visible = selectors.session_list_for_user(request.user).values("pk")
    attendances = Attendance.objects.filter(session__in=visible).select_related(
        "session__course", "session__trainer", "session__unit", "person__unit", "contractor_worker__company"
    )
    return get_object_or_404(attendances, pk=pk)


def _row_url(attendance) -> str:
    return f"{attendance.session.get_absolute_url()}#att-{attendance.pk}"


@require_POST
@capability_required("trainings.view")
def attendee_remove(request, pk):
    attendance = _get_attendance(request, pk)
    session = attendance.session
    _require_run(request, session)
    name = attendance.attendee_name
    try:
        services.attendee_remove(actor=request.user, attendance=attendance)
    except ValidationError as error:
        _conflict(request, error)
    else:
        messages.success(request, _("%(name)s removed from the session.") % {"name": name})
    return redirect(f"{session.get_absolute_url()}#attendees")


@require_POST
@capability_required("trainings.view")
def attendance_mark(request, pk):
    """Mark one attendee with one tap: passed, not passed, absent (or only present). From the phone
    page (htmx) the answer is the attendee's row as it is now; without JavaScript, the page."""
    attendance = _get_attendance(request, pk)
    session = attendance.session
    _require_run(request, session)
    form = MarkForm(request.POST)
    error, status = "", 200
    if form.is_valid():
        presence, passed = form.marks()
        try:
            services.attendance_mark(actor=request.user, attendance=attendance, presence=presence, passed=passed)
        except StateConflict as conflict:
            error, status = " ".join(conflict.messages), 409
        except ValidationError as refusal:
            error, status = " ".join(refusal.messages), 400
    else:
        error, status = " ".join(form.errors.get("mark", [])), 400
    attendance = _get_attendance(request, pk)
    if request.htmx:
        today = timezone.localdate()
        flags = _row_flags(request.user, session)
        response = render(
            request,
            "trainings/_attendee_row.html",
            {"a": _dress(attendance, today, flags), "session": session, "flags": flags, "row_error": error,
             "saved": not error},
            status=status,
        )  # fmt: skip
        # The page swaps the row only when this marker says it is one (a sign-in page is not).
        response["X-Attendee-Row"] = "true"
        return response
    if error:
        messages.error(request, _("%(name)s: %(why)s") % {"name": attendance.attendee_name, "why": error})
    return redirect(_row_url(attendance))


@require_POST
@capability_required("trainings.view")
def feedback(request, pk):
    """The attendee's rating and comment, typed in by the trainer from the feedback sheets."""
    attendance = _get_attendance(request, pk)
    session = attendance.session
    _require_run(request, session)
    form = FeedbackForm(request.POST, auto_id=f"fb{attendance.pk}_%s")
    if form.is_valid():
        response = call_service(
            request,
            form,
            lambda: services.feedback_record(actor=request.user, attendance=attendance, **form.cleaned_data),
            success=_("Feedback of %(name)s recorded.") % {"name": attendance.attendee_name},
            done_url=_row_url(attendance),
        )
        if response is not None:
            return response
    return _session_page(request, session, bound={"feedback": {attendance.pk: form}}, status=400)


@require_POST
@capability_required("trainings.view")
def certificate_revoke(request, pk):
    attendance = _get_attendance(request, pk)
    require(request.user, "trainings.revoke_certificates")
    form = ReasonForm(request.POST, auto_id=f"rv{attendance.pk}_%s")
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        response = call_service(
            request,
            form,
            lambda: services.certificate_revoke(actor=request.user, attendance=attendance, reason=reason),
            success=_("Certificate of %(name)s revoked.") % {"name": attendance.attendee_name},
            done_url=_row_url(attendance),
        )
        if response is not None:
            return response
    return _session_page(request, attendance.session, bound={"revoke": {attendance.pk: form}}, status=400)


@require_GET
@capability_required("trainings.view")
def attendance_sheet(request, pk):
    session = _get_session(request, pk)
    pdf = certificates.attendance_sheet_pdf(session, selectors.session_attendances(session), request=request)
    return pdf_response(pdf, filename=f"attendance-{session.course.code}-{session.date:%Y%m%d}")


@require_GET
@capability_required("trainings.view")
def certificate(request, pk):
    """An attendee's certificate, for whoever sees the session; only while it is valid."""
    attendance = _get_attendance(request, pk)
    if attendance.certificate_state(timezone.localdate()) != "valid":
        raise Http404
    pdf = certificates.certificate_pdf(attendance, request=request)
    return pdf_response(pdf, filename=f"certificate-{attendance.session.course.code}-{attendance.pk}")


# --- The public verification page ------------------------------------------------------------------


@require_GET
@never_cache
def verify(request, code):
    """What a certificate's QR code opens, for anyone (no sign-in): valid until, expired on or
    revoked, with the course, the session date and the name. An unknown code: 404."""
    today = timezone.localdate()
    attendance = selectors.certificate_by_code(code) if 0 < len(code) <= CERTIFICATE_CODE_MAX else None
    state = attendance.certificate_state(today) if attendance is not None else "none"
    if state == "none":
        response = render(request, "trainings/verify.html", {"found": False}, status=404)
    else:
        response = render(
            request,
            "trainings/verify.html",
            {
                "found": True,
                "state": state,
                "name": attendance.attendee_name,
                "course": attendance.session.course.name,
                "session_date": attendance.session.date,
                "valid_until": attendance.valid_until,
                "today": today,
            },
        )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- The competence matrix ---------------------------------------------------------------------------


def _matrix_filter(request):
    filterset = MatrixFilterSet(request.GET, queryset=Course.objects.none(), request=request)
    return filterset, filterset.is_valid()


@capability_required("trainings.view")
def matrix(request):
    user = request.user
    today = timezone.localdate()
    filterset, valid = _matrix_filter(request)
    grid, page = None, None
    if valid:
        params = filterset.params()
        people = competence.matrix_people_for_user(user, today=today, **params)
        page = paginate(request, people, per_page=MATRIX_PAGE_SIZE)
        courses = [params["course"]] if params["course"] else None
        grid = competence.competence_matrix(people=list(page.object_list), today=today, courses=courses)
    counts = grid.counts if grid else {}
    return render(
        request,
        "trainings/matrix.html",
        {
            "filter": filterset,
            "grid": grid,
            "rows": [(row.person, list(zip(grid.courses, row.cells, strict=True))) for row in grid.rows]
            if grid
            else [],
            "legend": [(code, label, counts.get(code, 0)) for code, label in CELL_STATES],
            "page": page,
            "query": query_without_page(request),
            "today": today,
            "tabs": _tabs(request, "matrix"),
        },
        status=200 if valid else 400,
    )


@capability_required("trainings.view")
def matrix_csv(request):
    """The matrix with the page's filters as CSV (spreadsheet-safe): one row per person and course.
    A malformed filter answers the matrix page with its errors; more than EXPORT_MAX people is
    refused with a message (narrow the filters), never a file silently cut short."""
    user = request.user
    today = timezone.localdate()
    filterset, valid = _matrix_filter(request)
    if not valid:
        return matrix(request)
    people = competence.matrix_people_for_user(user, today=today, **filterset.params())
    if people.order_by()[: EXPORT_MAX + 1].count() > EXPORT_MAX:
        messages.error(
            request,
            _("More than %(n)s people match: narrow the filters to export them.")
            % {"n": number_format(EXPORT_MAX, force_grouping=True)},
        )
        params = request.GET.copy()
        params.pop("page", None)
        return redirect(reverse("trainings:matrix") + (f"?{params.urlencode()}" if params else ""))
    writer = SafeCSVWriter()

    def rows():
        for row in competence.matrix_csv_rows(people=people, today=today):
            yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="competence-matrix-{today:%Y%m%d}.csv"'
    return response


# --- Courses -------------------------------------------------------------------------------------------


def _get_course(pk) -> Course:
    return get_object_or_404(Course, pk=pk)


@capability_required("trainings.view")
def course_list(request):
    return render(
        request,
        "trainings/course_list.html",
        {
            "courses": selectors.course_list(),
            "can_manage": can(request.user, "trainings.manage_courses"),
            "can_plan": rules.can_plan_session(request.user),
            "tabs": _tabs(request, "courses"),
        },
    )


def _course_context(request, course, *, requirement_form=None, trainer_form=None, withdraw_forms=None) -> dict:
    user = request.user
    may_manage = can(user, "trainings.manage_courses")
    trainers = list(
        Trainer.objects.filter(course=course).select_related("user").order_by("-is_active", "user__last_name", "pk")
    )
    return {
        "course": course,
        "requirements": list(selectors.requirement_list(course=course)),
        "trainers": trainers,
        "can_manage": may_manage,
        "can_plan": course.is_active and rules.can_plan_session(user),
        "requirement_form": requirement_form or RequirementForm(units=unit_choices_for_user(user), auto_id="req_%s"),
        "trainer_form": trainer_form or TrainerForm(auto_id="tr_%s"),
        "withdraw_forms": withdraw_forms or {},
        "sessions": list(_sessions(user).filter(course=course).order_by("-date", "-pk")[:10]),
    }


def _course_page(request, course, status=200, **forms):
    return render(request, "trainings/course_detail.html", _course_context(request, course, **forms), status=status)


@capability_required("trainings.view")
def course_detail(request, pk):
    return _course_page(request, _get_course(pk))


def _course_form_page(request, form, *, title, submit, cancel_url, status):
    return render(
        request,
        "trainings/simple_form.html",
        {
            "form": form,
            "title": title,
            "submit": submit,
            "cancel_url": cancel_url,
            "breadcrumbs": [(reverse("trainings:course_list"), _("Courses"))],
        },
        status=status,
    )


@capability_required("trainings.manage_courses")
def course_create(request):
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Course %(name)s added.") % {"name": course.name})
            return redirect(course)
    return _course_form_page(
        request,
        form,
        title=_("Add a course"),
        submit=_("Add the course"),
        cancel_url=reverse("trainings:course_list"),
        status=400 if request.method == "POST" else 200,
    )


@capability_required("trainings.manage_courses")
def course_edit(request, pk):
    course = _get_course(pk)
    fields = ["name", "validity_months", "default_hours", "description", "is_active"]
    form = CourseEditForm(request.POST or None, initial={name: getattr(course, name) for name in fields})
    if request.method == "POST" and form.is_valid():
        changed = {name: value for name, value in form.cleaned_data.items() if value != getattr(course, name)}
        try:
            if changed:
                services.course_update(actor=request.user, course=course, **changed)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Course updated.") if changed else _("Nothing changed."))
            return redirect(course)
    return _course_form_page(
        request,
        form,
        title=_("Edit the course"),
        submit=_("Save"),
        cancel_url=course.get_absolute_url(),
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@capability_required("trainings.manage_courses")
def requirement_add(request, pk):
    course = _get_course(pk)
    form = RequirementForm(request.POST, units=unit_choices_for_user(request.user), auto_id="req_%s")
    if form.is_valid():
        try:
            services.requirement_add(actor=request.user, course=course, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Requirement added."))
            return redirect(f"{course.get_absolute_url()}#requirements")
    return _course_page(request, course, status=400, requirement_form=form)


@require_POST
@capability_required("trainings.manage_courses")
def requirement_remove(request, pk):
    requirement = get_object_or_404(TrainingRequirement.objects.select_related("course", "unit"), pk=pk)
    course = requirement.course
    try:
        services.requirement_remove(actor=request.user, requirement=requirement)
    except ValidationError as error:
        _conflict(request, error)
    else:
        messages.success(request, _("Requirement removed."))
    return redirect(f"{course.get_absolute_url()}#requirements")


@require_POST
@capability_required("trainings.manage_courses")
def trainer_add(request, pk):
    course = _get_course(pk)
    form = TrainerForm(request.POST, auto_id="tr_%s")
    if form.is_valid():
        try:
            trainer = services.trainer_qualify(actor=request.user, course=course, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s may now teach %(course)s.") % {"name": _name(trainer.user), "course": course.name},
            )
            return redirect(f"{course.get_absolute_url()}#trainers")
    return _course_page(request, course, status=400, trainer_form=form)


@require_POST
@capability_required("trainings.manage_courses")
def trainer_withdraw(request, pk):
    trainer = get_object_or_404(Trainer.objects.select_related("user", "course"), pk=pk)
    course = trainer.course
    form = ReasonForm(request.POST, auto_id=f"wd{trainer.pk}_%s")
    if form.is_valid():
        response = call_service(
            request,
            form,
            lambda: services.trainer_withdraw(actor=request.user, trainer=trainer, reason=form.cleaned_data["reason"]),
            success=_("%(name)s no longer teaches %(course)s.") % {"name": _name(trainer.user), "course": course},
            done_url=f"{course.get_absolute_url()}#trainers",
        )
        if response is not None:
            return response
    return _course_page(request, course, status=400, withdraw_forms={trainer.pk: form})


# --- Trainers' activity --------------------------------------------------------------------------------


def _visible_trainers(user) -> list:
    """The internal trainers whose activity the user may read, each once, by name."""
    trainers = {}
    for qualification in selectors.trainer_list_for_user(user):
        trainers.setdefault(qualification.user_id, qualification.user)
    return list(trainers.values())


@capability_required("trainings.view")
def trainer_list(request):
    user = request.user
    filterset = PeriodFilterSet(request.GET, queryset=TrainingSession.objects.none(), request=request)
    valid = filterset.is_valid()
    since, until = filterset.period()
    rows = selectors.trainer_activity_rows(_visible_trainers(user), since=since, until=until) if valid else []
    return render(
        request,
        "trainings/trainer_list.html",
        {"filter": filterset, "rows": rows, "since": since, "until": until, "tabs": _tabs(request, "trainers")},
        status=200 if valid else 400,
    )


@capability_required("trainings.view")
def trainer_detail(request, pk):
    user = request.user
    trainer = get_object_or_404(User.objects.filter(trainer_qualifications__isnull=False).distinct(), pk=pk)
    if not rules.can_view_trainer_activity(user, trainer):
        raise Http404
    filterset = PeriodFilterSet(request.GET, queryset=TrainingSession.objects.none(), request=request)
    valid = filterset.is_valid()
    since, until = filterset.period()
    activity = selectors.trainer_activity_rows([trainer], since=since, until=until)[0] if valid else None
    sessions = TrainingSession.objects.filter(trainer=trainer).select_related("course", "unit")
    visible = set(_sessions(user).filter(trainer=trainer).values_list("pk", flat=True))
    page = paginate(request, sessions.order_by("-date", "-pk"))
    return render(
        request,
        "trainings/trainer_detail.html",
        {
            "trainer": trainer,
            "qualifications": list(
                Trainer.objects.filter(user=trainer).select_related("course").order_by("-is_active", "course__name")
            ),
            "activity": activity,
            "filter": filterset,
            "since": since,
            "until": until,
            "page": page,
            "visible": visible,
            "query": query_without_page(request),
            "tabs": _tabs(request, "trainers"),
        },
        status=200 if valid else 400,
    )
