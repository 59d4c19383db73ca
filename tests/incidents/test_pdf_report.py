"""The investigation report PDF as printed: labels that say what they are, the commission's
signatures, the footer in the body's font, dates in the reader's language, no near-empty last page."""

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.incidents.models import Investigation, TimelineEvent, WhyStep
from tests.factories import UserFactory

from .helpers import make_incident, make_injured, planned_and_covered

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext, pdffonts)"),
]

# Characters of body text the last page holds at least (its footer alone is about 45).
LAST_PAGE_MIN_CHARS = 200


def pages_of(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page (pdftotext), footer included."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def body_chars(page: str) -> int:
    """Non-blank characters of a page without its footer line (the portal's name and page x / y)."""
    lines = [line for line in page.splitlines() if line.strip()]
    return sum(len("".join(line.split())) for line in lines[:-1])


@pytest.fixture
def investigation(org, hse_specialist, line_manager):
    """A typical report: an injury with a timeline, a Five Whys chain, an action, a commission."""
    incident = make_incident(org.crew, hse_specialist, occurred_at=datetime(2026, 10, 5, 9, 30, tzinfo=UTC))
    make_injured(incident)
    for minutes, text in enumerate(["Spillage reported", "Hand caught", "First aid given", "Admitted to the clinic"]):
        TimelineEvent.objects.create(incident=incident, at=incident.occurred_at + timedelta(minutes=10 * minutes),
                                     description=text)  # fmt: skip
    investigation = planned_and_covered(incident, hse_specialist)
    chain = investigation.why_chains.get()
    chain.steps.update(order=3)  # the root cause ends the chain
    for order, answer in enumerate(["Reached in to clear spillage", "Spillage builds up every shift"], start=1):
        WhyStep.objects.create(chain=chain, order=order, answer=answer)
    investigation.members.set([line_manager])
    return investigation


def test_the_report_carries_the_commissions_signatures(client_as, investigation, hse_head, line_manager, tmp_path):
    response = client_as(hse_head).get(reverse("incidents:report_pdf", args=[investigation.pk]))
    text = "\n".join(pages_of(response.content, tmp_path))
    for label in ("Signatures", "Coordinator", "Commission member", "Approved by (HSE head)"):
        assert label in text, label
    for column in ("ROLE", "NAME", "SIGNATURE", "DATE"):  # table headings print in capitals
        assert column in text.split("Signatures")[-1], column
    assert str(line_manager) in text.split("Signatures")[-1]
    assert str(investigation.coordinator) in text.split("Signatures")[-1]


def test_the_generation_time_is_labelled_and_closed_only_when_closed(client_as, investigation, hse_head, tmp_path):
    url = reverse("incidents:report_pdf", args=[investigation.pk])
    text = "\n".join(pages_of(client_as(hse_head).get(url).content, tmp_path))
    assert "Generated" in text
    assert "Status: Actions planned" in text
    assert "Closed" not in text

    Investigation.objects.filter(pk=investigation.pk).update(
        status=Investigation.Status.CLOSED, closed_at=timezone.now(), approved_by=hse_head, approved_at=timezone.now()
    )
    text = "\n".join(pages_of(client_as(hse_head).get(url).content, tmp_path))
    assert "Status: Closed" in text
    assert text.count("Closed") == 2  # the status in the header and the date it was closed


def test_the_last_page_is_not_left_with_only_the_footer(client_as, investigation, hse_head, tmp_path):
    pages = pages_of(client_as(hse_head).get(reverse("incidents:report_pdf", args=[investigation.pk])).content,
                     tmp_path)  # fmt: skip
    assert body_chars(pages[-1]) > LAST_PAGE_MIN_CHARS, pages[-1]


def test_every_font_of_the_report_is_the_bodys_sans(client_as, investigation, hse_head, tmp_path):
    """The footer (a page margin box) used to fall back to a serif font."""
    if shutil.which("pdffonts") is None:
        pytest.skip("needs pdffonts")
    path = tmp_path / "report.pdf"
    path.write_bytes(client_as(hse_head).get(reverse("incidents:report_pdf", args=[investigation.pk])).content)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split()[0] for line in listing.splitlines()[2:]]
    assert fonts
    assert all("DejaVu-Sans" in font for font in fonts), fonts


def test_dates_follow_the_readers_language(client_as, investigation, hse_head, tmp_path):
    url = reverse("incidents:report_pdf", args=[investigation.pk])
    english = "\n".join(pages_of(client_as(hse_head).get(url).content, tmp_path))
    assert "5 Oct 2026, 14:30" in english  # 09:30 UTC at the plant (UTC+5)
    russian_reader = UserFactory(role="hse_head", language="ru")
    russian = "\n".join(pages_of(client_as(russian_reader).get(url).content, tmp_path))
    assert "05.10.2026 14:30" in russian
    assert "2026-10-05" not in english + russian
