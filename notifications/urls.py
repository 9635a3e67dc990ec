"""The compose pages under each ticket (``/incidents/<number>/email/`` …),
part of every kind's pages in ``itsm.urls``: (route, view, extra kwargs, name)."""

from django.urls import path

from notifications import views

EMAIL_PAGES = (
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

# Site-wide pages under /notifications/.
urlpatterns = [
    path("documents/<int:pk>/", views.template_document, name="document"),
]
