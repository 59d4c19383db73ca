"""Readable names for audit action codes, shown in histories. A code without a label gets one
derived from its words (`generic_label`), never shown bare."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "org.hours_worked.recorded": _("Hours worked recorded"),
    "org.person.created": _("Person added"),
    "org.person.updated": _("Person changed"),
    "accounts.api_token.renewed": _("API token replaced"),
    # Sign-ins and refusals (issue 14).
    "accounts.signed_in": _("Signed in"),
    "accounts.sign_in_failed": _("Sign-in failed"),
    "access.denied": _("Access refused"),
    "accounts.sessions.ended": _("Sessions ended by an administrator"),
    "accounts.second_factor.enabled": _("Two-step sign-in turned on"),
    "accounts.second_factor.disabled": _("Two-step sign-in turned off"),
    "accounts.second_factor.reset": _("Two-step sign-in reset by an administrator"),
    "accounts.second_factor.passed": _("Second sign-in step passed"),
    "accounts.second_factor_failed": _("Second sign-in step failed"),
    "exports.export.requested": _("File export requested"),
    "actions.action.created": _("Action opened"),
    "actions.action.started": _("Work started"),
    "actions.action.completed": _("Marked as done"),
    "actions.action.verified": _("Verified as effective"),
    "actions.action.not_effective": _("Found not effective"),
    "actions.action.cancelled": _("Cancelled"),
    "actions.action.updated": _("Re-planned"),
    "actions.evidence.added": _("Evidence added"),
    "observations.observation.logged": _("Observation logged"),
    "audits.template.created": _("Checklist created"),
    "audits.template.version_published": _("Checklist version published"),
    "audits.plan_entry.created": _("Audit planned"),
    "audits.plan_entry.deleted": _("Audit removed from the plan"),
    "audits.audit.started": _("Audit started"),
    "audits.audit.completed": _("Audit completed"),
    "incidents.incident.reported": _("Incident reported"),
    "incidents.incident.date_repaired": _("Impossible incident date corrected"),
    "incidents.person.added": _("Person involved added"),
    "incidents.timeline.added": _("Timeline event added"),
    "incidents.attachment.added": _("Attachment added"),
    "incidents.investigation.opened": _("Investigation opened"),
    "incidents.investigation.analysis_started": _("Analysis started"),
    "incidents.investigation.actions_planned": _("Actions planned"),
    "incidents.investigation.approved": _("Investigation approved"),
    "incidents.investigation.closed": _("Investigation closed"),
    "incidents.investigation.action_linked": _("Action linked to a cause"),
    "incidents.why_chain.added": _("Why-chain added"),
    "incidents.why.added": _("Why answered"),
    "incidents.why.removed": _("Why removed"),
    "incidents.fact.added": _("Cause-tree fact added"),
    "incidents.fact.changed": _("Cause-tree fact changed"),
    "incidents.fact.removed": _("Cause-tree fact removed"),
    "incidents.link.added": _("Cause-tree link added"),
    "incidents.link.removed": _("Cause-tree link removed"),
    "contractors.company.registered": _("Company registered"),
    "contractors.company.approved": _("Company approved"),
    "contractors.company.suspended": _("Company suspended"),
    "contractors.company.banned": _("Company banned"),
    "contractors.company.document_added": _("Company document added"),
    "contractors.worker.registered": _("Worker registered"),
    "contractors.worker.document_added": _("Worker document added"),
    "contractors.work_order.opened": _("Work order opened"),
    "contractors.work_order.started": _("Work started"),
    "contractors.work_order.stopped": _("Work stopped"),
    "contractors.work_order.resumed": _("Work resumed"),
    "contractors.work_order.finished": _("Work finished"),
    "contractors.pass.issued": _("Pass issued"),
    "contractors.pass.extended": _("Pass extended"),
    "contractors.pass.suspended": _("Pass suspended"),
    "contractors.pass.reinstated": _("Pass reinstated"),
    "contractors.pass.blocked": _("Pass blocked"),
    "contractors.pass.unblocked": _("Pass unblocked"),
    "contractors.pass.revoked": _("Pass revoked"),
    "contractors.pass.expired": _("Pass expired"),
    "contractors.audit.started": _("Contractor audit started"),
    "contractors.violation.recorded": _("Violation recorded"),
    "contractors.sanction.applied": _("Sanction applied"),
    "contractors.sanction.lifted": _("Sanction lifted"),
    "trainings.course.created": _("Course created"),
    "trainings.course.updated": _("Course changed"),
    "trainings.requirement.added": _("Required training added"),
    "trainings.requirement.removed": _("Required training removed"),
    "trainings.trainer.qualified": _("Trainer qualified"),
    "trainings.trainer.reactivated": _("Trainer qualified again"),
    "trainings.trainer.withdrawn": _("Trainer's qualification withdrawn"),
    "trainings.session.planned": _("Training session planned"),
    "trainings.session.updated": _("Training session changed"),
    "trainings.session.cancelled": _("Training session cancelled"),
    "trainings.session.delivered": _("Training session delivered"),
    "trainings.attendee.added": _("Attendee added"),
    "trainings.attendee.removed": _("Attendee removed"),
    "trainings.attendance.marked": _("Attendance marked"),
    "trainings.attendance.corrected": _("Attendance corrected"),
    "trainings.feedback.recorded": _("Attendee's feedback recorded"),
    "trainings.certificate.revoked": _("Certificate revoked"),
    "internships.internship.planned": _("Internship planned"),
    "internships.internship.updated": _("Internship changed"),
    "internships.internship.started": _("Internship started"),
    "internships.internship.cancelled": _("Internship cancelled"),
    "internships.internship.finished": _("Internship finished"),
    "internships.internship.host_reviewed": _("Host foreman's review recorded"),
    "internships.day.logged": _("Internship day logged"),
    "internships.day.updated": _("Internship day's log changed"),
    "internships.contact.added": _("Contact added"),
    "internships.contact.removed": _("Contact removed"),
    "internships.signal.taken_up": _("Signal taken up"),
    "internships.signal.answered": _("Signal answered"),
    "kpis.target.set": _("KPI target set"),
    "kpis.target.removed": _("KPI target removed"),
    "kpis.escalation.raised": _("Escalation raised"),
    "kpis.escalation.decided": _("Escalation decided"),
    "kpis.escalation.withdrawn": _("Escalation withdrawn"),
    "kpis.report.requested": _("Monthly report requested"),
}


def generic_label(code: str) -> str:
    """A readable name for a code nobody labelled yet, so a history never shows a bare code:
    the words after the app's namespace, "contractors.pass.blocked" -> "Pass blocked"."""
    words = [" ".join(part.replace("_", " ").split()) for part in str(code).lower().split(".")]
    if len(words) > 1:
        words = words[1:]
    text = " ".join(word for word in words if word)
    if not text:
        return str(_("Change recorded"))
    return text[0].upper() + text[1:]


def label_for(code: str) -> str:
    """The label of an action code; a generic one derived from the code when it has none."""
    label = LABELS.get(code)
    return str(label) if label is not None else generic_label(code)
