"""The push stream an agent's pages keep open (server-sent events)."""

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from itsm.common.access import agent_required
from telephony import push


@agent_required
@require_GET
def push_stream(request: HttpRequest) -> StreamingHttpResponse:
    user_id = request.user.pk
    if isinstance(request, ASGIRequest):
        stream = push.stream_async(user_id)
    else:
        stream = push.stream_sync(user_id)
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    # nginx passes each event on at once instead of buffering the stream.
    response["X-Accel-Buffering"] = "no"
    return response
