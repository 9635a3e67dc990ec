"""The data-protection requests' pages, mounted at /privacy/ by the wiring."""

from django.urls import URLPattern, path

from itsm.common.urls import record_pages
from privacy import views

app_name = "privacy"

urlpatterns: list[URLPattern] = [
    path("", views.request_list, name="list"),
    path("new/<int:customer_id>/", views.request_new, name="new"),
    *record_pages(
        "",
        views.request_detail,
        {
            "extend": views.request_extend_view,
            "block": views.customer_block_view,
            "export": views.export_request_view,
            "download": views.export_download,
            "close": views.request_close_view,
        },
    ),
]
