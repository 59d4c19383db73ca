"""Permission-walk expectations for the safety audit pages and API (see tests/walk.py)."""

from django.urls import reverse
from django.utils import timezone

from tests.walk import Case, api, everyone, page, post_api, post_page

VIEWERS = ["hse_specialist", "hse_head", "line_manager", "executive", "system_admin", "outsider"]
# The walk's audits are in the main unit and conducted by the HSE specialist; the HSE head
# stands in for any auditor. The outsider (an HSE specialist elsewhere) gets 404 on them.
CONDUCTORS = ["hse_specialist", "hse_head"]
TEMPLATE_MANAGERS = ["hse_head", "system_admin"]


def build(ctx) -> None:
    from apps.audits import services
    from tests.audits.conftest import photo_upload

    head, specialist = ctx.hse_head, ctx.hse_specialist
    month = timezone.localdate().replace(day=1)
    ctx.audit_template = services.template_create(
        actor=head,
        name="Walk-through",
        code="walk",
        items=[{"text": "Walkways clear"}, {"text": "Guards in place", "weight": 2}],
    )
    ctx.audit_lifting = services.template_create(actor=head, name="Lifting", code="lifting", items=[{"text": "Tags"}])
    ctx.audit_other = services.template_create(actor=head, name="Electrical", code="electrical", items=[{"text": "X"}])

    def plan(template):
        return services.plan_entry_create(actor=head, unit=ctx.crew, auditor=specialist, month=month, template=template)

    ctx.audit_plan_entry = plan(ctx.audit_template)  # planned, not started

    ctx.audit = services.audit_start(actor=specialist, plan_entry=plan(ctx.audit_lifting))
    ctx.audit_item = ctx.audit.template_version.items.get()
    services.audit_answer(actor=specialist, audit=ctx.audit, item=ctx.audit_item, result="compliant")

    done = services.audit_start(actor=specialist, plan_entry=plan(ctx.audit_other))
    item = done.template_version.items.get()
    services.audit_answer(
        actor=specialist, audit=done, item=item, result="non_compliant", comment="Open cabinet", photo=photo_upload()
    )
    ctx.completed_audit = services.audit_complete(actor=specialist, audit=done)
    ctx.audit_photo_answer = done.answers.get()


def _plan_post(ctx):
    return {
        "month": timezone.localdate().strftime("%Y-%m"),
        "unit": ctx.org.shop.pk,
        "auditor": ctx.hse_specialist.pk,
        "template": ctx.audit_template.pk,
    }


def _planners(ok, anonymous=302):
    """Planning a unit of the main shop: HSE roles in scope succeed; the outsider is told the
    unit is unknown (400); other roles are refused."""
    expect = dict.fromkeys(["line_manager", "executive", "pass_admin", "system_admin"], 403)
    expect.update({"hse_specialist": ok, "hse_head": ok, "outsider": 400, "anonymous": anonymous})
    return expect


def _template_post_page():
    expect = page(TEMPLATE_MANAGERS)
    expect.update(dict.fromkeys(TEMPLATE_MANAGERS, 302))
    return expect


