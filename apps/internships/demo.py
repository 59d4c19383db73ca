"""Demo internships and signals, built through the services so every rule and audit entry holds.

The issue's "done when" is in it: three weeks ago the HSE specialist spent three days (the
proposed length for a section of ten people in three job titles) with the flotation crew, hosted
by its foreman, who says she worked as a member of the crew. Each day is logged from the morning
work order to the shift handover; four people agreed to be contacted later (one is the section's
safety ambassador); the closing summary says what to change in the instructions and opened two
actions in the register. Seven signals were heard: five are answered on the concentrator's "you
said — we did" board (goggles replaced, longer scrapers, a shorter isolation card, a new crossing,
an explanation), one is being worked on, and one has waited more than 14 days and was escalated
to the HSE head. Also: the second specialist's internship in the development crew, in progress
with two days logged; a planned one in the crushing section; and three signals workers sent from
the concentrator's QR form, one answered.

Idempotent (each part is keyed on its specialist and unit, or on the form signal's text) and
deterministic (dates counted from `today`)."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from apps.org.models import Person

from . import services
from .models import Internship, Signal

# The finished internship: three days, ending three weeks before `today`.
FINISHED_ENDS = 21

FLOTATION_DAYS = [
    {
        "morning_work_order": (
            "07:30 safety briefing in the control room by the foreman. Work order: clean the launders of rows 1 "
            "and 2; change the froth level sensor on cell 6; top up the frother and collector tanks; hourly "
            "sampling of the feed and the concentrate."
        ),
        "crew_roles": "Flotation operator, sampler, shift fitter",
        "work_done": (
            "Cleaned the launders of row 1 with two operators (hoses and scrapers). Held the ladder and passed "
            "tools to the fitter changing the level sensor on cell 6. Walked the hourly sampling round with the "
            "sampler and carried the samples to the lab hatch."
        ),
        "risks_seen": (
            "Operators lean over the handrail to reach the far side of the launders: the scrapers are too short. "
            "People cross the cell tops instead of taking the walkway round the thickener. Goggles pushed up on "
            "helmets at the reagent station because they fog."
        ),
        "surprises": (
            "The crew knows every weak spot of the section. The sampler checks the pH meters himself, because the "
            "lab results come back too late to act on."
        ),
        "shift_handover": (
            "19:30 in the control room, read out from the paper log. Passed to the night shift: the new level "
            "sensor on cell 6 to watch, a small slurry leak at the gland of pump 3."
        ),
    },
    {
        "morning_work_order": (
            "Work order: isolate the agitator of cell 3 for cleaning; replace the worn gland seals of slurry pump 3 "
            "with the fitters; receive two reagent deliveries."
        ),
        "crew_roles": "Flotation operator, shift fitter, electrician",
        "work_done": (
            "Took part in isolating the cell 3 agitator: six signatures collected in 50 minutes for a 10-minute "
            "clean. Helped the fitters drain and flush pump 3 before the seal change. Checked the delivery notes "
            "of the reagent deliveries with the operator."
        ),
        "risks_seen": (
            "Residual slurry pressure in the pump casing when the drain valve was opened. Only the electrician's "
            "padlock on the agitator isolator; the operators had none. Wet floor by the reagent pumps, no drain."
        ),
        "surprises": (
            "On the night shift the agitators are stopped from the panel only, because nobody who may sign the "
            "permit is on site. Everybody knows; nobody writes it down."
        ),
        "shift_handover": (
            "Pump 3 back in service at 16:10. The handover notes left out the isolation status of cell 3: added "
            "with the foreman before the night shift took over."
        ),
    },
    {
        "morning_work_order": (
            "Routine operation: froth level adjustments on row 2, sampling rounds. The foreman asked for 20 minutes "
            "with the crew on how to report a hazard from the section's QR form."
        ),
        "crew_roles": "Flotation operator, sampler, foreman",
        "work_done": (
            "Ran the froth level adjustments on row 2 under the operator's eye. Did the 11:00 and 14:00 sampling "
            "rounds. Showed the crew the QR form and the board where the answers appear."
        ),
        "risks_seen": (
            "Sampling the last cell at arm's length with a pole that bends under the cup. The wet floor by the "
            "reagent pumps again."
        ),
        "surprises": (
            "The crew asked above all what happens to a report once it is sent: the answers they never saw are "
            "why they stopped reporting."
        ),
        "shift_handover": (
            "Final handover with the foreman: what I saw, the concerns heard (without names), and what goes into "
            "the instructions. Agreed to come back to show the board in a month."
        ),
    },
]

FLOTATION_CONTACTS = [
    ("Kozlova N. V.", "Sampler", "Day shift; through the foreman or the crew room phone", True),
    ("Lebedev A. S.", "Flotation operator", "B shift, control room", False),
    ("Morozov D. I.", "Shift fitter", "Fitters' workshop, ext. 4417", False),
    ("Volkova E. P.", "Flotation operator", "Day shift, reagent station", False),
]

FLOTATION_SUMMARY = (
    "Three day shifts with the flotation crew, from the morning briefing to the handover. The crew works safely "
    "where the tools and rules fit the job, and works around them where they do not: short launder scrapers, a "
    "walkway that takes five minutes, goggles that fog, an isolation permit nobody can sign at night. Each "
    "workaround is known to everyone and recorded nowhere. The crew stopped reporting because reports were never "
    "answered: every signal below gets a visible answer on the board."
)
FLOTATION_CHANGES = (
    "1. Agitator isolation for cleaning: a one-page LOTO card signed by the shift foreman instead of the "
    "six-signature permit; padlocks for every operator.\n"
    "2. Walking on the cell tops forbidden; the new crossing between cells 4 and 5 added to the section's route "
    "map.\n"
    "3. Reagent station: anti-fog indirect-vent goggles in the section's PPE list."
)

# day of the internship (0-2), kind, raw text, then (response, days to the answer, what was done,
# paraphrase) or "in_progress" or "escalated".
FLOTATION_SIGNALS = [
    (0, Signal.Kind.PPE,
     "The chemical goggles fog up after ten minutes at the reagent station, so we push them up on the helmet "
     "when we top up the frother tank.",
     (Signal.Response.PPE_PROVIDED, 5,
      "Anti-fog indirect-vent goggles issued to every flotation operator; spare pairs kept at the reagent station.",
      "Goggles fog up at the reagent station, so they end up on the helmet instead of over the eyes.")),
    (0, Signal.Kind.TOOL,
     "The launder scraper is too short, you have to lean over the rail to reach the far side.",
     (Signal.Response.TOOL_REPLACED, 9,
      "Telescopic launder scrapers with a 2 m reach bought; the short ones withdrawn from the section.",
      "Launder scrapers are too short: people lean over the handrail to reach the far side.")),
    (1, Signal.Kind.RULE,
     "Isolating an agitator for a ten-minute clean needs six signatures. At night nobody can sign, so it is just "
     "stopped from the panel.",
     (Signal.Response.PROCEDURE_SIMPLIFIED, 12,
      "Isolation for cleaning is now a one-page LOTO card signed by the shift foreman; a padlock for every operator.",
      "Isolating an agitator for a short clean took too many signatures, especially at night.")),
    (0, Signal.Kind.RULE_BROKEN,
     "Everyone walks across the cell tops because the walkway goes all the way round the thickener and takes five "
     "minutes.",
     (Signal.Response.RULE_CHANGED, 18,
      "A crossing with handrails built between cells 4 and 5; walking on the cell tops is now forbidden and signed.",
      "The walkway round the thickener is so long that people cut across the cell tops.")),
    (1, Signal.Kind.CONCERN,
     "Why do we have to wear the half-mask when the reagent is only being mixed in the next room?",
     (Signal.Response.EXPLAINED, 3,
      "Explained at the shift briefing with the air measurements: xanthate vapour spreads through the open doorway. "
      "A door closer has been fitted.",
      "Why is a respirator needed when reagents are mixed in the next room?")),
    (2, Signal.Kind.PPE,
     "Small chemical gloves are never in stock, so we wear large ones and they slip on the valve handles.",
     "in_progress"),
    (1, Signal.Kind.TOOL,
     "The sampling cup on the long pole is heavy and the pole bends; you hold it at arm's length over the froth of "
     "the last cell.",
     "escalated"),
]  # fmt: skip

FLOTATION_ACTIONS = [
    ("Replace the six-signature permit for agitator cleaning with a one-page LOTO card", "manager", 14,
     "administrative", "From the flotation internship: the night shift cannot get the permit signed."),
    ("Build a crossing with handrails between flotation cells 4 and 5", "manager", 30, "engineering",
     "From the flotation internship: people cross the cell tops to avoid the long walkway."),
]  # fmt: skip

MINE_DAYS = [
    {
        "morning_work_order": (
            "Shift briefing at the shaft head, then down to level -120. Work order: drill the face of drift 4 "
            "(42 holes), scale the roof after the last blast, extend the ventilation duct by two sections."
        ),
        "crew_roles": "Drilling rig operator, miner, electrician",
        "work_done": (
            "Scaled the roof with the miners after the gas and dust check; rode in the rig cab for the first "
            "twenty holes; helped hang the ventilation duct sections."
        ),
        "risks_seen": (
            "Dust in the rig cab on every hole. The duct ends three metres short of the face after the last blast."
        ),
        "surprises": "The crew rotates the dustiest job every hour on its own initiative.",
        "shift_handover": "Handover at the shaft head: the duct extension not finished, passed to the night shift.",
    },
    {
        "morning_work_order": "Work order: charge the face of drift 4; support installation in the crosscut.",
        "crew_roles": "Miner, shotfirer, drilling rig operator",
        "work_done": "Carried the support mesh and held it for the bolting; stayed out of the face during charging.",
        "risks_seen": "Mesh sheets carried by hand over a wet, uneven floor.",
        "surprises": "",
        "shift_handover": "",
    },
]

MINE_SIGNAL = (
    Signal.Kind.TOOL,
    "The air filter in the drill rig cab has not worked for weeks; the dust comes in on every hole.",
)

# days before `today`, kind, raw text, (response, days to the answer, what was done, paraphrase) or None
FORM_SIGNALS = [
    (12, Signal.Kind.HAZARD, "The eyewash station by the slurry pumps has almost no pressure when it is cold.",
     (Signal.Response.TOOL_REPLACED, 7,
      "A heated eyewash station with its own tank was installed by the slurry pumps.",
      "The eyewash by the slurry pumps loses pressure in cold weather.")),
    (4, Signal.Kind.HAZARD, "The guard on the pump house conveyor has been held on with wire for a month.", None),
    (1, Signal.Kind.IDEA, "Put the handover log on a tablet in the control room so the next shift can read it.",
     None),
]  # fmt: skip


def _foreman(unit):
    return Person.objects.filter(unit=unit, is_foreman=True, is_active=True).order_by("pk").first()


def _finished_flotation(*, units, users, today: date) -> None:
    specialist, unit = users["specialist"], units["flotation"]
    if Internship.objects.filter(specialist=specialist, unit=unit).exists():
        return
    ends_on = today - timedelta(days=FINISHED_ENDS)
    starts_on = ends_on - timedelta(days=len(FLOTATION_DAYS) - 1)
    internship = services.internship_plan(
        actor=users["head"], specialist=specialist, unit=unit, host_foreman=_foreman(unit), starts_on=starts_on,
        today=starts_on - timedelta(days=10),
    )  # fmt: skip
    services.internship_start(actor=specialist, internship=internship, today=starts_on)
    heard: list[tuple[Signal, object]] = []
    for number, values in enumerate(FLOTATION_DAYS):
        on = starts_on + timedelta(days=number)
        services.day_log_save(actor=specialist, internship=internship, day=on, today=on, **values)
        for signal_day, kind, raw_text, outcome in FLOTATION_SIGNALS:
            if signal_day == number:
                signal = services.signal_record(
                    actor=specialist, internship=internship, kind=kind, raw_text=raw_text, today=on
                )
                heard.append((signal, outcome))
    for name, job_title, how_to_reach, ambassador in FLOTATION_CONTACTS:
        services.contact_add(
            actor=specialist, internship=internship, name=name, job_title=job_title, how_to_reach=how_to_reach,
            is_safety_ambassador=ambassador, today=ends_on,
        )  # fmt: skip
    services.internship_finish(
        actor=specialist, internship=internship, summary=FLOTATION_SUMMARY, instruction_changes=FLOTATION_CHANGES,
        actions=[
            {"title": title, "owner": users[owner], "due_date": today + timedelta(days=due_in),
             "control_level": level, "description": description}
            for title, owner, due_in, level, description in FLOTATION_ACTIONS
        ],
        today=ends_on,
    )  # fmt: skip
    services.host_review_record(
        actor=specialist, internship=internship, host_view=Internship.HostView.CREW_MEMBER,
        comment="Worked the launders and the sampling rounds with us from the first shift. Not a visitor.",
        today=ends_on + timedelta(days=1),
    )  # fmt: skip
    # When it really finished: the evening of its last day (the service stamps the moment it ran).
    finished_at = timezone.make_aware(datetime.combine(ends_on, time(17, 30)))
    Internship.objects.filter(pk=internship.pk).update(finished_at=finished_at)
    for signal, outcome in heard:
        if outcome == "in_progress":
            services.signal_take_up(actor=specialist, signal=signal)
        elif outcome == "escalated":
            # The daily run escalated it the day it passed 14 days without a response.
            Signal.objects.filter(pk=signal.pk).update(escalated_on=signal.recorded_on + timedelta(days=15))
        else:
            response, after, response_text, paraphrase = outcome
            services.signal_respond(
                actor=specialist, signal=signal, response=response, response_text=response_text,
                paraphrase=paraphrase, today=signal.recorded_on + timedelta(days=after),
            )  # fmt: skip


def _running_mine(*, units, users, today: date) -> None:
    specialist, unit = users["specialist2"], units["ug-crew-1"]
    if Internship.objects.filter(specialist=specialist, unit=unit).exists():
        return
    starts_on = today - timedelta(days=len(MINE_DAYS) - 1)
    internship = services.internship_plan(
        actor=specialist, specialist=specialist, unit=unit, host_foreman=_foreman(unit), starts_on=starts_on,
        today=starts_on - timedelta(days=7),
    )  # fmt: skip
    services.internship_start(actor=specialist, internship=internship, today=starts_on)
    for number, values in enumerate(MINE_DAYS):
        on = starts_on + timedelta(days=number)
        services.day_log_save(actor=specialist, internship=internship, day=on, today=on, **values)
    kind, raw_text = MINE_SIGNAL
    services.signal_record(actor=specialist, internship=internship, kind=kind, raw_text=raw_text, today=starts_on)


def _planned_crushing(*, units, users, today: date) -> None:
    specialist, unit = users["specialist"], units["crushing"]
    if Internship.objects.filter(specialist=specialist, unit=unit).exists():
        return
    services.internship_plan(
        actor=users["head"], specialist=specialist, unit=unit, host_foreman=_foreman(unit),
        starts_on=today + timedelta(days=10), today=today,
    )  # fmt: skip


def _form_signals(*, units, users, today: date) -> None:
    unit = units["concentrator"]
    for days_ago, kind, text, outcome in FORM_SIGNALS:
        if Signal.objects.filter(unit=unit, source=Signal.Source.WORKER_FORM, raw_text=text).exists():
            continue
        signal = services.signal_submit_from_form(
            unit=unit, kind=kind, text=text, today=today - timedelta(days=days_ago)
        )
        if outcome is not None:
            response, after, response_text, paraphrase = outcome
            services.signal_respond(
                actor=users["specialist"], signal=signal, response=response, response_text=response_text,
                paraphrase=paraphrase, today=signal.recorded_on + timedelta(days=after),
            )  # fmt: skip


@transaction.atomic
def load_demo(*, units, users, today: date) -> int:
    """Create the demo internships and signals (see the module docstring); returns how many
    internships the demo holds."""
    parts = (_finished_flotation, _running_mine, _planned_crushing)
    for part in parts:
        part(units=units, users=users, today=today)
    _form_signals(units=units, users=users, today=today)
    return len(parts)
