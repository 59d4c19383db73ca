"""Demo gemba observations: three months of walks in the plant's shops."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from apps.audit.services import log_action

from .models import Observation, ObservationCategory

# unit code, kind, category code, what was seen, feedback to, what was said, work stopped, risk
SEEN = [
    (
        "lifting-crew",
        "unsafe_act",
        "lifting",
        "Slinger guided a suspended load by hand from under it",
        "worker",
        "Explained the exclusion zone; showed how to use the tag line",
        True,
        "high",
    ),
    (
        "lifting-crew",
        "safe_act",
        "lifting",
        "Crane operator stopped lifting when the wind rose above the limit",
        "crew",
        "Thanked the crew in front of the foreman",
        False,
        "medium",
    ),
    (
        "crushing",
        "unsafe_condition",
        "machinery",
        "Guard missing on the tail pulley of conveyor C-3",
        "manager",
        "Asked the shift foreman to isolate the conveyor until the guard is back",
        True,
        "critical",
    ),
    (
        "crushing",
        "unsafe_condition",
        "housekeeping",
        "Spillage of ore on the walkway along the crusher feed",
        "crew",
        "Agreed a cleaning round at every shift handover",
        False,
        "medium",
    ),
    (
        "flotation",
        "good_practice",
        "chemicals",
        "Reagent area labels renewed and the eye-wash station tested",
        "crew",
        "Praised the initiative; will share it with the other sections",
        False,
        "low",
    ),
    (
        "flotation",
        "unsafe_act",
        "ppe",
        "Sampling done without face shield near the reagent dosing point",
        "worker",
        "Discussed why the shield matters there; the shield was fetched",
        False,
        "high",
    ),
    (
        "machining",
        "unsafe_act",
        "tools",
        "Angle grinder used with the guard removed",
        "worker",
        "Work stopped, guard refitted; asked why it had been removed (blade change takes too long)",
        True,
        "high",
    ),
    (
        "machining",
        "safe_act",
        "loto",
        "Mechanic applied his personal lock before clearing the lathe",
        "worker",
        "Thanked him and asked what makes it easy",
        False,
        "medium",
    ),
    (
        "haul-trucks",
        "near_miss",
        "driving",
        "Haul truck reversed close to a light vehicle parked in the blind spot",
        "manager",
        "Reported to the transport foreman; parking area to be marked",
        False,
        "critical",
    ),
    (
        "haul-trucks",
        "safe_act",
        "driving",
        "Driver did a walk-around check and reported a damaged mirror",
        "worker",
        "Thanked the driver; mirror replaced before the shift",
        False,
        "medium",
    ),
    (
        "ug-crew-1",
        "unsafe_condition",
        "height",
        "Ladder to the ventilation raise platform has a broken rung",
        "manager",
        "Ladder tagged out of service",
        True,
        "high",
    ),
    (
        "ug-crew-2",
        "good_practice",
        "machinery",
        "LHD operator horn and light signals before every move",
        "crew",
        "Recognised at the shift meeting",
        False,
        "low",
    ),
    (
        "light-vehicles",
        "unsafe_act",
        "driving",
        "Passenger bus left with two passengers not wearing seat belts",
        "worker",
        "Driver briefed; belts fastened before departure",
        False,
        "medium",
    ),
    (
        "mine-survey",
        "safe_act",
        "ppe",
        "Surveyors wore high-visibility vests and self-rescuers in the drift",
        "crew",
        "Thanked the team",
        False,
        "low",
    ),
    (
        "crushing",
        "unsafe_act",
        "loto",
        "Fitter started clearing a chute blockage without isolating the feeder",
        "worker",
        "Work stopped; the isolation was done together with the electrician",
        True,
        "critical",
    ),
    (
        "machining",
        "unsafe_condition",
        "chemicals",
        "Degreaser stored in an unlabelled bottle near the welding bay",
        "",
        "",
        False,
        "medium",
    ),
]

OBSERVERS = {
    "lifting-crew": "specialist", "crushing": "specialist", "flotation": "manager", "machining": "manager2",
    "haul-trucks": "specialist2", "ug-crew-1": "specialist2", "ug-crew-2": "specialist2",
    "light-vehicles": "specialist2", "mine-survey": "specialist2",
}  # fmt: skip


def load_demo(*, units: dict, users: dict, today) -> int:
    categories = {category.code: category for category in ObservationCategory.objects.all()}
    if not categories:
        return 0
    rng = random.Random(7)
    tz = timezone.get_current_timezone()
    count = 0
    for round_number in range(3):  # three months of walks
        for index, (unit_code, kind, category, seen, feedback_to, said, stopped, risk) in enumerate(SEEN):
            if round_number and rng.random() < 0.35:
                continue
            day = today - timedelta(days=round_number * 30 + (index * 2) % 27 + 1)
            observed_at = datetime.combine(day, time(8 + index % 8, 15 * (index % 4)), tzinfo=tz)
            observation, created = Observation.objects.get_or_create(
                unit=units[unit_code],
                observed_at=observed_at,
                defaults={
                    "observer": users[OBSERVERS[unit_code]],
                    "kind": kind,
                    "category": categories[category],
                    "description": seen,
                    "feedback_given": bool(feedback_to),
                    "feedback_to": feedback_to,
                    "feedback_text": said,
                    "work_stopped": stopped,
                    "risk": risk,
                },
            )
            if created:
                log_action(actor=observation.observer, action="observations.observation.logged", target=observation)
            count += 1
    return count
