"""Reads of customers that several pages share: the magnifier, *Consultar
cliente* and the ticket pages find customers the same way, every path
through an index (see the migrations ``customers.0002_name_search`` and
``customers.0003_tax_id_index``)."""

import re

from django.db import connection
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.db.models.lookups import In

from customers.models import Customer, CustomerPhone
from customers.validators import compact_tax_id
from itsm.common.phones import normalise_phone
from itsm.common.search_indexes import CUSTOMER_NAME_FTS
from itsm.common.text import fold

MAX_NAME_WORDS = 5
# Longer text designates nothing more, and PostgreSQL refuses a word regular
# expression of a megabyte.
MAX_QUERY_LENGTH = 200
LOOKUP_LIMIT = 10
MIN_QUERY_LENGTH = 2

# DNI/NIF, NIE and CIF in their compact form.
TAX_ID_RE = re.compile(r"^(\d{8}[A-Z]|[XYZ]\d{7}[A-Z]|[ABCDEFGHJKLMNPQRSUVW]\d{7}[0-9A-J])$")
PHONE_RE = re.compile(r"^[+\d\s()./-]{6,30}$")
# Part of an address: "demo.cliente2", "cliente2@", "@example.es".
PARTIAL_EMAIL_RE = re.compile(r"^[\w.+-]*[@._+-][\w.+@-]*$")
MIN_PARTIAL_EMAIL_LENGTH = 4
WORD_RE = re.compile(r"[0-9a-z]+")


def _phone_condition(e164: str) -> Q:
    """Customers with this number among their phones: a subquery, so a
    customer is found once however many of their phones match."""
    return Q(id__in=CustomerPhone.objects.filter(e164=e164).values("customer_id"))


def _partial_phone_condition(digits: str) -> Q:
    """Customers with a phone containing these digits (the last ones a caller
    remembers); served by the trigram index on PostgreSQL."""
    return Q(id__in=CustomerPhone.objects.filter(e164__contains=digits).values("customer_id"))


def customers_by_phone(number: str) -> list[Customer]:
    """Every customer with ``number`` (any spelling) among their phones,
    inactive ones included (a caller is who they are), by name. Several when
    they share it (an organisation's switchboard); empty when the number is
    unknown or unreadable (anonymous callers). Blocked customers are never
    matched (the pop-up, the mailbox)."""
    e164 = normalise_phone(number)
    if e164 is None:
        return []
    return list(
        Customer.objects.unblocked()
        .filter(_phone_condition(e164))
        .prefetch_related("phones")
        .order_by("-active", "search_name", "pk")
    )


def name_words(text: str) -> list[str]:
    """The folded words of ``text``, as the name index splits names."""
    return WORD_RE.findall(fold(text))[:MAX_NAME_WORDS]


# From this many matches of a name on, walking the name index wins (SQLite).
MANY_NAME_MATCHES = 500


def _many_name_matches(expression: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT rowid FROM {CUSTOMER_NAME_FTS} "
            f"WHERE {CUSTOMER_NAME_FTS} MATCH %s LIMIT %s)",
            (expression, MANY_NAME_MATCHES),
        )
        return cursor.fetchone()[0] >= MANY_NAME_MATCHES


def _fts_expression(words: list[str]) -> str:
    # FTS5 prefix query; the words are [0-9a-z]+ so quoting them is enough.
    return " ".join(f'"{word}"*' for word in words)


def _fts_matches(expression: str) -> RawSQL:
    return RawSQL(
        f"SELECT rowid FROM {CUSTOMER_NAME_FTS} WHERE {CUSTOMER_NAME_FTS} MATCH %s",
        (expression,),
    )


def _name_condition(words: list[str], *, listed_by_name: bool, counted: bool = False) -> Q:
    """Every word starts some word of the customer's name. ``listed_by_name``:
    the caller takes a page of them in name order (not a subquery).
    ``counted``: for a COUNT, where no order is walked (PostgreSQL: see the
    LIKE below)."""
    if connection.vendor == "sqlite":
        expression = _fts_expression(words)
        if listed_by_name and _many_name_matches(expression):
            # A common name (garcía: 4 % of customers): walk the name index
            # in order and test each row against the matches (3 ms), rather
            # than fetch every match and sort them (13 ms). The key wrapped
            # in an expression hides the fetch from the planner.
            return Q(In(F("id") + 0, _fts_matches(expression)))
        return Q(id__in=_fts_matches(expression))
    condition = Q()
    for word in words:
        # Served by the pg_trgm index customer_search_name_trgm. A LIKE on
        # the word first skips most runs of the expression (six times a
        # LIKE's cost): a capped count of garcía's tickets 8.8 → 3.9 ms. Not
        # for a page: PostgreSQL then multiplies the two estimates, takes
        # garcía for 500 customers instead of 8 500 and sorts all their
        # tickets for a console page (3 → 89 ms).
        if counted:
            condition &= Q(search_name__contains=word)
        condition &= Q(search_name__regex=r"(^|[^0-9a-z])" + word)
    return condition


