"""The magnifier: one box that finds tickets by number and customers by
name, CIF/NIF, e-mail or phone, and tickets by their text (see
``itsm.search_selectors.global_search``)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from customers.selectors import MAX_QUERY_LENGTH
from itsm.blocked import audit_blocked_access
from itsm.common.access import agent_required
from itsm.kinds import all_kinds
from itsm.search_presenters import customer_cards, ticket_rows, ticket_table
from itsm.search_selectors import global_search


@agent_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    results = global_search(query, user=request.user)
    _audit_blocked(request, results)
    if results.exact is not None:
        # A merged ticket's number leads to the ticket it was merged into.
        return redirect(results.exact.merged_into_url or results.exact)
    context = {
        "results": results,
        "query": results.query,
        "tickets_table": ticket_table(ticket_rows(results.tickets), show_customer=True),
        "customer_cards": customer_cards(results.customers),
        "text_rows": list(
            zip(
                results.text_hits,
                ticket_rows([hit.ticket for hit in results.text_hits]),
                strict=True,
            )
        ),
        "number_prefixes": [kind.prefix for kind in all_kinds()],
    }
    return render(request, "itsm/search.html", context)


def _audit_blocked(request: HttpRequest, results) -> None:
    """Only the data-protection role gets blocked customers back: each one is audited."""
    tickets = results.tickets + [hit.ticket for hit in results.text_hits]
    customers = [hit.customer for hit in results.customers] + [t.customer for t in tickets]
    blocked = [c.pk for c in customers if c is not None and c.blocked_at is not None]
    if blocked:
        audit_blocked_access(request, request.user, blocked, "search")
