"""The internship and signal pages: parse, check, call a service, render.

Mutations are POST only. Reads go through the app's selectors (scoped as the API's): an internship
outside the user's units is 404; in scope without the right (the row rules of
`apps.internships.rules`) it is 403. A signal whose raw text the user may not read is 404, never
shown or hinted at. A service's ValidationError is shown on its form in place (400); a
StateConflict (someone changed the record first) as a message over the record as it is now."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from apps.accounts.access import can, capability_required
from apps.accounts.models import User
from apps.common.filters import filtered_for_page
from apps.common.forms import add_service_errors
from apps.common.pagination import paginate, query_without_page
from apps.common.views import call_service
from apps.org.models import Person, StructuralUnit
from apps.org.selectors import unit_list_for_user

from . import rules, selectors, services
from .filters import InternshipFilterSet, SignalFilterSet
from .forms import (
    CancelForm,
    ContactForm,
    DayLogForm,
    FinishForm,
    HostReviewForm,
    InternshipEditForm,
    InternshipForm,
    ProposedActionFormSet,
    SignalForm,
    SignalRespondForm,
)
from .length import proposal_for_unit
from .models import SIGNAL_ANSWER_DAYS, Internship, InternshipContact, Signal

Status = Internship.Status


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _bad_request(request) -> int:
    return 400 if request.method == "POST" else 200


# --- Internships: list and planning ---------------------------------------------------------------


@capability_required("internships.view")
def internship_list(request):
    user = request.user
    filterset = InternshipFilterSet(request.GET, queryset=selectors.internship_list_for_user(user), request=request)
    rows, status = filtered_for_page(filterset)
    return render(
        request,
        "internships/internship_list.html",
        {
            "filter": filterset,
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "can_plan": can(user, "internships.run"),
            "can_read_signals": can(user, "internships.answer_signals"),
        },
        status=status,
    )


def _picked_unit(units, value):
    """The unit chosen in the form (bound data or query string), among the user's; else None."""
    value = str(value or "")
    if not value.isdigit() or len(value) > 18:
        return None
    return units.filter(pk=int(value)).first()


def _plan_context(form, unit, proposal) -> dict:
    return {"form": form, "unit": unit, "proposal": proposal}


@capability_required("internships.run")
def internship_create(request):
    """Plan an internship: the unit first, then its proposed length (and why), its foremen and the
    specialists who may run it there. Picking the unit refreshes the proposal (htmx, or the "Show
    the proposal" button without JS: a GET with the fields typed so far)."""
    user = request.user
    units = unit_list_for_user(user)
    source = request.POST if request.method == "POST" else request.GET
    unit = _picked_unit(units, source.get("unit"))
    proposal = proposal_for_unit(unit) if unit is not None else None
    foremen = selectors.foreman_candidates(unit) if unit is not None else Person.objects.none()
    specialists = selectors.specialist_candidates(unit) if unit is not None else User.objects.none()
    if request.method == "POST":
        form = InternshipForm(request.POST, units=units, foremen=foremen, specialists=specialists)
        if form.is_valid():
            try:
                internship = services.internship_plan(actor=user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Internship in %(unit)s planned from %(start)s to %(end)s.")
                    % {
                        "unit": internship.unit,
                        "start": date_format(internship.starts_on, "SHORT_DATE_FORMAT"),
                        "end": date_format(internship.ends_on, "SHORT_DATE_FORMAT"),
                    },
                )
                return redirect(internship)
    else:
        initial = {"specialist": user.pk if specialists.filter(pk=user.pk).exists() else None}
        if unit is not None:
            initial["unit"] = unit.pk
        starts_on = _date_or_none(request.GET.get("starts_on")) or timezone.localdate() + timedelta(days=1)
        initial["starts_on"] = starts_on
        if proposal is not None:
            initial["ends_on"] = starts_on + timedelta(days=proposal.days - 1)
        for name in ("host_foreman", "specialist"):
            value = request.GET.get(name, "")
            if value.isdigit() and len(value) < 19:
                initial[name] = int(value)
        form = InternshipForm(initial=initial, units=units, foremen=foremen, specialists=specialists)
    template = "internships/_plan_details.html" if request.htmx else "internships/internship_form.html"
    return render(request, template, _plan_context(form, unit, proposal), status=_bad_request(request))


