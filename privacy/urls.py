"""The data-protection requests' pages, mounted at /privacy/ by the wiring."""

from django.urls import URLPattern, path

from privacy import views

app_name = "privacy"

urlpatterns: list[URLPattern] = [
    path("", views.request_list, name="list"),
    path("new/<int:customer_id>/", views.request_new, name="new"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/extend/", views.request_extend_view, name="extend"),
    path("<int:pk>/block/", views.customer_block_view, name="block"),
    path("<int:pk>/export/", views.export_request_view, name="export"),
    path("<int:pk>/download/", views.export_download, name="download"),
    path("<int:pk>/close/", views.request_close_view, name="close"),
]
