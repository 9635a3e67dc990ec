"""Calls as the phone system makes them: through the event service."""

from datetime import datetime

from telephony.forms import CtiEvent
from telephony.models import Call, CtiIntegration
from telephony.services.events import cti_event_receive


def integration(name: str = "Centralita de pruebas") -> CtiIntegration:
    made = CtiIntegration.objects.filter(name=name).first()
    if made is None:
        made = CtiIntegration(name=name)
        made.set_token(CtiIntegration.new_token())
        made.save()
    return made


def make_call(
    customer=None,
    *,
    number: str = "",
    call_id: str = "factory-1",
    missed: bool = True,
    extension: str = "101",
    at: datetime | None = None,
) -> Call:
    """An inbound call from ``number`` (else the customer's first phone),
    missed or answered and ended."""
    if not number and customer is not None:
        phone = customer.phones.order_by("pk").first()
        number = phone.e164 if phone else ""
    pbx = integration()

    def event(name: str, **extra) -> None:
        fields = {
            "event": name,
            "call_id": call_id,
            "direction": "in",
            "from_number": number or "anonymous",
            "to_number": "+34910000000",
            "users": (extension,),
            "queue": "",
            "answering_number": "",
            "cause": "",
            **extra,
        }
        cti_event_receive(integration=pbx, event=CtiEvent(**fields), payload={}, now=at)

    event("newCall")
    if not missed:
        event("answer", answering_number=extension)
    event("hangup", cause="cancel" if missed else "normalClearing")
    return Call.objects.get(integration=pbx, call_id=call_id)
