"""Row rules of trainings: who plans, who runs a session, who reads a trainer's activity, who may
teach a course on a day."""

from datetime import date

import pytest

from apps.accounts.roles import Role
from apps.trainings import rules
from tests.factories import CourseFactory, TrainerFactory, TrainingSessionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "expected"),
    [("hse_specialist", True), ("hse_head", True), ("line_manager", False), ("executive", False),
     ("pass_admin", False), ("system_admin", False), ("outsider", True)],
)  # fmt: skip
def test_who_plans_sessions_at_all(persona, name, expected):
    assert rules.can_plan_session(persona(name)) is expected


def test_a_specialist_plans_in_their_units_only(hse_specialist, org):
    assert rules.can_plan_session(hse_specialist, org.crew)
    assert not rules.can_plan_session(hse_specialist, org.other_shop)


def test_a_line_manager_plans_once_an_active_trainer(line_manager, org):
    trainer = TrainerFactory(user=line_manager)
    assert rules.can_plan_session(line_manager, org.shop)
    assert not rules.can_plan_session(line_manager, org.other_shop)
    trainer.is_active = False
    trainer.save()
    assert not rules.can_plan_session(line_manager, org.shop)


def test_an_inactive_user_plans_nothing(hse_specialist):
    hse_specialist.is_active = False
    assert not rules.can_plan_session(hse_specialist)


def test_the_trainer_and_the_hse_function_of_the_unit_run_a_session(org, hse_specialist, hse_head, line_manager,
                                                                     outsider, executive):  # fmt: skip
    session = TrainingSessionFactory(trainer=line_manager, unit=org.crew)
    assert rules.can_run_session(line_manager, session)
    assert rules.can_run_session(hse_specialist, session)
    assert rules.can_run_session(hse_head, session)
    assert not rules.can_run_session(outsider, session)
    assert not rules.can_run_session(executive, session)
    other_manager = UserFactory(role=Role.LINE_MANAGER, units=[org.shop])
    assert not rules.can_run_session(other_manager, session)  # a manager of the unit who does not teach it


def test_the_trainer_of_a_session_elsewhere_runs_it(org, outsider):
    session = TrainingSessionFactory(trainer=outsider, unit=org.crew)
    assert rules.can_run_session(outsider, session)


def test_a_trainers_activity_is_read_by_them_their_manager_and_the_head(org, hse_head, executive):
    boss = UserFactory(role=Role.LINE_MANAGER)
    trainer = UserFactory(role=Role.LINE_MANAGER, line_manager=boss)
    colleague = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
    assert rules.can_view_trainer_activity(trainer, trainer)
    assert rules.can_view_trainer_activity(boss, trainer)
    assert rules.can_view_trainer_activity(hse_head, trainer)
    assert not rules.can_view_trainer_activity(colleague, trainer)
    assert not rules.can_view_trainer_activity(executive, trainer)
    assert not rules.can_view_trainer_activity(trainer, boss)


def test_may_teach_from_the_qualification_day_while_active():
    course = CourseFactory()
    trainer = TrainerFactory(course=course, qualified_on=date(2026, 3, 10))
    user = trainer.user
    assert not rules.may_teach(user, course, date(2026, 3, 9))
    assert rules.may_teach(user, course, date(2026, 3, 10))
    assert not rules.may_teach(user, CourseFactory(), date(2026, 3, 10))
    trainer.is_active = False
    trainer.save()
    assert not rules.may_teach(user, course, date(2026, 3, 10))


def test_may_teach_needs_a_role_that_runs_sessions_and_an_active_account():
    trainer = TrainerFactory(qualified_on=date(2026, 1, 1))
    user = trainer.user
    user.role = Role.EXECUTIVE
    assert not rules.may_teach(user, trainer.course, date(2026, 6, 1))
    user.role, user.is_active = Role.HSE_SPECIALIST, False
    assert not rules.may_teach(user, trainer.course, date(2026, 6, 1))
    assert not rules.may_teach(None, trainer.course, date(2026, 6, 1))
