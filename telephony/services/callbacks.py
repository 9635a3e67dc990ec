"""The missed-calls queue: a missed call is owed a call back until someone
returns it (the phone system reports the outbound call) or closes it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.common.permissions import require_agent
from telephony.models import Call, CallbackResult, CallbackStatus


def _open_call(call: Call) -> Call:
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.callback_status != CallbackStatus.OPEN:
        raise ValidationError(_("This call is no longer waiting to be called back."))
    return locked


@transaction.atomic
def callback_take(*, call: Call, user) -> Call:
    """*Asignarme*: the call back is this agent's."""
    require_agent(user)
    call = _open_call(call)
    call.callback_assignee = user
    call.save(update_fields=["callback_assignee"])
    return call


@transaction.atomic
def callback_close(*, call: Call, user, result: str) -> Call:
    """Closed by hand with a result (reached another way, wrong number…)."""
    require_agent(user)
    if result not in CallbackResult.values:
        raise ValidationError({"result": _("Choose a result.")})
    call = _open_call(call)
    call.callback_status = CallbackStatus.DONE
    call.callback_result = result
    call.callback_closed_at = timezone.now()
    call.callback_closed_by = user
    call.callback_assignee = call.callback_assignee or user
    call.save(
        update_fields=[
            "callback_status",
            "callback_result",
            "callback_closed_at",
            "callback_closed_by",
            "callback_assignee",
        ]
    )
    return call
