"""Every URL of the desk, assembled from what each app declares in its urls
module: its site-wide pages (``urlpatterns``) and the pages every registered
kind gets under its namespace (``KIND_PAGES``: route, view, extra kwargs,
name). Part of the wiring, with the settings, WSGI/ASGI and the Celery app:
the only modules that may import every app (see ``.importlinter``)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, include, path
from django.views.i18n import set_language

from api import urls as api_urls
from itsm import core_urls
from itsm.kinds import Kind, all_kinds
from itsm.ops import views as ops_views
from kb import urls as kb_urls
from notifications import urls as notifications_urls
from privacy import urls as privacy_urls
from telephony import urls as telephony_urls

KIND_PAGES = (*core_urls.KIND_PAGES, *notifications_urls.KIND_PAGES)


def kind_urlpatterns(kind: Kind) -> list[URLPattern]:
    return [
        path(route, view, {"kind": kind, **extra}, name=name)
        for route, view, extra, name in KIND_PAGES
    ]


urlpatterns = [
    # Answered first by itsm.ops.middleware.ProbeMiddleware; named here for the matrix.
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Open to everyone: the login page offers the language switch too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    *(
        path(f"{kind.namespace}/", include((kind_urlpatterns(kind), kind.namespace)))
        for kind in all_kinds()
    ),
    path("", include(core_urls)),
    path("mailbox/", include(notifications_urls)),
    path("kb/", include(kb_urls)),
    path("privacy/", include(privacy_urls)),
    # Before the API: its catch-all answers 404 for any other /api/ address,
    # the phone system's endpoint (/api/v1/cti/<token>) included.
    path("", include(telephony_urls)),
    path("api/", include(api_urls)),
    path("admin/", admin.site.urls),
]
