from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from apps.common import dates

TZ = ZoneInfo("Asia/Yekaterinburg")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _records_begin_2000(settings):
    settings.PORTAL_RECORDS_BEGIN = date(2000, 1, 1)
    with time_machine.travel(NOW, tick=False):
        yield


class TestEventWindow:
    def test_the_first_minute_of_the_records_is_accepted_and_the_one_before_is_not(self):
        dates.validate_event_time(datetime(2000, 1, 1, 0, 0, tzinfo=TZ))
        with pytest.raises(ValidationError) as error:
            dates.validate_event_time(datetime(1999, 12, 31, 23, 59, tzinfo=TZ))
        assert error.value.code == "too_early"

    def test_year_one_is_refused(self):
        with pytest.raises(ValidationError):
            dates.validate_event_time(datetime(1, 1, 1, tzinfo=TZ))

    def test_five_minutes_ahead_is_tolerated_six_are_not(self):
        dates.validate_event_time(NOW + timedelta(minutes=5))
        with pytest.raises(ValidationError) as error:
            dates.validate_event_time(NOW + timedelta(minutes=5, seconds=1))
        assert error.value.code == "in_future"

    def test_a_naive_value_is_read_in_the_site_time_zone(self):
        dates.validate_event_time(datetime(2026, 12, 1, 10, 4))
        with pytest.raises(ValidationError):
            dates.validate_event_time(datetime(2026, 12, 1, 10, 6))


class TestRecordDates:
    def test_window_ends_ten_years_ahead(self):
        dates.validate_record_date(date(2036, 12, 1))
        with pytest.raises(ValidationError) as error:
            dates.validate_record_date(date(2036, 12, 2))
        assert error.value.code == "too_late"

    def test_window_starts_with_the_records(self):
        dates.validate_record_date(date(2000, 1, 1))
        with pytest.raises(ValidationError):
            dates.validate_record_date(date(1999, 12, 31))

    def test_past_date_allows_today_not_tomorrow(self):
        dates.validate_past_date(date(2026, 12, 1))
        with pytest.raises(ValidationError):
            dates.validate_past_date(date(2026, 12, 2))


def test_no_setting_goes_below_the_database_floor(settings):
    settings.PORTAL_RECORDS_BEGIN = date(1900, 1, 1)
    assert dates.records_begin() == date(1970, 1, 1)


def test_horizon_of_a_leap_day():
    assert dates.plan_horizon(date(2028, 2, 29)) == date(2038, 2, 28)


def test_day_and_month_bounds_are_in_the_site_time_zone():
    assert dates.day_start(date(2026, 3, 1)) == datetime(2026, 3, 1, tzinfo=TZ)
    assert dates.day_after_start(date(2026, 3, 31)) == datetime(2026, 4, 1, tzinfo=TZ)
    assert dates.month_bounds(date(2026, 12, 15)) == (datetime(2026, 12, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ))
    assert dates.next_month(date(2026, 1, 31)) == date(2026, 2, 1)
    assert dates.months_back(date(2026, 2, 10), 3) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_the_api_field_refuses_year_one_with_a_message_not_a_crash():
    from rest_framework import serializers

    from apps.common.fields import EventDateTimeSerializerField

    with pytest.raises(serializers.ValidationError) as error:
        EventDateTimeSerializerField().run_validation("0001-01-01T00:00")
    assert "records begin" in str(error.value.detail[0])
