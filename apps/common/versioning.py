"""Optimistic concurrency: no lost updates.

Anna opens a pass to extend it; Boris blocks it meanwhile; Anna saves what she saw. Row locks
(`apps.common.locking`) make the two saves run one after the other, but the second would still
overwrite the first. So an edited record carries a `version` (an integer the services raise on
every change), the page or API client sends back the version it read, and the service, inside
its transaction and after `lock_and_reload`, refuses a save whose version is no longer the current
one (`check_version`). The page then shows the form again with what was typed and the record as
it is now; the API answers 409 with a `version` field error and the current version.

A caller that sends no version (a task, the demo loader, an older API client) is not checked.
"""

from django import forms
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import StateConflict


def version_field():
    """The `version` column of an edited record: 1 when created, one more for every change."""
    return models.PositiveIntegerField(
        gettext_lazy("version"),
        default=1,
        db_default=1,  # rows written by COPY (the plant-scale generator) start at 1 too
        editable=False,
        help_text=gettext_lazy("Raised by every change; a save based on an older version is refused."),
    )


class VersionConflict(StateConflict):
    """The record changed after the user read it (their version is not the current one)."""

    def __init__(self, message, *, current: int):
        super().__init__(message, code="version_conflict")
        self.current = current


def _when(moment) -> str:
    moment = timezone.localtime(moment)
    if moment.date() == timezone.localdate():
        return date_format(moment, "TIME_FORMAT")
    return date_format(moment, "SHORT_DATETIME_FORMAT")


def check_version(instance, seen, *, message: str, history=None) -> None:
    """Refuse the save when `seen` (the version the user read) is not `instance.version`.

    Call inside the service's transaction after `lock_and_reload(instance)`, so the version
    compared is the committed one. `message` names the record and takes `%(who)s` and `%(when)s`,
    filled from the newest entry of `history` (the record's audit entries, newest first, read only
    when the save is refused: `actor_name`, `created_at`). `seen` None means the caller read
    nothing to compare (not checked)."""
    if seen is None or int(seen) == instance.version:
        return
    last_change = history.first() if history is not None else None
    if last_change is None:
        text = _(
            "Someone else changed this after you opened it. Your changes were not saved: review the current "
            "version and try again."
        )
    else:
        text = message % {"who": last_change.actor_name, "when": _when(last_change.created_at)}
    raise VersionConflict(text, current=instance.version)


def bump(instance) -> str:
    """Count a change of `instance` that the caller is about to save; returns the field's name for
    `save(update_fields=[...])`. The row is locked (`lock_and_reload`), so no change is missed."""
    instance.version += 1
    return "version"


def bump_stored(instance) -> None:
    """Count a change of a record's parts (an investigation's facts, links, whys) when the record's
    own row is not saved: one UPDATE, in the database (`version + 1`)."""
    instance._meta.model._default_manager.filter(pk=instance.pk).update(version=F("version") + 1)
    instance.version += 1


def version_form_field():
    """The hidden field of a form that carries the version the user saw."""
    return forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def show_conflict(form, conflict: VersionConflict) -> None:
    """Show a refused save on its form: what the user typed stays, the hidden version becomes the
    current one (saving again, after a look at the record as it is now, is accepted) and the
    reason is told above the fields."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(conflict.current)
    form.data = data
    form.add_error(None, conflict.messages)
