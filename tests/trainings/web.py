"""Records the page, API and certificate tests of trainings share: a first-aid course required of
the crew's flotation operators, the HSE specialist qualified to teach it, a session of it today
in the crew with Petrov (the crew's operator) registered."""

import shutil
import subprocess
from dataclasses import dataclass

from django.utils import timezone

from apps.trainings.models import Attendance, Course, TrainingSession
from tests.factories.trainings import (
    AttendanceFactory,
    CourseFactory,
    TrainerFactory,
    TrainingRequirementFactory,
    TrainingSessionFactory,
)


@dataclass
class World:
    course: Course
    session: TrainingSession
    attendance: Attendance
    person: object


def make_world(org, trainer) -> World:
    course = CourseFactory(code="first-aid", name="First aid", validity_months=12)
    TrainingRequirementFactory(course=course, job_title="Flotation operator")
    TrainerFactory(user=trainer, course=course)
    session = TrainingSessionFactory(
        course=course, trainer=trainer, unit=org.crew, date=timezone.localdate(), place="Room 12"
    )
    person = org.crew.people.get(full_name="Petrov P. P.")
    attendance = AttendanceFactory(session=session, person=person)
    return World(course=course, session=session, attendance=attendance, person=person)


def pdf_text(content: bytes, tmp_path) -> str:
    """The text of a PDF (pdftotext), for asserting what it prints."""
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        return content.decode("latin-1")
    source = tmp_path / "doc.pdf"
    source.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, check=True, text=True)
    return out.stdout


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]
