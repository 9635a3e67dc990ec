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


def mailbox_urlpatterns() -> list:
    message = "v1/mailbox/<int:message_id>/"
    return [
        path("v1/mailbox/", mailbox.MailboxListView.as_view(), name="mailbox"),
        path(message, mailbox.MessageView.as_view(), name="mailbox_message"),
        path(message + "raw/", mailbox.RawView.as_view(), name="mailbox_raw"),
        path(
            message + "files/<int:position>/",
            mailbox.AttachmentView.as_view(),
            name="mailbox_attachment",
        ),
        path(message + "take/", mailbox.TakeView.as_view(), name="mailbox_take"),
        path(message + "no-action/", mailbox.NoActionView.as_view(), name="mailbox_no_action"),
        path(message + "add/", mailbox.AddToTicketView.as_view(), name="mailbox_add"),
        *(
            path(
                message + f"{kind.namespace}/",
                mailbox.create_ticket_view(kind),
                name=f"mailbox_new-{kind.namespace}",
            )
            for kind in all_kinds()
        ),
    ]


urlpatterns = [
    path("schema/", pages.SchemaView.as_view(), name="schema"),
    path("docs/", pages.docs, name="docs"),
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke_page, name="token_revoke"),
    *kind_urlpatterns(),
    *merge.merge_urlpatterns(),
    *mailbox_urlpatterns(),
    path("v1/customers/", customers.CustomerListView.as_view(), name="customers"),
    path("v1/customers/<int:pk>/", customers.CustomerDetailView.as_view(), name="customer"),
    path("v1/groups/", reference.GroupListView.as_view(), name="groups"),
    path("v1/templates/", reference.TemplateListView.as_view(), name="templates"),
    path("v1/reasons/", reference.ReasonListView.as_view(), name="reasons"),
    path("v1/sla-targets/", reference.SlaTargetListView.as_view(), name="sla_targets"),
    path(
        "v1/escalation-cases/",
        escalation.EscalationCaseListView.as_view(),
        name="escalation_cases",
    ),
    path("v1/dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("v1/search/", search.SearchView.as_view(), name="search"),
    path("v1/webhooks/", webhooks.SubscriptionListView.as_view(), name="webhooks"),
    path("v1/webhooks/<int:pk>/", webhooks.SubscriptionDetailView.as_view(), name="webhook"),
    path(
        "v1/webhooks/<int:pk>/deliveries/",
        webhooks.DeliveryListView.as_view(),
        name="webhook_deliveries",
    ),
    # Last: any other address under /api/ answers a problem+json 404.
    re_path(r"", base.NotFoundView.as_view(), name="not_found"),
]
