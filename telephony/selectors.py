"""Reads about calls that several parts share: who a number or a name is
(agent or customer), what the pop-up shows, a customer's calls."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from customers.models import Customer
from customers.selectors import customers_by_phone
from itsm.common.phones import normalise_phone
from itsm.people import agent_users
from telephony.models import AgentPhone, Call

# What a PBX sends for a caller who hides their number.
ANONYMOUS = {"", "anonymous", "unknown", "restricted", "private", "withheld", "unavailable"}


def e164_or_blank(text: str) -> str:
    """The number in E.164, or empty for an anonymous or unreadable one."""
    if text.strip().lower() in ANONYMOUS:
        return ""
    return normalise_phone(text) or ""


def agents_named(values: list[str]) -> list:
    """The agents the phone system names: by extension, direct line,
    user name, e-mail or full name (Zammad's ``user[]`` carries names).
    A name two agents share names neither."""
    wanted = [v for v in values if v]
    if not wanted:
        return []
    found: dict[int, object] = {}
    extensions = AgentPhone.objects.filter(extension__in=wanted).select_related("user")
    for phone in extensions:
        found[phone.user_id] = phone.user
    lines = [e for e in (e164_or_blank(v) for v in wanted) if e]
    if lines:
        for phone in AgentPhone.objects.filter(direct_line__in=lines).select_related("user"):
            found[phone.user_id] = phone.user
    remaining = [v for v in wanted if v not in {p.extension for p in extensions}]
    if remaining:
        by_login = agent_users().filter(
            Q(username__in=remaining) | Q(email__in=[v.lower() for v in remaining if "@" in v])
        )
        for user in by_login:
            found[user.pk] = user
        names = [v for v in remaining if " " in v]
        if names:
            candidates = list(agent_users().filter(first_name__in=[n.split()[0] for n in names]))
            for name in names:
                same = [u for u in candidates if u.get_full_name() == name]
                if len(same) == 1:
                    found[same[0].pk] = same[0]
    return [user for user in found.values() if user.is_active]


def agents_of_queue(queue: str) -> list:
    """Everyone who answers the phone system's queue ``queue``."""
    if not queue:
        return []
    phones = AgentPhone.objects.filter(queues__icontains=queue).select_related("user")
    return [p.user for p in phones if queue in p.queue_names and p.user.is_active]


def extension_of(user) -> str:
    phone = AgentPhone.objects.filter(user=user).only("extension").first()
    return phone.extension if phone else ""


def customers_for_number(e164: str) -> list[Customer]:
    return customers_by_phone(e164) if e164 else []


def calls_for_customer(customer: Customer) -> QuerySet:
    """The customer's calls, newest first (``call_customer_rung_idx``)."""
    return Call.objects.filter(customer=customer).order_by("-rung_at", "-id")


def calls_for_number(e164: str) -> QuerySet:
    return Call.objects.filter(remote_e164=e164).order_by("-rung_at", "-id")


def users_by_pk(ids: list[int]) -> list:
    return list(get_user_model().objects.filter(pk__in=ids))
