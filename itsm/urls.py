from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from itsm import consoles, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Open to everyone: the login page offers the language switch too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("incidents/", include("incidents.urls")),
    path("workorders/", include("workorders.urls")),
    path("customers/", include("customers.urls")),
    path("notifications/", include("notifications.urls")),
    *consoles.site_urlpatterns(),
    path("admin/", admin.site.urls),
]
