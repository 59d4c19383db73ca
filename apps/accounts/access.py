"""Scoping and permission checks used by every view, selector and API endpoint.

A user sees the units they are assigned to and everything under them, or all units when their
role is enterprise-wide. Objects outside that scope answer 404 (their existence is not
disclosed); objects inside it that the role may not act on answer 403.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .roles import roles_with

_SCOPE_CACHE = "_hse_unit_scope"


def unit_ids_in_scope(user) -> frozenset[int] | None:
    """Ids of the units the user may see, or None when the user sees every unit."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.role:
        return frozenset()
    if user.sees_all_units:
        return None
    cached = getattr(user, _SCOPE_CACHE, None)
    if cached is not None:
        return cached
    # The unit model is reached through the user's relation, not imported: org sits above accounts.
    unit_model = user.units.model
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in unit_model.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(unit_id)
    seen: set[int] = set()
    stack = list(user.units.values_list("id", flat=True))
    while stack:
        unit_id = stack.pop()
        if unit_id in seen:
            continue
        seen.add(unit_id)
        stack.extend(children.get(unit_id, ()))
    scope = frozenset(seen)
    setattr(user, _SCOPE_CACHE, scope)
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope (after the user's units change)."""
    if hasattr(user, _SCOPE_CACHE):
        delattr(user, _SCOPE_CACHE)


def unit_in_scope(user, unit_or_id) -> bool:
    scope = unit_ids_in_scope(user)
    if scope is None:
        return True
    unit_id = getattr(unit_or_id, "pk", unit_or_id)
    return unit_id in scope


def scope_queryset(queryset, user, unit_field: str = "unit"):
    """Filter a queryset to the rows whose unit the user may see."""
    scope = unit_ids_in_scope(user)
    if scope is None:
        return queryset
    return queryset.filter(**{f"{unit_field}__in": scope})


def can(user, capability: str, unit=None) -> bool:
    """May this user do `capability` (in `unit`, when given)? Unknown names raise."""
    roles = roles_with(capability)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role not in roles:
        return False
    return unit is None or unit_in_scope(user, unit)


def require(user, capability: str, unit=None) -> None:
    if not can(user, capability, unit):
        raise PermissionDenied(capability)


def get_in_scope_or_404(queryset, user, unit_field: str = "unit", **lookup):
    """One object for this user: 404 when it is outside the user's units."""
    return get_object_or_404(scope_queryset(queryset, user, unit_field), **lookup)


def capability_required(capability: str):
    """View decorator: log in first, then 403 unless the role grants `capability`."""
    roles_with(capability)  # fail at import time on a typo

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            require(request.user, capability)
            return view(request, *args, **kwargs)

        wrapped.capability = capability
        return wrapped

    return decorator