def _contact_condition(text: str) -> tuple[bool, Q | None]:
    """(True, how to find them) when ``text`` is an e-mail, part of one, a
    CIF/NIF or a phone — the condition None when it is too short to
    designate anyone; (False, None) when it can only be a name."""
    if "@" in text and " " not in text:
        if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
            return True, Q(email=text.lower())
        # Part of an address, served by the trigram index on PostgreSQL.
        return True, Q(email__icontains=text) if len(text) >= MIN_PARTIAL_EMAIL_LENGTH else None
    tax_id = compact_tax_id(text)
    if TAX_ID_RE.match(tax_id):
        return True, Q(tax_id=tax_id)
    if PHONE_RE.match(text) and sum(ch.isdigit() for ch in text) >= 6:
        e164 = normalise_phone(text)
        if e164 is not None:
            return True, _phone_condition(e164)
        # Too short to be a whole number: part of one.
        return True, _partial_phone_condition("".join(ch for ch in text if ch.isdigit()))
    return False, None


def _searchable_words(text: str) -> list[str]:
    words = name_words(text)
    return words if any(ch.isalpha() for ch in "".join(words)) else []


def _may_be_partial_email(text: str) -> bool:
    # "demo.cliente2": a name's words or part of an address.
    return bool(PARTIAL_EMAIL_RE.match(text)) and len(text) >= MIN_PARTIAL_EMAIL_LENGTH


def customer_condition(text: str, *, listed_by_name: bool = True) -> Q | None:
    """How to find the customers ``text`` may designate, or None if it cannot
    designate any: the exact CIF/NIF, e-mail or phone, else the name."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if not text:
        return None
    is_contact, condition = _contact_condition(text)
    if is_contact:
        return condition
    words = _searchable_words(text)
    return _by_name(text, words, listed_by_name=listed_by_name) if words else None


def _by_name(text: str, words: list[str], *, listed_by_name: bool, counted: bool = False) -> Q:
    """The name's ``words``, or part of an address when ``text`` may be one."""
    condition = _name_condition(words, listed_by_name=listed_by_name, counted=counted)
    if _may_be_partial_email(text):
        condition |= Q(email__icontains=text)
    return condition


def customers_matching(text: str, *, listed_by_name: bool = False) -> QuerySet[Customer]:
    condition = customer_condition(text, listed_by_name=listed_by_name)
    if condition is None:
        return Customer.objects.none()
    return Customer.objects.unblocked().filter(condition)


def customer_key_condition(text: str, field: str, *, counted: bool = False) -> Q:
    """Rows (tickets, calls) whose ``field`` is the key of a customer ``text``
    may designate, blocked customers included: the caller hides those as its
    reader may see them (``itsm.blocked``), in the same query.

    A name on SQLite is read from the name index alone. A common one
    (garcía: 8 500 customers, 17 000 tickets at 1M) hides the key from the
    planner, so the caller's list walks its own order and tests each row
    against the matches (3 ms) rather than fetch every ticket of every match
    to sort them (42 ms); a rare one keeps the key's index.

    ``counted``: for a COUNT rather than a page in the caller's order; the
    key's index then (SQLite: garcía's capped count 9 → 2 ms), and on
    PostgreSQL each word looked for with a LIKE first (``_name_condition``)."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    is_contact, condition = _contact_condition(text)
    words = [] if is_contact else _searchable_words(text)
    if words:
        if connection.vendor == "sqlite" and not _may_be_partial_email(text):
            expression = _fts_expression(words)
            if not counted and _many_name_matches(expression):
                return Q(In(F(field) + 0, _fts_matches(expression)))
            return Q(**{f"{field}__in": _fts_matches(expression)})
        condition = _by_name(text, words, listed_by_name=False, counted=counted)
    if condition is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": Customer.objects.filter(condition).values("id")})


def name_order(text: str) -> tuple:
    """The order of customers found for ``text``: by name. On PostgreSQL,
    for two or more words the name index's order is hidden from the planner
    (``search_name || ''``): otherwise it walks that index from *a* and tests
    every name until it has a page (52 ms for *Raúl Núñez* at 200 000
    customers), where the trigram index finds the few matches and a sort of
    them takes 5 ms. A single word matches many names, and the walk is then
    the fast plan."""
    if connection.vendor == "postgresql" and len(name_words(text)) > 1:
        return (Concat("search_name", Value(""), output_field=CharField()), "pk")
    return ("search_name", "pk")


def customer_search(query: str, *, limit: int = LOOKUP_LIMIT) -> list[Customer]:
    """*Consultar cliente*: active customers by name and surnames (any word
    starting with what was typed, accent- and case-insensitive), CIF/NIF in any
    format, e-mail or phone — the magnifier's matching, so both agree."""
    query = query.strip()
    if len(query) < MIN_QUERY_LENGTH:
        return []
    matching = customers_matching(query, listed_by_name=True).filter(active=True)
    return list(matching.order_by(*name_order(query))[:limit])
