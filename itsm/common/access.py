"""Who may see what. Every view loads tickets through here."""

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from itsm.common.permissions import is_agent, is_coordinator, is_data_protection
from itsm.common.statements import Statement

# A kind's ticket model: the bottom names none of them.
TicketModel = TypeVar("TicketModel", bound=Model)


def _role_required(
    has_role: Callable[..., bool], refusal: str
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view decorator: logged in, and refused with ``refusal`` (translated
    when refused) unless ``has_role(user)``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_role(request.user):
                raise PermissionDenied(_(refusal))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Logged in and working tickets (agents, coordinators, admins).
agent_required = _role_required(is_agent, gettext_noop("You are not allowed to work on tickets."))
coordinator_required = _role_required(
    is_coordinator, gettext_noop("Only coordinators can do this.")
)


def _ticket_by_number(model, select_related: tuple, sees_blocked: bool, number: str):
    queryset = model.objects.select_related(*select_related) if select_related else model.objects
    if not sees_blocked:
        # A blocked customer's tickets are out of ordinary use (privacy/):
        # one row joined to its customer, in the same query (a ticket always
        # has one, so a filter, not the subquery an exclude would build).
        queryset = queryset.filter(customer__blocked_at__isnull=True)
    # Numbers are unique: no ORDER BY for the database to plan.
    return queryset.filter(number=number)[:1]


_TICKET_BY_NUMBER = Statement(_ticket_by_number)


def get_ticket_for_user(
    user, model: type[TicketModel], number: str, *, select_related=()
) -> TicketModel:
    """The ticket with that number if the user may see it: every agent of the
    desk sees every ticket but a blocked customer's (the data-protection role
    alone sees those); anyone else gets 403, an unknown number 404."""
    if not is_agent(user):
        raise PermissionDenied(_("You are not allowed to work on tickets."))
    shape = (model, tuple(select_related), is_data_protection(user))
    ticket = next(iter(_TICKET_BY_NUMBER(number.upper(), shape=shape)), None)
    if ticket is None:
        raise Http404(_("There is no ticket %(number)s.") % {"number": number})
    return ticket
