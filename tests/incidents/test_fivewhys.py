import pytest

from apps.incidents.fivewhys import blames_a_person


@pytest.mark.parametrize(
    "text",
    [
        "The operator was careless",
        "He did not pay attention to the signal",
        "Worker was not paying attention",
        "The driver did not follow the procedure",
        "Human error",
        "Работник проявил небрежность",
        "Оператор был невнимательным",
        "Водитель не соблюдал дистанцию",
        "Человеческий фактор",
    ],
)
def test_answers_that_blame_a_person_are_spotted(text):
    assert blames_a_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "The guard was removed for cleaning and there is no interlock",
        "The procedure does not say how to clear spillage with the belt stopped",
        "Зона разворота не отделена от проезда лёгкого транспорта",
        "",
    ],
)
def test_system_causes_are_not_flagged(text):
    assert blames_a_person(text) is None


from apps.incidents.fivewhys import BLAME_PATTERNS  # noqa: E402

# One answer per pattern, in the order of BLAME_PATTERNS: each pattern is needed by one of them.
BLAMING = [
    "The operator was careless",
    "Negligence of the crew",
    "Inattentive driver",
    "He did not pay attention",
    "The fitter didn't wear his glasses",
    "The driver failed to notice the sign",
    "Human error",
    "The human factor",
    "He was distracted by his phone",
    "The slinger was lazy",
    "The welder ignored the procedure",
    "The operator violated the rule",
    "Worker not careful enough",
    "It was the fault of the operator",
    "Небрежное отношение",
    "Невнимательность водителя",
    "Не соблюдал дистанцию",
    "Не выполнил требования",
    "Не обратил внимания на знак",
    "Нарушил инструкцию",
    "Человеческий фактор",
    "Халатность мастера",
    "Неосторожные действия",
    "Водитель отвлёкся",
    "По вине работника",
]


def test_every_blame_pattern_has_its_example():
    assert len(BLAMING) == len(BLAME_PATTERNS)
    import re

    for pattern, text in zip(BLAME_PATTERNS, BLAMING, strict=True):
        assert re.search(pattern, text, re.IGNORECASE), (pattern, text)


@pytest.mark.parametrize("text", BLAMING)
def test_each_example_is_flagged_in_any_case(text):
    assert blames_a_person(text)
    assert blames_a_person(text.upper())


def test_the_match_is_the_blaming_words():
    assert blames_a_person("Because the operator was careless at the tail") == "careless"
    assert blames_a_person("Водитель отвлекся на телефон") == "отвлекся"


@pytest.mark.parametrize(
    "text",
    [
        "The procedure is lazily written",  # \blazy\b: a whole word only
        "The driver did not stop: the brakes failed",  # "did not" + a verb that is not about compliance
        "He ignored the alarm: it sounds every shift",  # ignoring an alarm that cries wolf is a system cause
        "The guard was removed and nobody noticed",
        "Uncareful design of the chute",  # "careless" starts a word
        None,
    ],
)
def test_near_misses_of_the_patterns_are_not_flagged(text):
    assert blames_a_person(text) is None