EXPECTATIONS: dict = {
    "audits:list": [Case(lambda o: reverse("audits:list"), page(VIEWERS))],
    "audits:plan": [Case(lambda o: reverse("audits:plan"), page(VIEWERS))],
    "audits:plan_add": [
        Case(lambda o: reverse("audits:plan_add"), everyone(405)),
        Case(lambda o: reverse("audits:plan_add"), _planners(302), "post", _plan_post),
    ],
    "audits:plan_delete": [
        Case(lambda o: reverse("audits:plan_delete", args=[o.audit_plan_entry.pk]), everyone(405)),
        Case(
            lambda o: reverse("audits:plan_delete", args=[o.audit_plan_entry.pk]),
            post_page(CONDUCTORS),
            "post",
        ),
    ],
    "audits:start": [
        Case(lambda o: reverse("audits:start", args=[o.audit_plan_entry.pk]), everyone(405)),
        Case(lambda o: reverse("audits:start", args=[o.audit_plan_entry.pk]), post_page(CONDUCTORS), "post"),
    ],
    "audits:detail": [Case(lambda o: o.audit.get_absolute_url(), page(VIEWERS, outsider=404))],
    "audits:conduct": [
        Case(lambda o: reverse("audits:conduct", args=[o.audit.pk]), post_page(CONDUCTORS, ok=200)),
    ],
    "audits:answer": [
        Case(lambda o: reverse("audits:answer", args=[o.audit.pk, o.audit_item.pk]), everyone(405)),
        Case(
            lambda o: reverse("audits:answer", args=[o.audit.pk, o.audit_item.pk]),
            post_page(CONDUCTORS),
            "post",
            lambda o: {f"item-{o.audit_item.pk}-result": "not_applicable"},
        ),
    ],
    "audits:complete": [
        Case(lambda o: reverse("audits:complete", args=[o.audit.pk]), post_page(CONDUCTORS, ok=200)),
        Case(lambda o: reverse("audits:complete", args=[o.audit.pk]), post_page(CONDUCTORS), "post"),
    ],
    "audits:report": [
        Case(lambda o: reverse("audits:report", args=[o.completed_audit.pk]), page(VIEWERS, outsider=404))
    ],
    "audits:photo": [
        Case(lambda o: reverse("audits:photo", args=[o.audit_photo_answer.pk]), page(VIEWERS, outsider=404))
    ],
    "audits:template_list": [Case(lambda o: reverse("audits:template_list"), page(VIEWERS))],
    "audits:template_create": [
        Case(lambda o: reverse("audits:template_create"), page(TEMPLATE_MANAGERS)),
        Case(
            lambda o: reverse("audits:template_create"),
            _template_post_page(),
            "post",
            {"name": "Slings", "code": "slings", "items": "Lifting | Tags on every sling | 2"},
        ),
    ],
    "audits:template_detail": [Case(lambda o: o.audit_template.get_absolute_url(), page(VIEWERS))],
    "audits:template_new_version": [
        Case(lambda o: reverse("audits:template_new_version", args=[o.audit_template.pk]), page(TEMPLATE_MANAGERS)),
        Case(
            lambda o: reverse("audits:template_new_version", args=[o.audit_template.pk]),
            _template_post_page(),
            "post",
            {"items": "Housekeeping | Walkways clear | 1"},
        ),
    ],
    "api:checklist-template-list": [
        Case(lambda o: reverse("api:checklist-template-list"), api(VIEWERS)),
        Case(
            lambda o: reverse("api:checklist-template-list"),
            api(TEMPLATE_MANAGERS, ok=201),
            "post",
            {"name": "Slings", "code": "slings", "items": [{"section": "Lifting", "text": "Tags", "weight": 2}]},
        ),
    ],
    "api:checklist-template-detail": [
        Case(lambda o: reverse("api:checklist-template-detail", args=[o.audit_template.pk]), api(VIEWERS))
    ],
    "api:checklist-template-versions": [
        Case(
            lambda o: reverse("api:checklist-template-versions", args=[o.audit_template.pk]),
            api(TEMPLATE_MANAGERS, ok=201),
            "post",
            {"items": [{"text": "Walkways clear"}], "notes": "One item"},
        ),
    ],
    "api:audit-plan-entry-list": [
        Case(lambda o: reverse("api:audit-plan-entry-list"), api(VIEWERS)),
        Case(lambda o: reverse("api:audit-plan-entry-list"), _planners(201, anonymous=401), "post", _plan_post),
    ],
    "api:audit-plan-entry-detail": [
        Case(
            lambda o: reverse("api:audit-plan-entry-detail", args=[o.audit_plan_entry.pk]),
            api(VIEWERS, outsider=404),
        )
    ],
    "api:audit-list": [
        Case(lambda o: reverse("api:audit-list"), api(VIEWERS)),
        Case(
            lambda o: reverse("api:audit-list"),
            {**post_api(CONDUCTORS, ok=201), "outsider": 400},  # the plan entry is not one the outsider sees
            "post",
            lambda o: {"plan_entry": o.audit_plan_entry.pk},
        ),
    ],
    "api:audit-detail": [Case(lambda o: reverse("api:audit-detail", args=[o.audit.pk]), api(VIEWERS, outsider=404))],
    "api:audit-answer": [
        Case(
            lambda o: reverse("api:audit-answer", args=[o.audit.pk]),
            post_api(CONDUCTORS),
            "post",
            lambda o: {"item": o.audit_item.pk, "result": "compliant"},
        )
    ],
    "api:audit-complete": [
        Case(lambda o: reverse("api:audit-complete", args=[o.audit.pk]), post_api(CONDUCTORS), "post"),
    ],
}
