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
