"""Who reaches what: every URL pattern the resolver knows × every role, GET and
POST (with a valid CSRF token), on real objects of each kind.

``ACCESS`` below is the one table of expectations: the least role each
pattern needs. A role below it must be refused (sent to a login page, 403,
404 or 405) — a 2xx is a leak; a role at or above it must not be refused. No
cell may answer 5xx. A pattern the resolver has and the table does not fails
the test, so a new view cannot escape it. The admin's patterns are generated
per registered model and all need staff (``ADMIN``), except its login page.
"""

from urllib.parse import urlparse

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import _make_user
from itsm.models import SavedConsoleView, SupportGroup
from itsm.permissions import AGENTS_GROUP
from itsm.services import ticket_relate, work_info_add
from itsm.tests.factories import make_incident, make_work_order
from notifications import reference_data as notification_reference
from notifications.models import ResponseTemplate
from notifications.services import email_save_draft
from notifications.tests.factories import pdf_upload

PUBLIC, LOGGED_IN, AGENT, COORDINATOR, STAFF = "public", "logged in", "agent", "coord.", "staff"
# Refused to everyone, admins included (the admin shows tickets, the journal,
# numbering and the outbox read-only: only services write them).
NOBODY = "nobody"

# The least role each pattern needs.
ACCESS = {
    "login": PUBLIC,
    "set_language": PUBLIC,
    "logout": LOGGED_IN,
    "home": AGENT,
    "search": AGENT,
    "coordination": AGENT,  # agents see the queue read-only
    "coordination_take": COORDINATOR,
    "coordination_return": COORDINATOR,
    "coordination_specialists": COORDINATOR,
    "customers:lookup": AGENT,
    "customers:create": AGENT,
    "customers:pick": AGENT,
    "notifications:document": AGENT,
    **{
        f"{namespace}:{name}": AGENT
        for namespace in ("incidents", "workorders")
        for name in (
            "console",
            "console_save_view",
            "new",
            "template_fields",
            "reasons",
            "detail",
            "edit",
            "assign_to_me",
            "pending",
            "resolve",
            "reopen",
            "escalate",
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
    "admin:login": PUBLIC,
    "admin:logout": LOGGED_IN,
    # Answers only with its query parameters (which field of which model).
    "admin:autocomplete": NOBODY,
    **{
        f"admin:{model}_add": NOBODY
        for model in (
            "incidents_incident",
            "incidents_incidentworkinfo",
            "workorders_workorder",
            "workorders_workorderworkinfo",
            "itsm_ticketsequence",
            "notifications_outgoingemail",
            "axes_accessattempt",
            "axes_accessfailurelog",
            "axes_accesslog",
        )
    },
    **{
        f"admin:{model}_{action}": level
        for model in (
            "incidents_incident",
            "incidents_incidentworkinfo",
            "workorders_workorder",
            "workorders_workorderworkinfo",
            "itsm_ticketsequence",
            "notifications_outgoingemail",
        )
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
# Patterns without a name cannot be reversed: the URL each is tried with.
UNNAMED = {"admin:*": "/admin/nada/"}
RANK = [PUBLIC, LOGGED_IN, AGENT, COORDINATOR, STAFF, NOBODY]
CSRF_SECRET = "s3cr3tCsrfTokenForTheMatrix00000"  # 32 characters, as Django's secret


def url_patterns(patterns=None, namespace="") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            found += url_patterns(entry.url_patterns, inner)
        else:
            # An unnamed pattern (the admin's catch-all) is "<namespace>:*".
            found.append((":".join(part for part in (namespace, entry.name or "*") if part), entry))
    return found


def required_level(name: str, method: str) -> str | None:
    """The least role for this pattern and method (a pair in the table is
    (GET, POST))."""
    level = ACCESS.get(name, ADMIN if name.startswith("admin:") else None)
    if isinstance(level, tuple):
        return level[0] if method == "get" else level[1]
    return level


class Desk:
    """Real objects of every kind the URLs name, made once."""

    def __init__(self, users: dict) -> None:
        agent = users["agent"]
        notification_reference.load()
        self.incident = make_incident(user=agent, work_info_notes="Llamada")
        self.work_order = make_work_order(user=agent, customer=self.incident.customer)
        self.entries = {}
        for ticket in (self.incident, self.work_order):
            self.entries[ticket.KIND] = work_info_add(
                ticket=ticket, user=agent, notes="Captura", attachments=[pdf_upload("c.pdf")]
            )
        template = ResponseTemplate.objects.get(title="VINCULACIÓN – ENVÍO CUADRO DE VINCULACIÓN")
        self.emails = {
            ticket.KIND: email_save_draft(
                ticket=ticket, user=agent, template=template, attachment=pdf_upload("a.pdf")
            )
            for ticket in (self.incident, self.work_order)
        }
        self.relation = ticket_relate(
            ticket=self.incident, user=agent, other_number=self.work_order.number
        )
        self.document = template.documents.order_by("pk").first()
        SavedConsoleView.objects.create(user=agent, kind="INC", query="f=1&status=assigned")
        # Rows for the admin's axes pages.
        Client().post(reverse("login"), {"username": "agente", "password": "mala"})

    def url(self, name: str, pattern: URLPattern) -> str:
        if name in UNNAMED:
            return UNNAMED[name]
        return reverse(name, kwargs=self.kwargs(name, pattern))

    def kwargs(self, name: str, pattern: URLPattern) -> dict:
        namespace = name.split(":")[0] if ":" in name else ""
        ticket = self.work_order if namespace == "workorders" else self.incident
        values = {
            "number": ticket.number,
            "entry_id": self.entries[ticket.KIND].pk,
            "index": 1,
            "email_id": self.emails[ticket.KIND].pk,
            "position": 1,
            "relation_id": self.relation.pk,
        }
        if name == "customers:pick":
            values["pk"] = ticket.customer.pk
        elif name == "notifications:document":
            values["pk"] = self.document.pk
        elif namespace == "admin":
            values.update(self.admin_kwargs(name))
        return {key: values[key] for key in pattern.pattern.regex.groupindex if key in values}

    def admin_kwargs(self, name: str) -> dict:
        values = {"app_label": "itsm", "url": "nada/", "content_type_id": 0, "object_id": 0}
        for model in admin.site._registry:
            prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
            if name.startswith(prefix):
                row = model._default_manager.order_by("pk").first()
                values["object_id"] = row.pk if row else 0
                values["id"] = row.pk if row else 0
        if name == "admin:view_on_site":
            values["content_type_id"] = ContentType.objects.get_for_model(self.incident).pk
            values["object_id"] = self.incident.pk
        return values


def outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return "error"
    if 200 <= status < 300:
        return "ok"
    if status in (301, 302, 303):
        path = urlparse(response["Location"]).path
        return "to login" if path in (reverse("login"), reverse("admin:login")) else "redirect"
    if status in (403, 404, 405):
        return "refused"
    return f"{status}"


def order(item: tuple[str, URLPattern]) -> tuple:
    # What ends the session or deletes rows goes last.
    name = item[0]
    return ("logout" in name, "delete" in name, name)


@pytest.fixture
def users(reference, django_user_model) -> dict:
    made = {
        "no role": _make_user(django_user_model, "ajeno"),
        "agent": _make_user(
            django_user_model,
            "agente",
            groups=[AGENTS_GROUP],
            support_groups=["L1 CAMPAÑA LIBROS/CUENTAS"],
        ),
        "another agent": _make_user(
            django_user_model,
            "agente2",
            groups=[AGENTS_GROUP],
            support_groups=["L1 CAMPAÑA LIBROS/CUENTAS"],
        ),
        "L2 specialist": _make_user(django_user_model, "especialista", groups=[AGENTS_GROUP]),
        "coordinator": _make_user(
            django_user_model,
            "coordinador",
            groups=["Coordinadores"],
            support_groups=["L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS"],
        ),
        "admin": _make_user(django_user_model, "admin", is_staff=True, is_superuser=True),
    }
    SupportGroup.objects.get(is_specialists=True).members.add(made["L2 specialist"])
    return made


def client_for(role: str, users: dict) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_SECRET
    if role in users:
        client.force_login(users[role])
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
def test_every_role_reaches_exactly_what_the_table_allows(users, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    desk = Desk(users)
    patterns = sorted(url_patterns(), key=order)
    unexpected = []
    cells = 0
    for role, level in ROLES.items():
        client = client_for(role, users)
        for name, pattern in patterns:
            url = desk.url(name, pattern)
            for method in ("get", "post"):
                needed = required_level(name, method)
                assert needed is not None, name
                allowed = needed == PUBLIC or (
                    level is not None
                    and needed != NOBODY
                    and RANK.index(level) >= RANK.index(needed)
                )
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


def test_every_post_without_a_csrf_token_is_refused(users, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    desk = Desk(users)
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["admin"])
    accepted = []
    for name, pattern in url_patterns():
        url = desk.url(name, pattern)
        response = client.post(url, {"anything": "x"})
        if response.status_code != 403:
            accepted.append(f"{url} ({name}): {response.status_code}")
    assert accepted == []


# --- object-level checks: an id that exists, under a URL it does not belong to ---------


@pytest.fixture
def desk(users, settings, tmp_path) -> Desk:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return Desk(users)


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
