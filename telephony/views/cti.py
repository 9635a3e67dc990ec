"""The phone system's endpoint: Zammad's Generic CTI events, unchanged, so
the bridges written for Zammad (Asterisk, FreePBX, 3CX…) work by changing
the URL. No session and no CSRF token: the token in the URL (and, when the
integration has one, an HMAC signature) is the authentication."""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse, RawPostDataException
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from telephony.forms import USER_KEYS, CtiEventForm
from telephony.services.events import cti_event_receive, integration_for_token, signature_valid

SIGNATURE_HEADER = "X-Hub-Signature-256"


def _problem(status: int, title: str, **extra) -> JsonResponse:
    response = JsonResponse(
        {"type": "about:blank", "title": title, "status": status, **extra}, status=status
    )
    response["Content-Type"] = "application/problem+json"
    return response


def _scalar(value) -> str | None:
    if isinstance(value, bool) or value is None:
        return "" if value is None else None
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _read(request: HttpRequest) -> tuple[dict, list[str]] | None:
    """The event's fields and its users, from JSON or form data; None when
    the body is neither."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(body, dict):
            return None
        data = {}
        for key, value in body.items():
            if key in USER_KEYS:
                continue
            text = _scalar(value)
            if text is None:
                return None
            data[key] = text
        users: list[str] = []
        for key in USER_KEYS:
            value = body.get(key)
            values = value if isinstance(value, list) else [value] if value is not None else []
            for item in values:
                text = _scalar(item)
                if text is None:
                    return None
                users.append(text)
        return data, users
    data = {key: request.POST.get(key, "") for key in request.POST if key not in USER_KEYS}
    users = [u for key in USER_KEYS for u in request.POST.getlist(key)]
    return data, users


@csrf_exempt
@login_not_required
@require_POST
def cti_event(request: HttpRequest, token: str) -> JsonResponse:
    integration = integration_for_token(token)
    if integration is None:
        return _problem(401, "Unknown or inactive integration token.")
    try:
        body = request.body
    except RawPostDataException:
        body = None
    if integration.hmac_secret and (
        body is None
        or not signature_valid(integration, body, request.headers.get(SIGNATURE_HEADER, ""))
    ):
        return _problem(401, "Missing or wrong signature.")
    read = _read(request)
    if read is None:
        return _problem(400, "The body is not a Generic CTI event (JSON object or form fields).")
    data, users = read
    form = CtiEventForm(data, users)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return _problem(400, "The event is not valid.", errors=errors)
    payload = {**data, "user[]": users} if users else data
    answer = cti_event_receive(integration=integration, event=form.event_value(), payload=payload)
    return JsonResponse(answer)
