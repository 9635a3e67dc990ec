"""The magnifier: one box that finds tickets by number and customers by name,
CIF/NIF, e-mail or phone, every path through an index (see the migrations
``customers.0002_name_search`` and ``customers.0003_tax_id_index``)."""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from customers.validators import compact_tax_id
from itsm.access import agent_required
from itsm.models import Ticket, open_tickets_q
from itsm.search_indexes import CUSTOMER_NAME_FTS
from itsm.services import ticket_models
from itsm.text import fold

CUSTOMER_LIMIT = 20
# Open tickets shown per customer; the rest are counted.
OPEN_TICKETS_SHOWN = 10
MAX_NAME_WORDS = 5

# "INC000000001234", "inc 1234", "wo-1234", "#1234", "1234".
NUMBER_RE = re.compile(r"^#?(?:(?P<prefix>inc|wo)[\s#:.-]*)?(?P<digits>\d{1,15})$", re.IGNORECASE)
# DNI/NIF, NIE and CIF in their compact form.
TAX_ID_RE = re.compile(r"^(\d{8}[A-Z]|[XYZ]\d{7}[A-Z]|[ABCDEFGHJKLMNPQRSUVW]\d{7}[0-9A-J])$")
PHONE_RE = re.compile(r"^\+?[\d\s().-]{6,20}$")
WORD_RE = re.compile(r"[0-9a-z]+")


def ticket_numbers(text: str) -> list[tuple[type[Ticket], str]]:
    """The ticket numbers ``text`` can mean: one with a prefix, one per kind
    for bare digits."""
    match = NUMBER_RE.match(text.strip())
    if not match:
        return []
    prefix, value = match["prefix"], int(match["digits"])
    candidates = []
    for model in ticket_models():
        if prefix and prefix.upper() != model.PREFIX:
            continue
        if value and len(str(value)) <= model.NUMBER_DIGITS:
            candidates.append((model, model.format_number(value)))
    return candidates


def _phone_variants(text: str) -> list[str]:
    digits = re.sub(r"[^\d+]", "", text)
    variants = {digits}
    if digits.startswith("+34"):
        variants.add(digits[3:])
    elif digits.startswith("0034"):
        variants.add(digits[4:])
    elif not digits.startswith("+"):
        variants.add("+34" + digits)
    return sorted(variants)


def name_words(text: str) -> list[str]:
    """The folded words of ``text``, as the name index splits names."""
    return WORD_RE.findall(fold(text))[:MAX_NAME_WORDS]


def _name_condition(words: list[str]) -> Q:
    """Every word starts some word of the customer's name."""
    if connection.vendor == "sqlite":
        # FTS5 prefix query; the words are [0-9a-z]+ so quoting them is enough.
        expression = " ".join(f'"{word}"*' for word in words)
        return Q(
            id__in=RawSQL(
                f"SELECT rowid FROM {CUSTOMER_NAME_FTS} WHERE {CUSTOMER_NAME_FTS} MATCH %s",
                (expression,),
            )
        )
    condition = Q()
    for word in words:
        # Served by the pg_trgm index customer_search_name_trgm.
        condition &= Q(search_name__regex=r"(^|[^0-9a-z])" + word)
    return condition


def customer_condition(text: str) -> Q | None:
    """How to find the customers ``text`` may designate, or None if it cannot
    designate any: the exact CIF/NIF, e-mail or phone, else the name."""
    text = text.strip()
    if not text:
        return None
    if "@" in text:
        return Q(email=text.lower())
    tax_id = compact_tax_id(text)
    if TAX_ID_RE.match(tax_id):
        return Q(tax_id=tax_id)
    if PHONE_RE.match(text) and sum(ch.isdigit() for ch in text) >= 6:
        return Q(phone__in=_phone_variants(text))
    words = name_words(text)
    if not words or not any(ch.isalpha() for ch in "".join(words)):
        return None
    return _name_condition(words)


def customers_matching(text: str) -> QuerySet[Customer]:
    condition = customer_condition(text)
    if condition is None:
        return Customer.objects.none()
    return Customer.objects.filter(condition)


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
    # A ticket the query names without doubt ("inc 1234", or the only hit).
    exact: Ticket | None = None

    @property
    def empty(self) -> bool:
        return not self.tickets and not self.customers


