"""Who reads a signal's raw text: the specialist who heard it and the HSE head; a worker-form
signal also the HSE specialists covering its unit. Never line managers, executives, other
specialists or system admins. `readable_signals` is the same rule as a filter."""

import pytest

from apps.accounts.roles import Role
from apps.internships import rules
from apps.internships.models import Internship, Signal
from tests.factories import InternshipFactory, SignalFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(org):
    """Another HSE specialist covering the same shop."""
    return UserFactory(username="colleague", role=Role.HSE_SPECIALIST, units=[org.shop])


@pytest.fixture
def heard(org, hse_specialist):
    internship = InternshipFactory(unit=org.crew, specialist=hse_specialist, status=Internship.Status.IN_PROGRESS)
    return SignalFactory(internship=internship)


@pytest.fixture
def from_form(org):
    return SignalFactory(internship=None, unit=org.crew)


@pytest.fixture
def elsewhere(org):
    """A worker-form signal of the other site's shop."""
    return SignalFactory(internship=None, unit=org.other_shop)


READS_HEARD = {
    "hse_specialist": True,  # heard it
    "hse_head": True,
    "colleague": False,  # same unit, but did not hear it
    "outsider": False,
    "line_manager": False,
    "executive": False,
    "system_admin": False,
    "pass_admin": False,
}
READS_FROM_FORM = {**READS_HEARD, "colleague": True}


@pytest.mark.parametrize("who", sorted(READS_HEARD))
def test_can_read_a_signal_heard_during_an_internship(who, persona, request, heard):
    user = request.getfixturevalue(who) if who == "colleague" else persona(who)
    assert rules.can_read_signal(user, heard) is READS_HEARD[who]


@pytest.mark.parametrize("who", sorted(READS_FROM_FORM))
def test_can_read_a_worker_form_signal(who, persona, request, from_form):
    user = request.getfixturevalue(who) if who == "colleague" else persona(who)
    assert rules.can_read_signal(user, from_form) is READS_FROM_FORM[who]


def test_the_outsider_reads_the_worker_form_signals_of_their_own_unit(outsider, elsewhere, from_form):
    assert rules.can_read_signal(outsider, elsewhere)
    assert not rules.can_read_signal(outsider, from_form)


def test_the_specialist_who_heard_it_keeps_reading_after_leaving_the_unit(hse_specialist, heard, org):
    hse_specialist.units.set([org.other_shop])
    from apps.accounts.access import forget_scope

    forget_scope(hse_specialist)
    assert rules.can_read_signal(hse_specialist, heard)
    # ... but may no longer answer it: that is for the HSE roles covering the unit.
    assert not rules.can_answer_signal(hse_specialist, heard)


def test_a_specialist_who_is_no_longer_an_hse_role_reads_nothing(hse_specialist, heard):
    hse_specialist.role = Role.LINE_MANAGER
    hse_specialist.save()
    assert not rules.can_read_signal(hse_specialist, heard)


def test_inactive_and_anonymous_users_read_nothing(hse_head, heard):
    from django.contrib.auth.models import AnonymousUser

    assert not rules.can_read_signal(AnonymousUser(), heard)
    hse_head.is_active = False
    hse_head.save()
    assert not rules.can_read_signal(hse_head, heard)


def test_can_answer_needs_the_unit_in_scope_and_the_raw_text(hse_specialist, hse_head, colleague, line_manager,
                                                             heard, from_form, elsewhere):  # fmt: skip
    assert rules.can_answer_signal(hse_specialist, heard)
    assert rules.can_answer_signal(hse_head, heard) and rules.can_answer_signal(hse_head, elsewhere)
    assert not rules.can_answer_signal(colleague, heard)
    assert rules.can_answer_signal(colleague, from_form)
    assert not rules.can_answer_signal(hse_specialist, elsewhere)
    assert not rules.can_answer_signal(line_manager, from_form)


def test_readable_signals_matches_can_read_signal_row_by_row(
    persona, colleague, hse_specialist, outsider, org, heard, from_form, elsewhere
):
    # More rows: the outsider's own internship signal, a colleague's, an answered one.
    outsider_internship = InternshipFactory(unit=org.other_shop, specialist=outsider, status=Internship.Status.FINISHED)
    SignalFactory(internship=outsider_internship, kind=Signal.Kind.TOOL)
    SignalFactory(internship=InternshipFactory(unit=org.shop, specialist=colleague))
    below = SignalFactory(internship=None, unit=UnitFactory(parent=org.crew), status=Signal.Status.IN_PROGRESS)
    users = [persona(name) for name in READS_HEARD if name != "colleague"] + [colleague]
    all_signals = list(Signal.objects.select_related("internship"))
    assert len(all_signals) == 6
    for user in users:
        expected = {signal.pk for signal in all_signals if rules.can_read_signal(user, signal)}
        readable = set(rules.readable_signals(user, Signal.objects.all()).values_list("pk", flat=True))
        assert readable == expected, user.username
    # Not trivially empty or full: the specialist reads what they heard and the forms of their units.
    mine = set(rules.readable_signals(hse_specialist, Signal.objects.all()).values_list("pk", flat=True))
    assert mine == {heard.pk, from_form.pk, below.pk}
