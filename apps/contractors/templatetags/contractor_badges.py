"""The badge colour of a pass's, company's or work order's status: one place, every page alike."""

from django import template

register = template.Library()

BADGES = {
    # passes
    "active": "text-bg-success",
    "suspended": "text-bg-warning",
    "blocked": "text-bg-danger",
    "expired": "text-bg-secondary",
    "revoked": "text-bg-dark",
    # companies
    "approved": "text-bg-success",
    "banned": "text-bg-danger",
    # work orders
    "planned": "text-bg-light border",
    "in_progress": "text-bg-primary",
    "stopped": "text-bg-danger",
    "finished": "text-bg-secondary",
    # violations, by severity
    "minor": "text-bg-secondary",
    "serious": "text-bg-warning",
    "severe": "text-bg-danger",
    "critical": "text-bg-dark",
    # sanctions
    "in_force": "text-bg-danger",
    "lifted": "text-bg-secondary",
}


@register.filter
def status_badge(status) -> str:
    """`{{ access_pass.status|status_badge }}`: the Bootstrap classes of its badge."""
    return BADGES.get(str(status), "text-bg-light border")
