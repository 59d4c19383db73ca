"""The observation list as CSV: streamed for a short list, a background job for a long one.

Rows are read as plain values (one query, joined), and the choice labels are looked up once per
export, not per cell: at a million rows that is what makes the file take seconds, not minutes."""

from types import SimpleNamespace

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import selectors
from .filters import ObservationFilterSet
from .models import Observation, ObservationCategory

# Up to this many rows the file is streamed at once; beyond, it is made by a worker (a request
# must not run for minutes, and a worker killed half way would hand out half a file).
DIRECT_EXPORT_MAX = 5_000

COLUMNS = (
    "id", "observed_at", "unit__name", "area", "kind", "category_id", "description", "feedback_given",
    "feedback_to", "feedback_text", "work_stopped", "risk", "observer__first_name", "observer__last_name",
    "observer__username",
)  # fmt: skip


def header() -> list[str]:
    return [
        _("Reference"), _("When"), _("Unit"), _("Area"), _("Kind"), _("Category"), _("What was seen"),
        _("Feedback given"), _("Feedback to"), _("What was said"), _("Work stopped"), _("Risk"), _("Observer"),
    ]  # fmt: skip


def rows(observations):
    """The CSV rows of these observations, in their order."""
    kinds = {value: str(label) for value, label in Observation.Kind.choices}
    recipients = {value: str(label) for value, label in Observation.FeedbackTo.choices} | {"": ""}
    risks = {value: str(label) for value, label in Observation.Risk.choices}
    categories = {category.pk: str(category) for category in ObservationCategory.objects.all()}
    yes, no = _("yes"), _("no")
    zone = timezone.get_current_timezone()
    for (pk, observed_at, unit, area, kind, category, description, feedback, feedback_to, said, stopped, risk,
         first, last, username) in observations.values_list(*COLUMNS).iterator(chunk_size=5000):  # fmt: skip
        yield [
            f"O-{pk}", observed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), unit, area, kinds[kind],
            categories.get(category, ""), description, yes if feedback else no, recipients.get(feedback_to, ""),
            said, yes if stopped else no, risks[risk], f"{first} {last}".strip() or username,
        ]  # fmt: skip


def count_upto(observations, limit: int) -> int:
    return observations.order_by()[: limit + 1].count()


def build_rows(job):
    """The export job's rows: the requester's observations through the same filter as the list, in
    the requester's language, read when the job runs."""
    user = job.requested_by
    translation.activate(user.language or settings.LANGUAGE_CODE)
    visible = selectors.observation_list_for_user(user)
    filterset = ObservationFilterSet(job.params, queryset=visible, request=SimpleNamespace(user=user))
    if not filterset.is_valid():
        raise ValueError(f"The filters are no longer valid: {filterset.errors.as_text()}")
    observations = filterset.qs
    return header(), observations.count(), rows(observations)
