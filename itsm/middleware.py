import json
import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.http import HttpRequest, HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _


class DeskLocaleMiddleware(LocaleMiddleware):
    """The desk speaks Spanish whatever language the browser asks for; English
    is a deliberate choice (the cookie set by /i18n/setlang/)."""

    def process_request(self, request: HttpRequest) -> None:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SecurityHeadersMiddleware:
    """The headers Django's SecurityMiddleware does not write: the Content
    Security Policy and the Permissions Policy (settings ``ITSM_CSP`` and
    ``ITSM_PERMISSIONS_POLICY``). A view may set its own policy first."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.csp = "; ".join(settings.ITSM_CSP)
        self.permissions_policy = settings.ITSM_PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


def client_ip(request: HttpRequest) -> str:
    """The address a request came from. Behind ``ITSM_PROXY_COUNT`` proxies,
    the entry of X-Forwarded-For the nearest trusted proxy wrote; anything
    further left was written by the client and proves nothing."""
    count = settings.ITSM_PROXY_COUNT
    if count > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def mark_session_seen(sender, request: HttpRequest, user, **kwargs) -> None:
    """The login saves the session anyway: start the idle clock with it, so
    the first page after logging in does not write the session again."""
    if request is not None and hasattr(request, "session"):
        request.session["seen_at"] = int(time.time())


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The user name django-axes counts failures for. Django's login forms do
    not check its length before authenticating, and axes stores at most 255
    characters (PostgreSQL refuses more): cut to the longest user name."""
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username")
    return username[:150] if isinstance(username, str) else username


LEGACY_BACKEND = "django.contrib.auth.backends.ModelBackend"
DESK_BACKEND = "itsm.common.auth_backend.DeskBackend"


class IdleSessionMiddleware:
    """Sessions expire SESSION_COOKIE_AGE after the last request, not after
    the login: the session is saved again (renewing its expiry) at most once
    every few minutes, so reading pages does not write on every request.

    A session signed in through Django's own model backend, before the desk's
    replaced it, carries on under the desk's: nobody is signed out by an
    upgrade (it runs before anything reads ``request.user``)."""

    RENEW_AFTER_SECONDS = 300

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and request.session.get(BACKEND_SESSION_KEY) == LEGACY_BACKEND
        ):
            request.session[BACKEND_SESSION_KEY] = DESK_BACKEND
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get("seen_at")
            if not isinstance(seen, int) or now - seen >= self.RENEW_AFTER_SECONDS:
                request.session["seen_at"] = now
        return self.get_response(request)


def _holds_nul(data) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in data.lists()
    )


class RefuseNulMiddleware:
    """PostgreSQL cannot store a NUL character in text and fails the query
    that tries; no person types one. Refused here, once, for the path, the
    query string and the form fields (file names are cleaned on upload)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        posted = request.method == "POST" and _holds_nul(request.POST)
        if "\x00" in request.path or _holds_nul(request.GET) or posted:
            message = _("The request holds a null character, which is not allowed.")
            if request.path.startswith("/api/"):
                # The API answers every error as RFC 9457 problem details.
                problem = {"type": "about:blank", "title": message, "status": 400}
                return HttpResponseBadRequest(
                    json.dumps(problem), content_type="application/problem+json"
                )
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
