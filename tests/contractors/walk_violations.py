"""Permission-walk expectations for the violation, sanction, scorecard and pass-card pages. The
records are built by tests/contractors/walk.py: a serious violation in the main unit's crew with a
warning in force, recorded by the HSE specialist (so the outsider, an HSE specialist of another
site, gets 404 for them)."""

from django.urls import reverse
from django.utils import timezone

from tests.walk import SIGNED_IN, Case, page

READERS = ["hse_specialist", "hse_head", "line_manager", "executive", "pass_admin", "system_admin", "outsider"]
RECORDERS = ["hse_specialist", "hse_head", "outsider"]


def in_crew(allowed, ok=302):
    """A POST on a record of the crew: `ok` for the allowed roles, 403 for the others, 404 for the
    outsider."""
    expect = dict.fromkeys(SIGNED_IN, 403)
    expect.update(dict.fromkeys(allowed, ok))
    expect["outsider"] = 404
    expect["anonymous"] = 302
    return expect


def _record_expectations():
    # The outsider may record, but not in the crew: the unit is not among their choices (400).
    return {**page(RECORDERS), "hse_specialist": 302, "hse_head": 302, "outsider": 400}


def _violation_data(ctx):
    return {
        "severity": "minor", "company": ctx.company.pk, "unit": ctx.crew.pk, "description": "Untidy site",
        "observed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }  # fmt: skip


def _evidence_url(ctx):
    """The violation's evidence URL, after giving the walk's violation a file (it has none)."""
    if not ctx.violation.evidence:
        from tests.observations.conftest import jpeg

        ctx.violation.evidence.save("walk.jpg", jpeg("walk.jpg"), save=True)
    return reverse("contractors:violation_evidence", args=[ctx.violation.pk])


EXPECTATIONS: dict = {
    "contractors:violation_list": [Case(lambda o: reverse("contractors:violation_list"), page(READERS))],
    "contractors:violation_create": [
        Case(lambda o: reverse("contractors:violation_create"), page(RECORDERS)),
        Case(lambda o: reverse("contractors:violation_create"), _record_expectations(), "post", _violation_data),
    ],
    "contractors:violation_detail": [
        Case(lambda o: o.violation.get_absolute_url(), page(READERS, outsider=404)),
    ],
    "contractors:violation_evidence": [
        Case(_evidence_url, page(READERS, outsider=404)),
    ],
    "contractors:sanction_apply": [
        Case(
            lambda o: reverse("contractors:sanction_apply", args=[o.violation.pk]),
            in_crew(["hse_specialist", "hse_head"]),
            "post",
            {"kind": "warning", "reason": "Second reminder"},
        ),
    ],
    "contractors:sanction_lift": [
        Case(
            lambda o: reverse("contractors:sanction_lift", args=[o.sanction.pk]),
            in_crew(["hse_specialist", "hse_head"]),
            "post",
            {"reason": "Appeal upheld"},
        ),
    ],
    "contractors:company_scorecard": [
        Case(lambda o: reverse("contractors:company_scorecard", args=[o.company.pk]), page(READERS)),
    ],
    "contractors:company_audits": [
        Case(lambda o: reverse("contractors:company_audits", args=[o.company.pk]), page(READERS)),
        Case(
            lambda o: reverse("contractors:company_audits", args=[o.company.pk]),
            {
                **page(READERS),
                **dict.fromkeys(["line_manager", "executive", "pass_admin", "system_admin"], 403),
                **dict.fromkeys(RECORDERS, 400),
            },
            "post",
            {"template": ""},
        ),
    ],
    "contractors:pass_card": [
        Case(lambda o: reverse("contractors:pass_card", args=[o.access_pass.pk]), page(["pass_admin"])),
    ],
    "contractors:pass_cards": [Case(lambda o: reverse("contractors:pass_cards"), page(["pass_admin"]))],
}
