"""Building blocks of the permission walk (tests/test_permission_walk.py).

Each app that adds URLs declares them in `tests/<app>/walk.py`: an `EXPECTATIONS` dict
(URL name -> list of `Case`) and a `build(ctx)` function that adds the records its URLs need
to `ctx` (a namespace holding the main unit `crew`, the personas and the records of other apps).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = [
    "anonymous",
    "hse_specialist",
    "hse_head",
    "line_manager",
    "executive",
    "pass_admin",
    "system_admin",
    "outsider",
]
SIGNED_IN = ROLES[1:]


@dataclass
class Case:
    url: Callable  # (ctx) -> str; ctx is a Walk
    expect: dict  # role -> status code
    method: str = "get"
    data: dict | Callable = field(default_factory=dict)  # or (ctx) -> dict, for fresh uploads


def page(allowed=SIGNED_IN, *, outsider=None, anonymous=302):
    """A page behind login: 200 for allowed roles, 403 for others, anonymous sent to login."""
    expect = {role: (200 if role in allowed else 403) for role in SIGNED_IN}
    expect["anonymous"] = anonymous
    if outsider is not None:
        expect["outsider"] = outsider
    return expect


def api(allowed=SIGNED_IN, *, outsider=None, ok=200):
    expect = {role: (ok if role in allowed else 403) for role in SIGNED_IN}
    expect["anonymous"] = 401
    if outsider is not None:
        expect["outsider"] = outsider
    return expect


def everyone(status):
    return dict.fromkeys(ROLES, status)


HSE_AND_ADMIN = ["hse_specialist", "hse_head", "system_admin", "outsider"]
ACTION_VIEWERS = ["hse_specialist", "hse_head", "line_manager", "executive", "system_admin", "outsider"]
ACTION_CREATORS = ["hse_specialist", "hse_head", "line_manager", "outsider"]
# The walk's action belongs to the line manager persona and was created by the HSE specialist.
STATUS_CHANGERS = ["hse_specialist", "hse_head", "line_manager"]
VERIFIERS = ["hse_specialist", "hse_head"]  # never the owner


def post_page(allowed, ok=302):
    """A POST on an object in the main unit: `ok` for allowed roles, 403 for others in scope,
    404 for the outsider, anonymous sent to login."""
    expect = page(ACTION_VIEWERS, outsider=404)
    expect.update(dict.fromkeys(allowed, ok))
    expect.update({role: 403 for role in ACTION_VIEWERS if role not in allowed and role != "outsider"})
    return expect


def post_api(allowed, ok=200):
    expect = api(ACTION_VIEWERS, outsider=404)
    expect.update(dict.fromkeys(allowed, ok))
    expect.update({role: 403 for role in ACTION_VIEWERS if role not in allowed and role != "outsider"})
    return expect


def only_recipient(ok, other=404, anonymous=302):
    expect = dict.fromkeys(SIGNED_IN, other)
    expect["hse_specialist"] = ok
    expect["anonymous"] = anonymous
    return expect


ORG_MANAGERS = ["hse_head", "system_admin"]
AUDIT_READERS = ["hse_specialist", "hse_head", "executive", "system_admin", "outsider"]
