"""Who may do what to one incident or investigation. Role capabilities come from
`apps.accounts.roles`; these add the row-level fact of sitting on the investigation commission."""

from apps.accounts.access import can

from .models import Incident, Investigation


def _investigation_of(incident: Incident) -> Investigation | None:
    try:
        return incident.investigation
    except Investigation.DoesNotExist:
        return None


def is_commission(user, investigation: Investigation | None) -> bool:
    if investigation is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if investigation.coordinator_id == user.pk:
        return True
    # Uses the prefetched members when there are any.
    return any(member.pk == user.pk for member in investigation.members.all())


def may_view_medical(user, incident: Incident) -> bool:
    """The injured person's medical details: HSE roles of the unit and the commission only."""
    return can(user, "incidents.view_medical", incident.unit) or is_commission(user, _investigation_of(incident))


def may_edit_incident(user, incident: Incident) -> bool:
    """Add people, timeline events and attachments: reporters of the unit and the commission."""
    return can(user, "incidents.report", incident.unit) or is_commission(user, _investigation_of(incident))


def may_coordinate(user, incident: Incident) -> bool:
    """Open an investigation of the incident (and name its commission): HSE roles of the unit."""
    return can(user, "investigations.coordinate", incident.unit)


def may_lead_commission(user) -> bool:
    """Be named coordinator of a commission: an active user whose role coordinates investigations,
    of any unit (a serious case may be led by a specialist from another site)."""
    return can(user, "investigations.coordinate")


def may_open_investigation(user, incident: Incident) -> bool:
    return may_coordinate(user, incident) and _investigation_of(incident) is None


def may_work_on_analysis(user, investigation: Investigation) -> bool:
    """The analysis (whys, cause tree, actions) is the work of the commission and the HSE roles
    of the unit, whatever the investigation's status (see `may_edit_investigation`)."""
    return can(user, "investigations.coordinate", investigation.incident.unit) or is_commission(user, investigation)


def may_edit_investigation(user, investigation: Investigation) -> bool:
    """The analysis is edited until the HSE head approves it."""
    return investigation.is_editable and may_work_on_analysis(user, investigation)


def may_advance(user, investigation: Investigation) -> bool:
    """Move the investigation on (start analysis, plan actions, close): the coordinator or HSE roles."""
    return investigation.coordinator_id == user.pk or can(
        user, "investigations.coordinate", investigation.incident.unit
    )


def may_approve(user, investigation: Investigation) -> bool:
    return can(user, "investigations.approve", investigation.incident.unit)
