"""Roles and the named capabilities each grants: the one place that says who may do what.

`can(user, "capability", unit)` answers every permission question, for pages and API alike.
An unknown capability name raises, so a typo fails loudly instead of silently denying.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HSE_SPECIALIST = "hse_specialist", _("HSE specialist")
    HSE_HEAD = "hse_head", _("HSE head")
    LINE_MANAGER = "line_manager", _("Line manager")
    EXECUTIVE = "executive", _("Top executive")
    PASS_ADMIN = "pass_admin", _("Pass-office admin")
    SYSTEM_ADMIN = "system_admin", _("System admin")


ALL_ROLES = frozenset(Role)
HSE_ROLES = frozenset({Role.HSE_SPECIALIST, Role.HSE_HEAD})

# Roles that see every unit of the enterprise; the others see the units they are assigned to
# (and the units under them).
ALL_UNITS_ROLES = frozenset({Role.HSE_HEAD, Role.EXECUTIVE, Role.PASS_ADMIN, Role.SYSTEM_ADMIN})

CAPABILITIES: dict[str, frozenset[str]] = {
    # Organisation
    "org.view": ALL_ROLES,
    "org.manage": frozenset({Role.HSE_HEAD, Role.SYSTEM_ADMIN}),
    "org.record_hours": frozenset({Role.HSE_HEAD, Role.HSE_SPECIALIST, Role.SYSTEM_ADMIN}),
    # Own account: every role keeps its language and renews its own API token (a user without a
    # role has nothing to configure: the portal shows them nothing).
    "accounts.set_own_language": ALL_ROLES,
    "accounts.renew_own_api_token": ALL_ROLES,
    # End another user's sessions and API token (Django admin's "End all sessions").
    "accounts.end_user_sessions": frozenset({Role.SYSTEM_ADMIN}),
    # Two-step sign-in (a TOTP app and backup codes), for the accounts that can do most harm; the
    # system admin resets it for a user who lost their phone (Django admin, with a reason).
    "accounts.use_second_factor": frozenset({Role.HSE_HEAD, Role.PASS_ADMIN, Role.SYSTEM_ADMIN}),
    "accounts.reset_second_factor": frozenset({Role.SYSTEM_ADMIN}),
    # What /healthz says about the database and the broker (anyone else: only "ok" or "error").
    "core.view_health_details": frozenset({Role.SYSTEM_ADMIN}),
    # Action register. Row-level rules (owner, owner's line manager) are in apps/actions/rules.py.
    "actions.view": frozenset(
        {Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.LINE_MANAGER, Role.EXECUTIVE, Role.SYSTEM_ADMIN}
    ),
    "actions.create": frozenset({Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.LINE_MANAGER}),
    # Change status, verify, cancel and edit any action of the units in scope.
    "actions.manage_any": HSE_ROLES,
    # Receive the daily escalation of long-overdue actions (and of owners with no line manager).
    "actions.receive_head_escalations": frozenset({Role.HSE_HEAD}),
    # Gemba observations: HSE specialists and managers log what they see on the floor.
    "observations.view": frozenset(
        {Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.LINE_MANAGER, Role.EXECUTIVE, Role.SYSTEM_ADMIN}
    ),
    "observations.log": frozenset({Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.LINE_MANAGER}),
    # Safety audits: checklist templates, the audit plan, conducting audits.
    "audits.view": frozenset(
        {Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.LINE_MANAGER, Role.EXECUTIVE, Role.SYSTEM_ADMIN}
    ),
    "audits.plan": HSE_ROLES,
    "audits.conduct": HSE_ROLES,
    "audits.manage_templates": frozenset({Role.HSE_HEAD, Role.SYSTEM_ADMIN}),
    # Who may be planned as the auditor of a unit (checked with the auditor's own scope).
    "audits.be_auditor": HSE_ROLES,
    # The HSE head may stand in for the auditor: fill in and finish an audit someone else started.
    "audits.stand_in_for_auditor": frozenset({Role.HSE_HEAD}),
    # Who owns an audit's findings by default: the unit's line manager (the nearest up the tree).
    "audits.own_findings_by_default": frozenset({Role.LINE_MANAGER}),
    # Incidents and investigations. Injured persons' personal and medical details: HSE roles
    # (and, row by row, the members of the investigation commission).
    "incidents.view": frozenset(
        {Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.LINE_MANAGER, Role.EXECUTIVE, Role.SYSTEM_ADMIN}
    ),
    "incidents.report": frozenset({Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.LINE_MANAGER}),
    "incidents.view_medical": HSE_ROLES,
    "investigations.coordinate": HSE_ROLES,
    "investigations.approve": frozenset({Role.HSE_HEAD}),
    # Contractors: companies, their workers and work orders. Companies are enterprise-wide; work
    # orders and passes are scoped by their unit and zones.
    "contractors.view": frozenset(
        {Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.LINE_MANAGER, Role.EXECUTIVE, Role.PASS_ADMIN, Role.SYSTEM_ADMIN}
    ),
    # Register companies, set their status (approved, suspended, banned), keep their documents.
    "contractors.manage_companies": frozenset({Role.HSE_HEAD, Role.HSE_SPECIALIST, Role.SYSTEM_ADMIN}),
    # Register a company's workers and their documents (the pass office does it when issuing).
    "contractors.manage_workers": frozenset({Role.HSE_HEAD, Role.HSE_SPECIALIST, Role.PASS_ADMIN}),
    # Open work orders and start, stop, resume and finish them.
    "contractors.manage_work_orders": HSE_ROLES,
    # Access passes. The pass office issues, extends, suspends, reinstates and revokes; blocking
    # is also the HSE function's (a sanction); unblocking needs the pass office or the HSE head.
    "passes.view": frozenset({Role.PASS_ADMIN, Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.EXECUTIVE, Role.SYSTEM_ADMIN}),
    "passes.issue": frozenset({Role.PASS_ADMIN}),
    "passes.block": frozenset({Role.PASS_ADMIN, Role.HSE_SPECIALIST, Role.HSE_HEAD}),
    "passes.unblock": frozenset({Role.PASS_ADMIN, Role.HSE_HEAD}),
    # Check a pass at a gate: the answer and its reasons (which name the holder and company).
    "passes.check": frozenset({Role.PASS_ADMIN, Role.HSE_SPECIALIST, Role.HSE_HEAD}),
    # Violations and sanctions: recorded by the HSE function in its units; the sanction decided by
    # the HSE specialist (the policy proposes). The pass office and executive read them.
    "contractors.record_violations": HSE_ROLES,
    "contractors.sanction": HSE_ROLES,
    # Receive the warnings of passes and documents about to run out.
    "passes.receive_expiry_warnings": frozenset({Role.PASS_ADMIN}),
    # Trainings. Courses, required trainings and trainer qualifications are the HSE head's; sessions
    # are planned and marked by internal trainers (row rule: qualified for the course, in scope).
    "trainings.view": frozenset(
        {Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.LINE_MANAGER, Role.EXECUTIVE, Role.SYSTEM_ADMIN}
    ),
    "trainings.manage_courses": frozenset({Role.HSE_HEAD, Role.SYSTEM_ADMIN}),
    "trainings.run_sessions": frozenset({Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.LINE_MANAGER}),
    # Plan, edit, mark and deliver any session of the units in scope (not only one's own as its
    # trainer), with no qualification of one's own: the HSE function organises the trainings.
    "trainings.run_any_session": HSE_ROLES,
    # Revoke a certificate (a mistake, a fraud): the HSE head.
    "trainings.revoke_certificates": frozenset({Role.HSE_HEAD}),
    # Every trainer's activity; otherwise a trainer sees their own and a manager their reports'.
    "trainings.view_all_trainer_activity": frozenset({Role.HSE_HEAD}),
    # Receive the daily digest of trainings about to run out (people of own units).
    "trainings.receive_expiry_digest": frozenset({Role.LINE_MANAGER}),
    # Internships in production: the HSE function plans and runs them; line managers host them.
    "internships.view": frozenset({Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.LINE_MANAGER}),
    "internships.run": HSE_ROLES,
    # The host foreman's short review: the unit's line manager enters it (the specialist too, from
    # the foreman's note on paper: row rule in apps/internships/rules.py).
    "internships.record_host_review": frozenset({Role.LINE_MANAGER}),
    # Signals' raw text: the specialist who heard it (row rule in apps/internships/rules.py) and the
    # HSE head; worker-form submissions also the HSE specialists of the unit. Never anyone else.
    "internships.read_all_signals": frozenset({Role.HSE_HEAD}),
    "internships.answer_signals": HSE_ROLES,
    # Receive the escalation of signals unanswered for 14 days.
    "internships.receive_signal_escalations": frozenset({Role.HSE_HEAD}),
    # The "you said — we did" board of a unit: everyone with a role who sees the unit.
    "internships.view_board": ALL_ROLES,
    # KPIs. The dashboard of the units a user sees: line managers steer their units by it.
    "kpis.view_dashboard": frozenset(
        {Role.HSE_SPECIALIST, Role.HSE_HEAD, Role.LINE_MANAGER, Role.EXECUTIVE, Role.SYSTEM_ADMIN}
    ),
    # A specialist's own scorecard; every specialist's side by side: the HSE head (and executive).
    "kpis.view_own_scorecard": frozenset({Role.HSE_SPECIALIST, Role.HSE_HEAD}),
    "kpis.view_all_scorecards": frozenset({Role.HSE_HEAD, Role.EXECUTIVE}),
    "kpis.manage_targets": frozenset({Role.HSE_HEAD}),
    # What needs the HSE head now.
    "kpis.view_work_queue": frozenset({Role.HSE_HEAD}),
    # The direct-reporting summary: the executive reads it, the HSE head prepares it.
    "kpis.view_executive_summary": frozenset({Role.EXECUTIVE, Role.HSE_HEAD}),
    "kpis.raise_escalations": frozenset({Role.HSE_HEAD}),
    "kpis.decide_escalations": frozenset({Role.EXECUTIVE}),
    "kpis.generate_monthly_report": frozenset({Role.EXECUTIVE, Role.HSE_HEAD}),
    "kpis.receive_monthly_report": frozenset({Role.EXECUTIVE}),
    # Everyone signed in with a role reads their own notifications.
    "notifications.view": ALL_ROLES,
    # Audit trail
    "audit.view_log": frozenset({Role.HSE_HEAD, Role.HSE_SPECIALIST, Role.EXECUTIVE, Role.SYSTEM_ADMIN}),
}


class UnknownCapability(KeyError):
    pass


def roles_with(capability: str) -> frozenset[str]:
    try:
        return CAPABILITIES[capability]
    except KeyError:
        raise UnknownCapability(capability) from None
