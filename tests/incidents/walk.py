"""Permission-walk expectations for this app's URLs (see tests/walk.py).

The walk's incident is in the main crew; its investigation is coordinated by the HSE specialist
with the line manager on the commission, so the line manager may edit the analysis but neither
coordinates nor approves."""

from django.urls import reverse

from tests.incidents.helpers import soon
from tests.walk import Case, api, everyone, page, post_api, post_page

VIEWERS = ["hse_specialist", "hse_head", "line_manager", "executive", "system_admin", "outsider"]
REPORTERS = ["hse_specialist", "hse_head", "line_manager", "outsider"]
EDITORS = ["hse_specialist", "hse_head", "line_manager"]  # HSE roles of the unit and the commission
COORDINATORS = ["hse_specialist", "hse_head"]


def _photo(ctx):
    from tests.incidents.helpers import jpeg

    return {"files": jpeg("scene.jpg")}


def _status(name, step):
    return lambda o: reverse("incidents:investigation_status", args=[getattr(o, name).pk, step])


def _posts(url, allowed, data=None):
    return [Case(url, everyone(405)), Case(url, post_page(allowed), "post", data or {})]


u = reverse

EXPECTATIONS: dict = {
    "incidents:list": [Case(lambda o: u("incidents:list"), page(VIEWERS))],
    "incidents:create": [Case(lambda o: u("incidents:create"), page(REPORTERS))],
    "incidents:detail": [Case(lambda o: o.incident.get_absolute_url(), page(VIEWERS, outsider=404))],
    "incidents:person_add": _posts(
        lambda o: u("incidents:person_add", args=[o.incident.pk]), EDITORS, {"role": "witness", "name": "Witness W."}
    ),
    "incidents:timeline_add": _posts(
        lambda o: u("incidents:timeline_add", args=[o.incident.pk]), EDITORS,
        {"at": "2026-10-05T09:00", "description": "Alarm raised"},
    ),
    "incidents:attachment_add": _posts(lambda o: u("incidents:attachment_add", args=[o.incident.pk]), EDITORS, _photo),
    "incidents:attachment_download": [
        Case(lambda o: u("incidents:attachment_download", args=[o.attachment.pk]), page(VIEWERS, outsider=404))
    ],
    "incidents:investigation_open": _posts(
        lambda o: u("incidents:investigation_open", args=[o.incident_new.pk]), COORDINATORS,
        lambda o: {"coordinator": o.hse_specialist.pk},
    ),
    "incidents:investigation": [Case(lambda o: o.investigation.get_absolute_url(), page(VIEWERS, outsider=404))],
    "incidents:investigation_status": [
        *_posts(_status("inv_opened", "analysis"), COORDINATORS),
        Case(_status("inv_analysed", "plan"), post_page(COORDINATORS), "post"),
        Case(_status("inv_planned", "approve"), post_page(["hse_head"]), "post", {"note": "Good"}),
        Case(_status("inv_approved", "close"), post_page(COORDINATORS), "post"),
    ],
    "incidents:chain_add": _posts(
        lambda o: u("incidents:chain_add", args=[o.investigation.pk]), EDITORS, {"problem_statement": "Why?"}
    ),
    "incidents:step_add": _posts(lambda o: u("incidents:step_add", args=[o.chain.pk]), EDITORS, {"answer": "Because"}),
    "incidents:step_remove": _posts(lambda o: u("incidents:step_remove", args=[o.step.pk]), EDITORS),
    "incidents:fact_add": _posts(
        lambda o: u("incidents:fact_add", args=[o.investigation.pk]), EDITORS,
        lambda o: {"text": "Floor wet", "leads_to": o.final.pk},
    ),
    "incidents:fact_edit": _posts(
        lambda o: u("incidents:fact_edit", args=[o.fact2.pk]), EDITORS, {"text": "Edited", "is_unusual": "on"}
    ),
    "incidents:fact_remove": _posts(lambda o: u("incidents:fact_remove", args=[o.fact4.pk]), EDITORS),
    "incidents:link_add": _posts(
        lambda o: u("incidents:link_add", args=[o.investigation.pk]), EDITORS,
        lambda o: {"antecedent": o.fact4.pk, "consequent": o.fact2.pk},
    ),
    "incidents:link_remove": _posts(lambda o: u("incidents:link_remove", args=[o.link32.pk]), EDITORS),
    "incidents:action_add": _posts(
        lambda o: u("incidents:action_add", args=[o.investigation.pk]), EDITORS,
        lambda o: {"cause": f"fact-{o.fact2.pk}", "title": "Fit a guard", "control_level": "engineering",
                   "owner": o.line_manager.pk, "due_date": soon().isoformat()},
    ),
    "incidents:report_pdf": [
        Case(lambda o: u("incidents:report_pdf", args=[o.investigation.pk]), page(VIEWERS, outsider=404))
    ],
    "api:incident-list": [
        Case(lambda o: u("api:incident-list"), api(VIEWERS)),
        Case(
            lambda o: u("api:incident-list"), {**post_api(REPORTERS, ok=201), "outsider": 400}, "post",
            lambda o: {"type": "near_miss", "actual_severity": 1, "potential_severity": 4, "unit": o.crew.pk,
                       "occurred_at": "2026-10-01T10:00:00Z", "location": "Cell 2", "description": "Slipped"},
        ),
    ],
    "api:incident-detail": [Case(lambda o: u("api:incident-detail", args=[o.incident.pk]), api(VIEWERS, outsider=404))],
    "api:investigation-list": [Case(lambda o: u("api:investigation-list"), api(VIEWERS))],
    "api:investigation-transition": [
        Case(lambda o: u("api:investigation-transition", args=[o.inv_opened.pk]), post_api(COORDINATORS), "post",
             {"step": "analysis"}),
        Case(lambda o: u("api:investigation-transition", args=[o.inv_planned.pk]), post_api(["hse_head"]), "post",
             {"step": "approve", "note": "Causes are system causes"}),
    ],  # fmt: skip
    "api:investigation-detail": [
        Case(lambda o: u("api:investigation-detail", args=[o.investigation.pk]), api(VIEWERS, outsider=404))
    ],
    "api:why-chain-list": [
        Case(lambda o: u("api:why-chain-list"), api(VIEWERS)),
        Case(
            lambda o: u("api:why-chain-list"), {**post_api(EDITORS, ok=201), "outsider": 400}, "post",
            lambda o: {"investigation": o.investigation.pk, "problem_statement": "Why?"},
        ),
    ],
    "api:why-chain-detail": [Case(lambda o: u("api:why-chain-detail", args=[o.chain.pk]), api(VIEWERS, outsider=404))],
    "api:why-chain-whys": [
        Case(lambda o: u("api:why-chain-whys", args=[o.chain.pk]), post_api(EDITORS, ok=201), "post", {"answer": "x"})
    ],
    "api:cause-tree-fact-list": [
        Case(lambda o: u("api:cause-tree-fact-list"), api(VIEWERS)),
        Case(
            lambda o: u("api:cause-tree-fact-list"), {**post_api(EDITORS, ok=201), "outsider": 400}, "post",
            lambda o: {"investigation": o.investigation.pk, "text": "Floor wet", "leads_to": o.final.pk},
        ),
    ],
    "api:cause-tree-fact-detail": [
        Case(lambda o: u("api:cause-tree-fact-detail", args=[o.fact2.pk]), api(VIEWERS, outsider=404)),
        Case(lambda o: u("api:cause-tree-fact-detail", args=[o.fact2.pk]), post_api(EDITORS), "patch", {"text": "E"}),
        Case(lambda o: u("api:cause-tree-fact-detail", args=[o.fact4.pk]), post_api(EDITORS, ok=204), "delete"),
    ],
    "api:cause-tree-link-list": [
        Case(lambda o: u("api:cause-tree-link-list"), api(VIEWERS)),
        Case(
            lambda o: u("api:cause-tree-link-list"), {**post_api(EDITORS, ok=201), "outsider": 400}, "post",
            lambda o: {"investigation": o.investigation.pk, "antecedent": o.fact4.pk, "consequent": o.fact2.pk},
        ),
    ],
    "api:cause-tree-link-detail": [
        Case(lambda o: u("api:cause-tree-link-detail", args=[o.link32.pk]), api(VIEWERS, outsider=404)),
        Case(lambda o: u("api:cause-tree-link-detail", args=[o.link32.pk]), post_api(EDITORS, ok=204), "delete"),
    ],
}  # fmt: skip


