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


# The class-based views under /api/v1/ that are not a kind's. These are
# named as their address, with dashes for underscores (``sla-targets/``).
NAMED_BY_ADDRESS = {
    "mailbox": mailbox.MailboxListView,
    "customers": customers.CustomerListView,
    "groups": reference.GroupListView,
    "templates": reference.TemplateListView,
    "reasons": reference.ReasonListView,
    "sla_targets": reference.SlaTargetListView,
    "escalation_cases": escalation.EscalationCaseListView,
    "dashboard": dashboard.DashboardView,
    "search": search.SearchView,
    "webhooks": webhooks.SubscriptionListView,
}
# These, a record and its parts: (route, view, name).
MESSAGE = "mailbox/<int:message_id>/"
RECORD_VIEWS = (
    ("customers/<int:pk>/", customers.CustomerDetailView, "customer"),
    ("webhooks/<int:pk>/", webhooks.SubscriptionDetailView, "webhook"),
    ("webhooks/<int:pk>/deliveries/", webhooks.DeliveryListView, "webhook_deliveries"),
    (MESSAGE, mailbox.MessageView, "mailbox_message"),
    (MESSAGE + "raw/", mailbox.RawView, "mailbox_raw"),
    (MESSAGE + "files/<int:position>/", mailbox.AttachmentView, "mailbox_attachment"),
    (MESSAGE + "take/", mailbox.TakeView, "mailbox_take"),
    (MESSAGE + "no-action/", mailbox.NoActionView, "mailbox_no_action"),
    (MESSAGE + "add/", mailbox.AddToTicketView, "mailbox_add"),
)


urlpatterns = [
    path("schema/", pages.SchemaView.as_view(), name="schema"),
    path("docs/", pages.docs, name="docs"),
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke_page, name="token_revoke"),
    *kind_urlpatterns(),
    *merge.merge_urlpatterns(),
    *(
        path(f"v1/{name.replace('_', '-')}/", view.as_view(), name=name)
        for name, view in NAMED_BY_ADDRESS.items()
    ),
    *(path("v1/" + route, view.as_view(), name=name) for route, view, name in RECORD_VIEWS),
    # A ticket of each kind from a message of the mailbox.
    *(
        path(
            f"v1/{MESSAGE}{kind.namespace}/",
            mailbox.create_ticket_view(kind),
            name=f"mailbox_new-{kind.namespace}",
        )
        for kind in all_kinds()
    ),
    # Last: any other address under /api/ answers a problem+json 404.
    re_path(r"", base.NotFoundView.as_view(), name="not_found"),
]
