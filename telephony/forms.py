"""What the phone system posts, validated; and the missed-calls queue's form."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.fields import TicketNumberField
from telephony.models import CallbackResult, Direction

EVENTS = ("newCall", "answer", "hangup")
# Zammad's bridges send "user[]"; some send "user" (a name or a list).
USER_KEYS = ("user[]", "user")
MAX_USERS = 20


@dataclass(frozen=True)
class CtiEvent:
    event: str
    call_id: str
    direction: str
    from_number: str
    to_number: str
    users: tuple[str, ...]
    queue: str
    answering_number: str
    cause: str


class CtiEventForm(forms.Form):
    """One event of Zammad's Generic CTI, as JSON or form fields."""

    event = forms.ChoiceField(choices=[(name, name) for name in EVENTS])
    callId = forms.CharField(max_length=250)
    direction = forms.ChoiceField(choices=Direction.choices)
    # "anonymous" and the like are kept as sent; the number is read later.
    # Empty is allowed: some bridges leave out what they already said.
    to = forms.CharField(max_length=60, required=False)
    queue = forms.CharField(max_length=100, required=False)
    answeringNumber = forms.CharField(max_length=60, required=False)
    cause = forms.CharField(max_length=20, required=False)

    def __init__(self, data: dict, users: list[str]) -> None:
        super().__init__(data)
        # "from" is a Python keyword: declared here, not as an attribute.
        self.fields["from"] = forms.CharField(max_length=60, required=False)
        self.users = users

    def clean(self) -> dict:
        data = super().clean()
        if len(self.users) > MAX_USERS or any(len(u) > 150 for u in self.users):
            raise forms.ValidationError(_("Too many or too long users."), code="users")
        return data

    def event_value(self) -> CtiEvent:
        data = self.cleaned_data
        return CtiEvent(
            event=data["event"],
            call_id=data["callId"],
            direction=data["direction"],
            from_number=data["from"].strip(),
            to_number=data["to"].strip(),
            users=tuple(u.strip() for u in self.users if u.strip()),
            queue=data["queue"].strip(),
            answering_number=data["answeringNumber"].strip(),
            cause=data["cause"].strip(),
        )


class CallbackCloseForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[(v, label) for v, label in CallbackResult.choices if v != "called_back"]
        + [(CallbackResult.CALLED_BACK.value, CallbackResult.CALLED_BACK.label)],
    )


class CallAddToTicketForm(forms.Form):
    """*Añadir a gestión*: the call goes on an existing ticket."""

    number = TicketNumberField(
        label=_("Ticket"),
        help=_("%(examples)s or the whole number"),
        invalid=_("Write one ticket: %(examples)s or its whole number."),
    )
