"""The permission of the resources a token reaches with a scope of their
own (``mail``, ``mailbox``): the desk's roles, as every resource, and the
scope whatever the method."""

from django.utils.translation import gettext as _

from api.models import Scope
from api.rest import DeskPermission, request_scopes
from itsm.common.permissions import is_agent


class ScopePermission(DeskPermission):
    scope: str = Scope.READ

    def has_permission(self, request, view) -> bool:
        if not is_agent(request.user):
            return False
        if self.scope not in request_scopes(request):
            self.message = _("This token lacks the %(scope)s scope.") % {"scope": self.scope}
            return False
        return True


class MailPermission(ScopePermission):
    scope = Scope.MAIL


class MailboxPermission(ScopePermission):
    scope = Scope.MAILBOX
