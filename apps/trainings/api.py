"""/api/v1/ endpoints of the trainings app: (prefix, viewset, basename) for hse_portal/api_urls.py.

The same services, selectors, rules and filters as the pages, so the same answers: courses,
required trainings and trainer qualifications are enterprise-wide (written by the HSE head);
sessions are scoped by their unit (plus those one teaches), an outsider gets 404; a role without
the capability gets 403 before its input is read, and so does someone who is neither the session's
trainer nor the HSE function of its unit (`rules.can_run_session`); a rule broken answers 400 with
the field's error; a step the session's status no longer allows answers 409."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from apps.accounts.models import User
from apps.common.api import PortalModelSerializer
from apps.common.fields import LONG_TEXT_MAX_LENGTH, RecordDateSerializerField
from apps.common.filters import PortalFilterSet, StrictBooleanFilter
from apps.contractors.api import ScopedField
from apps.contractors.models import ContractorWorker
from apps.org.models import Person
from apps.org.selectors import unit_choices_for_user

from . import certificates, rules, selectors, services
from . import matrix as competence
from .filters import MatrixFilterSet, PeriodFilterSet, SessionAPIFilterSet
from .forms import REASON_MAX_LENGTH
from .models import SESSION_HOURS_MAX, VALIDITY_MONTHS_MAX, Attendance, Course, Trainer, TrainingRequirement
from .models import TrainingSession as Session

CONFLICT = OpenApiResponse(
    description='The session\'s status no longer allows this step (someone changed it first): `{"detail": "…", '
    '"code": "state_conflict"}`. Reload and decide again.'
)
REFUSED = OpenApiResponse(description="Malformed input or a rule refuses it: the field errors.")
FORBIDDEN = OpenApiResponse(description="Your role, or your part in this session, does not allow it.")


def _write(ok_status, serializer):
    return extend_schema(responses={ok_status: serializer, 400: REFUSED, 403: FORBIDDEN, 409: CONFLICT})


def _valid(view, request, serializer_class=None) -> dict:
    serializer = (serializer_class or view.get_serializer_class())(
        data=request.data, context=view.get_serializer_context()
    )
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _hours(**kwargs):
    return serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, max_value=SESSION_HOURS_MAX, **kwargs)


class TrainingReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, allow_blank=True, required=False, default="")


class ListOnlyFilterMixin:
    def filter_queryset(self, queryset):
        # The list's parameters filter the list only; one record is found by its id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset


# --- Courses -------------------------------------------------------------------------------------------


class CourseSerializer(PortalModelSerializer):
    requirement_count = serializers.IntegerField(read_only=True)
    trainer_count = serializers.IntegerField(read_only=True, help_text="Active internal trainers of the course.")
    validity_months = serializers.IntegerField(min_value=1, max_value=VALIDITY_MONTHS_MAX)
    default_hours = _hours(required=False, default=4)
    description = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, allow_blank=True, required=False, default="")

    class Meta:
        model = Course
        fields = [
            "id", "code", "name", "description", "validity_months", "default_hours", "is_active",
            "requirement_count", "trainer_count",
        ]  # fmt: skip
        read_only_fields = ["is_active"]


class CourseUpdateSerializer(CourseSerializer):
    class Meta(CourseSerializer.Meta):
        read_only_fields = ["code"]


@extend_schema_view(create=_write(201, CourseSerializer), partial_update=_write(200, CourseSerializer))
class CourseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Courses, with how long a passed training stays valid and how many requirements and trainers
    each has. POST adds one, PATCH changes it (the HSE head); the code stays as it was."""

    capabilities = {"GET": "trainings.view", "POST": "trainings.manage_courses", "PATCH": "trainings.manage_courses"}
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Course.objects.none()
    filter_backends: list = []

    def get_serializer_class(self):
        return CourseUpdateSerializer if self.action in ("update", "partial_update") else CourseSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.course_list()

    def create(self, request, *args, **kwargs):
        data = _valid(self, request)
        course = services.course_create(actor=request.user, **data)
        return Response(self._show(course), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        course = self.get_object()
        serializer = self.get_serializer(course, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changed = {k: v for k, v in serializer.validated_data.items() if getattr(course, k) != v}
        if changed:
            services.course_update(actor=request.user, course=course, **changed)
        return Response(self._show(course))

    def _show(self, course):
        return CourseSerializer(self.get_queryset().get(pk=course.pk), context=self.get_serializer_context()).data


# --- Required trainings --------------------------------------------------------------------------------


class RequirementFilterSet(PortalFilterSet):
    course = django_filters.ModelChoiceFilter(label=_("Course"), queryset=Course.objects.order_by("name", "pk"))
    applies_to = django_filters.ChoiceFilter(label=_("Required of"), choices=TrainingRequirement.AppliesTo.choices)

    class Meta:
        model = TrainingRequirement
        fields: list[str] = []


class RequirementSerializer(PortalModelSerializer):
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all())
    course_name = serializers.CharField(source="course.name", read_only=True)
    unit = ScopedField(
        unit_choices_for_user, required=False, allow_null=True, default=None,
        help_text="For a job title: only there and below (optional); the unit or zone otherwise.",
    )  # fmt: skip
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    job_title = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")

    class Meta:
        model = TrainingRequirement
        fields = ["id", "course", "course_name", "applies_to", "job_title", "unit", "unit_name", "created_at"]
        read_only_fields = ["created_at"]


@extend_schema_view(create=_write(201, RequirementSerializer))
class RequirementViewSet(
    ListOnlyFilterMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Which courses are required of whom: a job title (anywhere, or in a unit and below), everyone
    in a unit, or contractor workers entering a zone (the gate refuses them without it). POST adds
    one, DELETE removes it (the HSE head)."""

    capabilities = {"GET": "trainings.view", "POST": "trainings.manage_courses", "DELETE": "trainings.manage_courses"}
    serializer_class = RequirementSerializer
    filterset_class = RequirementFilterSet
    queryset = TrainingRequirement.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.requirement_list()

    def create(self, request, *args, **kwargs):
        data = _valid(self, request)
        requirement = services.requirement_add(actor=request.user, **data)
        shown = self.get_queryset().get(pk=requirement.pk)
        return Response(RequirementSerializer(shown, context=self.get_serializer_context()).data, status=201)

    def perform_destroy(self, instance):
        services.requirement_remove(actor=self.request.user, requirement=instance)


# --- Trainers ------------------------------------------------------------------------------------------


class TrainerFilterSet(PortalFilterSet):
    course = django_filters.ModelChoiceFilter(label=_("Course"), queryset=Course.objects.order_by("name", "pk"))
    user = django_filters.ModelChoiceFilter(label=_("Trainer"), queryset=User.objects.all())
    is_active = StrictBooleanFilter(label=_("May teach"))

    class Meta:
        model = Trainer
        fields: list[str] = []


class TrainerSerializer(PortalModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    user_name = serializers.SerializerMethodField()
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all())
    course_name = serializers.CharField(source="course.name", read_only=True)
    qualified_on = RecordDateSerializerField()

    class Meta:
        model = Trainer
        fields = ["id", "user", "user_name", "course", "course_name", "qualified_on", "qualification", "is_active"]
        read_only_fields = ["is_active"]

    def get_user_name(self, trainer) -> str:
        return _name(trainer.user)


@extend_schema_view(create=_write(201, TrainerSerializer))
class TrainerViewSet(
    ListOnlyFilterMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Internal trainers' qualifications: who may teach which course, since when, how they
    qualified. POST qualifies someone (the HSE head); withdraw/ ends a qualification, with a reason.
    Their activity is at trainer-activity/."""

    capabilities = {"GET": "trainings.view", "POST": "trainings.manage_courses"}
    serializer_class = TrainerSerializer
    filterset_class = TrainerFilterSet
    queryset = Trainer.objects.none()

    def get_serializer_class(self):
        return TrainingReasonSerializer if self.action == "withdraw" else TrainerSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return Trainer.objects.select_related("user", "course").order_by("user__last_name", "user__first_name", "pk")

    def _show(self, trainer, code=200):
        shown = self.get_queryset().get(pk=trainer.pk)
        return Response(TrainerSerializer(shown, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = _valid(self, request)
        return self._show(services.trainer_qualify(actor=request.user, **data), 201)

    @_write(200, TrainerSerializer)
    @route(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        trainer = self.get_object()
        data = _valid(self, request)
        services.trainer_withdraw(actor=request.user, trainer=trainer, reason=data["reason"])
        return self._show(trainer)


# --- Sessions ------------------------------------------------------------------------------------------


class SessionSerializer(PortalModelSerializer):
    course_name = serializers.CharField(source="course.name", read_only=True)
    trainer_name = serializers.SerializerMethodField()
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    attendee_count = serializers.IntegerField(read_only=True)
    present_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Session
        fields = [
            "id", "course", "course_name", "trainer", "trainer_name", "unit", "unit_name", "date", "hours",
            "preparation_hours", "place", "status", "result", "attendee_count", "present_count", "created_at",
            "delivered_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_trainer_name(self, session) -> str:
        return _name(session.trainer)


def _trainers():
    return User.objects.filter(is_active=True)


class SessionPlanSerializer(serializers.Serializer):
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all())
    trainer = serializers.PrimaryKeyRelatedField(
        queryset=_trainers(), help_text="An internal trainer qualified for the course on the date."
    )
    unit = ScopedField(unit_choices_for_user, help_text="A unit you see.")
    date = RecordDateSerializerField()
    hours = _hours()
    preparation_hours = _hours(required=False, default=0)
    place = serializers.CharField(max_length=200)

    def validate_hours(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("A session lasts at least half an hour."))
        return value


class SessionUpdateSerializer(SessionPlanSerializer):
    course = None  # the certificates of a session name its course: plan another one instead

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class DeliverSerializer(serializers.Serializer):
    result = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH, allow_blank=True, required=False, default="")


@extend_schema_view(
    create=extend_schema(
        request=SessionPlanSerializer, responses={201: SessionSerializer, 400: REFUSED, 403: FORBIDDEN}
    ),
    partial_update=extend_schema(
        request=SessionUpdateSerializer, responses={200: SessionSerializer, 400: REFUSED, 403: FORBIDDEN, 409: CONFLICT}
    ),
)
class SessionViewSet(
    ListOnlyFilterMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Training sessions of the units you see and those you teach, filtered as on the list page
    (`?date_from=` / `?date_to=`; all dates unless given). POST plans one (an internal trainer, or
    the HSE function), PATCH changes a planned one; deliver/ closes it once it took place (who is
    still only registered is marked absent), cancel/ cancels it with a reason."""

    capabilities = {"GET": "trainings.view", "POST": "trainings.run_sessions", "PATCH": "trainings.run_sessions"}
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = SessionAPIFilterSet
    queryset = Session.objects.none()

    def get_serializer_class(self):
        return {
            "create": SessionPlanSerializer,
            "partial_update": SessionUpdateSerializer,
            "deliver": DeliverSerializer,
            "cancel": TrainingReasonSerializer,
        }.get(self.action, SessionSerializer)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.session_list_for_user(self.request.user)

    def _show(self, session, code=200):
        shown = self.get_queryset().get(pk=session.pk)
        return Response(SessionSerializer(shown, context=self.get_serializer_context()).data, status=code)

    def _check_run(self, session):
        if not rules.can_run_session(self.request.user, session):
            raise PermissionDenied("trainings.run_session")

    def create(self, request, *args, **kwargs):
        if not rules.can_plan_session(request.user):
            raise PermissionDenied("trainings.plan_session")
        data = _valid(self, request)
        return self._show(services.session_plan(actor=request.user, **data), status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        session = self.get_object()
        self._check_run(session)
        data = _valid(self, request)
        changed = {name: value for name, value in data.items() if getattr(session, name) != value}
        if changed or session.status != Session.Status.PLANNED:
            services.session_update(actor=request.user, session=session, **changed)
        return self._show(session)

    @_write(200, SessionSerializer)
    @route(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        session = self.get_object()
        self._check_run(session)
        data = _valid(self, request)
        services.session_deliver(actor=request.user, session=session, result=data["result"])
        return self._show(session)

    @_write(200, SessionSerializer)
    @route(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        session = self.get_object()
        self._check_run(session)
        data = _valid(self, request)
        services.session_cancel(actor=request.user, session=session, reason=data["reason"])
        return self._show(session)


# --- Attendance ----------------------------------------------------------------------------------------


def _sessions(request):
    return selectors.session_list_for_user(request.user) if request is not None else Session.objects.none()


class AttendanceFilterSet(PortalFilterSet):
    session = django_filters.ModelChoiceFilter(label=_("Session"), queryset=_sessions)
    presence = django_filters.ChoiceFilter(label=_("Attendance"), choices=Attendance.Presence.choices)

    class Meta:
        model = Attendance
        fields: list[str] = []


class AttendanceSerializer(PortalModelSerializer):
    attendee_name = serializers.CharField(read_only=True)
    certificate_state = serializers.SerializerMethodField(
        help_text="valid, expired, revoked, or none (not passed, or the session was cancelled)."
    )
    certificate_url = serializers.SerializerMethodField(
        help_text="The certificate's public verification page (its QR code), while there is a certificate."
    )

    class Meta:
        model = Attendance
        fields = [
            "id", "session", "person", "contractor_worker", "attendee_name", "presence", "passed", "valid_until",
            "certificate_state", "certificate_url", "feedback_score", "feedback_comment", "marked_at",
            "revoked_at", "revoke_reason",
        ]  # fmt: skip
        read_only_fields = fields

    def get_certificate_state(self, attendance) -> str:
        today = self.context.setdefault("today", timezone.localdate())
        return attendance.certificate_state(today)

    def get_certificate_url(self, attendance) -> str | None:
        if not attendance.certificate_code or attendance.valid_until is None:
            return None
        return certificates.verification_url(attendance.certificate_code)


class AttendeeAddSerializer(serializers.Serializer):
    session = ScopedField(selectors.session_list_for_user)
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True, default=None, help_text="An employee…"
    )
    contractor_worker = serializers.PrimaryKeyRelatedField(
        queryset=ContractorWorker.objects.all(), required=False, allow_null=True, default=None,
        help_text="…or a contractor worker: exactly one of the two.",
    )  # fmt: skip


class MarkSerializer(serializers.Serializer):
    presence = serializers.ChoiceField(choices=Attendance.Presence.choices)
    passed = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="When present.")


class FeedbackSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


@extend_schema_view(create=_write(201, AttendanceSerializer))
class AttendanceViewSet(
    ListOnlyFilterMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The attendees of the sessions you see (`?session=` one session's). POST puts someone on a
    session, DELETE takes them off a planned one; mark/ marks present or absent (and passed), which
    gives a certificate valid from the session date for the course's validity; feedback/ records
    the attendee's rating (1–5); revoke/ revokes a certificate (the HSE head)."""

    capabilities = {"GET": "trainings.view", "POST": "trainings.run_sessions", "DELETE": "trainings.run_sessions"}
    filterset_class = AttendanceFilterSet
    queryset = Attendance.objects.none()

    def get_serializer_class(self):
        return {
            "create": AttendeeAddSerializer,
            "mark": MarkSerializer,
            "feedback": FeedbackSerializer,
            "revoke": TrainingReasonSerializer,
        }.get(self.action, AttendanceSerializer)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        visible = selectors.session_list_for_user(self.request.user).values("pk")
        return (
            Attendance.objects.filter(session__in=visible)
            .select_related("session__course", "session__unit", "session__trainer", "person", "contractor_worker")
            .order_by("session_id", "id")
        )

    def _show(self, attendance, code=200):
        shown = self.get_queryset().get(pk=attendance.pk)
        return Response(AttendanceSerializer(shown, context=self.get_serializer_context()).data, status=code)

    def _attendance_to_run(self):
        attendance = self.get_object()
        if not rules.can_run_session(self.request.user, attendance.session):
            raise PermissionDenied("trainings.run_session")
        return attendance

    def create(self, request, *args, **kwargs):
        data = _valid(self, request)
        session = data.pop("session")
        if not rules.can_run_session(request.user, session):
            raise PermissionDenied("trainings.run_session")
        return self._show(services.attendee_add(actor=request.user, session=session, **data), 201)

    @extend_schema(responses={204: None, 403: FORBIDDEN, 409: CONFLICT})
    def destroy(self, request, *args, **kwargs):
        attendance = self._attendance_to_run()
        services.attendee_remove(actor=request.user, attendance=attendance)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @_write(200, AttendanceSerializer)
    @route(detail=True, methods=["post"])
    def mark(self, request, pk=None):
        attendance = self._attendance_to_run()
        data = _valid(self, request)
        services.attendance_mark(actor=request.user, attendance=attendance, **data)
        return self._show(attendance)

    @_write(200, AttendanceSerializer)
    @route(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        attendance = self._attendance_to_run()
        data = _valid(self, request)
        services.feedback_record(actor=request.user, attendance=attendance, **data)
        return self._show(attendance)

    @_write(200, AttendanceSerializer)
    @route(detail=True, methods=["post"], capabilities={"POST": "trainings.revoke_certificates"})
    def revoke(self, request, pk=None):
        attendance = self.get_object()
        data = _valid(self, request)
        services.certificate_revoke(actor=request.user, attendance=attendance, reason=data["reason"])
        return self._show(attendance)


# --- The competence matrix -----------------------------------------------------------------------------


class MatrixPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    job_title = serializers.CharField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")


class MatrixCellSerializer(serializers.Serializer):
    course = serializers.IntegerField()
    state = serializers.ChoiceField(choices=list(competence.STATES))
    valid_until = serializers.DateField(allow_null=True)
    attendance = serializers.IntegerField(allow_null=True, help_text="The attendance the date comes from.")


class MatrixRowSerializer(serializers.Serializer):
    person = MatrixPersonSerializer()
    cells = MatrixCellSerializer(many=True, help_text="One per course required of the person.")


@extend_schema_view(
    list=extend_schema(
        description="The competence matrix of the people you see (`?unit=` and below, `?job_title=`, `?course=`, "
        "`?state=` expired / expiring / missing / attention): one row per person, a cell per course required "
        "of them — valid, expiring (within 30 days), expired or missing, with the valid-until date.",
        responses={200: MatrixRowSerializer(many=True), 400: REFUSED, 403: FORBIDDEN},
    )
)
class CompetenceMatrixViewSet(viewsets.GenericViewSet):
    capabilities = {"GET": "trainings.view"}
    serializer_class = MatrixRowSerializer
    filterset_class = MatrixFilterSet  # read by hand in list(); here for the schema's parameters
    queryset = Course.objects.none()

    def list(self, request, *args, **kwargs):
        today = timezone.localdate()
        filterset = MatrixFilterSet(request.query_params, queryset=Course.objects.none(), request=request)
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        params = filterset.params()
        people = competence.matrix_people_for_user(request.user, today=today, **params)
        page = self.paginate_queryset(people)
        courses = [params["course"]] if params["course"] else None
        grid = competence.competence_matrix(people=page, today=today, courses=courses)
        rows = [
            {
                "person": row.person,
                "cells": [
                    {
                        "course": course.pk,
                        "state": cell.state,
                        "valid_until": cell.valid_until,
                        "attendance": cell.attendance_id,
                    }
                    for course, cell in zip(grid.courses, row.cells, strict=True)
                    if cell is not None
                ],  # fmt: skip
            }
            for row in grid.rows
        ]
        return self.get_paginated_response(MatrixRowSerializer(rows, many=True).data)


# --- Trainers' activity --------------------------------------------------------------------------------


class TrainerActivitySerializer(serializers.Serializer):
    trainer = serializers.IntegerField(source="user.pk")
    trainer_name = serializers.SerializerMethodField()
    sessions_planned = serializers.IntegerField()
    sessions_delivered = serializers.IntegerField()
    hours_delivered = serializers.DecimalField(max_digits=8, decimal_places=1)
    preparation_hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    attendees = serializers.IntegerField(help_text="Present at the sessions delivered.")
    feedback_average = serializers.FloatField(allow_null=True)
    feedback_count = serializers.IntegerField()

    def get_trainer_name(self, row) -> str:
        return _name(row.user)


@extend_schema_view(
    list=extend_schema(
        description="Each internal trainer's activity over a period (`?date_from=`, `?date_to=`; by default the "
        "last 12 months): the trainer sees their own, a manager their reports', the HSE head everyone's.",
        responses={200: TrainerActivitySerializer(many=True), 400: REFUSED, 403: FORBIDDEN},
    )
)
class TrainerActivityViewSet(viewsets.GenericViewSet):
    capabilities = {"GET": "trainings.view"}
    serializer_class = TrainerActivitySerializer
    filterset_class = PeriodFilterSet
    queryset = Session.objects.none()

    def list(self, request, *args, **kwargs):
        filterset = PeriodFilterSet(request.query_params, queryset=Session.objects.none(), request=request)
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        since, until = filterset.period()
        trainers: dict = {}
        for qualification in selectors.trainer_list_for_user(request.user):
            trainers.setdefault(qualification.user_id, qualification.user)
        page = self.paginate_queryset(list(trainers.values()))
        rows = selectors.trainer_activity_rows(page, since=since, until=until)
        return self.get_paginated_response(TrainerActivitySerializer(rows, many=True).data)


ROUTES: list = [
    ("courses", CourseViewSet, "course"),
    ("training-requirements", RequirementViewSet, "training-requirement"),
    ("trainers", TrainerViewSet, "trainer"),
    ("training-sessions", SessionViewSet, "training-session"),
    ("attendances", AttendanceViewSet, "attendance"),
    ("competence-matrix", CompetenceMatrixViewSet, "competence-matrix"),
    ("trainer-activity", TrainerActivityViewSet, "trainer-activity"),
]
