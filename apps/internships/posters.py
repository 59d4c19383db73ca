"""The unit's "you said — we did" board, its printable page for the shop's notice board, and the
poster with the QR code of the unit's anonymous form.

The board shows answered signals only, through `selectors.board_for_unit` (a values() query that
never reads the raw text): the paraphrase, the response and the date it was answered. Everyone with
a role who sees the unit reads it (`internships.view_board` in the unit); outside it, 404. The
poster is printed by the HSE function and the line managers of the unit (`internships.view`)."""

from datetime import date

import segno
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from apps.accounts.access import can, capability_required, get_in_scope_or_404, require
from apps.common.pagination import paginate
from apps.org.models import StructuralUnit

from . import feedback, selectors

# The printed board: at most this many items (an A4 page at the poster's type size).
PRINT_ITEMS = 8
BOARD_PAGE_SIZE = 20
# The poster's line, in both languages at once: a worker reads the one they read best.
POSTER_LINES = [
    ("en", "Saw a hazard? Have an idea? Tell us — anonymously."),
    ("ru", "Заметили опасность? Есть идея? Расскажите нам — анонимно."),
]


def feedback_url(unit) -> str:
    """The absolute address of the unit's anonymous form (the QR code's content): on the portal's
    public address (`PORTAL_BASE_URL`), whatever host the poster was printed from."""
    path = reverse("internships:feedback_form", args=[feedback.unit_feedback_token(unit)])
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def qr_svg(url: str, *, scale: int = 8) -> str:
    """The QR code of `url` as inline SVG (medium error correction: posters get dirty)."""
    # segno writes the SVG itself; the only input is the URL it encodes.
    return mark_safe(segno.make(url, error="m", micro=False).svg_inline(scale=scale, border=2, dark="#000"))


def _unit(request, unit_pk) -> StructuralUnit:
    return get_in_scope_or_404(StructuralUnit.objects.select_related("site"), request.user, "pk", pk=unit_pk)


def _month(value: str) -> date | None:
    try:
        return date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return None


@capability_required("internships.view_board")
def board(request, unit_pk):
    unit = _unit(request, unit_pk)
    items = paginate(request, selectors.board_for_unit(unit), per_page=BOARD_PAGE_SIZE)
    form_url = feedback_url(unit)
    return render(
        request,
        "internships/board.html",
        {
            "unit": unit,
            "summary": selectors.board_summary(unit),
            "page": items,
            "query": "",
            "can_print_poster": can(request.user, "internships.view", unit),
            "form_url": form_url,
            # An empty board invites people to speak up, with the way to do it.
            "qr": qr_svg(form_url, scale=4) if not items.paginator.count else "",
        },
    )


@capability_required("internships.view_board")
def board_print(request, unit_pk):
    """A clean A4 page for the notice board: big type, no navigation, the unit and the month, the
    latest answers (or those of `?month=YYYY-MM`), and the QR code of the anonymous form."""
    unit = _unit(request, unit_pk)
    month = _month(request.GET.get("month", ""))
    items = selectors.board_for_unit(unit)
    if month is not None:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        items = items.filter(responded_on__gte=month, responded_on__lt=following)
    form_url = feedback_url(unit)
    return render(
        request,
        "internships/board_print.html",
        {
            "unit": unit,
            "month": month,
            "today": timezone.localdate(),
            "items": list(items[:PRINT_ITEMS]),
            "summary": selectors.board_summary(unit),
            "qr": qr_svg(form_url, scale=5),
            "form_url": form_url,
            "poster_lines": POSTER_LINES,
        },
    )


@capability_required("internships.view")
def feedback_poster(request, unit_pk):
    """The A4 poster with the QR code that opens the unit's anonymous form."""
    unit = _unit(request, unit_pk)
    require(request.user, "internships.view", unit)
    form_url = feedback_url(unit)
    return render(
        request,
        "internships/feedback_poster.html",
        {"unit": unit, "qr": qr_svg(form_url, scale=12), "form_url": form_url, "poster_lines": POSTER_LINES},
    )