def build(ctx) -> None:
    """Add the records this app's URLs need to the walk's context."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.actions.models import Action
    from apps.incidents.models import (
        CauseTreeFact,
        CauseTreeLink,
        IncidentAttachment,
        WhyChain,
        WhyStep,
    )
    from tests.incidents.helpers import make_incident, make_injured, make_investigation

    spec = ctx.hse_specialist
    ctx.incident = make_incident(ctx.crew, spec)
    make_injured(ctx.incident)
    ctx.attachment = IncidentAttachment.objects.create(
        incident=ctx.incident, file=SimpleUploadedFile("scene.jpg", b"\xff\xd8\xff"), original_name="scene.jpg",
        uploaded_by=spec,
    )  # fmt: skip
    ctx.incident_new = make_incident(ctx.crew, spec, location="Cell 5")
    ctx.investigation = make_investigation(ctx.incident, spec, members=[ctx.line_manager], status="analysis")
    inv = ctx.investigation
    ctx.chain = WhyChain.objects.create(investigation=inv, problem_statement="Hand caught")
    ctx.step = WhyStep.objects.create(chain=ctx.chain, order=1, answer="Guard removed")
    ctx.final = CauseTreeFact.objects.create(investigation=inv, text="Hand caught", is_final_event=True)
    ctx.fact2 = CauseTreeFact.objects.create(investigation=inv, text="Reaches in")
    ctx.fact3 = CauseTreeFact.objects.create(investigation=inv, text="Belt running", is_unusual=True)
    ctx.fact4 = CauseTreeFact.objects.create(investigation=inv, text="Poor lighting")
    for ante, cons in ((ctx.fact2, ctx.final), (ctx.fact3, ctx.final), (ctx.fact4, ctx.final)):
        CauseTreeLink.objects.create(investigation=inv, antecedent=ante, consequent=cons)
    ctx.link32 = CauseTreeLink.objects.create(investigation=inv, antecedent=ctx.fact3, consequent=ctx.fact2)

    def investigation_in(status, location):
        approver = {"approved_by": ctx.hse_head} if status == "approved" else {}
        other = make_investigation(make_incident(ctx.crew, spec, location=location), spec, status=status, **approver)
        if status == "opened":
            return other
        chain = WhyChain.objects.create(investigation=other, problem_statement="Hand caught")
        root = WhyStep.objects.create(chain=chain, order=1, answer="No interlock", is_root_cause=True)
        if status != "analysis":
            Action.objects.create(
                title="Interlock", unit=ctx.crew, owner=ctx.line_manager, created_by=spec, due_date=soon(),
                control_level="engineering", source_record=root,
            )  # fmt: skip
        return other

    ctx.inv_opened = investigation_in("opened", "Bay 1")
    ctx.inv_analysed = investigation_in("analysis", "Bay 2")
    ctx.inv_planned = investigation_in("actions_planned", "Bay 3")
    ctx.inv_approved = investigation_in("approved", "Bay 4")
