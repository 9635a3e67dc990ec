"""Who reaches what: every URL pattern the resolver knows × every role, GET and
POST (with a valid CSRF token), on real objects of each kind. The API's
resources (``/api/v1/``) are reached with a token of each role's user instead
of the session, with GET, POST, PATCH and DELETE.

``ACCESS`` below is the one table of expectations: the least role each
pattern needs. A role below it must be refused (sent to a login page, 403,
404 or 405) — a 2xx is a leak; a role at or above it must not be refused. No
cell may answer 5xx. A pattern the resolver has and the table does not fails
the test, so a new view cannot escape it. The admin's patterns are generated
per registered model and all need staff (``ADMIN``), except its login page.
"""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.tokens import hash_token, token_create
from itsm.common.permissions import is_agent
from itsm.tests.desk import url_patterns

PUBLIC, LOGGED_IN, AGENT, COORDINATOR, STAFF = "public", "logged in", "agent", "coord.", "staff"
# Refused to everyone, admins included (the admin shows tickets, the journal,
# numbering and the outbox read-only: only services write them).
NOBODY = "nobody"

# What the application writes by itself: the admin shows it, never adds it.
RECORDS = (
    "incidents_incident",
    "incidents_incidentworkinfo",
    "workorders_workorder",
    "workorders_workorderworkinfo",
    "itsm_ticketsequence",
    "notifications_outgoingemail",
    "notifications_inboundemail",
    "notifications_imapfolderstate",
    "itsm_auditevent",
    "itsm_heldupload",
    "itsm_escalationpacket",
    "webhooks_delivery",
    "customers_customerphone",
    "telephony_call",
    "itsm_ticketmerge",
)

# The least role each pattern needs.
ACCESS = {
    "login": PUBLIC,
    "set_language": PUBLIC,
    "logout": LOGGED_IN,
    "home": AGENT,
    "search": AGENT,
    "coordination": AGENT,  # agents see the queue read-only
    "coordination_export": COORDINATOR,
    "dashboard": AGENT,  # an agent sees their own figures, a coordinator the desk's
    "coordination_take": COORDINATOR,
    "coordination_return": COORDINATOR,
    "coordination_specialists": COORDINATOR,
    "customers:lookup": AGENT,
    "customers:create": AGENT,
    "customers:pick": AGENT,
    "customers:detail": AGENT,
    "customers:note": AGENT,
    "customers:edit": STAFF,  # as the API's PATCH: admins change customers
    "notifications:document": AGENT,
    **{
        f"notifications:{name}": AGENT
        for name in (
            "mailbox",
            "mailbox_detail",
            "mailbox_take",
            "mailbox_no_action",
            "mailbox_add",
            "mailbox_new_ticket",
            "mailbox_raw",
            "mailbox_attachment",
        )
    },
    **{
        f"{namespace}:{name}": AGENT
        for namespace in ("incidents", "workorders")
        for name in (
            "console",
            "console_save_view",
            "export",
            "new",
            "template_fields",
            "reasons",
            "assignees",
            "detail",
            "presence",
            "presence_leave",
            "edit",
            "assign_to_me",
            "pending",
            "resolve",
            "reopen",
            "escalate",
            "escalate_form",
            "escalate_as_related",
            "work_info_add",
            "attachment",
            "relation_search",
            "relation_add",
            "relation_remove",
            "email",
            "email_message",
            "email_resend",
            "email_attachment",
            "email_attachment_remove",
        )
    },
    # The phone: the calls pages for agents; the phone system's endpoint has
    # no session (its URL's token is the key): POST only, 401 on a wrong token.
    **{
        f"telephony:{name}": AGENT
        for name in ("calls", "detail", "popup", "take", "close", "add", "new_ticket", "push")
    },
    "telephony:cti": {"post": PUBLIC},
    # The fleet's probes: anyone, no session (a load balancer). The metrics open
    # to the scraper's token or address only, never to a session (off here: 404).
    "healthz": {"get": PUBLIC},
    "readyz": {"get": PUBLIC},
    "metrics": NOBODY,
    # The knowledge base: agents read, rate, link and see the suggestions;
    # coordinators and admins write.
    **{
        f"kb:{name}": AGENT
        for name in ("list", "detail", "suggest", "rate", "revision", "link", "document")
    },
    "kb:new": COORDINATOR,
    "kb:edit": COORDINATOR,
    # Data-protection requests: the data-protection role only, which is no
    # rank of this table (coordinators and admins are refused without it);
    # privacy/tests/ reach every page with it.
    **{
        f"privacy:{name}": NOBODY
        for name in ("list", "new", "detail", "extend", "block", "export", "download", "close")
    },
    # The API: the schema and its reference for agents (session or token),
    # each user's own tokens page, and every resource as the pages allow it.
    "api:schema": AGENT,
    "api:docs": AGENT,
    "api:tokens": AGENT,
    "api:token_revoke": AGENT,
    **{
        f"api:{namespace}-{name}": AGENT
        for namespace in ("incidents", "workorders")
        for name in (
            "list",
            "detail",
            "journal",
            "relations",
            "relation",
            "assign-to-me",
            "pending",
            "resolve",
            "reopen",
            "mail",
            "mail-templates",
            "mail-preview",
        )
    },
    # The mailbox, for those who see its pages (with the token's mailbox scope).
    **{
        f"api:{name}": AGENT
        for name in (
            "mailbox",
            "mailbox_message",
            "mailbox_raw",
            "mailbox_attachment",
            "mailbox_take",
            "mailbox_no_action",
            "mailbox_add",
            "mailbox_new-incidents",
            "mailbox_new-workorders",
        )
    },
    # Merging: any agent merges (the dialog and the API); only coordinators undo.
    **{
        name: level
        for namespace in ("incidents", "workorders")
        for name, level in (
            (f"{namespace}:merge", AGENT),
            (f"{namespace}:merge_undo", {"post": COORDINATOR}),
            (f"api:{namespace}-merge", AGENT),
            (f"api:{namespace}-merge-undo", {"post": COORDINATOR}),
        )
    },
    "api:customers": AGENT,
    # Escalation as on the ticket page (agents) and the coordination queue
    # (its answers: coordinators); the dashboard and the magnifier as their pages.
    **{
        f"api:{namespace}-{name}": AGENT
        for namespace in ("incidents", "workorders")
        for name in ("escalate", "escalate-related", "packet")
    },
    **{
        f"api:{namespace}-coordination-{action}": COORDINATOR
        for namespace in ("incidents", "workorders")
        for action in ("take", "return", "specialists")
    },
    **{f"api:{name}": AGENT for name in ("escalation_cases", "dashboard", "search")},
    # Any other address under /api/: a 404 problem for everyone.
    "api:not_found": PUBLIC,
    # Changing a customer is the admin's (customers.admin), as in the pages.
    "api:customer": {"get": AGENT, "patch": STAFF},
    **{f"api:{name}": AGENT for name in ("groups", "templates", "reasons", "sla_targets")},
    # Webhook subscriptions and their delivery log: admins only, as in the admin.
    "api:webhooks": {"get": STAFF, "post": STAFF},
    "api:webhook": {"get": STAFF, "patch": STAFF, "delete": STAFF},
    "api:webhook_deliveries": {"get": STAFF},
    "admin:login": PUBLIC,
    "admin:logout": LOGGED_IN,
    # Answers only with its query parameters (which field of which model).
    "admin:autocomplete": NOBODY,
    **{
        f"admin:{model}_add": NOBODY
        for model in (
            *RECORDS,
            "telephony_ctiintegration",
            "axes_accessattempt",
            "axes_accessfailurelog",
            "axes_accesslog",
        )
    },
    **{
        f"admin:{model}_{action}": level
        for model in RECORDS
        for action, level in (("change", (STAFF, NOBODY)), ("delete", NOBODY))
    },
}
# Every other admin pattern.
ADMIN = STAFF

