"""Hostile input at every write of the safety audit app, on the pages and through the API:
checklists (created and new versions), plan entries, answers and completion. No answer is a
server error, and whatever was stored still renders everywhere it is shown: the lists, the plan,
the checklists, the audit's pages and the API lists and details."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import event, given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.audits import services
from apps.audits.models import Audit, AuditAnswer, AuditPlanEntry, ChecklistTemplate
from tests.properties import (
    PROPERTY_SETTINGS,
    assert_no_server_error,
    assert_readable,
    hostile_date,
    hostile_number,
    hostile_text,
    json_value,
)

from .conftest import ITEMS, answer_all

choice = st.sampled_from


def _draw(data, fields: dict) -> dict:
    """Free text is always hostile; of the other fields, a few at a time are hostile and the
    rest valid, so that many examples are stored."""
    hostile = data.draw(st.sets(st.sampled_from(sorted(fields)), max_size=3), label="hostile fields")
    return {name: data.draw(bad if name in hostile else good, label=name) for name, (good, bad) in fields.items()}


def _weight():
    return st.one_of(st.integers(min_value=1, max_value=100).map(str), hostile_number())


_SAFE = st.characters(codec="utf-8", exclude_characters="|\x00", exclude_categories=("Cs", "Cc", "Zl", "Zp"))


def _safe_text(max_size):
    return st.text(alphabet=_SAFE, min_size=1, max_size=max_size).filter(str.strip)


def _good_item_lines():
    """Lines a careful author types: any script, emoji and formulas, within the limits."""
    line = st.tuples(_safe_text(40), _safe_text(120), st.integers(min_value=1, max_value=100).map(str))
    return st.lists(line.map(" | ".join), min_size=1, max_size=6).map("\n".join)


def _item_lines():
    """The new-version textarea: lines of "section | text | weight", with hostile parts."""
    line = st.one_of(
        st.tuples(hostile_text(200), hostile_text(700), _weight()).map(" | ".join),
        st.tuples(st.just("PPE"), st.text(min_size=1, max_size=50), _weight()).map(" | ".join),
        hostile_text(800),
    )
    return st.lists(line, max_size=8).map("\n".join)


def _good_item_json():
    return st.fixed_dictionaries(
        {"text": _safe_text(80), "weight": st.integers(min_value=1, max_value=100)},
        optional={"section": _safe_text(20), "guidance": _safe_text(500)},
    )


def _item_json():
    bad = st.fixed_dictionaries(
        {},
        optional={
            "text": json_value(),
            "section": json_value(),
            "guidance": json_value(),
            "weight": json_value(),
        },
    )
    return st.one_of(_good_item_json(), bad, json_value())


def _items_json():
    return st.one_of(st.lists(_item_json(), max_size=6), json_value())


def _month():
    """Months as a month input or a client sends them: YYYY-MM far and near, or any date string."""
    return st.one_of(
        st.dates().map(lambda day: f"{day.year:04d}-{day.month:02d}"),
        hostile_date(),
        st.sampled_from(["2026-13", "0000-01", "99999-01", "soon", ""]),
    )


def _coming_month():
    return st.integers(min_value=0, max_value=24).map(
        lambda months: f"{(timezone.localdate().replace(day=1) + timedelta(days=31 * months)):%Y-%m}"
    )


def _read_everything(client, *, audits=(), templates=(), entries=(), report=False):
    """The pages and endpoints showing what was stored (called when something was)."""
    urls = [
        reverse("audits:list"),
        reverse("audits:list") + "?tab=in_progress",
        reverse("audits:list") + "?tab=completed",
        reverse("audits:plan"),
        reverse("audits:template_list"),
        "/api/v1/audits/",
        "/api/v1/audit-plan/",
        "/api/v1/checklist-templates/",
    ]
    for template in ChecklistTemplate.objects.filter(pk__in=[getattr(t, "pk", t) for t in templates]):
        urls += [template.get_absolute_url(), f"/api/v1/checklist-templates/{template.pk}/"]
        for number in template.versions.values_list("number", flat=True):
            urls.append(f"{template.get_absolute_url()}?version={number}")
    for audit in Audit.objects.filter(pk__in=[getattr(a, "pk", a) for a in audits]):
        urls += [audit.get_absolute_url(), f"/api/v1/audits/{audit.pk}/"]
        if not audit.is_completed:
            urls += [reverse("audits:conduct", args=[audit.pk]), reverse("audits:complete", args=[audit.pk])]
        elif report:
            urls.append(reverse("audits:report", args=[audit.pk]))
    for entry in AuditPlanEntry.objects.filter(pk__in=entries):
        urls += [f"/api/v1/audit-plan/{entry.pk}/", f"{reverse('audits:plan')}?month={entry.month:%Y-%m}"]
    assert_readable(client, urls)


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# Checklists ------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_new_checklist_page_takes_anything(data, client_as, org, hse_head):
    post = _draw(
        data,
        {
            "name": (_safe_text(60), hostile_text(300)),
            "code": (st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True), hostile_text(80)),
            "description": (hostile_text(5000), hostile_text()),
            "items": (_good_item_lines(), _item_lines()),
        },
    )
    before = set(ChecklistTemplate.objects.values_list("pk", flat=True))
    client = client_as(hse_head)
    response = client.post(reverse("audits:template_create"), post)
    assert_no_server_error(response)
    event(f"status {response.status_code}")
    assert response.status_code in (302, 400)
    created = set(ChecklistTemplate.objects.values_list("pk", flat=True)) - before
    assert len(created) == (1 if response.status_code == 302 else 0)
    if response.status_code == 400 and post["items"].strip():
        assert escape(post["items"].strip()[:20]) in response.content.decode()  # every item typed is kept
    if created:
        _read_everything(client, templates=created)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_checklist_api_takes_any_json(data, client_as, org, hse_head):
    payload = _draw(
        data,
        {
            "name": (_safe_text(60), json_value()),
            "code": (st.from_regex(r"[a-z][a-z0-9-]{2,20}", fullmatch=True), json_value()),
            "description": (hostile_text(5000), json_value()),
            "items": (st.lists(_good_item_json(), min_size=1, max_size=4), _items_json()),
        },
    )
    before = set(ChecklistTemplate.objects.values_list("pk", flat=True))
    response = _api(hse_head).post("/api/v1/checklist-templates/", payload, format="json")
    assert_no_server_error(response)
    event(f"status {response.status_code}")
    assert response.status_code in (201, 400, 409), response.content
    created = set(ChecklistTemplate.objects.values_list("pk", flat=True)) - before
    assert len(created) == (1 if response.status_code == 201 else 0)
    if created:
        _read_everything(client_as(hse_head), templates=created)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_new_version_page_takes_anything(data, client_as, template, hse_head):
    post = _draw(
        data,
        {
            "items": (_good_item_lines(), _item_lines()),
            "notes": (hostile_text(5000), hostile_text()),
            "based_on": (st.just(""), hostile_number()),
        },
    )
    versions = template.versions.count()
    client = client_as(hse_head)
    response = client.post(reverse("audits:template_new_version", args=[template.pk]), post)
    assert_no_server_error(response)
    event(f"status {response.status_code}")
    assert response.status_code in (302, 400)
    assert template.versions.count() == versions + (1 if response.status_code == 302 else 0)
    if response.status_code == 400 and post["items"].strip():
        assert escape(post["items"].strip()[:20]) in response.content.decode()
    else:
        _read_everything(client, templates=[template])


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_new_version_api_takes_any_json(data, client_as, template, hse_head):
    payload = _draw(
        data,
        {
            "items": (st.lists(_good_item_json(), min_size=1, max_size=4), _items_json()),
            "notes": (hostile_text(5000), json_value()),
            "based_on": (st.none(), json_value()),
        },
    )
    versions = template.versions.count()
    response = _api(hse_head).post(f"/api/v1/checklist-templates/{template.pk}/versions/", payload, format="json")
    assert_no_server_error(response)
    event(f"status {response.status_code}")
    assert response.status_code in (201, 400, 409), response.content
    assert template.versions.count() == versions + (1 if response.status_code == 201 else 0)
    if response.status_code == 201:
        _read_everything(client_as(hse_head), templates=[template])


# The plan --------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_plan_form_takes_anything(data, client_as, org, template, hse_specialist, hse_head):
    post = _draw(
        data,
        {
            "month": (_coming_month(), _month()),
            "unit": (
                choice([str(org.shop.pk), str(org.crew.pk)]),
                st.one_of(hostile_number(), st.just(str(org.other_shop.pk))),
            ),
            "auditor": (choice([str(hse_specialist.pk), str(hse_head.pk)]), hostile_number()),
            "template": (st.just(str(template.pk)), hostile_number()),
        },
    )
    before = set(AuditPlanEntry.objects.values_list("pk", flat=True))
    client = client_as(hse_head)
    response = client.post(reverse("audits:plan_add"), post)
    assert_no_server_error(response)
    event(f"status {response.status_code}")
    assert response.status_code in (302, 400)
    created = set(AuditPlanEntry.objects.values_list("pk", flat=True)) - before
    assert len(created) == (1 if response.status_code == 302 else 0)
    if created:
        _read_everything(client, entries=created)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_plan_api_takes_any_json(data, client_as, org, template, hse_specialist, hse_head):
    payload = _draw(
        data,
        {
            "month": (_coming_month(), st.one_of(_month(), json_value())),
            "unit": (choice([org.shop.pk, org.crew.pk]), st.one_of(json_value(), st.just(org.other_shop.pk))),
            "auditor": (choice([hse_specialist.pk, hse_head.pk]), json_value()),
            "template": (st.just(template.pk), json_value()),
        },
    )
    before = set(AuditPlanEntry.objects.values_list("pk", flat=True))
    response = _api(hse_specialist).post("/api/v1/audit-plan/", payload, format="json")
    assert_no_server_error(response)
    event(f"status {response.status_code}")
    assert response.status_code in (201, 400, 409), response.content
    created = set(AuditPlanEntry.objects.values_list("pk", flat=True)) - before
    assert len(created) == (1 if response.status_code == 201 else 0)
    if created:
        _read_everything(client_as(hse_specialist), entries=created)


# Conducting ------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data(), htmx=st.booleans())
def test_the_answer_card_takes_anything(data, htmx, client_as, audit, hse_specialist):
    answers = list(audit.answers.select_related("item").order_by("item__order"))
    answer = data.draw(choice(answers), label="item")
    prefix = f"item-{answer.item_id}"
    post = _draw(
        data,
        {
            f"{prefix}-result": (choice(AuditAnswer.Result.values), hostile_text(40)),
            f"{prefix}-comment": (hostile_text(), hostile_text()),
            f"{prefix}-remove_photo": (choice(["", "on"]), hostile_text(10)),
        },
    )
    client = client_as(hse_specialist)
    response = client.post(
        reverse("audits:answer", args=[audit.pk, answer.item_id]), post, headers={"HX-Request": "true"} if htmx else {}
    )
    assert_no_server_error(response)
    event(f"status {response.status_code}")
    assert response.status_code in ((200, 400) if htmx else (302, 400))
    stored = AuditAnswer.objects.get(pk=answer.pk)
    if response.status_code == 400:
        assert (stored.result, stored.comment) == (answer.result, answer.comment)  # nothing changed
    else:
        _read_everything(client, audits=[audit])


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_answer_api_takes_any_json(data, client_as, audit, hse_specialist):
    items = list(audit.template_version.items.values_list("pk", flat=True))
    payload = _draw(
        data,
        {
            "item": (choice(items), json_value()),
            "result": (choice(AuditAnswer.Result.values), json_value()),
            "comment": (hostile_text(), json_value()),
            "remove_photo": (st.booleans(), json_value()),
        },
    )
    response = _api(hse_specialist).post(f"/api/v1/audits/{audit.pk}/answer/", payload, format="json")
    assert_no_server_error(response)
    event(f"status {response.status_code}")
    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        _read_everything(client_as(hse_specialist), audits=[audit])


def _audit_with_findings(org, template, hse_specialist):
    audit = services.audit_start(actor=hse_specialist, unit=org.crew, template=template)
    answer_all(audit, hse_specialist, ["non_compliant", "compliant", "non_compliant"])
    return audit, list(audit.answers.filter(result="non_compliant").order_by("item__order"))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_finish_form_takes_anything(data, client_as, org, template, hse_specialist, line_manager):
    audit, findings = _audit_with_findings(org, template, hse_specialist)
    fields = {}
    for answer in findings:
        fields[f"owner_{answer.pk}"] = (st.just(str(line_manager.pk)), hostile_number())
        fields[f"due_{answer.pk}"] = (st.just((timezone.localdate() + timedelta(days=3)).isoformat()), hostile_date())
        fields[f"level_{answer.pk}"] = (choice(["engineering", "ppe"]), hostile_text(30))
    post = _draw(data, fields)
    client = client_as(hse_specialist)
    response = client.post(reverse("audits:complete", args=[audit.pk]), post)
    assert_no_server_error(response)
    event(f"status {response.status_code}")
    assert response.status_code in (302, 400)
    audit.refresh_from_db()
    assert audit.is_completed == (response.status_code == 302)
    assert audit.answers.filter(actions__isnull=False).count() == (len(findings) if audit.is_completed else 0)
    if audit.is_completed:
        _read_everything(client, audits=[audit], report=data.draw(st.booleans(), label="report"))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_finish_api_takes_any_json(data, client_as, org, template, hse_specialist, line_manager):
    audit, findings = _audit_with_findings(org, template, hse_specialist)
    rows = st.lists(
        st.fixed_dictionaries(
            {"answer": st.one_of(choice([answer.pk for answer in findings]), json_value())},
            optional={
                "owner": st.one_of(st.just(line_manager.pk), json_value()),
                "due_date": st.one_of(hostile_date(), json_value()),
                "control_level": st.one_of(choice(["engineering", "ppe"]), json_value()),
            },
        ),
        max_size=3,
    )
    payload = data.draw(st.one_of(st.fixed_dictionaries({"actions": rows}), st.just({}), json_value()), label="body")
    response = _api(hse_specialist).post(f"/api/v1/audits/{audit.pk}/complete/", payload, format="json")
    assert_no_server_error(response)
    event(f"status {response.status_code}")
    assert response.status_code in (200, 400), response.content
    audit.refresh_from_db()
    assert audit.is_completed == (response.status_code == 200)
    if audit.is_completed:
        _read_everything(client_as(hse_specialist), audits=[audit])


# Lists -----------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            "tab": hostile_text(20),
            "unit": hostile_number(),
            "auditor": hostile_number(),
            "month": _month(),
            "month_from": _month(),
            "month_to": _month(),
            "status": hostile_text(20),
            "not_started": hostile_text(10),
            "active": hostile_text(10),
            "page": hostile_number(),
        },
    )
)
def test_the_list_filters_take_anything(params, client_as, org, audit, hse_specialist):
    client = client_as(hse_specialist)
    for url in [reverse("audits:list"), reverse("audits:plan")]:
        response = client.get(url, params)
        assert response.status_code in (200, 400), f"{url} {params} -> {response.status_code}"
    api = _api(hse_specialist)
    for url in ["/api/v1/audits/", "/api/v1/audit-plan/", "/api/v1/checklist-templates/"]:
        response = api.get(url, params)
        assert response.status_code in (200, 400, 404), f"{url} {params} -> {response.status_code}"


def test_the_checklist_items_are_what_the_fixture_says(template):
    # The fixtures above rely on it: three items, the first of weight 1.
    assert [item.text for item in template.current_version().items.order_by("order")] == [i["text"] for i in ITEMS]
