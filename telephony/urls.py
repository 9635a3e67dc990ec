"""What the phone app declares for ``itsm.urls`` to assemble, mounted at the
root: the calls pages (``/calls/``), the push stream (``/push/``) and the
phone system's endpoint (``/api/v1/cti/<token>``), which the wiring places
before the API's catch-all."""

from django.urls import URLPattern, path

from itsm.common.urls import record_pages
from telephony.views import calls, cti, push

app_name = "telephony"

urlpatterns: list[URLPattern] = [
    path("calls/", calls.calls, name="calls"),
    *record_pages(
        "calls/",
        calls.call_detail,
        {
            "popup": calls.call_popup,
            "take": calls.call_take,
            "close": calls.call_close,
            "add": calls.call_add_to_ticket,
        },
    ),
    path("calls/<int:pk>/new/<str:kind>/", calls.call_new_ticket, name="new_ticket"),
    path("push/calls/", push.push_stream, name="push"),
    path("api/v1/cti/<str:token>", cti.cti_event, name="cti"),
]
