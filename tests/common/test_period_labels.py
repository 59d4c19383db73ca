from django.utils import translation

from apps.common.periods import PeriodForm


def test_the_period_choices_are_read_in_the_pages_language():
    """The choices are made at import, in no language: each page reads them in its own."""
    with translation.override("ru"):
        assert [str(label) for _, label in PeriodForm().fields["months"].choices] == [
            "Последние 3 месяца",
            "Последние 6 месяцев",
            "Последние 12 месяцев",
        ]
    with translation.override("en"):
        assert str(PeriodForm().fields["months"].choices[0][1]) == "Last 3 months"
