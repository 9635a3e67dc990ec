"""The pages around the API: the schema, its reference (Swagger UI from
drf-spectacular-sidecar, served from our static files) and the user's
*Tokens de API*."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authentication import SessionAuthentication

from api.forms import TokenForm
from api.models import ApiToken
from api.rest import DeskPermission, TokenAuthentication, TokenRateThrottle
from api.tokens import token_create, token_revoke, user_tokens
from itsm.common.access import agent_required
from itsm.common.permissions import is_agent
from itsm.common.rows import row_id


class SessionOrTokenPermission(DeskPermission):
    """The schema: agents in their browser session, or a token that reads."""

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, ApiToken):
            return super().has_permission(request, view)
        return is_agent(request.user)


class SchemaView(SpectacularAPIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [SessionOrTokenPermission]
    throttle_classes = [TokenRateThrottle]

    @classmethod
    def as_view(cls, **initkwargs):
        return login_not_required(super().as_view(**initkwargs))


# Swagger UI writes its own style attributes (allowed site-wide) and needs
# nothing else: the page keeps the site's policy. The one difference is
# that its "Try it out" calls the API, which connect-src 'self' allows.
@agent_required
@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html")


@agent_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's tokens; a new one is shown once, on the answer to its creation."""
    created = None
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            token, plain = token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as error:
            form.add_error("scopes", str(error))
        else:
            created = {"token": token, "plain": plain}
            form = TokenForm(user=request.user)
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": user_tokens(request.user), "created": created},
        status=400 if request.method == "POST" and created is None else 200,
    )
    return response


@agent_required
@require_POST
def token_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=row_id(pk), user=request.user).first()
    if token is None:
        raise Http404(_("There is no such token."))
    token_revoke(token=token)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("api:tokens")