def _date_or_none(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


# --- Internships: one record ----------------------------------------------------------------------


def _get_internship(request, pk) -> Internship:
    return get_object_or_404(selectors.internship_list_for_user(request.user), pk=pk)


def _day_rows(internship, entries, *, today, may_log) -> list[dict]:
    """Every day of the internship with its log (or none yet) and whether it can be written now."""
    logged = {entry.day: entry for entry in entries}
    rows = []
    day = internship.starts_on
    while day <= internship.ends_on:
        rows.append(
            {
                "day": day,
                "entry": logged.get(day),
                "url": reverse("internships:day_log", args=[internship.pk, day.isoformat()]),
                "can_write": may_log and day <= today,
            }
        )
        day += timedelta(days=1)
    return rows


def _detail_context(request, internship, **forms) -> dict:
    user = request.user
    today = timezone.localdate()
    is_specialist = rules.is_specialist_of(user, internship)
    may_manage = rules.can_manage_internship(user, internship)
    log_open = rules.open_for_log(internship, today)
    may_log = is_specialist and log_open
    signals = list(rules.readable_signals(user, internship.signals.select_related("internship")).order_by("-id"))
    actions = list(internship.actions.select_related("owner").order_by("due_date", "id"))
    return {
        "internship": internship,
        "today": today,
        "days": _day_rows(internship, selectors.internship_days(internship), today=today, may_log=may_log),
        "contacts": list(selectors.internship_contacts(internship)),
        "signals": signals,
        "hidden_signals": max(internship.signal_count - len(signals), 0),
        "actions": actions,
        "is_specialist": is_specialist,
        "can_edit": may_manage and internship.status == Status.PLANNED,
        "can_start": is_specialist and internship.status == Status.PLANNED,
        "can_cancel": may_manage and internship.status in (Status.PLANNED, Status.IN_PROGRESS),
        "can_log": may_log,
        "can_finish": is_specialist and internship.status == Status.IN_PROGRESS,
        "can_record_signal": may_log,
        "can_review": rules.can_record_host_review(user, internship)
        and internship.status in (Status.IN_PROGRESS, Status.FINISHED),
        "can_see_board": can(user, "internships.view_board", internship.unit),
        "cancel_form": forms.get("cancel_form") or CancelForm(auto_id="cancel_%s"),
        "contact_form": forms.get("contact_form") or ContactForm(auto_id="contact_%s"),
    }


@capability_required("internships.view")
def internship_detail(request, pk):
    internship = _get_internship(request, pk)
    return render(request, "internships/internship_detail.html", _detail_context(request, internship))


@capability_required("internships.view")
def internship_edit(request, pk):
    internship = _get_internship(request, pk)
    _check(rules.can_manage_internship(request.user, internship))
    if internship.status != Status.PLANNED:
        messages.error(request, _("Only a planned internship can be re-planned."))
        return redirect(internship)
    unit = internship.unit
    kwargs = {
        "units": StructuralUnit.objects.filter(pk=unit.pk),
        "foremen": selectors.foreman_candidates(unit),
        "specialists": selectors.specialist_candidates(unit),
    }
    initial = {
        "specialist": internship.specialist_id,
        "host_foreman": internship.host_foreman_id,
        "starts_on": internship.starts_on,
        "ends_on": internship.ends_on,
    }
    form = InternshipEditForm(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if value is not None}
        response = call_service(
            request,
            form,
            lambda: services.internship_update(actor=request.user, internship=internship, **fields),
            success=_("The plan is saved."),
            done_url=internship,
        )
        if response is not None:
            return response
    return render(
        request,
        "internships/internship_edit.html",
        {"form": form, "internship": internship, "unit": unit},
        status=_bad_request(request),
    )


def _step(request, internship, call, done):
    """A POST step without a form: the service's refusal as a message, the record's page after."""
    try:
        call()
    except ValidationError as error:  # StateConflict included
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(internship)


@require_POST
@capability_required("internships.view")
def internship_start(request, pk):
    internship = _get_internship(request, pk)
    _check(rules.is_specialist_of(request.user, internship))
    return _step(
        request, internship,
        lambda: services.internship_start(actor=request.user, internship=internship),
        _("The internship has started: log each day from the morning work order to the handover."),
    )  # fmt: skip


@require_POST
@capability_required("internships.view")
def internship_cancel(request, pk):
    internship = _get_internship(request, pk)
    _check(rules.can_manage_internship(request.user, internship))
    form = CancelForm(request.POST, auto_id="cancel_%s")
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        response = call_service(
            request,
            form,
            lambda: services.internship_cancel(actor=request.user, internship=internship, reason=reason),
            success=_("The internship is cancelled."),
            done_url=internship,
        )
        if response is not None:
            return response
    internship = _get_internship(request, pk)
    context = _detail_context(request, internship, cancel_form=form)
    return render(request, "internships/internship_detail.html", context, status=400)


@capability_required("internships.view")
def day_log(request, pk, day):
    """One day's log on a phone, in the order of the day. The internship's specialist only."""
    internship = _get_internship(request, pk)
    _check(rules.is_specialist_of(request.user, internship))
    if not internship.starts_on <= day <= internship.ends_on:
        raise Http404
    today = timezone.localdate()
    entry = internship.days.filter(day=day).first()
    initial = {}
    if entry is not None:
        initial = {name: getattr(entry, name) for name in services.DAY_TEXT_FIELDS}
    form = DayLogForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = call_service(
            request,
            form,
            lambda: services.day_log_save(actor=request.user, internship=internship, day=day, **form.cleaned_data),
            success=_("The log of %(day)s is saved.") % {"day": date_format(day, "SHORT_DATE_FORMAT")},
            done_url=internship,
            success_url=f"{internship.get_absolute_url()}#day-{day.isoformat()}",
        )
        if response is not None:
            return response
    days = _day_rows(internship, [], today=today, may_log=True)
    index = next(i for i, row in enumerate(days) if row["day"] == day)
    return render(
        request,
        "internships/day_log.html",
        {
            "internship": internship,
            "day": day,
            "number": index + 1,
            "entry": entry,
            "form": form,
            "log_open": rules.open_for_log(internship, today),
            "is_future": day > today,
            "previous": days[index - 1] if index > 0 else None,
            "next": days[index + 1] if index + 1 < len(days) and days[index + 1]["day"] <= today else None,
        },
        status=_bad_request(request),
    )


@require_POST
@capability_required("internships.view")
def contact_add(request, pk):
    internship = _get_internship(request, pk)
    _check(rules.is_specialist_of(request.user, internship))
    form = ContactForm(request.POST, auto_id="contact_%s")
    if form.is_valid():
        response = call_service(
            request,
            form,
            lambda: services.contact_add(actor=request.user, internship=internship, **form.cleaned_data),
            success=_("%(name)s added to the contacts.") % {"name": form.cleaned_data["name"]},
            done_url=internship,
            success_url=f"{internship.get_absolute_url()}#contacts",
        )
        if response is not None:
            return response
    internship = _get_internship(request, pk)
    context = _detail_context(request, internship, contact_form=form)
    return render(request, "internships/internship_detail.html", context, status=400)


@require_POST
@capability_required("internships.view")
def contact_remove(request, pk):
    contact = get_object_or_404(
        InternshipContact.objects.filter(internship__in=selectors.internship_list_for_user(request.user)), pk=pk
    )
    internship = _get_internship(request, contact.internship_id)
    _check(rules.is_specialist_of(request.user, internship))
    name = contact.name
    return _step(
        request, internship,
        lambda: services.contact_remove(actor=request.user, contact=contact),
        _("%(name)s removed from the contacts.") % {"name": name},
    )  # fmt: skip


@capability_required("internships.view")
def internship_finish(request, pk):
    """The closing summary, what to change in instructions and rules, and up to five actions that
    go into the action register with this internship as their source."""
    internship = _get_internship(request, pk)
    _check(rules.is_specialist_of(request.user, internship))
    if internship.status != Status.IN_PROGRESS:
        messages.error(request, _("Only an internship in progress can be finished."))
        return redirect(internship)
    data = request.POST if request.method == "POST" else None
    form = FinishForm(data)
    actions = ProposedActionFormSet(data, prefix="actions")
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        proposed = [
            {name: item.cleaned_data[name] for name in ("title", "owner", "due_date", "control_level", "description")}
            for item in actions.forms
            if item.cleaned_data and not item.is_blank
        ]
        count = len(proposed)
        done = (
            ngettext(
                "The internship is finished; %(count)s action added to the register.",
                "The internship is finished; %(count)s actions added to the register.",
                count,
            )
            % {"count": count}
            if count
            else _("The internship is finished.")
        )
        response = call_service(
            request,
            form,
            lambda: services.internship_finish(
                actor=request.user, internship=internship, actions=proposed, **form.cleaned_data
            ),
            success=done,
            done_url=internship,
        )
        if response is not None:
            return response
    return render(
        request,
        "internships/internship_finish.html",
        {"internship": internship, "form": form, "actions": actions, "days_logged": internship.days_logged},
        status=_bad_request(request),
    )


@capability_required("internships.view")
def host_review(request, pk):
    internship = _get_internship(request, pk)
    _check(rules.can_record_host_review(request.user, internship))
    initial = {"host_view": internship.host_view, "comment": internship.host_comment}
    form = HostReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = call_service(
            request,
            form,
            lambda: services.host_review_record(actor=request.user, internship=internship, **form.cleaned_data),
            success=_("The host foreman's review is saved."),
            done_url=internship,
        )
        if response is not None:
            return response
    return render(
        request,
        "internships/host_review.html",
        {"internship": internship, "form": form},
        status=_bad_request(request),
    )


# --- Signals --------------------------------------------------------------------------------------


@capability_required("internships.view")
def signal_create(request, pk):
    """A signal heard on the floor, recorded on a phone in a few seconds: the kind and the words."""
    internship = _get_internship(request, pk)
    _check(rules.is_specialist_of(request.user, internship))
    form = SignalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        another = reverse("internships:signal_create", kwargs={"pk": internship.pk})
        response = call_service(
            request,
            form,
            lambda: services.signal_record(actor=request.user, internship=internship, **form.cleaned_data),
            success=_("Signal recorded. It needs a response within %(days)s days.") % {"days": SIGNAL_ANSWER_DAYS},
            done_url=internship,
            success_url=another if "another" in request.POST else None,
        )
        if response is not None:
            return response
    return render(
        request,
        "internships/signal_form.html",
        {"internship": internship, "form": form, "log_open": rules.open_for_log(internship, timezone.localdate())},
        status=_bad_request(request),
    )


def _signal_rows(signals, today) -> list[dict]:
    rows = []
    for signal in signals:
        age = (today - signal.recorded_on).days
        rows.append(
            {
                "signal": signal,
                "age": age,
                "overdue": signal.is_overdue(today),
                "waiting": age if signal.status != Signal.Status.ANSWERED else None,
            }
        )
    return rows


@capability_required("internships.answer_signals")
def signal_list(request):
    """The signals whose raw text the user may read (`rules.readable_signals`), and no other."""
    user = request.user
    filterset = SignalFilterSet(request.GET, queryset=selectors.signal_list_for_user(user), request=request)
    rows, status = filtered_for_page(filterset)
    page = paginate(request, rows)
    today = timezone.localdate()
    return render(
        request,
        "internships/signal_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": _signal_rows(page, today),
            "query": query_without_page(request),
            "answer_days": SIGNAL_ANSWER_DAYS,
        },
        status=status,
    )


