"""The version check itself (apps/common/versioning.py): who and when in the message, the words
when nothing tells who, and nothing refused when the version is the current one or not sent."""

from datetime import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from apps.common.versioning import VersionConflict, bump, check_version

MESSAGE = "Someone else changed this pass (%(who)s, %(when)s) after you opened it."


class History:
    def __init__(self, *entries):
        self.entries = entries

    def first(self):
        return self.entries[0] if self.entries else None


@pytest.fixture
def record():
    return SimpleNamespace(version=4)


def test_the_current_version_or_none_sent_is_not_refused(record):
    check_version(record, 4, message=MESSAGE, history=History())
    check_version(record, "4", message=MESSAGE, history=History())  # as a form sends it
    check_version(record, None, message=MESSAGE, history=History())


def test_an_older_version_is_refused_naming_who_and_the_time_of_today(record):
    today_at = timezone.localtime().replace(hour=14, minute=2, second=0, microsecond=0)
    with translation.override("en"), pytest.raises(VersionConflict) as refused:
        check_version(record, 3, message=MESSAGE, history=History(SimpleNamespace(actor_name="Anna Petrova",
                                                                                  created_at=today_at)))  # fmt: skip
    assert refused.value.messages == ["Someone else changed this pass (Anna Petrova, 14:02) after you opened it."]
    assert refused.value.current == 4


def test_a_change_of_another_day_gives_the_date_too(record):
    earlier = timezone.make_aware(datetime(2026, 11, 26, 9, 30))
    with translation.override("en"), pytest.raises(VersionConflict) as refused:
        check_version(record, 1, message=MESSAGE,
                      history=History(SimpleNamespace(actor_name="Ivan Ivanov", created_at=earlier)))  # fmt: skip
    assert "(Ivan Ivanov, 26 Nov 2026, 09:30)" in refused.value.messages[0]


def test_with_no_history_the_message_says_so_without_a_name(record):
    with translation.override("en"), pytest.raises(VersionConflict) as refused:
        check_version(record, 2, message=MESSAGE, history=History())
    assert refused.value.messages == [
        "Someone else changed this after you opened it. Your changes were not saved: review the current "
        "version and try again."
    ]
    with pytest.raises(VersionConflict):
        check_version(record, 2, message=MESSAGE)  # no history given at all


def test_a_change_counts_one(record):
    assert bump(record) == "version"
    assert record.version == 5


def test_a_change_of_the_parts_counts_one_in_the_row_and_in_memory(org, hse_specialist):
    from apps.common.versioning import bump_stored
    from apps.incidents.models import Investigation
    from tests.incidents.helpers import make_incident, make_investigation

    investigation = make_investigation(make_incident(org.crew, hse_specialist), hse_specialist, status="analysis")
    before = investigation.version
    bump_stored(investigation)
    assert investigation.version == before + 1
    assert Investigation.objects.get(pk=investigation.pk).version == before + 1
