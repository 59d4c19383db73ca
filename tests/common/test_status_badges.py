"""One set of status colours (apps/common/templatetags/status_badges.py)."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.template import Context, Template

from apps.common.templatetags import status_badges
from apps.common.templatetags.status_badges import (
    ATTENTION,
    DANGER,
    PSEUDO,
    STATUS_TONES,
    TONES,
    VERIFIED,
    days_late,
    tone_of,
)

TODAY = date(2026, 10, 14)
ROOT = Path(settings.BASE_DIR)


def _choice_fields():
    """(model label, field name, values) of every `status` field with choices in the project's apps."""
    for model in apps.get_models():
        if not model.__module__.startswith("apps."):
            continue
        for field in model._meta.get_fields():
            if field.name == "status" and getattr(field, "choices", None):
                yield model._meta.label_lower, field.name, {value for value, _label in field.choices}


def render(source, **context):
    return Template("{% load status_badges %}" + source).render(Context(context))


def action(**fields):
    Action = apps.get_model("actions", "Action")
    return Action(**{"status": "open", "due_date": TODAY, **fields})


class TestEveryStatusHasATone:
    def test_every_status_of_every_model_maps_to_a_known_tone(self):
        fields = list(_choice_fields())
        assert len(fields) >= 13  # actions, investigations, audits, passes, ...: the walk found them
        for label, field, values in fields:
            tones = STATUS_TONES.get((label, field))
            assert tones is not None, f"{label}.{field} has no colours"
            assert set(tones) == values, f"{label}.{field}: colours for {sorted(tones)}, statuses {sorted(values)}"
            assert set(tones.values()) <= set(TONES)

    def test_every_mapped_field_still_exists_with_these_choices(self):
        for (label, field), tones in STATUS_TONES.items():
            model_field = apps.get_model(label)._meta.get_field(field)
            assert set(tones) == {value for value, _label in model_field.choices}, (label, field)

    def test_open_and_verified_differ_and_mean_what_they_say(self):
        assert tone_of(action(status="open")) != tone_of(action(status="verified"))
        assert tone_of(action(status="verified")) == VERIFIED
        assert tone_of(action(status="done")) != VERIFIED  # done is not yet checked
        assert tone_of(action(status="cancelled")) not in (VERIFIED, DANGER)

    def test_not_investigated_is_the_most_prominent_tone_not_the_plainest(self):
        assert PSEUDO["not_investigated"][0] == ATTENTION
        html = render('{% pseudo_badge "not_investigated" %}')
        assert "status-attention" in html and "bi-exclamation-triangle-fill" in html

    def test_an_unmapped_value_is_neutral_not_an_error(self):
        assert tone_of(action(status="no-such-status")) == "neutral"

    def test_the_bare_value_filter_uses_the_same_table(self):
        html = render(
            '{{ "critical"|status_tone:"contractors.violation:severity" }} {{ "open"|status_tone:"actions.action" }}'
        )
        assert html == "blocked open"


class TestDaysLate:
    @pytest.mark.parametrize(
        ("due", "expected"),
        [(TODAY - timedelta(days=31), "31 days late"), (TODAY - timedelta(days=1), "1 day late"),
         (TODAY - timedelta(days=2), "2 days late")],
    )  # fmt: skip
    def test_an_open_action_past_its_due_date_says_how_late_in_words(self, due, expected):
        html = render("{% status_badge a today=today %}", a=action(due_date=due), today=TODAY)
        assert re.search(r'data-testid="days-late">.*?(\d+ days? late)</span>', html).group(1) == expected

    def test_the_count_is_whole_days_past_the_due_date(self):
        assert days_late(action(due_date=TODAY - timedelta(days=31)), TODAY) == 31
        assert days_late(action(due_date=TODAY - timedelta(days=1)), TODAY) == 1
        assert days_late(action(due_date=TODAY), TODAY) == 0  # due today is not late

    @pytest.mark.parametrize("status", ["done", "verified", "cancelled"])
    def test_a_finished_action_is_never_late(self, status):
        late = action(status=status, due_date=TODAY - timedelta(days=40))
        assert days_late(late, TODAY) == 0
        assert "days-late" not in render("{% status_badge a today=today %}", a=late, today=TODAY)

    def test_in_progress_counts_as_open(self):
        assert days_late(action(status="in_progress", due_date=TODAY - timedelta(days=3)), TODAY) == 3

    def test_an_escalation_and_an_investigation_past_their_deadline_are_late(self):
        Escalation = apps.get_model("kpis", "Escalation")
        Investigation = apps.get_model("incidents", "Investigation")
        assert days_late(Escalation(status="open", deadline=TODAY - timedelta(days=5)), TODAY) == 5
        assert days_late(Escalation(status="decided", deadline=TODAY - timedelta(days=5)), TODAY) == 0
        assert days_late(Investigation(status="analysis", deadline=TODAY - timedelta(days=2)), TODAY) == 2
        assert days_late(Investigation(status="approved", deadline=TODAY - timedelta(days=2)), TODAY) == 0

    def test_the_late_flag_alone_and_turned_off(self):
        late = action(due_date=TODAY - timedelta(days=4))
        assert "4 days late" in render("{% late_badge a today=today %}", a=late, today=TODAY)
        assert "late" not in render("{% status_badge a today=today late=False %}", a=late, today=TODAY)
        assert render("{% late_badge a today=today %}", a=action(), today=TODAY) == ""