# Each role and the least level it reaches.
ROLES = {
    "anonymous": None,
    "no role": LOGGED_IN,
    "agent": AGENT,
    "another agent": AGENT,
    "L2 specialist": AGENT,
    "coordinator": COORDINATOR,
    "admin": STAFF,
}
RANK = [PUBLIC, LOGGED_IN, AGENT, COORDINATOR, STAFF, NOBODY]
CSRF_SECRET = "s3cr3tCsrfTokenForTheMatrix00000"  # 32 characters, as Django's secret


def required_level(name: str, method: str) -> str | None:
    """The least role for this pattern and method (a pair in the table is
    (GET, POST))."""
    level = ACCESS.get(name, ADMIN if name.startswith("admin:") else None)
    if isinstance(level, dict):
        # A method the entry does not name is refused to everyone (405).
        return level.get(method, NOBODY)
    if isinstance(level, tuple):
        return level[0] if method == "get" else level[1]
    return level


def outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return "error"
    if 200 <= status < 300:
        return "ok"
    if status in (301, 302, 303):
        path = urlparse(response["Location"]).path
        return "to login" if path in (reverse("login"), reverse("admin:login")) else "redirect"
    if status in (401, 403, 404, 405):
        return "refused"
    return f"{status}"


def order(item: tuple) -> tuple:
    # What ends the session or deletes rows goes last.
    name = item[0]
    return ("logout" in name, "delete" in name, name)


def client_for(role: str, users: dict) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_SECRET
    if role in users:
        client.force_login(users[role])
    return client


def is_api_resource(url: str) -> bool:
    return url.startswith("/api/v1/")


def token_client_for(role: str, users: dict) -> Client:
    """A client with a read and write token of the role's user (none for the
    anonymous). A user with no role cannot make one: theirs is written as a
    token made while they still worked tickets."""
    client = Client()
    if role not in users:
        return client
    user = users[role]
    if is_agent(user):
        _token, plain = token_create(
            user=user, name="matrix", scopes=["read", "write", "mail", "mailbox"]
        )
    else:
        plain = "itsm_matrix-token-of-a-user-without-role"
        ApiToken.objects.create(
            user=user,
            name="matrix",
            prefix=plain[:12],
            key_hash=hash_token(plain),
            scopes="read write mail mailbox",
            expires_at=timezone.now() + timedelta(days=1),
        )
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
    return client


