"""Customer look-up and inline creation for the new-ticket page (htmx partials)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from customers.forms import CustomerForm
from customers.models import Customer
from customers.selectors import MIN_QUERY_LENGTH, customer_search
from customers.services import customer_create
from itsm.common.access import agent_required
from itsm.common.forms import add_service_errors
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
