"""The capability table of the organisation, the user's own account and the audit trail, pinned
role by role (each app pins its own section), and the role groups every scope rule relies on."""

import pytest

from apps.accounts import roles
from apps.accounts.roles import (
    ALL_ROLES,
    ALL_UNITS_ROLES,
    CAPABILITIES,
    HSE_ROLES,
    Role,
    UnknownCapability,
    roles_with,
)

EVERY_ROLE = {"hse_specialist", "hse_head", "line_manager", "executive", "pass_admin", "system_admin"}

# Capability -> the roles that have it, as the design says (DESIGN.md §1).
PINNED = {
    "org.view": EVERY_ROLE,
    "org.manage": {"hse_head", "system_admin"},
    "org.record_hours": {"hse_specialist", "hse_head", "system_admin"},
    "accounts.set_own_language": EVERY_ROLE,
    "accounts.renew_own_api_token": EVERY_ROLE,
    "core.view_health_details": {"system_admin"},
    "audit.view_log": {"hse_specialist", "hse_head", "executive", "system_admin"},
    # Contractors and access passes (DESIGN.md §1: the pass office issues, suspends, blocks,
    # unblocks and revokes; blocking is also a sanction of the HSE function).
    "contractors.view": EVERY_ROLE,
    "contractors.manage_companies": {"hse_specialist", "hse_head", "system_admin"},
    "contractors.manage_workers": {"hse_specialist", "hse_head", "pass_admin"},
    "contractors.manage_work_orders": {"hse_specialist", "hse_head"},
    "passes.view": {"pass_admin", "hse_specialist", "hse_head", "executive", "system_admin"},
    "passes.issue": {"pass_admin"},
    "passes.block": {"pass_admin", "hse_specialist", "hse_head"},
    "passes.unblock": {"pass_admin", "hse_head"},
    "passes.check": {"pass_admin", "hse_specialist", "hse_head"},
    "passes.receive_expiry_warnings": {"pass_admin"},
    "contractors.record_violations": {"hse_specialist", "hse_head"},
    "contractors.sanction": {"hse_specialist", "hse_head"},
}


def test_the_roles_and_their_names():
    assert {role.value: str(role.label) for role in Role} == {
        "hse_specialist": "HSE specialist",
        "hse_head": "HSE head",
        "line_manager": "Line manager",
        "executive": "Top executive",
        "pass_admin": "Pass-office admin",
        "system_admin": "System admin",
    }


def test_the_role_groups():
    assert ALL_ROLES == EVERY_ROLE
    assert {"hse_specialist", "hse_head"} == HSE_ROLES
    # Everyone but the HSE specialist and the line manager sees every unit.
    assert {"hse_head", "executive", "pass_admin", "system_admin"} == ALL_UNITS_ROLES


@pytest.mark.parametrize(("capability", "expected"), sorted(PINNED.items()))
def test_who_has_each_capability(capability, expected):
    assert roles_with(capability) == expected
    assert CAPABILITIES[capability] == expected


def test_every_contractor_and_pass_capability_is_pinned():
    """A new capability of contractors or passes is pinned here with the roles it grants."""
    declared = {name for name in CAPABILITIES if name.split(".")[0] in ("contractors", "passes")}
    assert declared == {name for name in PINNED if name.split(".")[0] in ("contractors", "passes")}


def test_every_capability_names_only_real_roles():
    for capability, holders in CAPABILITIES.items():
        assert holders, capability
        assert holders <= ALL_ROLES, capability
        assert isinstance(holders, frozenset), capability


def test_capability_names_are_namespaced():
    for capability in CAPABILITIES:
        app, _, verb = capability.partition(".")
        assert app and verb and capability == capability.lower(), capability


def test_an_unknown_capability_raises_a_key_error_naming_it():
    with pytest.raises(UnknownCapability) as error:
        roles_with("org.veiw")
    assert isinstance(error.value, KeyError)
    assert error.value.args == ("org.veiw",)
    assert error.value.__suppress_context__  # raised `from None`: the lookup's KeyError is not chained
    assert error.value.__cause__ is None


def test_the_table_is_the_only_source(monkeypatch):
    monkeypatch.setitem(roles.CAPABILITIES, "org.test_only", frozenset({Role.EXECUTIVE}))
    assert roles_with("org.test_only") == {"executive"}
