"""Every audit action code the code base writes has a human label (apps/audit/labels.py): shop-floor
users read "Pass blocked", never "contractors.pass.blocked"."""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from apps.audit.labels import LABELS, label_for
from apps.audit.services import log_action
from apps.contractors.models import ContractorCompany
from apps.contractors.services import WORK_ORDER_STEPS

APPS = Path(settings.BASE_DIR) / "apps"
APP_WORDS = ["accounts", "access", "org", "actions", "observations", "audits", "audit", "incidents", "contractors"]
NAMESPACES = "|".join([*APP_WORDS, "trainings", "internships", "kpis", "exports"])
# Three dot-separated words starting with an app: what an audit code looks like.
CODE = re.compile(rf"^({NAMESPACES})\.[a-z_]+\.[a-z_]+$")


def _modules():
    for path in sorted(APPS.rglob("*.py")):
        yield path, ast.parse(path.read_text())


def _strings(node) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _pass_step_codes(tree) -> set[str]:
    """The `code=` words given to contractors.services._pass_step ("blocked", "revoked", …)."""
    codes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_pass_step":
            for keyword in node.keywords:
                if keyword.arg == "code":
                    codes.update(_strings(keyword.value))
    return codes


def emitted_codes() -> tuple[set[str], set[str]]:
    """(every code written, the f-string templates they were expanded from)."""
    codes, templates = set(), set()
    expansions = {}
    for path, tree in _modules():
        if path.parts[-2:] == ("contractors", "services.py"):
            expansions = {
                "contractors.company.{status}": {f"contractors.company.{s}" for s in ContractorCompany.Status.values}
                - {"contractors.company.registered"},  # a new company is logged as registered, not by status
                "contractors.work_order.{verb}": {
                    f"contractors.work_order.{step[3]}" for step in WORK_ORDER_STEPS.values()
                },
                "contractors.pass.{code}": {f"contractors.pass.{code}" for code in _pass_step_codes(tree)},
            }
        for node in ast.walk(tree):
            # Data migrations write codes too, but hold other dotted names: only their action="…".
            in_code = "migrations" not in path.parts
            if in_code and isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
                codes.add(node.value)
            if isinstance(node, ast.keyword) and node.arg == "action":
                codes.update(_strings(node.value))
                if isinstance(node.value, ast.JoinedStr):
                    templates.add(ast.unparse(node.value)[2:-1])
    for template in templates:
        codes |= expansions.get(template, set())
    return codes, templates


def test_every_emitted_code_has_a_label():
    codes, _ = emitted_codes()
    assert len(codes) > 90  # the scan finds the portal's codes
    assert sorted(code for code in codes if code not in LABELS) == []


def test_every_built_code_is_expanded():
    _, templates = emitted_codes()
    assert templates == {"contractors.company.{status}", "contractors.work_order.{verb}", "contractors.pass.{code}"}
    codes, _ = emitted_codes()
    assert {"contractors.pass.blocked", "contractors.pass.revoked", "contractors.company.banned"} <= codes


def test_the_scan_sees_codes_passed_through_a_helper_and_in_migrations():
    # incidents.services._move(..., code) gets its codes as arguments, not as action="…".
    codes, _ = emitted_codes()
    assert {"incidents.investigation.approved", "incidents.investigation.closed"} <= codes
    assert "incidents.incident.date_repaired" in codes  # written by a data migration


def test_a_label_is_a_sentence_not_a_code():
    for code, label in LABELS.items():
        text = str(label)
        assert "." not in text and "_" not in text, code
        assert text[0].isupper(), code


def test_unknown_codes_still_read_as_words():
    assert label_for("org.unit.renamed") == "Unit renamed"


def test_the_audit_log_page_shows_labels_not_codes(client_as, org, hse_head):
    log_action(actor=hse_head, action="contractors.pass.blocked", reason="x")
    page = client_as(hse_head).get(reverse("audit:entry_list")).text
    assert "Pass blocked" in page
    assert "contractors.pass.blocked" not in page


def test_the_admin_lists_labels(client_as, org, system_admin):
    log_action(actor=system_admin, action="contractors.pass.blocked", reason="x")
    page = client_as(system_admin).get(reverse("admin:audit_auditentry_changelist")).text
    assert "Pass blocked" in page
