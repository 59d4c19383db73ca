"""Destructive or final steps ask first: every form (or submit button) that removes, cancels,
revokes, blocks, withdraws, lifts, approves or closes carries data-confirm, handled by one script
(static/js/confirm.js) with the dialog of templates/base.html."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.factories import ActionFactory

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted([*ROOT.glob("apps/*/templates/**/*.html"), *ROOT.glob("templates/**/*.html")])

# URL names (after the namespace) whose POST removes or ends something.
DESTRUCTIVE = re.compile(r":[a-z_]*_?(remove|delete|cancel|revoke|block|withdraw|lift|suspend|bulk)'")
# Final steps that go through one status URL: the step is the URL's last argument.
FINAL_STEPS = re.compile(r"'incidents:investigation_status' [^%]* '(approve|close)'")
POST_FORM = re.compile(r'<form\b[^>]*method="post"[^>]*>', re.I)
FORMACTION_BUTTON = re.compile(r"<button\b[^>]*formaction=\"\{% url '[^']+'[^>]*>", re.I)

# Known at the time of writing: the scan must keep finding at least these (it is not vacuous).
KNOWN = {
    "actions:cancel",
    "incidents:step_remove",
    "incidents:fact_remove",
    "incidents:link_remove",
    "incidents:investigation_status approve",
    "incidents:investigation_status close",
    "contractors:pass_suspend",
    "contractors:pass_block",
    "contractors:pass_revoke",
    "contractors:pass_bulk",
    "contractors:sanction_lift",
    "kpis:target_remove",
    "kpis:escalation_withdraw",
    "audits:plan_delete",
    "trainings:requirement_remove",
    "trainings:trainer_withdraw",
    "trainings:session_cancel",
    "trainings:attendee_remove",
    "trainings:certificate_revoke",
    "internships:contact_remove",
    "internships:cancel",
}


def _destructive_tags():
    """(template, URL, tag) of every POST form or formaction button that needs a confirmation."""
    for path in TEMPLATES:
        text = path.read_text()
        for tag in [*POST_FORM.findall(text), *FORMACTION_BUTTON.findall(text)]:
            url = re.search(r"\{% url '([^']+)'", tag)
            if not url:
                continue
            final = FINAL_STEPS.search(tag)
            if final:
                yield path.relative_to(ROOT), f"{url.group(1)} {final.group(1)}", tag
            elif DESTRUCTIVE.search(tag) and not url.group(1).endswith("unblock"):
                yield path.relative_to(ROOT), url.group(1), tag


def test_every_destructive_or_final_form_asks_first():
    found = list(_destructive_tags())
    missing = [f"{path}: {name}" for path, name, tag in found if "data-confirm=" not in tag]
    assert missing == []
    assert {name for _, name, _ in found} >= KNOWN


def test_the_questions_are_translated_not_typed_in():
    for path, name, tag in _destructive_tags():
        question = re.search(r'data-confirm="([^"]*)"', tag).group(1)
        assert question.startswith("{% translate '"), f"{path}: {name}"


def test_the_dialog_and_its_script_are_on_every_page(client_as, org, hse_specialist):
    page = client_as(hse_specialist).get(reverse("core:home")).text
    assert '<dialog id="confirm-dialog"' in page
    assert re.search(r'<script src="/static/js/confirm\.js" nonce="[^"]+"></script>', page)
    assert "No, go back" in page


def test_a_rendered_cancel_form_carries_the_question(client_as, org, hse_specialist, line_manager):
    action = ActionFactory(unit=org.crew, owner=line_manager, created_by=hse_specialist)
    page = client_as(hse_specialist).get(action.get_absolute_url()).text
    assert 'data-confirm="Cancel this action? It will no longer count as work to do."' in page
    assert 'data-confirm-ok="Cancel the action"' in page


# The dialog itself, in a real browser: tests/browser/test_confirm_dialog.py
