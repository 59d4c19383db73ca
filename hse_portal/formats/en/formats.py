"""English dates and numbers of the portal: day first, 24-hour clock, one style everywhere.

The plant is in Russia and its English readers are used to day-first dates: "26 Nov 2026", never
the US "11/26/2026". DATE_FORMAT and SHORT_DATE_FORMAT are the same so that a bare `{{ day }}`
and `|date:"SHORT_DATE_FORMAT"` print alike. The names below `MONTH_DAY_FORMAT` are the portal's
own: templates use them by name (`|date:"CHART_MONTH_FORMAT"`), tests/core/test_formats.py
refuses a literal format in a template, and every language module defines every name.
"""

DATE_FORMAT = "j M Y"  # 26 Nov 2026
SHORT_DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j M Y, H:i"  # 26 Nov 2026, 14:30
SHORT_DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"  # November 2026
MONTH_DAY_FORMAT = "j F"  # 26 November

# The portal's own named formats.
SHORT_YEAR_MONTH_FORMAT = "M Y"  # Nov 2026: buttons and badges
YEAR_MONTH_GENITIVE_FORMAT = "F Y"  # "since November 2026": Russian needs the genitive here
CHART_MONTH_FORMAT = "M"  # Nov: a chart's axis
WEEKDAY_DATE_FORMAT = "l, j F"  # Thursday, 26 November: a day's heading
SHORT_WEEKDAY_DATE_FORMAT = "D, j M"  # Thu, 26 Nov: a day in a list

FIRST_DAY_OF_WEEK = 1  # Monday

# ISO first: the browser's date and datetime-local inputs send it. No slashes: "03/04/2026"
# means two different days to a British and an American reader.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-11-26
    "%d %b %Y",  # 26 Nov 2026, as the portal prints it
    "%d %B %Y",  # 26 November 2026
    "%d.%m.%Y",  # 26.11.2026
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d %b %Y, %H:%M",
    "%d %b %Y %H:%M",
    "%d.%m.%Y %H:%M",
]

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","  # 12,345
NUMBER_GROUPING = 3
