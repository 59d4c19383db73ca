"""Pass cards as PDF: one pass's card, or a sheet of the passes a list shows (bulk printing)."""

from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404

from apps.accounts.access import capability_required
from apps.common.pdf import pdf_response

from . import cards, selectors
from .filters import AccessPassFilterSet
from .models import AccessPass


def _printable(passes):
    return passes.select_related("holder", "company").prefetch_related("zones")


@capability_required("passes.issue")
def pass_card(request, pk):
    access_pass = get_object_or_404(_printable(selectors.pass_list_for_user(request.user)), pk=pk)
    return pdf_response(cards.cards_pdf([access_pass], request=request), filename=f"pass-{access_pass.number}")


@capability_required("passes.issue")
def pass_cards(request):
    """The cards of the passes the pass list shows with the same filters (active ones only, at
    most `cards.MAX_CARDS`)."""
    filterset = AccessPassFilterSet(request.GET, queryset=selectors.pass_list_for_user(request.user), request=request)
    if not filterset.is_valid():
        return HttpResponseBadRequest(ValidationError(filterset.errors).messages[0])
    passes = _printable(filterset.qs.filter(status=AccessPass.Status.ACTIVE)).order_by("company__name", "number")
    return pdf_response(cards.cards_pdf(passes, request=request), filename="pass-cards")
