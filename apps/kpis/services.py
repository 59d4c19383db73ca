"""Setting and removing KPI targets (the HSE head: `kpis.manage_targets`), each change in the
audit log with the value before and after.

A target is kept per KPI and month from which it applies, for the enterprise, a role or a unit
(apps.kpis.targets resolves which one is in force). Setting a target for the same KPI, level and
month again changes its value (the uniqueness of the model); a new month starts a new period."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.access import require
from apps.accounts.roles import Role
from apps.audit.services import log_action
from apps.common.dates import month_start

from . import definitions
from .models import KpiTarget

REASON_MAX_LENGTH = 500


def _value(value) -> Decimal:
    try:
        value = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"value": _("Enter a number.")}) from None
    if not value.is_finite():
        raise ValidationError({"value": _("Enter a number.")})
    if value < 0:
        raise ValidationError({"value": _("A target cannot be negative.")})
    if value >= Decimal("1e10"):
        raise ValidationError({"value": _("This number is too large.")})
    return value.quantize(Decimal("0.01"))


def _shown(target: KpiTarget | None) -> dict | None:
    if target is None:
        return None
    return {"value": str(target.value), "valid_from": target.valid_from.isoformat(), "reason": target.reason}


@transaction.atomic
def target_set(*, actor, kpi: str, value, valid_from: date, role: str = "", unit=None, reason: str = "") -> KpiTarget:
    """Set the target of `kpi` from the month of `valid_from` on: enterprise-wide, for a role or
    for a unit (and the units under it), not both. Returns the target (changed or new)."""
    require(actor, "kpis.manage_targets")
    if kpi not in definitions.BY_CODE:
        raise ValidationError({"kpi": _("Unknown KPI.")})
    if role and role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role and unit is not None:
        raise ValidationError({"role": _("A target is for a role or for a unit, not both.")})
    if valid_from is None:
        raise ValidationError({"valid_from": _("Choose the month the target applies from.")})
    if len(reason or "") > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("At most %(max)d characters.") % {"max": REASON_MAX_LENGTH}})
    value = _value(value)
    month = month_start(valid_from)
    lookup = {"kpi": kpi, "valid_from": month}
    lookup.update({"unit": unit} if unit is not None else {"unit__isnull": True, "role": role})
    target = KpiTarget.objects.select_for_update().filter(**lookup).first()
    before = _shown(target)
    if target is None:
        target = KpiTarget(kpi=kpi, valid_from=month, role=role, unit=unit)
    target.value = value
    target.set_by = actor
    target.reason = reason or ""
    target.set_at = timezone.now()
    target.full_clean(validate_unique=False)
    target.save()
    log_action(
        actor=actor,
        action="kpis.target.set",
        target=target,
        unit=unit,
        reason=reason or "",
        data={"kpi": kpi, "role": role, "unit": getattr(unit, "pk", None), "before": before, "after": _shown(target)},
    )
    return target


@transaction.atomic
def target_remove(*, actor, target: KpiTarget, reason: str = "") -> None:
    """Remove a target (the one before it, or the next level's, applies again)."""
    require(actor, "kpis.manage_targets")
    if len(reason or "") > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("At most %(max)d characters.") % {"max": REASON_MAX_LENGTH}})
    before = _shown(target)
    data = {"kpi": target.kpi, "role": target.role, "unit": target.unit_id, "before": before, "after": None}
    log_action(
        actor=actor, action="kpis.target.removed", target=target, unit=target.unit, reason=reason or "", data=data
    )
    target.delete()