class TestBadgeMarkup:
    def test_the_badge_carries_the_label_tone_and_test_id(self):
        html = render('{% status_badge a testid="status" extra="ms-1" %}', a=action(status="verified"))
        assert html == (
            '<span class="badge status-badge status-verified ms-1" data-tone="verified" data-testid="status">'
            "Verified</span>"
        )

    def test_another_field_and_a_link(self):
        Violation = apps.get_model("contractors", "Violation")
        html = render('{% status_badge v "severity" href="/v/1/" %}', v=Violation(severity="severe"))
        assert html.startswith('<a class="badge status-badge status-danger text-decoration-none" href="/v/1/"')
        assert "Severe" in html

    def test_an_unknown_tone_is_a_template_error(self):
        with pytest.raises(Exception, match="unknown status tone"):
            render('{% tone_badge "green" "x" %}')

    def test_the_legend_shows_every_status_of_the_model_in_order(self):
        html = render('{% status_legend "actions.action" overdue=True %}')
        labels = re.findall(r'data-tone="(\w+)">(?:<i[^>]*></i>)?([^<]+)<', html)
        assert labels == [("open", "Open"), ("progress", "In progress"), ("done", "Done"), ("verified", "Verified"),
                          ("closed", "Cancelled"), ("danger", "days late")]  # fmt: skip

    def test_the_legend_puts_pseudo_states_first(self):
        html = render('{% status_legend "incidents.investigation" pseudo="not_investigated" %}')
        assert html.index("not investigated") < html.index("Opened")


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground, background):
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class TestColours:
    CSS = (ROOT / "static" / "css" / "portal.css").read_text()

    def rule(self, tone):
        pattern = r"\.status-" + tone + r" \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6});"
        match = re.search(pattern, self.CSS)
        assert match, f"portal.css has no colours for the {tone} tone"
        return match.groups()

    @pytest.mark.parametrize("tone", TONES)
    def test_every_tone_has_text_readable_at_aa(self, tone):
        background, colour = self.rule(tone)
        assert contrast(colour, background) >= 4.5, tone

    def test_the_contrast_check_itself_fails_below_aa(self):
        assert contrast("#ffffff", "#0d6efd") < 4.55  # Bootstrap's blue is borderline: we use a darker one
        assert contrast("#ffffff", "#777777") < 4.5

    def test_verified_is_the_portal_green_and_no_two_tones_look_alike(self):
        assert self.rule(VERIFIED)[0] == "#166534"
        backgrounds = [self.rule(tone)[0] for tone in TONES]
        assert len(set(backgrounds)) == len(TONES)


# Pages draw statuses only through the tag: a badge with a model's status label drawn by hand is
# how "Open" came to be green like "Verified".
HAND_DRAWN = re.compile(r'class="badge[^"]*"[^>]*>\{\{ [\w.]+\.get_(status|severity)_display \}\}')


def test_no_page_draws_a_status_badge_by_hand():
    offenders = []
    for path in [*ROOT.glob("apps/*/templates/**/*.html"), *ROOT.glob("templates/**/*.html")]:
        if path.name.endswith("_pdf.html") or "/pdf/" in str(path):
            continue  # PDFs have their own print styles
        text = path.read_text()
        if HAND_DRAWN.search(text) or ".status_badge }}" in text or "|status_badge" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_module_has_no_stale_table_keys():
    assert set(status_badges.DEADLINES) <= {label for label, _field in STATUS_TONES}


def test_the_late_flag_alone_names_the_days_and_keeps_the_extra_classes():
    from types import SimpleNamespace

    from apps.actions.models import Action

    today = date(2026, 11, 30)
    late = SimpleNamespace(_meta=Action._meta, status="open", due_date=today - timedelta(days=3))
    flag = status_badges.late_badge(late, today=today, extra="ms-1")
    assert ">3 days late</span>" in flag
    assert 'class="badge status-badge status-danger text-nowrap ms-1"' in flag
    assert 'data-testid="days-late"' in flag
    assert status_badges.late_badge(late, today=today - timedelta(days=3)) == ""  # due today: not late
    done = SimpleNamespace(_meta=Action._meta, status="done", due_date=today - timedelta(days=3))
    assert status_badges.late_badge(done, today=today) == ""


def test_a_record_without_a_deadline_is_never_late():
    from types import SimpleNamespace

    from apps.org.models import Site

    assert days_late(SimpleNamespace(_meta=Site._meta, status="open"), TODAY) == 0
