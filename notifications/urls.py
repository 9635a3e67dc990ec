"""What the e-mail app declares for ``itsm.urls`` to assemble: ``KIND_PAGES``,
the compose pages every kind gets under each ticket
(``/incidents/<number>/email/`` …) as (route, view, extra kwargs, name); and
``urlpatterns``, the mailbox, included under ``/mailbox/``."""

from django.urls import URLPattern, path

from itsm.common.urls import record_pages
from notifications import mailbox_views, views

KIND_PAGES = (
    ("<str:number>/email/", views.email_compose, {}, "email"),
    ("<str:number>/email/<int:email_id>/", views.email_compose, {}, "email_message"),
    ("<str:number>/email/<int:email_id>/resend/", views.email_resend_view, {}, "email_resend"),
    (
        "<str:number>/email/<int:email_id>/files/<int:position>/",
        views.email_attachment,
        {},
        "email_attachment",
    ),
    (
        "<str:number>/email/<int:email_id>/files/<int:position>/remove/",
        views.email_attachment_remove,
        {},
        "email_attachment_remove",
    ),
)

app_name = "notifications"

# Under /mailbox/ (itsm.urls).
urlpatterns: list[URLPattern] = [
    path("", mailbox_views.mailbox, name="mailbox"),
    *record_pages(
        "",
        mailbox_views.mailbox_detail,
        {
            "take": mailbox_views.mailbox_take_view,
            "no_action": mailbox_views.mailbox_no_action_view,
            "add": mailbox_views.mailbox_add_view,
            "raw": mailbox_views.mailbox_raw,
        },
        name_prefix="mailbox_",
    ),
    path("<int:pk>/new/<str:kind>/", mailbox_views.mailbox_new_ticket, name="mailbox_new_ticket"),
    path(
        "<int:pk>/files/<int:position>/",
        mailbox_views.mailbox_attachment,
        name="mailbox_attachment",
    ),
    # A response template's standard document, for admins and agents.
    path("documents/<int:pk>/", views.template_document, name="document"),
]
