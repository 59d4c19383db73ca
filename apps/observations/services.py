import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from apps.accounts.access import require
from apps.actions.services import action_create
from apps.audit.services import log_action
from apps.org.models import Person, StructuralUnit

from .models import Observation, ObservationPhoto

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTOS_PER_OBSERVATION = 5
# Surnames shorter than this are too likely to be ordinary words.
MIN_NAME_LENGTH = 4


def validate_photo(upload) -> None:
    """A real JPEG, PNG or WebP image of at most 10 MB (the file's content is checked, not its name)."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photos": _("%(name)s is larger than 10 MB.") % {"name": upload.name}})
    try:
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError({"photos": _("%(name)s is not a photo.") % {"name": upload.name}}) from None
    finally:
        upload.seek(0)
    if image_format not in PHOTO_FORMATS:
        raise ValidationError({"photos": _("%(name)s: use a JPEG, PNG or WebP photo.") % {"name": upload.name}})


def worker_names_in(text: str, unit: StructuralUnit) -> list[str]:
    """Surnames of people on the rolls of the unit (and the units under it) that appear in the text."""
    words = {word.lower() for word in re.findall(r"\w+", text)}
    if not words:
        return []
    unit_ids = [unit.pk, *StructuralUnit.objects.filter(parent=unit).values_list("pk", flat=True)]
    found = []
    for full_name in Person.objects.filter(unit_id__in=unit_ids, is_active=True).values_list("full_name", flat=True):
        surname = full_name.split()[0] if full_name.split() else ""
        if len(surname) >= MIN_NAME_LENGTH and surname.lower() in words and surname not in found:
            found.append(surname)
    return found


@transaction.atomic
def observation_log(
    *,
    actor,
    unit: StructuralUnit,
    kind: str,
    category,
    description: str,
    observed_at=None,
    area: str = "",
    feedback_given: bool = False,
    feedback_to: str = "",
    feedback_text: str = "",
    work_stopped: bool = False,
    risk: str = Observation.Risk.MEDIUM,
    photos=(),
    follow_up: dict | None = None,
    submission_key=None,
) -> Observation:
    """Record what was seen on the floor, with its photos and any follow-up action, in one go.

    It refuses a worker's name (observations are about behaviour and conditions), a time in the
    future, and feedback "given" to nobody."""
    require(actor, "observations.log", unit)
    if submission_key:
        already = Observation.objects.filter(submission_key=submission_key, observer=actor).first()
        if already is not None:
            return already  # the same form sent twice
    now = timezone.now()
    observed_at = observed_at or now
    errors = {}
    if observed_at > now + timedelta(minutes=5):
        errors["observed_at"] = _("The observation cannot be in the future.")
    if feedback_given and not feedback_to:
        errors["feedback_to"] = _("Say to whom the feedback was given.")
    names = worker_names_in(f"{description} {area} {feedback_text}", unit)
    if names:
        errors["description"] = _(
            "Do not name workers (%(names)s): describe the behaviour and the conditions, not the person."
        ) % {"names": ", ".join(names)}
    if len(photos) > PHOTOS_PER_OBSERVATION:
        errors["photos"] = _("At most %(count)s photos.") % {"count": PHOTOS_PER_OBSERVATION}
    if errors:
        raise ValidationError(errors)
    for upload in photos:
        validate_photo(upload)
    observation = Observation(
        observer=actor,
        observed_at=observed_at,
        unit=unit,
        area=area,
        kind=kind,
        category=category,
        description=description,
        feedback_given=feedback_given,
        feedback_to=feedback_to if feedback_given else "",
        feedback_text=feedback_text if feedback_given else "",
        work_stopped=work_stopped,
        risk=risk,
        submission_key=submission_key,
    )
    observation.full_clean()
    observation.save()
    for upload in photos:
        ObservationPhoto.objects.create(observation=observation, image=upload)
    log_action(
        actor=actor,
        action="observations.observation.logged",
        target=observation,
        data={"kind": kind, "photos": len(photos), "feedback_given": feedback_given},
    )
    if follow_up:
        action_create(
            actor=actor,
            title=follow_up["title"],
            unit=unit,
            owner=follow_up["owner"],
            due_date=follow_up["due_date"],
            control_level=follow_up["control_level"],
            priority=follow_up.get("priority") or _priority_for(risk),
            description=description,
            source_record=observation,
        )
    return observation


def _priority_for(risk: str) -> str:
    return {"low": "low", "medium": "medium", "high": "high", "critical": "critical"}[risk]


def default_follow_up_due(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=14)
