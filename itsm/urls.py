"""Every URL of the desk. Site-wide pages are listed here; each registered
kind gets the same pages under its namespace (``incidents/…``,
``workorders/…``), declared once in ``kind_urlpatterns``. Every pattern is a
plain ``path(route, view, kwargs, name)``; a kind's views receive the
``Kind`` in their kwargs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, include, path
from django.views.i18n import set_language

from itsm.kinds import Kind, all_kinds
from itsm.views import consoles, coordination, search, ticket_actions, tickets
from notifications.urls import email_urlpatterns


def kind_urlpatterns(kind: Kind) -> list[URLPattern]:
    k = {"kind": kind}

    def action(name: str) -> dict:
        return {**k, "action": name}

    return [
        path("", consoles.console, k, name="console"),
        path("saved-view/", consoles.console_save_view, k, name="console_save_view"),
        path("new/", tickets.ticket_new, k, name="new"),
        path("template-fields/", tickets.template_fields, k, name="template_fields"),
        path("reasons/", tickets.reason_options, k, name="reasons"),
        path("<str:number>/", tickets.ticket_detail, k, name="detail"),
        path("<str:number>/edit/", tickets.ticket_edit, k, name="edit"),
        path(
            "<str:number>/assign-to-me/",
            ticket_actions.quick_action,
            action("assign"),
            name="assign_to_me",
        ),
        path(
            "<str:number>/pending/", ticket_actions.quick_action, action("pending"), name="pending"
        ),
        path(
            "<str:number>/resolve/", ticket_actions.quick_action, action("resolve"), name="resolve"
        ),
        path("<str:number>/reopen/", ticket_actions.quick_action, action("reopen"), name="reopen"),
        path(
            "<str:number>/escalate/",
            ticket_actions.quick_action,
            action("escalate"),
            name="escalate",
        ),
        path("<str:number>/work-info/", ticket_actions.work_info_create, k, name="work_info_add"),
        path(
            "<str:number>/work-info/<int:entry_id>/files/<int:index>/",
            ticket_actions.attachment_download,
            k,
            name="attachment",
        ),
        path(
            "<str:number>/relations/search/",
            ticket_actions.relation_search,
            k,
            name="relation_search",
        ),
        path("<str:number>/relations/", ticket_actions.relation_add, k, name="relation_add"),
        path(
            "<str:number>/relations/<int:relation_id>/remove/",
            ticket_actions.relation_remove,
            k,
            name="relation_remove",
        ),
        *email_urlpatterns(kind),
    ]


def coordination_urlpatterns() -> list[URLPattern]:
    return [
        path("coordination/", coordination.coordination, name="coordination"),
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
    *coordination_urlpatterns(),
    path("admin/", admin.site.urls),
]
