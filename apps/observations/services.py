import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.access import require
from apps.actions.models import Action
from apps.actions.services import action_create
from apps.audit.services import log_action
from apps.common import uploads
from apps.common.dates import validate_event_time
from apps.org.models import Person, StructuralUnit

from .counts import count_observation
from .models import Observation, ObservationPhoto

PHOTO_MAX_BYTES = 10 * uploads.MEGABYTE
PHOTOS_PER_OBSERVATION = 5
# Surnames shorter than this are too likely to be ordinary words.
MIN_NAME_LENGTH = 4
FOLLOW_UP_DAYS = 14
# A follow-up action is as urgent as the risk that was seen.
PRIORITY_FOR_RISK = {
    Observation.Risk.LOW: Action.Priority.LOW,
    Observation.Risk.MEDIUM: Action.Priority.MEDIUM,
    Observation.Risk.HIGH: Action.Priority.HIGH,
    Observation.Risk.CRITICAL: Action.Priority.CRITICAL,
}
# The follow-up action's refusals, named as the observation's form names its fields.
FOLLOW_UP_FIELDS = {
    "title": "action_title",
    "owner": "action_owner",
    "due_date": "action_due_date",
    "control_level": "action_control_level",
}


def unit_subtree_ids(unit: StructuralUnit) -> set[int]:
    """The unit and every unit under it, at any depth. The unit tree is small: one query reads
    all of it, whatever its depth."""
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in StructuralUnit.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(unit_id)
    seen: set[int] = set()
    stack = [unit.pk]
    while stack:
        unit_id = stack.pop()
        if unit_id not in seen:
            seen.add(unit_id)
            stack.extend(children.get(unit_id, ()))
    return seen


def worker_names_in(text: str, unit: StructuralUnit) -> list[str]:
    """Surnames of the active people on the rolls of the unit or of any unit under it that appear
    in the text as whole words (any case). A surname is the first word of a person's full name;
    surnames shorter than MIN_NAME_LENGTH are not looked for."""
    words = {word.lower() for word in re.findall(r"\w+", text)}
    if not words:
        return []
    people = Person.objects.filter(unit_id__in=unit_subtree_ids(unit), is_active=True).order_by("full_name")
    found = []
    for full_name in people.values_list("full_name", flat=True):
        parts = full_name.split()
        if not parts:
            continue
        surname = parts[0]
        if len(surname) >= MIN_NAME_LENGTH and surname.lower() in words and surname not in found:
            found.append(surname)
    return found


def _photo_errors(photos) -> list[str]:
    if len(photos) > PHOTOS_PER_OBSERVATION:
        return [_("At most %(count)s photos.") % {"count": PHOTOS_PER_OBSERVATION}]
    errors = []
    for upload in photos:
        try:
            uploads.checked_upload(upload, kinds=uploads.PHOTOS, max_bytes=PHOTO_MAX_BYTES, field="photos")
        except ValidationError as error:
            errors.extend(error.message_dict["photos"])
    return errors


def _logged_with_key(actor, submission_key) -> Observation | None:
    return Observation.objects.filter(submission_key=submission_key, observer=actor).first()


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

    It refuses a worker's name (observations are about behaviour and conditions), a time outside
    the records' window (before the records begin, or more than the clock tolerance in the
    future), feedback "given" to nobody, and more than PHOTOS_PER_OBSERVATION photos or files
    that are not photos. The same form sent again (same `submission_key`), even at the same
    moment, returns the observation already logged: one observation, one history entry."""
    require(actor, "observations.log", unit)
    if submission_key:
        already = _logged_with_key(actor, submission_key)
        if already is not None:
            return already  # the same form sent twice
    now = timezone.now()
    observed_at = observed_at or now
    errors = {}
    try:
        validate_event_time(observed_at, now=now)
    except ValidationError as error:
        errors["observed_at"] = error.messages
    if feedback_given and not feedback_to:
        errors["feedback_to"] = _("Say to whom the feedback was given.")
    names = worker_names_in(f"{description} {area} {feedback_text}", unit)
    if names:
        errors["description"] = _(
            "Do not name workers (%(names)s): describe the behaviour and the conditions, not the person."
        ) % {"names": ", ".join(names)}
    photo_errors = _photo_errors(photos)
    if photo_errors:
        errors["photos"] = photo_errors
    if errors:
        raise ValidationError(errors)
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
    # The key's uniqueness is decided by the insert itself (below), not by a query that a
    # simultaneous request can overtake.
    observation.full_clean(exclude=["submission_key"])
    try:
        with transaction.atomic():
            observation.save()
    except IntegrityError:
        # Another request with the same form committed first: that one is the observation.
        already = _logged_with_key(actor, submission_key) if submission_key else None
        if already is not None:
            return already
        if submission_key and Observation.objects.filter(submission_key=submission_key).exists():
            raise ValidationError(
                _("This form has already been sent. Open a new form to log another observation.")
            ) from None
        raise
    count_observation(observation)
    for upload in photos:
        ObservationPhoto.objects.create(observation=observation, image=upload)
    log_action(
        actor=actor,
        action="observations.observation.logged",
        target=observation,
        data={"kind": kind, "photos": len(photos), "feedback_given": feedback_given},
    )
    if follow_up:
        _follow_up_create(actor=actor, observation=observation, follow_up=follow_up)
    return observation


def _follow_up_create(*, actor, observation: Observation, follow_up: dict) -> Action:
    try:
        return action_create(
            actor=actor,
            title=follow_up["title"],
            unit=observation.unit,
            owner=follow_up["owner"],
            due_date=follow_up["due_date"],
            control_level=follow_up["control_level"],
            priority=follow_up.get("priority") or priority_for(observation.risk),
            description=observation.description,
            source_record=observation,
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {FOLLOW_UP_FIELDS.get(field, field): messages for field, messages in error.message_dict.items()}
        ) from None


def priority_for(risk: str) -> str:
    """The priority of the follow-up action of an observation with this risk."""
    return PRIORITY_FOR_RISK[risk]


def default_follow_up_due(today: date | None = None) -> date:
    """A follow-up action is due FOLLOW_UP_DAYS after the walk unless the observer says otherwise."""
    return (today or timezone.localdate()) + timedelta(days=FOLLOW_UP_DAYS)
