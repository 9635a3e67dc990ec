"""The core's pages, declared the way every app declares its own;
``itsm.urls`` assembles them with the other apps'. ``KIND_PAGES`` are the
pages each registered kind gets under its namespace (``incidents/…``,
``workorders/…``): a kind's views receive the ``Kind`` in their kwargs.
``urlpatterns`` are the site-wide pages."""

from django.urls import URLPattern, include, path

from itsm.common.urls import record_pages
from itsm.views import (
    consoles,
    coordination,
    customers,
    dashboard,
    merge,
    search,
    ticket_actions,
    ticket_new,
    tickets,
)

# The pages of every kind: (route, view, extra kwargs, name); a ticket's
# under its number.
TICKET = "<str:number>/"
KIND_PAGES = (
    ("", consoles.console, {}, "console"),
    ("saved-view/", consoles.console_save_view, {}, "console_save_view"),
    ("export.csv", consoles.console_export, {}, "export"),
    ("new/", ticket_new.ticket_new, {}, "new"),
    ("template-fields/", ticket_new.template_fields, {}, "template_fields"),
    ("reasons/", ticket_new.reason_options, {}, "reasons"),
    ("assignees/", ticket_new.assignee_options, {}, "assignees"),
    ("merge/", merge.merge, {}, "merge"),
    (TICKET, tickets.ticket_detail, {}, "detail"),
    (TICKET + "merge/undo/", merge.merge_undo, {}, "merge_undo"),
    (TICKET + "edit/", tickets.ticket_edit, {}, "edit"),
    (TICKET + "presence/", tickets.ticket_presence, {}, "presence"),
    (TICKET + "presence/leave/", tickets.ticket_presence_leave, {}, "presence_leave"),
    (TICKET + "assign-to-me/", ticket_actions.quick_action, {"action": "assign"}, "assign_to_me"),
    (TICKET + "pending/", ticket_actions.quick_action, {"action": "pending"}, "pending"),
    (TICKET + "resolve/", ticket_actions.quick_action, {"action": "resolve"}, "resolve"),
    (TICKET + "reopen/", ticket_actions.quick_action, {"action": "reopen"}, "reopen"),
    (TICKET + "escalate/", ticket_actions.escalate, {}, "escalate"),
    (TICKET + "escalate/form/", coordination.escalation_case_form, {}, "escalate_form"),
    (TICKET + "escalate/related/", ticket_actions.escalate_as_related, {}, "escalate_as_related"),
    (TICKET + "work-info/", ticket_actions.work_info_create, {}, "work_info_add"),
    (
        TICKET + "work-info/<int:entry_id>/files/<int:index>/",
        ticket_actions.attachment_download,
        {},
        "attachment",
    ),
    (TICKET + "relations/search/", ticket_actions.relation_search, {}, "relation_search"),
    (TICKET + "relations/", ticket_actions.relation_add, {}, "relation_add"),
    (
        TICKET + "relations/<int:relation_id>/remove/",
        ticket_actions.relation_remove,
        {},
        "relation_remove",
    ),
)


def coordination_urlpatterns() -> list[URLPattern]:
    return [
        path("coordination/", coordination.coordination, name="coordination"),
        path(
            "coordination/export.csv",
            coordination.coordination_export,
            name="coordination_export",
        ),
        *(
            path(
                f"coordination/<str:number>/{action}/",
                coordination.coordination_action,
                {"action": action},
                name=f"coordination_{action}",
            )
            for action in coordination.COORDINATION_ACTIONS
        ),
    ]


# The customer partials of the new-ticket page and the customer page, under
# the "customers" namespace.
customer_urlpatterns: list[URLPattern] = [
    path("lookup/", customers.customer_lookup, name="lookup"),
    path("new/", customers.customer_create_inline, name="create"),
    *record_pages(
        "",
        customers.customer_detail,
        {
            "pick": customers.customer_pick,
            "note": customers.customer_note,
            "edit": customers.customer_edit,
        },
    ),
]

urlpatterns = [
    path("", consoles.home, name="home"),
    path("customers/", include((customer_urlpatterns, "customers"))),
    path("search/", search.search, name="search"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    *coordination_urlpatterns(),
]
