from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from itsm import consoles, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("incidents/", include("incidents.urls")),
    path("workorders/", include("workorders.urls")),
    path("customers/", include("customers.urls")),
    path("notifications/", include("notifications.urls")),
    *consoles.site_urlpatterns(),
    path("admin/", admin.site.urls),
]
