"""The unit's "you said — we did" board, its printable page and the QR poster: answered signals only,
their paraphrase and response and never the words as they were said; readable by every role who
sees the unit; a bounded number of queries whatever the number of signals."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from apps.internships.feedback import unit_feedback_token
from apps.internships.models import Internship
from tests.factories import AnsweredSignalFactory, InternshipFactory, SignalFactory

pytestmark = pytest.mark.django_db

SITE = ZoneInfo("Asia/Yekaterinburg")
TODAY = date(2026, 6, 15)
RAW = "Petrov says the new respirators fog up and he takes his off in the cell"
PARAPHRASE = "Respirators fog up in the flotation cells, so people take them off"


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, time(9, 0)).replace(tzinfo=SITE), tick=False)


@pytest.fixture
def internship(org, hse_specialist):
    return InternshipFactory(unit=org.crew, specialist=hse_specialist, status=Internship.Status.FINISHED)


@pytest.fixture
def answered(internship):
    return AnsweredSignalFactory(
        internship=internship, raw_text=RAW, paraphrase=PARAPHRASE, response="tool_replaced",
        response_text="Anti-fog respirators ordered for the crew", responded_on=date(2026, 6, 10),
    )  # fmt: skip


def board(unit):
    return reverse("internships:board", args=[unit.pk])


def test_the_board_shows_what_was_said_reworded_and_what_was_done(client_as, line_manager, answered, internship):
    waiting = SignalFactory(internship=internship, raw_text="Nobody checks the eyewash station")
    html = client_as(line_manager).get(board(answered.unit)).content.decode()
    assert f"You said:</span> {PARAPHRASE}" in html
    assert "We did:</span> <strong>Tool replaced</strong>: Anti-fog respirators ordered for the crew" in html
    assert f"answered {date_format(date(2026, 6, 10), 'SHORT_DATE_FORMAT')}" in html
    assert RAW not in html
    assert waiting.raw_text not in html
    assert html.count('data-testid="board-item"') == 1


def test_the_board_counts_what_was_heard_and_answered(client_as, hse_specialist, answered, internship):
    SignalFactory(internship=internship)
    SignalFactory(internship=internship, status="in_progress")
    html = client_as(hse_specialist).get(board(answered.unit)).content.decode()
    summary = html[html.index('data-testid="board-summary"') :]
    values = [part.split("<")[0] for part in summary.split('<div class="stat-value')[1:5]]
    assert [value.split(">")[1] for value in values] == ["3", "1", "1", "1"]


def test_a_shop_board_includes_its_crews(client_as, line_manager, answered, org):
    assert PARAPHRASE in client_as(line_manager).get(board(org.shop)).content.decode()


def test_an_empty_board_invites_people_to_speak_up(client_as, line_manager, org):
    html = client_as(line_manager).get(board(org.crew)).content.decode()
    assert "Nothing here yet — tell us what gets in the way of working safely." in html
    assert unit_feedback_token(org.crew) in html  # the link to the unit's anonymous form
    assert 'data-testid="qr"' in html and "<svg" in html


@pytest.mark.parametrize("who", ["executive", "pass_admin", "system_admin", "hse_head"])
def test_every_role_seeing_the_unit_reads_the_board(client_as, persona, answered, who):
    response = client_as(persona(who)).get(board(answered.unit))
    assert response.status_code == 200
    assert PARAPHRASE in response.content.decode() and RAW not in response.content.decode()


def test_the_outsider_gets_404(client_as, outsider, answered):
    assert client_as(outsider).get(board(answered.unit)).status_code == 404
    assert client_as(outsider).get(reverse("internships:board_print", args=[answered.unit_id])).status_code == 404


def test_the_printable_page_is_clean_and_carries_the_qr(client_as, line_manager, answered):
    response = client_as(line_manager).get(reverse("internships:board_print", args=[answered.unit_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "portal-navbar" not in html and "main-nav" not in html
    assert "@media print" in html and "size: A4" in html
    assert "Flotation crew" in html and "the latest answers" in html
    assert PARAPHRASE in html and RAW not in html
    assert "<svg" in html and 'data-testid="qr"' in html
    assert unit_feedback_token(answered.unit) in html
    assert "Tell us — anonymously." in html and "Расскажите нам — анонимно." in html


def test_the_printable_page_takes_a_month(client_as, line_manager, answered):
    url = reverse("internships:board_print", args=[answered.unit_id])
    may = client_as(line_manager).get(url + "?month=2026-05").content.decode()
    assert PARAPHRASE not in may and "May 2026" in may and 'data-testid="board-empty"' in may
    assert PARAPHRASE in client_as(line_manager).get(url + "?month=2026-06").content.decode()


@override_settings(PORTAL_BASE_URL="https://hse.plant.example/")
def test_the_poster_points_at_the_public_address(client_as, line_manager, org):
    response = client_as(line_manager).get(reverse("internships:feedback_poster", args=[org.crew.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    path = reverse("internships:feedback_form", args=[unit_feedback_token(org.crew)])
    assert f"https://hse.plant.example{path}" in html
    assert "<svg" in html
    assert "Saw a hazard? Have an idea? Tell us — anonymously." in html
    assert "Заметили опасность? Есть идея? Расскажите нам — анонимно." in html


@pytest.mark.parametrize(
    ("who", "status"), [("executive", 403), ("pass_admin", 403), ("outsider", 404), ("hse_specialist", 200)]
)
def test_the_poster_is_for_the_hse_function_and_managers(client_as, persona, org, who, status):
    assert client_as(persona(who)).get(reverse("internships:feedback_poster", args=[org.crew.pk])).status_code == status


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["internships:board", "internships:board_print"])
def test_the_query_count_does_not_grow_with_signals(client_as, line_manager, internship, name):
    client = client_as(line_manager)
    url = reverse(name, args=[internship.unit_id])
    AnsweredSignalFactory(internship=internship)
    one = _queries(client, url)
    for offset in range(12):
        AnsweredSignalFactory(internship=internship, responded_on=TODAY - timedelta(days=offset))
        SignalFactory(internship=internship)
    assert _queries(client, url) == one
    assert one <= 12
