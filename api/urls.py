"""The API under /api/: the schema, its reference page, and /api/v1/ with
every registered kind's tickets under its namespace (``/api/v1/incidents/``,
``/api/v1/workorders/``), customers and reference data; the *Tokens de API*
page lives beside them (``/api/tokens/``)."""

from django.urls import path, re_path

from api import pages
from api.views import (
    base,
    customers,
    dashboard,
    escalation,
    kinds,
    mail,
    mailbox,
    merge,
    reference,
    search,
    webhooks,
)
from itsm.kinds import all_kinds

app_name = "api"


def kind_urlpatterns() -> list:
    patterns = []
    for kind in all_kinds():
        made = kinds.kind_views(kind)
        base = f"v1/{kind.namespace}/"
        ticket = base + "<str:number>/"
        names = f"{kind.namespace}-"
        patterns += [
            path(base, made["list"], name=names + "list"),
            path(ticket, made["detail"], name=names + "detail"),
            path(ticket + "journal/", made["journal"], name=names + "journal"),
            path(ticket + "relations/", made["relations"], name=names + "relations"),
            path(
                ticket + "relations/<int:relation_id>/",
                made["relation"],
                name=names + "relation",
            ),
            *(
                path(ticket + f"{action}/", made[action], name=names + action)
                for action in (
                    "assign-to-me",
                    "pending",
                    "resolve",
                    "reopen",
                    "escalate",
                    "escalate-related",
                    "packet",
                )
            ),
            *(
                path(
                    ticket + f"coordination/{action}/",
                    made[f"coordination-{action}"],
                    name=names + f"coordination-{action}",
                )
                for action in ("take", "return", "specialists")
            ),
            *(
                path(ticket + route, view, name=names + name)
                for name, route, view in _mail_routes(kind)
            ),
        ]
    return patterns


def _mail_routes(kind) -> list[tuple]:
    made = mail.mail_views(kind)
    return [
        ("mail", "mail/", made["mail"]),
        ("mail-templates", "mail/templates/", made["mail-templates"]),
        ("mail-preview", "mail/preview/", made["mail-preview"]),
    ]


# One message of the mailbox: (route under it, view, name).
MESSAGE_VIEWS = (
    ("", mailbox.MessageView, "mailbox_message"),
    ("raw/", mailbox.RawView, "mailbox_raw"),
    ("files/<int:position>/", mailbox.AttachmentView, "mailbox_attachment"),
    ("take/", mailbox.TakeView, "mailbox_take"),
    ("no-action/", mailbox.NoActionView, "mailbox_no_action"),
    ("add/", mailbox.AddToTicketView, "mailbox_add"),
)


def mailbox_urlpatterns() -> list:
    message = "v1/mailbox/<int:message_id>/"
    return [
        path("v1/mailbox/", mailbox.MailboxListView.as_view(), name="mailbox"),
        *(path(message + route, view.as_view(), name=name) for route, view, name in MESSAGE_VIEWS),
        *(
            path(
                message + f"{kind.namespace}/",
                mailbox.create_ticket_view(kind),
                name=f"mailbox_new-{kind.namespace}",
            )
            for kind in all_kinds()
        ),
    ]


# Customers, reference data and the rest of /api/v1/: (route, view, name).
V1_VIEWS = (
    ("customers/", customers.CustomerListView, "customers"),
    ("customers/<int:pk>/", customers.CustomerDetailView, "customer"),
    ("groups/", reference.GroupListView, "groups"),
    ("templates/", reference.TemplateListView, "templates"),
    ("reasons/", reference.ReasonListView, "reasons"),
    ("sla-targets/", reference.SlaTargetListView, "sla_targets"),
    ("escalation-cases/", escalation.EscalationCaseListView, "escalation_cases"),
    ("dashboard/", dashboard.DashboardView, "dashboard"),
    ("search/", search.SearchView, "search"),
    ("webhooks/", webhooks.SubscriptionListView, "webhooks"),
    ("webhooks/<int:pk>/", webhooks.SubscriptionDetailView, "webhook"),
    ("webhooks/<int:pk>/deliveries/", webhooks.DeliveryListView, "webhook_deliveries"),
)


urlpatterns = [
    path("schema/", pages.SchemaView.as_view(), name="schema"),
    path("docs/", pages.docs, name="docs"),
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke_page, name="token_revoke"),
    *kind_urlpatterns(),
    *merge.merge_urlpatterns(),
    *mailbox_urlpatterns(),
    *(path("v1/" + route, view.as_view(), name=name) for route, view, name in V1_VIEWS),
    # Last: any other address under /api/ answers a problem+json 404.
    re_path(r"", base.NotFoundView.as_view(), name="not_found"),
]
