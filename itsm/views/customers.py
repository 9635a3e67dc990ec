"""Customer look-up and inline creation for the new-ticket page (htmx
partials); the customer page, its note and the customer's edit page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customers.forms import AgentNoteForm, CustomerEditForm, CustomerForm
from customers.models import Customer
from customers.selectors import MIN_QUERY_LENGTH, customer_search
from customers.services import (
    customer_create,
    customer_note_set,
    customer_update,
)
from itsm.blocked import audit_blocked_access, visible_customers
from itsm.common.access import agent_required
from itsm.common.forms import add_service_errors
from itsm.common.pagination import CURSOR_PARAMS, InvalidCursor, KeysetList, KeysetPage
from itsm.customer_timeline import (
    TimelineItem,
    TimelineKey,
    customer_summary,
    decode_timeline_cursor,
    timeline_page,
)
from itsm.selectors import tickets_open_for_customer


@agent_required
@require_GET
def customer_lookup(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    return render(
        request,
        "customers/snippets/lookup_results.html",
        {
            "query": query.strip(),
            "customers": customer_search(query),
            "too_short": len(query.strip()) < MIN_QUERY_LENGTH,
        },
    )


def _picked(
    request: HttpRequest,
    customer: Customer,
    *,
    template: str = "customers/snippets/picked.html",
    **extra,
) -> HttpResponse:
    open_tickets = tickets_open_for_customer(customer=customer)
    return render(request, template, {"customer": customer, "open_tickets": open_tickets, **extra})


@agent_required
@require_GET
def customer_pick(request: HttpRequest, pk: int) -> HttpResponse:
    """The chosen customer: the hidden field of the ticket form, the contact
    card and their open tickets (to spot a duplicate before creating one)."""
    customer = get_object_or_404(Customer.objects.active(), pk=pk)
    return _picked(request, customer)


@agent_required
@require_POST
def customer_create_inline(request: HttpRequest) -> HttpResponse:
    """Create a customer without leaving the new-ticket page: on success the
    new customer becomes the ticket's customer and the form empties."""
    form = CustomerForm(request.POST, prefix="customer")
    if form.is_valid():
        try:
            customer = customer_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _picked(
                request,
                customer,
                template="customers/snippets/created.html",
                customer_form=CustomerForm(prefix="customer"),
            )
    return render(request, "customers/snippets/create_form.html", {"customer_form": form})


# --- the customer page -----------------------------------------------------------------


def _timeline_cursors(request: HttpRequest) -> dict[str, TimelineKey]:
    """The ``after``/``before`` cursor of the request; a link that does not
    decode (edited, or from an older page) gives the first page and says so."""
    for name in CURSOR_PARAMS:
        token = request.GET.get(name)
        if token:
            try:
                return {name: decode_timeline_cursor(token)}
            except InvalidCursor:
                messages.warning(request, _("The page link is not valid; showing the first page."))
                return {}
    return {}


def _timeline_listing(request: HttpRequest, customer: Customer) -> KeysetList:
    cursors = _timeline_cursors(request)
    page = timeline_page(customer, **cursors)
    return KeysetList(
        page=KeysetPage(
            rows=page.items,
            next_cursor=page.next_cursor,
            previous_cursor=page.previous_cursor,
        ),
        count=None,
        count_capped=False,
        first_url="?" if cursors else None,
        previous_url=f"?before={page.previous_cursor}" if page.previous_cursor else None,
        next_url=f"?after={page.next_cursor}" if page.next_cursor else None,
    )


def _timeline_rows(items: list[TimelineItem]) -> list[dict[str, object]]:
    """The page's items as the template shows them, the times formatted
    here once instead of by two ``date`` filters per row, and as dicts, the
    template's first and cheapest look-up."""
    rows = []
    for item in items:
        at = timezone.localtime(item.at)
        rows.append(
            {
                "ref": f"{item.kind}:{item.id}",
                "iso": at.isoformat(),
                "when": at.strftime("%d/%m/%Y %H:%M"),
                "tone": item.tone,
                "label": item.label,
                "url": item.url,
                "title": item.title,
                "detail": item.detail,
            }
        )
    return rows


def _customer_page(
    request: HttpRequest, customer: Customer, *, note_form: AgentNoteForm | None = None
) -> HttpResponse:
    listing = _timeline_listing(request, customer)
    context = {
        "customer": customer,
        "phones": sorted(customer.phones.all(), key=lambda phone: phone.pk),
        "summary": customer_summary(customer),
        "timeline": listing.page.rows,
        "timeline_rows": _timeline_rows(listing.page.rows),
        "note_form": note_form or AgentNoteForm(initial={"agent_note": customer.agent_note}),
        "note_open": note_form is not None,
        **listing.context(),
    }
    return render(request, "customers/detail.html", context, status=400 if note_form else 200)


@agent_required
@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One page per customer: who they are, the note agents keep, their
    figures and everything that happened with them, newest first. Every
    agent may see every customer, as every ticket (``itsm.common.access``)."""
    customers = visible_customers(Customer.objects.prefetch_related("phones"), request.user)
    customer = get_object_or_404(customers, pk=pk)
    if customer.blocked_at is not None:
        audit_blocked_access(request, request.user, [customer.pk], "customer page")
    return _customer_page(request, customer)


@agent_required
@require_POST
def customer_note(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.prefetch_related("phones"), pk=pk)
    form = AgentNoteForm(request.POST)
    if form.is_valid():
        try:
            customer_note_set(customer=customer, note=form.cleaned_data["agent_note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Note saved."))
            return redirect(customer)
    return _customer_page(request, customer, note_form=form)


@agent_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's data and phones, through the customer services. Only
    administrators change a customer, as in the admin and the API; agents
    create them and keep the note."""
    if not request.user.is_staff:
        raise PermissionDenied(_("Only administrators change a customer's data."))
    customer = get_object_or_404(Customer.objects.prefetch_related("phones"), pk=pk)
    if request.method == "POST":
        form = CustomerEditForm(request.POST, instance=customer)
        if form.is_valid():
            try:
                customer_update(customer=customer, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Customer saved."))
                return redirect(customer)
        # What was typed, not what the failed update left on the instance.
        customer = Customer.objects.get(pk=pk)
    else:
        form = CustomerEditForm(instance=customer)
    status = 400 if form.errors else 200
    return render(
        request, "customers/edit.html", {"customer": customer, "form": form}, status=status
    )
