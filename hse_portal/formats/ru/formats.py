"""Russian dates and numbers of the portal: "26.11.2026", "26.11.2026 14:30", "12 345,5".

The thousands separator is a no-break space (U+00A0) so that a figure never breaks across lines
on a phone. Every name defined in hse_portal/formats/en/formats.py is defined here too.
"""

DATE_FORMAT = "d.m.Y"  # 26.11.2026
SHORT_DATE_FORMAT = "d.m.Y"
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "d.m.Y H:i"  # 26.11.2026 14:30
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
YEAR_MONTH_FORMAT = "F Y"  # Ноябрь 2026
MONTH_DAY_FORMAT = "j E"  # 26 ноября

# The portal's own named formats (see the English module).
SHORT_YEAR_MONTH_FORMAT = "M Y"  # Ноя 2026
YEAR_MONTH_GENITIVE_FORMAT = "E Y"  # "с ноября 2026"
CHART_MONTH_FORMAT = "M"  # Ноя
WEEKDAY_DATE_FORMAT = "l, j E"  # Четверг, 26 ноября
SHORT_WEEKDAY_DATE_FORMAT = "D, j E"  # Чт, 26 ноября

FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-11-26: what the browser's date input sends
    "%d.%m.%Y",  # 26.11.2026
    "%d.%m.%y",  # 26.11.26
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%y %H:%M",
]

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # no-break space: 12 345 never breaks across lines
NUMBER_GROUPING = 3
