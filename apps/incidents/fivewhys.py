"""Five Whys helpers: spotting a chain that stops at a person instead of a cause the system can fix."""

import re

from django.utils.translation import gettext_lazy as _

# Words that put the blame on a worker ("was careless", "человеческий фактор"). Stems, so that
# both languages' inflections match.
BLAME_PATTERNS = [
    r"\bcareless",
    r"\bnegligen",
    r"\binattenti",
    r"\b(?:not|n't|no) pay(?:ing)? attention",
    r"\bdid(?:n't| not) (?:follow|obey|comply|respect|use|wear|check|look|notice|think)",
    r"\bfailed to (?:follow|obey|comply|pay attention|notice)",
    r"\bhuman error",
    r"\bhuman factor",
    r"\bdistracted",
    r"\blazy\b",
    r"\bignored (?:the )?(?:rule|procedure|instruction)",
    r"\bviolated (?:the )?(?:rule|procedure|instruction)",
    r"\bnot careful",
    r"\bfault of the (?:worker|operator|driver|employee)",
    r"небрежн",
    r"невнимател",
    r"не соблюд",
    r"не выполнил",
    r"не обратил",
    r"нарушил",
    r"человеческ\w* фактор",
    r"халатн",
    r"неосторожн",
    r"отвлёкся|отвлекся",
    r"по вине (?:работника|рабочего|водителя|оператора)",
]
_BLAME = re.compile("|".join(BLAME_PATTERNS), re.IGNORECASE)

BLAME_ADVICE = _(
    "This answer stops at a person. Ask one more why: what made it easy to act this way — the "
    "design of the equipment, the procedure, the planning, the training, the supervision? A root "
    "cause is something the system can remove."
)


def blames_a_person(text: str) -> str | None:
    """The words that blame a person, or None when the answer names a cause the system can fix."""
    match = _BLAME.search(text or "")
    return match.group(0) if match else None
