"""The competence matrix: people × the courses required of them, each cell valid, expiring soon,
expired or missing.

A course is required of a person by their job title (compared without case and outer spaces;
anywhere, or only in a unit and the units under it) or by their unit (a requirement on a unit
covers the units under it). A person's training in a course is their latest valid-until date of
it that was not revoked. The states, on `today`:

- expired: the last valid day has passed (valid_until < today);
- expiring: it runs out within `EXPIRING_SOON_DAYS` days, today included
  (today <= valid_until <= today + EXPIRING_SOON_DAYS);
- valid: later than that;
- missing: no training in the course at all.

A page of the matrix reads the requirements, the unit tree and the page's trainings: three queries
whatever the number of people. Filtering people by state happens in SQL (`matrix_people_for_user`),
so a plant of 10,000 people is paginated, not loaded."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max, Q
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext as _

from apps.accounts.access import scope_queryset
from apps.org.models import Person, StructuralUnit

from .models import EXPIRING_SOON_DAYS, Attendance, Course, TrainingRequirement

VALID, EXPIRING, EXPIRED, MISSING = "valid", "expiring", "expired", "missing"
STATES = (VALID, EXPIRING, EXPIRED, MISSING)
ATTENTION = "attention"  # any of expiring, expired, missing: a filter, not a cell state
STATE_FILTERS = (EXPIRED, EXPIRING, MISSING, ATTENTION)

PERSON_APPLIES = (TrainingRequirement.AppliesTo.JOB_TITLE, TrainingRequirement.AppliesTo.UNIT)


def cell_state(valid_until: date | None, today: date) -> str:
    """valid / expiring / expired / missing of a training valid until `valid_until` (None: none)."""
    if valid_until is None:
        return MISSING
    if valid_until < today:
        return EXPIRED
    if valid_until <= today + timedelta(days=EXPIRING_SOON_DAYS):
        return EXPIRING
    return VALID


def normalise_title(title: str) -> str:
    """A job title as compared: without case and outer spaces (as `Lower(Trim(...))` in SQL)."""
    return (title or "").strip().lower()


@dataclass(frozen=True)
class Cell:
    state: str
    valid_until: date | None = None
    attendance_id: int | None = None


@dataclass
class MatrixRow:
    person: Person
    cells: list  # [Cell | None], aligned with Matrix.courses; None: not required of this person


@dataclass
class Matrix:
    courses: list
    rows: list
    counts: dict = field(default_factory=lambda: dict.fromkeys(STATES, 0))


# --- Requirements and the unit tree ----------------------------------------------------------------


class UnitTree:
    """The unit tree, read once: ancestors (a unit included) and descendants (a unit included)."""

    def __init__(self):
        self.parent: dict[int, int | None] = dict(StructuralUnit.objects.values_list("id", "parent_id"))
        self.children: dict[int | None, list[int]] = {}
        for pk, parent_id in self.parent.items():
            self.children.setdefault(parent_id, []).append(pk)

    def ancestors(self, unit_id) -> set[int]:
        found: set[int] = set()
        while unit_id is not None and unit_id not in found:
            found.add(unit_id)
            unit_id = self.parent.get(unit_id)
        return found

    def descendants(self, unit_id) -> set[int]:
        found: set[int] = set()
        stack = [unit_id]
        while stack:
            pk = stack.pop()
            if pk not in found:
                found.add(pk)
                stack.extend(self.children.get(pk, ()))
        return found


def person_requirements():
    """The requirements of employees (by job title or unit, not contractor zones), with their course."""
    return list(TrainingRequirement.objects.filter(applies_to__in=PERSON_APPLIES).select_related("course"))


def _required(person, requirements, tree: UnitTree, cache: dict) -> set[int]:
    """The ids of the courses required of one person."""
    key = (person.unit_id, normalise_title(person.job_title))
    if key not in cache:
        above = tree.ancestors(person.unit_id)
        title = key[1]
        courses = set()
        for requirement in requirements:
            if requirement.applies_to == TrainingRequirement.AppliesTo.JOB_TITLE:
                if normalise_title(requirement.job_title) != title:
                    continue
                if requirement.unit_id is not None and requirement.unit_id not in above:
                    continue
            elif requirement.unit_id not in above:
                continue
            courses.add(requirement.course_id)
        cache[key] = courses
    return cache[key]


def required_courses_for(people: Iterable[Person]) -> dict[int, set[int]]:
    """person id -> the ids of the courses required of them (two queries whatever the number)."""
    people = list(people)
    if not people:
        return {}
    requirements, tree, cache = person_requirements(), UnitTree(), {}
    return {person.pk: set(_required(person, requirements, tree, cache)) for person in people}


# --- The matrix ------------------------------------------------------------------------------------


def _best_trainings(person_ids, course_ids) -> dict[tuple[int, int], tuple[date, int]]:
    """(person id, course id) -> (latest valid-until, its attendance id), revoked ones left out."""
    best: dict[tuple[int, int], tuple[date, int]] = {}
    if not person_ids or not course_ids:
        return best
    rows = Attendance.objects.filter(
        person_id__in=person_ids, session__course_id__in=course_ids, valid_until__isnull=False, revoked_at__isnull=True
    ).values_list("person_id", "session__course_id", "valid_until", "id")
    for person_id, course_id, until, pk in rows:
        key = (person_id, course_id)
        if key not in best or (until, pk) > best[key]:
            best[key] = (until, pk)
    return best


def competence_matrix(*, people, today: date, courses=None) -> Matrix:
    """The matrix of these people (a page of them): the columns are `courses` (default: every
    course required of at least one of them, by name), each cell the state of the person's
    training in the course, or None where the course is not required of them."""
    people = list(people)
    requirements, tree, cache = person_requirements(), UnitTree(), {}
    required = {person.pk: _required(person, requirements, tree, cache) for person in people}
    if courses is None:
        wanted = set().union(*required.values()) if required else set()
        by_id = {r.course_id: r.course for r in requirements if r.course_id in wanted}
        courses = sorted(by_id.values(), key=lambda course: (course.name, course.pk))
    else:
        courses = list(courses)
    best = _best_trainings([p.pk for p in people], [c.pk for c in courses])
    matrix = Matrix(courses=courses, rows=[])
    for person in people:
        cells = []
        for course in courses:
            if course.pk not in required[person.pk]:
                cells.append(None)
                continue
            until, attendance_id = best.get((person.pk, course.pk), (None, None))
            cell = Cell(cell_state(until, today), until, attendance_id)
            matrix.counts[cell.state] += 1
            cells.append(cell)
        matrix.rows.append(MatrixRow(person=person, cells=cells))
    return matrix


# --- Filtering people in SQL -----------------------------------------------------------------------


def required_people_q(requirements, tree: UnitTree) -> dict[int, Q]:
    """course id -> a Q on Person (annotated with `_title`) matching those it is required of."""
    required: dict[int, Q] = {}
    for requirement in requirements:
        if requirement.applies_to == TrainingRequirement.AppliesTo.JOB_TITLE:
            q = Q(_title=normalise_title(requirement.job_title))
            if requirement.unit_id is not None:
                q &= Q(unit_id__in=tree.descendants(requirement.unit_id))
        else:
            q = Q(unit_id__in=tree.descendants(requirement.unit_id))
        required[requirement.course_id] = (
            required[requirement.course_id] | q if requirement.course_id in required else q
        )
    return required


def _best_until(course_id: int):
    """The people with a training in force or run out in the course, with the latest date it runs
    (or ran) to: one grouped scan of the course's attendance, which PostgreSQL hashes once per query
    however many people it filters (correlated EXISTS per person took seconds at plant scale)."""
    return (
        Attendance.objects.filter(
            session__course_id=course_id, person__isnull=False, valid_until__isnull=False, revoked_at__isnull=True
        )
        .values("person_id")
        .annotate(best=Max("valid_until"))
    )


def _state_q(course_id: int, state: str, today: date) -> Q:
    """People whose cell of the course is in `state` (its requirement is checked by the caller)."""
    soon = today + timedelta(days=EXPIRING_SOON_DAYS)
    trained = _best_until(course_id)
    if state == MISSING:
        return ~Q(pk__in=trained.values("person_id"))
    if state == EXPIRED:
        return Q(pk__in=trained.filter(best__lt=today).values("person_id"))
    if state == EXPIRING:
        return Q(pk__in=trained.filter(best__gte=today, best__lte=soon).values("person_id"))
    return ~Q(pk__in=trained.filter(best__gt=soon).values("person_id"))  # attention: anything but valid


def matrix_people_for_user(user, *, unit=None, job_title: str = "", course=None, state: str = "", today: date):
    """The active people of the units the user sees, for the matrix's rows, filtered in SQL: by unit
    (and the units under it), job title, a course (required of them) and a state (`expired`,
    `expiring`, `missing`, or `attention` for any of the three: at least one such cell, of `course`
    when given). Ordered by unit and name, ready to paginate."""
    people = scope_queryset(Person.objects.filter(is_active=True), user).select_related("unit")
    people = people.annotate(_title=Lower(Trim("job_title")))
    tree = None
    if unit is not None:
        tree = UnitTree()
        people = people.filter(unit_id__in=tree.descendants(getattr(unit, "pk", unit)))
    if job_title and job_title.strip():
        people = people.filter(_title=normalise_title(job_title))
    if course is not None or state in STATE_FILTERS:
        tree = tree or UnitTree()
        requirements = [
            r for r in person_requirements() if course is None or r.course_id == getattr(course, "pk", course)
        ]
        required = required_people_q(requirements, tree)
        if not required:
            return people.none()
        condition = Q()
        for course_id, q in required.items():
            condition |= q & _state_q(course_id, state, today) if state in STATE_FILTERS else q
        people = people.filter(condition)
    return people.order_by("unit__name", "full_name", "id")


# --- CSV -------------------------------------------------------------------------------------------

CSV_CHUNK = 500


def _cell_text(cell: Cell | None) -> str:
    if cell is None:
        return ""
    shown = cell.valid_until.strftime("%d.%m.%Y") if cell.valid_until else ""
    if cell.state == VALID:
        return _("valid until %(date)s") % {"date": shown}
    if cell.state == EXPIRING:
        return _("expiring %(date)s") % {"date": shown}
    if cell.state == EXPIRED:
        return _("expired %(date)s") % {"date": shown}
    return _("missing")


def _chunks(people, size: int):
    chunk = []
    rows = people.iterator(chunk_size=size) if hasattr(people, "iterator") else iter(people)
    for person in rows:
        chunk.append(person)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def matrix_csv_rows(*, people, today: date) -> Iterator[list]:
    """The matrix as CSV rows: a header (person, personnel number, unit, job title, one column per
    course required of anyone), then one row per person; read `CSV_CHUNK` people at a time."""
    course_ids = TrainingRequirement.objects.filter(applies_to__in=PERSON_APPLIES).values("course_id")
    courses = list(Course.objects.filter(pk__in=course_ids).order_by("name", "id"))
    yield [_("Person"), _("Personnel number"), _("Unit"), _("Job title"), *[course.name for course in courses]]
    if hasattr(people, "select_related"):
        people = people.select_related("unit")
    for chunk in _chunks(people, CSV_CHUNK):
        matrix = competence_matrix(people=chunk, today=today, courses=courses)
        for row in matrix.rows:
            person = row.person
            yield [
                person.full_name, person.personnel_number, person.unit.name, person.job_title,
                *[_cell_text(cell) for cell in row.cells],
            ]  # fmt: skip
