"""The data-protection role's pages: the list of requests with their due
dates, a request with its steps, and its actions (POST, then redirect)."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customers.models import Customer
from itsm.blocked import audit_blocked_access
from itsm.common.permissions import is_data_protection
from privacy import delivery, services
from privacy.forms import CloseForm, ExtendForm, RequestForm
from privacy.models import DataRequest
from privacy.selectors import DUE_FILTERS, customers_for_request, requests_listed


def data_protection_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_data_protection(request.user):
            raise PermissionDenied(_("Only the data-protection role can do this."))
        return view(request, *args, **kwargs)

    return wrapper


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@data_protection_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    due = request.GET.get("due", "pending")
    if due not in DUE_FILTERS:
        due = "pending"
    query = request.GET.get("q", "")[:200]
    found = customers_for_request(query) if len(query.strip()) >= 2 else []
    if any(customer.blocked_at for customer in found):
        audit_blocked_access(
            request, request.user, [c.pk for c in found if c.blocked_at], "request search"
        )
    context = {
        "requests": list(requests_listed(due)[:200]),
        "due": due,
        "query": query,
        "found": found,
        "today": timezone.localdate(),
    }
    return render(request, "privacy/list.html", context)


@data_protection_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=customer_id)
    form = RequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        created = services.request_create(user=request.user, customer=customer, **form.cleaned_data)
        messages.success(request, _("Request recorded."))
        return redirect(created)
    return render(request, "privacy/new.html", {"customer": customer, "form": form})


def _get_request(pk: int) -> DataRequest:
    return get_object_or_404(DataRequest.objects.select_related("customer", "handler"), pk=pk)


@data_protection_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    data_request = _get_request(pk)
    if data_request.customer.blocked_at is not None:
        audit_blocked_access(request, request.user, [data_request.customer_id], "request page")
    context = {
        "data_request": data_request,
        "steps": data_request.steps.select_related("user"),
        "extend_form": ExtendForm(),
        "close_form": CloseForm(),
        "is_handler": data_request.handler_id == request.user.pk,
        "overdue": data_request.is_overdue(),
    }
    return render(request, "privacy/detail.html", context)


def _action(request: HttpRequest, pk: int, act: Callable[[DataRequest], str]) -> HttpResponse:
    data_request = _get_request(pk)
    try:
        messages.success(request, act(data_request))
    except ValidationError as error:
        _errors(request, error)
    return redirect(data_request)


@data_protection_required
@require_POST
def request_extend_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(data_request: DataRequest) -> str:
        reason = request.POST.get("reason", "")
        services.request_extend(request=data_request, user=request.user, reason=reason)
        return _("Due date extended by two months.")

    return _action(request, pk, act)


def _plain_action(
    perform: Callable[..., object], message: str | Promise
) -> Callable[..., HttpResponse]:
    """The view of an action whose service needs only the request and the
    user, and that answers with ``message`` (lazy: put into words per request)."""

    @data_protection_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        def act(data_request: DataRequest) -> str:
            perform(request=data_request, user=request.user)
            return str(message)

        return _action(request, pk, act)

    return view


customer_block_view = _plain_action(
    services.customer_block,
    gettext_lazy("Customer blocked: only the data-protection role can reach them now."),
)
export_request_view = _plain_action(
    delivery.export_request,
    gettext_lazy("The archive is being prepared; it can be downloaded once."),
)


@data_protection_required
@require_POST
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    data_request = _get_request(pk)
    try:
        data = delivery.export_take(request=data_request, user=request.user, http_request=request)
    except ValidationError as error:
        _errors(request, error)
        return redirect(data_request)
    response = HttpResponse(data, content_type="application/zip")
    name = f"datos-cliente-{data_request.customer_id}-solicitud-{data_request.pk}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@data_protection_required
@require_POST
def request_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(data_request: DataRequest) -> str:
        form = CloseForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Write the answer given."))
        services.request_close(request=data_request, user=request.user, **form.cleaned_data)
        return _("Request closed.")

    return _action(request, pk, act)
