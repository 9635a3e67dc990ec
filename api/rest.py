"""How the API authenticates, authorises, limits and answers errors: a
bearer token (never the session cookie, so no request of the API can be
forged from a browser), the desk's roles with the token's scopes, a rate
per token in the shared cache, and every error as ``application/problem+json``
(RFC 9457) in the request's language."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from api.models import ApiToken, Scope
from api.tokens import effective_scopes, token_find, token_used
from itsm.audit import audit_record
from itsm.common.pagination import InvalidCursor
from itsm.common.permissions import is_agent
from itsm.middleware import client_ip
from itsm.models import AuditEventKind
from itsm.services.ticket_update import StaleTicketError

PROBLEM_JSON = "application/problem+json"

# Messages Django and DRF share, which DRF's Spanish catalogue words
# differently ("Este campo es requerido."): api/locale restates Django's
# wording and the api app comes before rest_framework in INSTALLED_APPS, so
# the pages keep their words and the API speaks like the forms.
SHARED_WITH_DJANGO = (
    gettext_noop("This field is required."),
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted file is empty."),
    gettext_noop(
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    ),
    gettext_noop("Value must be valid JSON."),
)


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer itsm_…``. Each use moves the token's last use
    and is written to the audit trail."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header is malformed."))
        try:
            plain = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = token_find(plain)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid, expired or revoked."))
        address = client_ip(request._request)
        token_used(token, address=address)
        audit_record(
            kind=AuditEventKind.API,
            request=request._request,
            user=token.user,
            detail=f"{request.method} token #{token.pk} {token.name}",
        )
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "itsm_…"}


def request_scopes(request) -> set[str]:
    token = request.auth
    return effective_scopes(token) if isinstance(token, ApiToken) else set()


class DeskPermission(BasePermission):
    """Those who work tickets, with ``read`` to read and ``write`` to change.
    The token's scopes are cut to what the owner's role allows today."""

    message = _("You are not allowed to work on tickets.")

    def has_permission(self, request, view) -> bool:
        if not is_agent(request.user):
            return False
        needed = Scope.READ if request.method in ("GET", "HEAD", "OPTIONS") else Scope.WRITE
        if needed not in request_scopes(request):
            self.message = _("This token lacks the %(scope)s scope.") % {"scope": needed}
            return False
        return True


class StaffPermission(DeskPermission):
    """What only the admin lets a person do (changing a customer)."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if not request.user.is_staff:
            self.message = _("Only administrators can do this.")
            return False
        return True


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (``ITSM_API_RATE``), counted in the shared cache
    so every worker and machine counts together."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": f"t{request.auth.pk}"}


def _problem(status_code: int, title: str, detail: str = "", **extra) -> Response:
    body = {"type": "about:blank", "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(body, status=status_code, content_type=PROBLEM_JSON)


def _messages(detail) -> list[str] | dict:
    """DRF's error details as plain strings, nested as they came."""
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        flat = []
        for item in detail:
            value = _messages(item)
            flat.extend(value if isinstance(value, list) else [value])
        return flat
    return [str(detail)]


def validation_problem(errors: dict | list) -> Response:
    if isinstance(errors, list):
        errors = {"non_field_errors": errors}
    return _problem(
        400,
        _("The request is not valid."),
        _("Correct the fields marked in errors."),
        errors=errors,
    )


def stale_problem(error: StaleTicketError, view) -> Response:
    """Who changed the ticket and when, and the ticket as it is now: an API
    client holds what it saw, so comparing the two says what changed."""
    current = error.current
    represent = getattr(view, "represent", None)
    response = _problem(
        412,
        _("The ticket changed since your version."),
        str(error),
        changed_by=current.updated_by.get_username(),
        changed_at=current.updated_at.isoformat(),
        current_version=current.version,
        current=represent(current) if represent else None,
    )
    response["ETag"] = f'"{current.version}"'
    return response


def exception_handler(exc, context) -> Response | None:
    """Every error the API answers, as problem+json."""
    if isinstance(exc, StaleTicketError):
        return stale_problem(exc, context.get("view"))
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return validation_problem({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
        return validation_problem([str(m) for m in exc.messages])
    if isinstance(exc, InvalidCursor):
        return validation_problem({"cursor": [_("The page cursor is not valid.")]})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if str(exc) else None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) if str(exc) else None)
    if not isinstance(exc, exceptions.APIException):
        return None
    if isinstance(exc, exceptions.ValidationError):
        return validation_problem(_messages(exc.detail))
    detail = exc.detail
    text = str(detail) if not isinstance(detail, dict | list) else ""
    response = _problem(exc.status_code, str(exceptions.APIException.default_detail), text)
    response.data["title"] = _title(exc.status_code)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response


def _title(status_code: int) -> str:
    return {
        400: _("The request is not valid."),
        401: _("A valid token is needed."),
        403: _("Not allowed."),
        404: _("Not found."),
        405: _("Method not allowed."),
        406: _("Cannot answer in the requested format."),
        412: _("The ticket changed since your version."),
        413: _("The request is too large."),
        415: _("Unsupported media type."),
        428: _("The If-Match header is required."),
        429: _("Too many requests."),
    }.get(status_code, _("The request failed."))


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _("Send If-Match with the ticket's ETag (its version).")
    default_code = "precondition_required"


class DeskAPIView(APIView):
    """Every API view: token only, desk roles, the per-token rate, answers in
    the request's language (Accept-Language; Spanish by default)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [DeskPermission]
    throttle_classes = [TokenRateThrottle]

    @classmethod
    def as_view(cls, **initkwargs):
        # The token, not the session, authenticates: Django's login redirect
        # would answer a missing token with a page meant for browsers.
        return login_not_required(super().as_view(**initkwargs))

    def dispatch(self, request, *args, **kwargs):
        language = _accepted_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
            response["Content-Language"] = language
            # Rendered here, while the language is active.
            if hasattr(response, "render") and callable(response.render):
                response.render()
        return response


def _accepted_language(header: str) -> str:
    """The first of the desk's languages the client accepts, Spanish otherwise."""
    known = dict(settings.LANGUAGES)
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in known:
            return code
    return settings.LANGUAGE_CODE
