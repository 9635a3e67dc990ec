"""Every URL of the desk. Site-wide pages are listed here; each registered
kind gets the same pages under its namespace (``incidents/…``,
``workorders/…``), declared once in ``KIND_PAGES``: a kind's views receive
the ``Kind`` in their kwargs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, include, path
from django.views.i18n import set_language

from itsm.kinds import Kind, all_kinds
from itsm.views import consoles, coordination, dashboard, search, ticket_actions, tickets
from notifications.urls import EMAIL_PAGES

# The pages of every kind: (route, view, extra kwargs, name).
KIND_PAGES = (
    ("", consoles.console, {}, "console"),
    ("saved-view/", consoles.console_save_view, {}, "console_save_view"),
    ("export.csv", consoles.console_export, {}, "export"),
    ("new/", tickets.ticket_new, {}, "new"),
    ("template-fields/", tickets.template_fields, {}, "template_fields"),
    ("reasons/", tickets.reason_options, {}, "reasons"),
    ("assignees/", tickets.assignee_options, {}, "assignees"),
    ("<str:number>/", tickets.ticket_detail, {}, "detail"),
    ("<str:number>/edit/", tickets.ticket_edit, {}, "edit"),
    ("<str:number>/presence/", tickets.ticket_presence, {}, "presence"),
    ("<str:number>/presence/leave/", tickets.ticket_presence_leave, {}, "presence_leave"),
    (
        "<str:number>/assign-to-me/",
        ticket_actions.quick_action,
        {"action": "assign"},
        "assign_to_me",
    ),
    ("<str:number>/pending/", ticket_actions.quick_action, {"action": "pending"}, "pending"),
    ("<str:number>/resolve/", ticket_actions.quick_action, {"action": "resolve"}, "resolve"),
    ("<str:number>/reopen/", ticket_actions.quick_action, {"action": "reopen"}, "reopen"),
    ("<str:number>/escalate/", ticket_actions.escalate, {}, "escalate"),
    (
        "<str:number>/escalate/related/",
        ticket_actions.escalate_as_related,
        {},
        "escalate_as_related",
    ),
    ("<str:number>/work-info/", ticket_actions.work_info_create, {}, "work_info_add"),
    (
        "<str:number>/work-info/<int:entry_id>/files/<int:index>/",
        ticket_actions.attachment_download,
        {},
        "attachment",
    ),
    ("<str:number>/relations/search/", ticket_actions.relation_search, {}, "relation_search"),
    ("<str:number>/relations/", ticket_actions.relation_add, {}, "relation_add"),
    (
        "<str:number>/relations/<int:relation_id>/remove/",
        ticket_actions.relation_remove,
        {},
        "relation_remove",
    ),
    *EMAIL_PAGES,
)


def kind_urlpatterns(kind: Kind) -> list[URLPattern]:
    return [
        path(route, view, {"kind": kind, **extra}, name=name)
        for route, view, extra, name in KIND_PAGES
    ]


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


urlpatterns = [
    path("", consoles.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Open to everyone: the login page offers the language switch too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    *(
        path(f"{kind.namespace}/", include((kind_urlpatterns(kind), kind.namespace)))
        for kind in all_kinds()
    ),
    path("customers/", include("customers.urls")),
    path("search/", search.search, name="search"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    *coordination_urlpatterns(),
    path("mailbox/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]
