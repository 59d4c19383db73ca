import pytest
from django.urls import reverse

from apps.audit.selectors import history_for
from apps.audit.services import log_action
from apps.core.audit_log import audit_entry_list_for_user


def test_entry_records_who_what_where_and_why(org, hse_specialist):
    entry = log_action(
        actor=hse_specialist, action="org.unit.renamed", target=org.crew, reason="re-organisation", data={"a": 1}
    )
    assert (entry.actor, entry.actor_name, entry.unit, entry.reason) == (
        hse_specialist,
        str(hse_specialist),
        None,
        "re-organisation",
    )
    assert entry.target_repr == "Flotation crew"
    assert list(history_for(org.crew)) == [entry]


def test_sensitive_keys_are_masked(org):
    entry = log_action(actor=None, action="accounts.user.created", data={"password": "x", "nested": {"api_token": "y"}})
    assert entry.data == {"password": "********", "nested": {"api_token": "********"}}
    assert entry.actor_name == "system"


@pytest.mark.parametrize("code", ["", "blocked", "Contractors.Pass.Blocked", "a..b"])
def test_malformed_action_codes_are_refused(code):
    with pytest.raises(ValueError):
        log_action(actor=None, action=code)


def test_readers_see_only_their_units_entries(org, hse_specialist, outsider, hse_head):
    log_action(actor=hse_head, action="org.hours_worked.recorded", unit=org.crew)
    log_action(actor=hse_head, action="org.hours_worked.recorded", unit=org.other_shop)
    log_action(actor=hse_head, action="accounts.user.created")
    assert audit_entry_list_for_user(hse_specialist).count() == 1
    assert audit_entry_list_for_user(outsider).count() == 1
    assert audit_entry_list_for_user(hse_head).count() == 3
    assert audit_entry_list_for_user(hse_head, action_prefix="org").count() == 2


def test_audit_page_lists_entries(client_as, org, hse_head):
    log_action(actor=hse_head, action="org.hours_worked.recorded", unit=org.crew, reason="monthly figures")
    response = client_as(hse_head).get(reverse("audit:entry_list"))
    assert "monthly figures" in response.text
    assert "org.hours_worked.recorded" in response.text