def test_every_url_pattern_is_in_the_table():
    unlisted = sorted(
        {name or str(pattern.pattern) for name, pattern in url_patterns()}
        - set(ACCESS)
        - {name for name, _ in url_patterns() if name.startswith("admin:")}
    )
    assert unlisted == [], f"URL patterns without an expected access: {unlisted}"
    stale = sorted(set(ACCESS) - {name for name, _ in url_patterns()})
    assert stale == [], f"the table names patterns that no longer exist: {stale}"


@pytest.mark.django_db(transaction=False)
def test_every_role_reaches_exactly_what_the_table_allows(users, desk):
    patterns = sorted(url_patterns(), key=order)
    unexpected = []
    cells = 0
    for role, level in ROLES.items():
        client = client_for(role, users)
        api_client = token_client_for(role, users)
        for name, pattern in patterns:
            url = desk.url(name, pattern)
            api = is_api_resource(url)
            for method in ("get", "post", "patch", "delete") if api else ("get", "post"):
                needed = required_level(name, method)
                assert needed is not None, name
                allowed = needed == PUBLIC or (
                    level is not None
                    and needed != NOBODY
                    and RANK.index(level) >= RANK.index(needed)
                )
                if api:
                    response = getattr(api_client, method)(url)
                else:
                    data = {"csrfmiddlewaretoken": CSRF_SECRET} if method == "post" else None
                    response = getattr(client, method)(url, data)
                cells += 1
                result = outcome(response)
                if result == "error" or (not allowed and result not in ("to login", "refused")):
                    unexpected.append(
                        f"{role} {method.upper()} {url} ({name}): {response.status_code}"
                    )
                elif allowed and response.status_code == 403:
                    unexpected.append(f"{role} {method.upper()} {url} ({name}): refused")
                if name.endswith("logout") and role in users:
                    client = client_for(role, users)
            AccessAttempt.objects.all().delete()  # a role's failed admin logins must not lock it
    assert cells >= 7 * 2 * 150
    assert unexpected == [], "\n".join(unexpected)


def test_every_post_without_a_csrf_token_is_refused(users, desk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["admin"])
    accepted = []
    for name, pattern in url_patterns():
        url = desk.url(name, pattern)
        response = client.post(url, {"anything": "x"})
        if is_api_resource(url) and response.status_code == 401:
            continue  # the API ignores the session: without a token, nobody
        if name == "api:not_found" and response.status_code == 404:
            continue  # no view behind it
        if name in ("healthz", "readyz", "metrics") and response.status_code in (404, 405):
            continue  # answered before the CSRF check, and they take no POST
        if response.status_code != 403:
            accepted.append(f"{url} ({name}): {response.status_code}")
    assert accepted == []


# --- object-level checks: an id that exists, under a URL it does not belong to ---------


def test_an_attachment_opens_only_under_its_own_ticket(client, users, desk):
    client.force_login(users["another agent"])
    entry = desk.entries["INC"]
    own = reverse("incidents:attachment", args=[desk.incident.number, entry.pk, 1])
    foreign = reverse("workorders:attachment", args=[desk.work_order.number, entry.pk, 1])
    other_kind = reverse("incidents:attachment", args=[desk.work_order.number, entry.pk, 1])

    assert client.get(own).status_code == 200
    assert client.get(foreign).status_code == 404
    assert client.get(other_kind).status_code == 404
    for index in (0, 2, 4, 99):
        url = reverse("incidents:attachment", args=[desk.incident.number, entry.pk, index])
        assert client.get(url).status_code == 404, index


def test_an_email_draft_and_its_files_open_only_under_their_own_ticket(client, users, desk):
    client.force_login(users["another agent"])
    email = desk.emails["INC"]
    other = desk.emails["WO"]
    pages = [
        ("email_message", [email.pk]),
        ("email_attachment", [email.pk, 1]),
    ]
    for name, args in pages:
        assert (
            client.get(reverse(f"incidents:{name}", args=[desk.incident.number, *args])).status_code
            == 200
        )
        assert (
            client.get(
                reverse(f"workorders:{name}", args=[desk.work_order.number, *args])
            ).status_code
            == 404
        )
    wrong_ticket = reverse("incidents:email_message", args=[desk.incident.number, other.pk])
    assert client.get(wrong_ticket).status_code == 404
    removed = client.post(
        reverse("workorders:email_attachment_remove", args=[desk.work_order.number, email.pk, 1])
    )
    assert removed.status_code == 404
    email.refresh_from_db()
    assert email.attachment_1


def test_a_saved_view_is_only_its_owners(client, users, desk):
    client.force_login(users["another agent"])

    response = client.get(reverse("incidents:console"))

    assert response.status_code == 200
    assert "status=assigned" not in response.context["filter_query"]
    assert "mine=on" in response.context["filter_query"]  # the default view
    client.force_login(users["agent"])
    own = client.get(reverse("incidents:console")).context["filter_query"]
    assert "status=assigned" in own
