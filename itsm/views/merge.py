"""*Fusionar en…* from a ticket page or a console selection, and *Deshacer
fusión*: the pages call ``itsm.services.merge``, which decides who may."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from itsm.action_forms import MergeForm
from itsm.common.access import agent_required, coordinator_required, get_ticket_for_user
from itsm.common.forms import add_service_errors
from itsm.kinds import Kind, kind_for_number
from itsm.models import Channel
from itsm.selectors import tickets_by_numbers
from itsm.services.merge import (
    MAX_MERGE_SOURCES,
    OtherCustomerError,
    ticket_merge_undo,
    tickets_merge,
)


def _sources(numbers: list[str]) -> list:
    found = {ticket.number: ticket for ticket in tickets_by_numbers(numbers)}
    return [found[number] for number in numbers if number in found]


def _merge(request: HttpRequest, form: MergeForm) -> tuple[HttpResponse | None, bool]:
    """Run the merge of a valid form: the redirect to the target, or None
    with the refusal on the form (and whether it asks to confirm)."""
    numbers = form.cleaned_data["numbers"]
    sources = _sources(numbers)
    missing = sorted(set(numbers) - {ticket.number for ticket in sources})
    if missing:
        form.add_error(None, _("There is no ticket %(number)s.") % {"number": missing[0]})
        return None, False
    target = form.cleaned_data["target"]
    try:
        merges = tickets_merge(
            sources=sources,
            target_number=target,
            user=request.user,
            confirm_other_customer=form.cleaned_data["confirm_other_customer"],
            channel=Channel.WEB,
        )
    except OtherCustomerError as error:
        add_service_errors(form, error)
        return None, True
    except ValidationError as error:
        add_service_errors(form, error)
        return None, False
    merged = ", ".join(merge.source_number for merge in merges)
    done = ngettext(
        "%(numbers)s merged into %(target)s.", "%(numbers)s merged into %(target)s.", len(merges)
    )
    messages.success(request, done % {"numbers": merged, "target": target})
    return redirect(kind_for_number(target).detail_url(target)), False


@agent_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, kind: Kind) -> HttpResponse:
    """The merge dialog: GET with ``numbers`` (the ticket page's one or a
    console selection) shows it; POST merges them into ``target``. Tickets
    of different customers take a second step naming both."""
    needs_confirmation = False
    if request.method == "POST":
        form = MergeForm(request.POST, max_numbers=MAX_MERGE_SOURCES)
        if form.is_valid():
            done, needs_confirmation = _merge(request, form)
            if done is not None:
                return done
        numbers = request.POST.getlist("numbers")
    else:
        numbers = request.GET.getlist("numbers")
        form = MergeForm(initial={"numbers": numbers}, max_numbers=MAX_MERGE_SOURCES)
    numbers = [number.strip().upper() for number in numbers][:MAX_MERGE_SOURCES]
    context = {
        "kind": kind,
        "form": form,
        "numbers": numbers,
        "sources": _sources(numbers),
        "needs_confirmation": needs_confirmation,
        "max_sources": MAX_MERGE_SOURCES,
    }
    return render(request, "itsm/ticket_merge.html", context)


@coordinator_required
@require_POST
def merge_undo(request: HttpRequest, kind: Kind, number: str) -> HttpResponse:
    """*Deshacer fusión* of the merged ticket ``number``."""
    ticket = get_ticket_for_user(request.user, kind.model, number)
    target = ticket.merged_into
    try:
        ticket_merge_undo(source=ticket, user=request.user, channel=Channel.WEB)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(kind_for_number(target).detail_url(target) if target else ticket)
    messages.success(request, _("Merge of %(number)s undone.") % {"number": ticket.number})
    return redirect(ticket)
