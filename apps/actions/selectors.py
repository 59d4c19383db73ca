from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.accounts.access import unit_ids_in_scope
from apps.accounts.models import User
from apps.common.cache import cached

from .models import Action
from .sources import source_kind, source_kinds

NO_SOURCE = "none"


def action_list_for_user(user):
    """Actions a user may see: those of their units, those they own, and those owned by the
    people reporting to them."""
    actions = Action.objects.select_related("unit", "owner")
    if not getattr(user, "is_authenticated", False) or not user.role:
        return actions.none()
    scope = unit_ids_in_scope(user)
    if scope is None:
        return actions
    # The owners as a list of ids, not a join on their line manager: each branch of the OR then
    # has an index of its own (unit, owner) and no query reads the whole register.
    return actions.filter(Q(unit_id__in=scope) | Q(owner_id__in=_user_and_reports(user)))


def _user_and_reports(user) -> list[int]:
    """The user and the people reporting to them (read once per request)."""
    cached = getattr(user, "_hse_user_and_reports", None)
    if cached is None:
        reports = User.objects.filter(line_manager=user).order_by().values_list("pk", flat=True)
        cached = [user.pk, *reports]
        user._hse_user_and_reports = cached
    return cached


def action_filter(
    actions,
    *,
    user,
    today: date,
    tab: str = "units",
    unit_id=None,
    status: str = "",
    owner_id=None,
    source: str = "",
    control_level: str = "",
    due_from: date | None = None,
    due_to: date | None = None,
    search: str = "",
):
    if tab == "mine":
        actions = actions.filter(owner=user)
    elif tab == "overdue":
        actions = actions.filter(status__in=Action.OPEN_STATUSES, due_date__lt=today)
    if unit_id:
        actions = actions.filter(unit_id=unit_id)
    if status == "active":
        actions = actions.filter(status__in=Action.OPEN_STATUSES)
    elif status:
        actions = actions.filter(status=status)
    if owner_id:
        actions = actions.filter(owner_id=owner_id)
    if source == NO_SOURCE:
        actions = actions.filter(source_type__isnull=True)
    elif source:
        actions = actions.filter(source_type_id__in=source_kind(source).content_type_ids())
    if control_level:
        actions = actions.filter(control_level=control_level)
    if due_from:
        actions = actions.filter(due_date__gte=due_from)
    if due_to:
        actions = actions.filter(due_date__lte=due_to)
    if search:
        actions = actions.filter(Q(title__icontains=search) | Q(description__icontains=search))
    # What still needs work first, then what waits for verification, then the closed ones.
    return actions.order_by("stage", "due_date", "id")


# How long the counts of everything a user sees are kept (the user's own counts are always live).
SEEN_COUNTS_SECONDS = 60


def action_counts_for_user(user, *, today: date) -> dict:
    """Headline counts for the home page and the tabs.

    The user's own counts are read on every request (the owner's index: a handful of rows), so
    closing one's own action shows at once. The counts of everything the user sees change with
    other people's work and read tens of thousands of rows for an HSE head (about 25 ms at plant
    scale): they are kept `SEEN_COUNTS_SECONDS` per user and day in the shared cache."""
    # Stage 0 is open or in progress, 1 done (waiting for verification). Every count reads only
    # those, from an index that holds stage, due date and owner: closed actions are never read.
    # (Counted on `stage`, a column of that index; never NULL.)
    visible = action_list_for_user(user)
    mine = visible.filter(owner=user, stage=0).aggregate(
        mine_open=Count("stage"), mine_overdue=Count("stage", filter=Q(due_date__lt=today))
    )

    def seen() -> dict:
        return visible.filter(stage__lte=1).aggregate(
            open=Count("stage", filter=Q(stage=0)),
            overdue=Count("stage", filter=Q(stage=0, due_date__lt=today)),
            awaiting_verification=Count("stage", filter=Q(stage=1)),
        )

    return {**mine, **cached(f"action-counts:{user.pk}:{today.isoformat()}", seen, timeout=SEEN_COUNTS_SECONDS)}


def actions_of(*sources):
    """The actions found necessary by these source records: each argument is one record or a
    queryset of records (all the answers of an audit, the why-steps of an investigation)."""
    condition = Q(pk__in=[])
    for source in sources:
        if isinstance(source, QuerySet):
            content_type = ContentType.objects.get_for_model(source.model)
            condition |= Q(source_type=content_type, source_id__in=source.values("pk"))
        else:
            content_type = ContentType.objects.get_for_model(source)
            condition |= Q(source_type=content_type, source_id=source.pk)
    return Action.objects.filter(condition).select_related("owner", "unit").order_by("due_date", "id")


def source_choices():
    """The kinds of source an action list can be filtered by: the registered ones, and none."""
    return [(kind.code, kind.label) for kind in source_kinds()] + [(NO_SOURCE, _("Opened by hand"))]


def owner_choices():
    """Users who may own an action: active users with a role."""
    return User.objects.filter(is_active=True).exclude(role="").order_by("last_name", "first_name")
