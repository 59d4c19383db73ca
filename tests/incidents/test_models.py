"""What the models say about one row: references, names, links to the page, badges, and the
invariants their clean() enforces."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from apps.incidents.models import (
    CauseTreeFact,
    CauseTreeLink,
    Incident,
    IncidentAttachment,
    InvolvedPerson,
    TimelineEvent,
    WhyChain,
    WhyStep,
    attachment_upload_to,
    long_text,
)
from tests.factories import PersonFactory

from .helpers import make_incident, make_investigation

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(org, hse_specialist):
    return make_incident(org.crew, hse_specialist, location="Conveyor 3")


@pytest.fixture
def investigation(incident, hse_specialist):
    return make_investigation(incident, hse_specialist, status="analysis")


def test_an_incident_is_named_by_its_reference(incident):
    assert incident.reference == f"INC-{incident.pk}"
    assert str(incident) == f"INC-{incident.pk} Injury, Conveyor 3"
    assert incident.get_absolute_url() == f"/incidents/{incident.pk}/"
    assert Incident().reference == "INC-new"


def test_a_person_involved_is_named_by_the_roll_or_the_typed_name(incident, org):
    rolled = InvolvedPerson(incident=incident, role="witness", person=PersonFactory(unit=org.crew, full_name="Petrov"))
    typed = InvolvedPerson(incident=incident, role="witness", name="Sidorov")
    assert (rolled.display_name, str(typed)) == ("Petrov", "Sidorov")


def test_attachments_are_stored_under_their_incident(incident):
    attachment = IncidentAttachment(incident=incident, original_name="scene.jpg")
    # A random name under the incident; only the (checked) extension is kept (issue 14).
    stored = attachment_upload_to(attachment, "scene.jpg")
    assert stored.startswith(f"incidents/{incident.pk}/") and stored.endswith(".jpg") and "scene" not in stored
    assert str(attachment) == "scene.jpg"


def test_a_timeline_event_shows_the_sites_time(incident):
    event = TimelineEvent(incident=incident, at=datetime(2026, 10, 5, 4, 30, tzinfo=UTC), description="Alarm")
    assert str(event) == "2026-10-05 09:30 Alarm"  # UTC+5 at the site


def test_a_timeline_event_without_its_time_is_left_to_the_field_check(incident):
    event = TimelineEvent(incident=incident, at=None, description="Alarm")
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert list(error.value.message_dict) == ["at"]
    assert "This field cannot be null." in error.value.message_dict["at"][0]


def test_the_investigation_names_and_links(investigation, incident):
    assert str(investigation) == f"Investigation of INC-{incident.pk}"
    assert investigation.get_absolute_url() == f"/incidents/investigations/{investigation.pk}/"
    assert investigation.unit == incident.unit


def test_the_analysis_records_link_to_their_place_on_the_page(investigation):
    page = investigation.get_absolute_url()
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    step = WhyStep.objects.create(chain=chain, order=1, answer="No interlock")
    final = CauseTreeFact.objects.create(investigation=investigation, text="Hand caught", is_final_event=True)
    reach = CauseTreeFact.objects.create(investigation=investigation, text="Reaches in")
    link = CauseTreeLink.objects.create(investigation=investigation, antecedent=reach, consequent=final)
    assert (str(chain), chain.get_absolute_url()) == ("Hand caught", f"{page}#chain-{chain.pk}")
    assert (str(step), step.get_absolute_url()) == ("No interlock", f"{page}#chain-{chain.pk}")
    assert (str(final), final.get_absolute_url()) == ("Hand caught", f"{page}#fact-{final.pk}")
    assert str(link) == "Reaches in → Hand caught"


def test_days_lost_messages(org, hse_specialist):
    case = Incident(classification="first_aid", days_lost=2)
    with pytest.raises(ValidationError) as error:
        case.clean()
    assert error.value.message_dict == {"days_lost": ["Days lost are recorded only for lost-time cases."]}
    case = Incident(classification="lost_time", days_lost=0)
    with pytest.raises(ValidationError) as error:
        case.clean()
    assert error.value.message_dict == {"days_lost": ["A lost-time case has at least one day lost."]}
    Incident(classification="lost_time", days_lost=1).clean()
    Incident(classification="none", days_lost=0).clean()


def test_long_text_caps_forms_and_full_clean():
    field = long_text("notes", max_length=10, blank=True)
    assert field.max_length == 10 and field.blank
    field.run_validators("x" * 10)
    with pytest.raises(ValidationError):
        field.run_validators("x" * 11)
    assert long_text("notes").max_length == 5000
    assert long_text("notes").verbose_name == "notes"


def test_the_timeline_span_is_measured_from_the_incidents_time(incident):
    occurred = incident.occurred_at
    TimelineEvent(incident=incident, at=occurred - TimelineEvent.SPAN, description="x").clean()
    with pytest.raises(ValidationError) as error:
        TimelineEvent(
            incident=incident, at=occurred - TimelineEvent.SPAN - timedelta(seconds=1), description="x"
        ).clean()
    assert error.value.message_dict == {
        "at": ["A timeline event lies within 365 days of the incident (before or after it)."]
    }
    assert date(2026, 10, 5) == occurred.date()
