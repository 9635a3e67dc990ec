"""What the magnifier's page shows, written in Python as the consoles' rows
are (``itsm.presenters``): the tables of tickets, found or each customer's
open ones, and the customers' cards. Nothing here queries the database."""

import html
from dataclasses import dataclass

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.models import Customer
from itsm.common.rows import choice_labels
from itsm.models import Ticket
from itsm.presenters import customer_url
from itsm.reference_names import group_names, reason_names


@dataclass
class TicketRow:
    """A line of search results or of a customer's open tickets."""

    ticket: Ticket
    url: str
    status: str
    created_iso: str  # what |date:"c" prints
    created: str  # what |date:"d/m/Y H:i" prints

    @property
    def customer_url(self) -> str:
        """Read only where the row shows its customer: a customer's own list
        of tickets has not loaded them."""
        return customer_url(self.ticket.customer)


def ticket_table(rows: list[TicketRow], *, show_customer: bool = False) -> SafeString:
    """The table of search results and of each customer's open tickets,
    written here rather than in a template: the magnifier drew one for each
    of up to 20 customers, and their headers and cells were half its time.
    Every value is escaped."""
    # The reason's and group's names from the reference lists: the rows need
    # not have loaded them.
    return _ticket_table(rows, show_customer, group_names(), reason_names())


def _ticket_table(
    rows: list[TicketRow], show_customer: bool, groups: dict, reasons: dict
) -> SafeString:
    e = html.escape
    customer = [_("Customer")] if show_customer else []
    headers = [_("Number"), *customer, _("Summary"), _("Status"), _("Reason"), _("Group")]
    headers.append(_("Created"))
    lines = [
        '<div class="table-responsive">',
        '<table class="table table-sm table-hover align-middle mb-1">',
        '  <thead class="table-light"><tr>',
        *(f'    <th scope="col">{e(header)}</th>' for header in headers),
        "  </tr></thead>",
        "  <tbody>",
    ]
    for row in rows:
        ticket = row.ticket
        customer = (
            f'<td><a href="{e(row.customer_url)}">{e(ticket.customer.full_name)}</a></td>'
            if show_customer
            else ""
        )
        lines.append(
            "    <tr>"
            f'<td class="text-nowrap"><a href="{e(row.url)}">{e(ticket.number)}</a></td>'
            f"{customer}<td>{e(ticket.summary)}</td>"
            f'<td class="text-nowrap"><span class="status status-{e(ticket.status)}">'
            f"{e(row.status)}</span></td>"
            f"<td>{e(reasons.get(ticket.status_reason_id, ''))}</td>"
            f"<td>{e(groups.get(ticket.assigned_group_id, ''))}</td>"
            f'<td class="text-nowrap"><time datetime="{e(row.created_iso)}">'
            f"{e(row.created)}</time></td></tr>"
        )
    lines += ["  </tbody>", "</table>", "</div>"]
    return mark_safe("\n".join(lines))  # noqa: S308 - every value escaped


def customer_cards(hits: list) -> SafeString:
    """The magnifier's customers (``search_selectors.CustomerHit``), each
    with its open tickets, written here as the tables are: up to 20 cards
    of a dozen conditions were most of a search page's template time. Every
    value is escaped."""
    e = html.escape
    kinds = choice_labels(Customer, "kind")
    groups, reasons = group_names(), reason_names()
    inactive, tax_id_label = e(_("inactive")), e(_("CIF/NIF"))
    failing, no_open = e(_("Address failing")), e(_("No open tickets."))
    cards = []
    for hit in hits:
        customer = hit.customer
        heading = f'<a href="{e(customer.get_absolute_url())}">{e(customer.full_name)}</a>'
        if customer.organisation and customer.first_name:
            heading += f" · {e(customer.organisation)}"
        if not customer.active:
            heading += f' <span class="badge text-bg-secondary">{inactive}</span>'
        facts = [e(kinds.get(customer.kind, customer.kind))]
        if customer.tax_id:
            facts.append(f"{tax_id_label} {e(customer.tax_id)}")
        if customer.email:
            email = e(customer.email)
            if customer.email_failing_since:
                email += (
                    f' <span class="badge text-bg-danger" title="{e(customer.email_failure)}"'
                    f" data-email-failing>{failing}</span>"
                )
            facts.append(email)
        if customer.phones_summary:
            facts.append(e(customer.phones_summary))
        if customer.flei_code:
            facts.append(f"FLEI {e(customer.flei_code)}")
        if hit.open_tickets:
            tickets = _ticket_table(ticket_rows(hit.open_tickets), False, groups, reasons)
            if hit.more_open_tickets:
                more = ngettext(
                    "and %(counter)s more open ticket",
                    "and %(counter)s more open tickets",
                    hit.more_open_tickets,
                ) % {"counter": hit.more_open_tickets}
                tickets += f'\n<p class="small mb-0">{e(more)}</p>'
        else:
            tickets = f'<p class="small mb-0">{no_open}</p>'
        cards.append(
            '<article class="border rounded p-2 mb-2">\n'
            f'  <h3 class="h6 mb-1">{heading}</h3>\n'
            f'  <p class="small mb-1 text-body-secondary">{" · ".join(facts)}</p>\n'
            f"  {tickets}\n"
            "</article>"
        )
    return mark_safe("\n".join(cards))  # noqa: S308 - every value escaped


def ticket_rows(tickets: list[Ticket]) -> list[TicketRow]:
    rows = []
    models = {type(ticket) for ticket in tickets}
    statuses = {model: choice_labels(model, "status") for model in models}
    for ticket in tickets:
        created = timezone.localtime(ticket.created_at)
        rows.append(
            TicketRow(
                ticket=ticket,
                url=ticket.kind.detail_url(ticket.number),
                status=statuses[type(ticket)].get(ticket.status, ticket.status),
                created_iso=created.isoformat(),
                created=created.strftime("%d/%m/%Y %H:%M"),
            )
        )
    return rows