def global_search(text: str) -> SearchResults:
    """At most one query per kind for numbers, one for customers and one per
    kind for their open tickets, whatever the size of the tables."""
    text = " ".join(text.split())
    results = SearchResults(query=text)
    if not text:
        return results
    numbers = ticket_numbers(text)
    # "inc 1234" names a ticket; bare digits may also be a phone number.
    explicit_kind = len(numbers) == 1 and not text.lstrip("#").isdigit()
    for model, number in numbers:
        ticket = model.objects.with_list_relations().filter(number=number).first()
        if ticket is not None:
            results.tickets.append(ticket)

    condition = None if explicit_kind else customer_condition(text)
    if condition is not None:
        customers = list(
            Customer.objects.filter(condition).order_by("search_name", "id")[: CUSTOMER_LIMIT + 1]
        )
        results.more_customers = len(customers) > CUSTOMER_LIMIT
        hits = {c.pk: CustomerHit(c) for c in customers[:CUSTOMER_LIMIT]}
        if hits:
            open_counts = dict.fromkeys(hits, 0)
            for model in ticket_models():
                # Each customer's newest OPEN_TICKETS_SHOWN of this kind and how
                # many it has, in one query: a customer with hundreds of open
                # tickets costs rows, not hundreds of objects.
                tickets = (
                    model.objects.filter(open_tickets_q(), customer_id__in=list(hits))
                    .select_related("status_reason", "assigned_group", "assignee")
                    .annotate(
                        position=Window(
                            RowNumber(),
                            partition_by=F("customer_id"),
                            order_by=[F("created_at").desc(), F("id").desc()],
                        ),
                        open_count=Window(Count("id"), partition_by=F("customer_id")),
                    )
                    .filter(position__lte=OPEN_TICKETS_SHOWN)
                    .order_by("-created_at")
                )
                counted = set()
                for ticket in tickets:
                    hits[ticket.customer_id].open_tickets.append(ticket)
                    if ticket.customer_id not in counted:
                        counted.add(ticket.customer_id)
                        open_counts[ticket.customer_id] += ticket.open_count
            for customer_id, hit in hits.items():
                hit.open_tickets.sort(key=lambda t: t.created_at, reverse=True)
                del hit.open_tickets[OPEN_TICKETS_SHOWN:]
                hit.more_open_tickets = open_counts[customer_id] - len(hit.open_tickets)
        results.customers = list(hits.values())

    if len(results.tickets) == 1 and (explicit_kind or not results.customers):
        results.exact = results.tickets[0]
    return results


def detail_url(ticket: Ticket) -> str:
    return reverse(f"{ticket._meta.app_label}:detail", args=[ticket.number])


@dataclass
class TicketRow:
    """What a result line shows, worked out once in Python (a page lists up
    to 200 tickets; per-cell template lookups were most of its time)."""

    ticket: Ticket
    url: str
    status: str
    created_iso: str  # what |date:"c" prints
    created: str  # what |date:"d/m/Y H:i" prints


def detail_url_parts() -> dict[type[Ticket], list[str]]:
    """One reverse per kind for a whole page; numbers are [A-Z0-9], nothing to quote."""
    return {
        model: reverse(f"{model._meta.app_label}:detail", args=["NUMBER"]).rsplit("NUMBER", 1)
        for model in ticket_models()
    }


def ticket_rows(tickets: list[Ticket], urls: dict[type[Ticket], list[str]]) -> list[TicketRow]:
    rows = []
    for ticket in tickets:
        head, tail = urls[type(ticket)]
        created = timezone.localtime(ticket.created_at)
        rows.append(
            TicketRow(
                ticket=ticket,
                url=f"{head}{ticket.number}{tail}",
                status=ticket.get_status_display(),
                created_iso=created.isoformat(),
                created=created.strftime("%d/%m/%Y %H:%M"),
            )
        )
    return rows


@agent_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    results = global_search(query)
    if results.exact is not None:
        return redirect(detail_url(results.exact))
    urls = detail_url_parts()
    context = {
        "results": results,
        "query": results.query,
        "ticket_rows": ticket_rows(results.tickets, urls),
        "customer_rows": [(hit, ticket_rows(hit.open_tickets, urls)) for hit in results.customers],
    }
    return render(request, "itsm/search.html", context)
