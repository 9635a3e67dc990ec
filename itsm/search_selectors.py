"""The magnifier: tickets by number and customers by name, CIF/NIF, e-mail or
phone, with each customer's open tickets, then the tickets whose text
(summary, description, notes, mail) has every word (``itsm.fulltext``). At
most one query per kind for numbers, one for customers, one per kind for
their open tickets, one for the text and one per kind for its tickets."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils.safestring import SafeString

from customers.models import Customer
from customers.selectors import customer_condition, name_order
from itsm import fulltext
from itsm.blocked import visible_by_customer, visible_customers
from itsm.common.statements import Statement
from itsm.kinds import all_kinds, kind_for_number
from itsm.models import Ticket
from itsm.selectors import in_own_models, kinds_union, ticket_numbers

CUSTOMER_LIMIT = 20
# Open tickets shown per customer in the magnifier; the rest are counted.
OPEN_TICKETS_SHOWN = 10
# Tickets found by their text, newest first.
TEXT_LIMIT = 10


@dataclass
class TextHit:
    ticket: Ticket
    source: str
    # The matched words in <mark>, everything else escaped.
    snippet: SafeString

    @property
    def source_label(self) -> str:
        return fulltext.source_label(self.source)


@dataclass
class CustomerHit:
    customer: Customer
    open_tickets: list[Ticket] = field(default_factory=list)
    more_open_tickets: int = 0


@dataclass
class SearchResults:
    query: str
    tickets: list[Ticket] = field(default_factory=list)
    customers: list[CustomerHit] = field(default_factory=list)
    more_customers: bool = False
    text_hits: list[TextHit] = field(default_factory=list)
    # A ticket the query names without doubt ("inc 1234", or the only hit).
    exact: Ticket | None = None

    @property
    def empty(self) -> bool:
        return not self.tickets and not self.customers and not self.text_hits


OPEN_TICKET_FIELDS = (
    "number",
    "summary",
    "status",
    "created_at",
    "customer",
    "status_reason",
    "assigned_group",
    "assignee",
)


def _open_tickets_of(customer_ids: list[int]):
    """Each customer's newest OPEN_TICKETS_SHOWN open tickets and how many
    they have, every kind in one query."""
    parts = {
        # What a line shows; the reason's, group's and assignee's names come
        # from the reference lists (``itsm.reference_names``), not joins.
        kind.code: kind.model.objects.filter(customer_id__in=customer_ids)
        .open_by_status()
        .only(*OPEN_TICKET_FIELDS)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=F("customer_id"),
                order_by=[F("created_at").desc(), F("id").desc()],
            ),
            open_count=Window(Count("id"), partition_by=F("customer_id")),
        )
        .filter(position__lte=OPEN_TICKETS_SHOWN)
        for kind in all_kinds()
    }
    return kinds_union(parts, order_by=("-created_at", "-id"))


_OPEN_TICKETS_OF = Statement(_open_tickets_of)


def _add_open_tickets(hits: dict[int, CustomerHit]) -> None:
    """Each customer's newest open tickets and how many they have (see
    ``_open_tickets_of``): a customer with hundreds of open tickets costs
    rows, not hundreds of objects."""
    models = {kind.code: kind.model for kind in all_kinds()}
    tickets = in_own_models(_OPEN_TICKETS_OF(list(hits)), models, keep=("open_count",))
    open_counts = dict.fromkeys(hits, 0)
    counted = set()
    for ticket in tickets:
        hits[ticket.customer_id].open_tickets.append(ticket)
        if (ticket.KIND, ticket.customer_id) not in counted:
            counted.add((ticket.KIND, ticket.customer_id))
            open_counts[ticket.customer_id] += ticket.open_count
    for customer_id, hit in hits.items():
        del hit.open_tickets[OPEN_TICKETS_SHOWN:]
        hit.more_open_tickets = open_counts[customer_id] - len(hit.open_tickets)


def text_hits(query: str, *, user=None, limit: int = TEXT_LIMIT) -> list[TextHit]:
    """The newest ``limit`` tickets with a text matching every word of
    ``query``, one snippet each (its newest matching text): one query for
    the text and one per kind for the tickets. Every agent sees every ticket
    (``get_ticket_for_user``), so ``user`` only matters to sources that
    register a ``visible``."""
    hits = fulltext.search(query, limit=limit, user=user, per_ticket=True, with_ticket=True)
    numbers_by_kind: dict = {}
    for hit in hits:
        kind = kind_for_number(hit.ticket_number)
        if kind is not None:
            numbers_by_kind.setdefault(kind, []).append(hit.ticket_number)
    tickets = {}
    for kind, numbers in numbers_by_kind.items():
        # Lines name the reason and group from the reference lists (ticket_rows).
        listed = visible_by_customer(kind.model.objects.select_related("customer"), user)
        for ticket in listed.filter(number__in=numbers):
            tickets[ticket.number] = ticket
    return [
        TextHit(tickets[hit.ticket_number], hit.source, hit.snippet)
        for hit in hits
        if hit.ticket_number in tickets
    ]


def global_search(text: str, *, user=None) -> SearchResults:
    """At most one query per kind for numbers, one for customers, one per
    kind for their open tickets, one for the text and one per kind for its
    tickets, whatever the size of the tables."""
    text = " ".join(text.split())
    results = SearchResults(query=text)
    if not text:
        return results
    numbers = ticket_numbers(text)
    # "inc 1234" names a ticket; bare digits may also be a phone number.
    explicit_kind = len(numbers) == 1 and not text.lstrip("#").isdigit()
    for kind, number in numbers:
        found = visible_by_customer(kind.model.objects.select_related("customer"), user)
        # Numbers are unique: no ORDER BY for the database to plan.
        results.tickets.extend(found.filter(number=number)[:1])

    condition = None if explicit_kind else customer_condition(text)
    if condition is not None:
        customers = list(
            visible_customers(Customer.objects.filter(condition), user).order_by(*name_order(text))[
                : CUSTOMER_LIMIT + 1
            ]
        )
        results.more_customers = len(customers) > CUSTOMER_LIMIT
        hits = {c.pk: CustomerHit(c) for c in customers[:CUSTOMER_LIMIT]}
        if hits:
            _add_open_tickets(hits)
        results.customers = list(hits.values())

    if len(results.tickets) == 1 and (explicit_kind or not results.customers):
        results.exact = results.tickets[0]
    elif not explicit_kind:
        results.text_hits = text_hits(text, user=user)
    return results
