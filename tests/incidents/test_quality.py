from datetime import date

from apps.incidents.quality import ActionFacts, quality_score

DEADLINE = date(2026, 10, 15)


def score(**overrides):
    values = {
        "deadline": DEADLINE,
        "approved_on": date(2026, 10, 14),
        "today": date(2026, 11, 1),
        "rca_done": True,
        "causes": 2,
        "uncovered": 0,
        "actions": [ActionFacts("engineering", "verified", True), ActionFacts("administrative", "verified", True)],
    }
    values.update(overrides)
    return quality_score(**values)


def by_code(result):
    return {criterion.code: criterion.passed for criterion in result.criteria}


def test_a_model_investigation_scores_100():
    result = score()
    assert result.percent == 100
    assert all(by_code(result).values())


def test_late_approval_fails_on_time():
    result = score(approved_on=date(2026, 10, 20))
    assert by_code(result)["on_time"] is False
    assert result.percent == 80


def test_pending_investigation_is_on_time_until_the_deadline():
    assert by_code(score(approved_on=None, today=date(2026, 10, 10)))["on_time"] is True
    assert by_code(score(approved_on=None, today=date(2026, 10, 16)))["on_time"] is False


def test_uncovered_root_cause_and_no_causes_fail_coverage():
    assert by_code(score(uncovered=1))["causes_covered"] is False
    assert by_code(score(causes=0, uncovered=0))["causes_covered"] is False


def test_mostly_administrative_actions_fail_strong_controls():
    actions = [ActionFacts("administrative", "verified", True), ActionFacts("ppe", "verified", True),
               ActionFacts("engineering", "verified", True)]  # fmt: skip
    assert by_code(score(actions=actions))["strong_actions"] is False


def test_cancelled_actions_do_not_count_and_unverified_fail_effectiveness():
    actions = [ActionFacts("engineering", "done", None), ActionFacts("ppe", "cancelled", None)]
    result = by_code(score(actions=actions))
    assert result["strong_actions"] is True
    assert result["effective"] is False


def test_no_rca_no_actions_scores_low():
    result = score(rca_done=False, causes=0, actions=[], approved_on=None, today=date(2026, 12, 1))
    assert result.percent == 0
