from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
