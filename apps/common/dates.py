"""Dates and times of the plant: the plausible window for recorded events, months, and day
bounds computed in the site's time zone.

Every date a user or a client types is checked against a window: an event (an observation, an
incident, a timeline entry) cannot be older than the enterprise's records (`PORTAL_RECORDS_BEGIN`)
nor more than a few minutes in the future; a planned date (a due date, an audit month) cannot lie
further ahead than `PLAN_HORIZON_YEARS`. A value outside the window is a clear field error, never
a stored row that a later page cannot render.

Queries compare raw columns with bounds computed here (`day_start`, `month_bounds`), so that an
index on the column can be used: `observed_at >= day_start(d)`, not `observed_at::date >= d`.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# The floor the database itself enforces (check constraints): no configuration goes below it.
DATABASE_FLOOR = datetime(1970, 1, 1, tzinfo=UTC)
DATABASE_FLOOR_DATE = date(1970, 1, 1)
# A phone's clock may run a little ahead of the server's.
FUTURE_TOLERANCE = timedelta(minutes=5)
PLAN_HORIZON_YEARS = 10


def records_begin() -> date:
    """The first day the enterprise's records can be about (setting `PORTAL_RECORDS_BEGIN`)."""
    return max(settings.PORTAL_RECORDS_BEGIN, DATABASE_FLOOR_DATE)


def plan_horizon(today: date | None = None) -> date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + PLAN_HORIZON_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + PLAN_HORIZON_YEARS, day=28)


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the site's time zone, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def day_after_start(day: date) -> datetime:
    """Midnight at the end of `day` (the start of the next day): an exclusive upper bound."""
    return day_start(day + timedelta(days=1))


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def months_back(last: date, count: int) -> list[date]:
    """The first days of `count` months ending with the month of `last`, oldest first."""
    months = [month_start(last)]
    while len(months) < count:
        months.append(month_start(months[-1] - timedelta(days=1)))
    return list(reversed(months))


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of the month in the site's time zone."""
    return day_start(month_start(month)), day_start(next_month(month))


def short_date(day: date) -> str:
    """A day as the current language prints it in a sentence ("26 Nov 2026", "26.11.2026"); never
    `isoformat()` in a message a person reads."""
    return date_format(day, "SHORT_DATE_FORMAT")


def validate_event_time(value: datetime, *, now: datetime | None = None) -> None:
    """An event recorded now happened inside the records' window and not in the future."""
    if value is None:
        return
    now = now or timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    earliest = day_start(records_begin())
    if value < earliest:
        raise ValidationError(
            _("This is before the enterprise's records begin (%(date)s).") % {"date": short_date(records_begin())},
            code="too_early",
        )
    if value > now + FUTURE_TOLERANCE:
        raise ValidationError(_("This cannot be in the future."), code="in_future")


def validate_record_date(value: date) -> None:
    """A date in a record or a filter: not before the records begin, not beyond the plan horizon."""
    if value is None:
        return
    if value < records_begin():
        raise ValidationError(
            _("This is before the enterprise's records begin (%(date)s).") % {"date": short_date(records_begin())},
            code="too_early",
        )
    if value > plan_horizon():
        raise ValidationError(
            _("This is more than %(years)s years ahead.") % {"years": PLAN_HORIZON_YEARS}, code="too_late"
        )


def validate_past_date(value: date) -> None:
    """A day that has happened: inside the records' window and not after today."""
    validate_record_date(value)
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("This cannot be in the future."), code="in_future")
