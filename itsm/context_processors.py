from django.http import HttpRequest

from itsm.common.permissions import is_agent, is_coordinator, is_data_protection
from itsm.kinds import all_kinds, number_examples


def roles(request: HttpRequest) -> dict:
    """The user's roles, and the kinds of ticket the menu offers."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_is_agent": is_agent(user),
        "user_is_coordinator": is_coordinator(user),
        "user_is_data_protection": is_data_protection(user),
        "ticket_kinds": list(all_kinds()),
        "number_examples": number_examples(),
    }
