from django.urls import URLPattern, path

from itsm.models import Ticket
from notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern] = []


def email_urlpatterns(model: type[Ticket]) -> list[URLPattern]:
    """The compose pages under a ticket (/incidents/<number>/email/ …)."""
    kwargs = {"model": model}
    return [
        path("<str:number>/email/", views.email_compose, kwargs, name="email"),
        path(
            "<str:number>/email/<int:email_id>/",
            views.email_compose,
            kwargs,
            name="email_message",
        ),
        path(
            "<str:number>/email/<int:email_id>/resend/",
            views.email_resend_view,
            kwargs,
            name="email_resend",
        ),
        path(
            "<str:number>/email/<int:email_id>/files/<int:position>/",
            views.email_attachment,
            kwargs,
            name="email_attachment",
        ),
        path(
            "<str:number>/email/<int:email_id>/files/<int:position>/remove/",
            views.email_attachment_remove,
            kwargs,
            name="email_attachment_remove",
        ),
    ]
