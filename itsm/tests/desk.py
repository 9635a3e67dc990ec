"""Real objects of every kind the URLs name, and every URL pattern the
resolver knows: what the access matrix and the bad-input tests walk."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.tokens import token_create
from conftest import ROLE_USERS, _make_user, make_role_user
from itsm.common.permissions import AGENTS_GROUP
from itsm.models import SavedConsoleView, SupportGroup
from itsm.services.journal import work_info_add
from itsm.services.relations import ticket_relate
from itsm.tests.factories import make_incident, make_work_order
from kb.models import Article, ArticleDocument
from kb.services.articles import article_save
from notifications import reference_data as notification_reference
from notifications.models import ResponseTemplate
from notifications.services.compose import email_save_draft
from notifications.services.inbound import inbound_receive
from notifications.tests.corpus import plain
from notifications.tests.factories import pdf_upload
from telephony.tests.factories import make_call
from webhooks.models import Subscription

# Patterns without a name cannot be reversed: the URL each is tried with.
UNNAMED = {"admin:*": "/admin/nada/"}

# Routes whose ``pk`` is the ticket's customer.
CUSTOMER_ROUTES = (
    "customers:pick",
    "customers:detail",
    "customers:note",
    "customers:edit",
    "api:customer",
)


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
        self.inbound = inbound_receive(
            raw=plain(subject="Consulta", attachments=[("c.pdf", "application/pdf", b"%PDF-1.4")]),
            source="pipe",
        ).email_id
        SavedConsoleView.objects.create(user=agent, kind="INC", query="f=1&status=assigned")
        self.api_token, _plain = token_create(user=agent, name="matriz", scopes=["read"])
        # Off: the requests the matrix makes announce nothing to it.
        self.subscription = Subscription.objects.create(
            name="Portal",
            url="https://portal.example/hooks",
            events=["ticket.created"],
            active=False,
        )
        self.call = make_call(self.incident.customer)
        self.article = Article(title="Vinculación", body="Rellene el cuadro.", status="published")
        article_save(self.article, user=users["coordinator"])
        self.article_document = ArticleDocument.objects.create(
            article=self.article, name="LOPD", file=pdf_upload("lopd.pdf")
        )
        # Rows for the admin's axes pages.
        Client().post(reverse("login"), {"username": "agente", "password": "mala"})

    def url(self, name: str, pattern: URLPattern) -> str:
        if name in UNNAMED:
            return UNNAMED[name]
        return reverse(name, kwargs=self.kwargs(name, pattern))

    def kwargs(self, name: str, pattern: URLPattern) -> dict:
        namespace = name.split(":")[0] if ":" in name else ""
        kind_of_api = name.split(":")[-1].split("-")[0] if namespace == "api" else ""
        ticket = self.work_order if "workorders" in (namespace, kind_of_api) else self.incident
        values = {
            "number": ticket.number,
            "entry_id": self.entries[ticket.KIND].pk,
            "index": 1,
            "email_id": self.emails[ticket.KIND].pk,
            "position": 1,
            "relation_id": self.relation.pk,
            "message_id": self.inbound,
        }
        if name in CUSTOMER_ROUTES:
            values["pk"] = ticket.customer.pk
        elif name == "notifications:document":
            values["pk"] = self.document.pk
        elif name == "api:token_revoke":
            values["pk"] = self.api_token.pk
        elif name in ("api:webhook", "api:webhook_deliveries"):
            values["pk"] = self.subscription.pk
        elif name == "kb:document":
            values["pk"] = self.article_document.pk
        elif namespace == "kb":
            values["pk"] = self.article.pk
            if name == "kb:revision":
                values["number"] = 1
        elif namespace == "privacy":
            # Refused before any lookup (the role is checked first): no request needed.
            values.update(pk=1, customer_id=ticket.customer.pk)
        elif namespace == "telephony":
            values.update(pk=self.call.pk, kind="INC", token="not-a-token")
        elif namespace == "notifications":
            values.update(pk=self.inbound, kind="INC")
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


def make_role_users(django_user_model) -> dict:
    """One user per role of the access matrix (anonymous has none)."""
    made = {role: make_role_user(django_user_model, role) for role in ROLE_USERS}
    made["L2 specialist"] = _make_user(django_user_model, "especialista", groups=[AGENTS_GROUP])
    SupportGroup.objects.get(is_specialists=True).members.add(made["L2 specialist"])
    return made
