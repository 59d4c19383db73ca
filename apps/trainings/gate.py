"""The gate's training check: a contractor worker goes into a zone only with every training
required there (in the zone or a unit above it) in force on the day. Registered with
`apps.contractors.gate` from `TrainingsConfig.ready()`."""

import contextlib
from datetime import date

from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.contractors.gate import Refusal

from .models import Attendance, TrainingRequirement

TRAININGS_ATTR = "gate_trainings"


def holder_trainings_prefetch() -> Prefetch:
    """The trainings in force or expired of each pass holder (never revoked ones), for lists."""
    return Prefetch(
        "holder__trainings",
        queryset=Attendance.objects.filter(valid_until__isnull=False, revoked_at__isnull=True).select_related(
            "session"
        ),
        to_attr=TRAININGS_ATTR,
    )


def _zone_requirements(memo: dict) -> tuple[dict, dict]:
    """(zone unit id -> [(course id, course name)], unit id -> parent id), read once per request."""
    if "trainings.zone_requirements" not in memo:
        required: dict[int, list[tuple[int, str]]] = {}
        rows = TrainingRequirement.objects.filter(applies_to=TrainingRequirement.AppliesTo.CONTRACTOR_ZONE)
        for unit_id, course_id, name in rows.values_list("unit_id", "course_id", "course__name"):
            required.setdefault(unit_id, []).append((course_id, name))
        parents = {}
        if required:
            unit_model = TrainingRequirement._meta.get_field("unit").related_model
            parents = dict(unit_model.objects.values_list("id", "parent_id"))
        memo["trainings.zone_requirements"] = (required, parents)
    return memo["trainings.zone_requirements"]


def required_courses(zone_ids, memo: dict) -> dict[int, str]:
    """The courses required of a contractor worker in these zones: course id -> name."""
    required, parents = _zone_requirements(memo)
    courses: dict[int, str] = {}
    if not required:
        return courses
    for zone_id in zone_ids:
        unit_id, seen = zone_id, set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            courses.update(required.get(unit_id, ()))
            unit_id = parents.get(unit_id)
    return courses


def expired_zone_trainings(access_pass, today: date, memo: dict) -> list[Refusal]:
    courses = required_courses([zone.pk for zone in access_pass.zones.all()], memo)
    if not courses:
        return []
    holder = access_pass.holder
    trainings = getattr(holder, TRAININGS_ATTR, None)
    if trainings is None:
        trainings = list(
            holder.trainings.filter(valid_until__isnull=False, revoked_at__isnull=True).select_related("session")
        )
    best: dict[int, date] = {}
    for attendance in trainings:
        course_id = attendance.session.course_id
        best[course_id] = max(best.get(course_id, attendance.valid_until), attendance.valid_until)
    refusals = []
    for course_id, name in sorted(courses.items(), key=lambda item: item[1]):
        if course_id not in best:
            refusals.append(Refusal("training_missing", name))
        elif best[course_id] < today:
            refusals.append(Refusal("training_expired", f"{name}|{best[course_id].isoformat()}"))
    return refusals


def describe_refusal(code: str, detail: str) -> str | None:
    if code == "training_missing":
        return _("No training in %(course)s, which this zone requires.") % {"course": detail}
    if code == "training_expired":
        course, _sep, expired = detail.rpartition("|")
        with contextlib.suppress(ValueError):
            expired = date_format(date.fromisoformat(expired), "SHORT_DATE_FORMAT")
        return _("The training in %(course)s, which this zone requires, ran out on %(date)s.") % {
            "course": course,
            "date": expired,
        }
    return None