def _get_signal(request, pk) -> Signal:
    """A signal the user may read: any other is 404, whether it exists or not."""
    return get_object_or_404(
        selectors.signal_list_for_user(request.user).select_related("internship__specialist"), pk=pk
    )


def _signal_context(request, signal, respond_form=None) -> dict:
    today = timezone.localdate()
    may_answer = rules.can_answer_signal(request.user, signal)
    open_ = signal.status != Signal.Status.ANSWERED
    return {
        "signal": signal,
        "age": (today - signal.recorded_on).days,
        "overdue": signal.is_overdue(today),
        "answer_days": SIGNAL_ANSWER_DAYS,
        "can_take_up": may_answer and signal.status == Signal.Status.NEW,
        "can_respond": may_answer and open_,
        "can_see_board": can(request.user, "internships.view_board", signal.unit),
    }


@capability_required("internships.answer_signals")
def signal_detail(request, pk):
    signal = _get_signal(request, pk)
    return render(request, "internships/signal_detail.html", _signal_context(request, signal))


@require_POST
@capability_required("internships.answer_signals")
def signal_take_up(request, pk):
    signal = _get_signal(request, pk)
    _check(rules.can_answer_signal(request.user, signal))
    try:
        services.signal_take_up(actor=request.user, signal=signal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You are working on this signal."))
    return redirect(signal)


@capability_required("internships.answer_signals")
def signal_respond(request, pk):
    """The response, what was done, and the paraphrase for the board (typed afresh: never
    prefilled with the raw text, so that no one is recognised)."""
    signal = _get_signal(request, pk)
    _check(rules.can_answer_signal(request.user, signal))
    if signal.status == Signal.Status.ANSWERED:
        messages.error(request, _("This signal has already been answered."))
        return redirect(signal)
    form = SignalRespondForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = call_service(
            request,
            form,
            lambda: services.signal_respond(actor=request.user, signal=signal, **form.cleaned_data),
            success=_("Answered: the unit's board shows it now."),
            done_url=signal,
        )
        if response is not None:
            return response
    context = _signal_context(request, signal)
    context["form"] = form
    return render(request, "internships/signal_respond.html", context, status=_bad_request(request))
