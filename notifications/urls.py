"""The compose pages under each ticket (``/incidents/<number>/email/`` …),
added to every kind's URLs by ``itsm.urls``."""

from django.urls import URLPattern, path

from itsm.kinds import Kind
from notifications import views


def email_urlpatterns(kind: Kind) -> list[URLPattern]:
    k = {"kind": kind}
    return [
        path("<str:number>/email/", views.email_compose, k, name="email"),
        path("<str:number>/email/<int:email_id>/", views.email_compose, k, name="email_message"),
        path(
            "<str:number>/email/<int:email_id>/resend/",
            views.email_resend_view,
            k,
            name="email_resend",
        ),
        path(
            "<str:number>/email/<int:email_id>/files/<int:position>/",
            views.email_attachment,
            k,
            name="email_attachment",
        ),
        path(
            "<str:number>/email/<int:email_id>/files/<int:position>/remove/",
            views.email_attachment_remove,
            k,
            name="email_attachment_remove",
        ),
    ]
