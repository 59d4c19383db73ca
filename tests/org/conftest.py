from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

SITE_TZ = ZoneInfo("Asia/Yekaterinburg")
# The day the rules are pinned on: December 2026 has begun, January 2027 has not.
NOW = datetime(2026, 12, 15, 10, 0, tzinfo=SITE_TZ)


@pytest.fixture
def now(settings):
    """Freeze the clock on NOW (site time) with the records beginning on 2000-01-01."""
    settings.PORTAL_RECORDS_BEGIN = date(2000, 1, 1)
    with time_machine.travel(NOW, tick=False):
        yield NOW
