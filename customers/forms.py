from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import (
    AGENT_NOTE_MAX_LENGTH,
    CUSTOMER_FIELDS,
    Customer,
    CustomerKind,
    PhoneKind,
)
from customers.validators import PhoneEntry, normalise_tax_id, validate_phone
from itsm.common.text import ENCODED_WORD, fold, single_line


def clean_name_part(value: str) -> str:
    """A customer's name goes into every mail's To: header. Made safe here,
    once: one line, and no RFC 2047 encoded-word, which a mail reader would
    decode (CR, LF, another address) however the header is written."""
    value = single_line(value)
    if ENCODED_WORD.search(value):
        raise forms.ValidationError(
            _("A name cannot contain “=?…?=”: mail programs would read it as encoded text."),
            code="encoded_word",
        )
    return value


# What a line of the phones field may start with to say the kind.
PHONE_KIND_WORDS = {
    "movil": PhoneKind.MOBILE,
    "mobile": PhoneKind.MOBILE,
    "fijo": PhoneKind.LANDLINE,
    "landline": PhoneKind.LANDLINE,
    "centralita": PhoneKind.SWITCHBOARD,
    "switchboard": PhoneKind.SWITCHBOARD,
}


def parse_phone_lines(text: str) -> list[PhoneEntry]:
    """One phone a line, optionally after its kind: ``Centralita: 91 555 12
    34``. Without a kind the numbering plan says mobile or landline."""
    entries = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        kind = ""
        word, colon, rest = line.partition(":")
        if colon and fold(word) in PHONE_KIND_WORDS:
            kind, line = PHONE_KIND_WORDS[fold(word)], rest.strip()
        entries.append((kind, line))
    return entries


def phone_lines(customer: Customer) -> str:
    """The phones field's text for a saved customer, kinds spelled out."""
    return "\n".join(
        f"{phone.get_kind_display()}: {phone.display}"
        for phone in sorted(customer.phones.all(), key=lambda phone: phone.pk)
    )


class CustomerForm(forms.ModelForm):
    """Validates and normalises a customer; services do the saving."""

    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One a line, in any format; start with “Centralita:” for the organisation's "
            "switchboard, “Fijo:” or “Móvil:” to say the kind."
        ),
    )

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["phones"] = phone_lines(self.instance)

    def clean_tax_id(self) -> str:
        tax_id = normalise_tax_id(self.cleaned_data["tax_id"])
        holder = (
            Customer.objects.filter(tax_id=tax_id).exclude(pk=self.instance.pk).first()
            if tax_id
            else None
        )
        if holder is not None:
            raise forms.ValidationError(
                _("The customer %(name)s already has the tax id %(tax_id)s."),
                code="tax_id_taken",
                params={"name": holder.full_name, "tax_id": tax_id},
            )
        return tax_id

    def clean_first_name(self) -> str:
        return clean_name_part(self.cleaned_data["first_name"])

    def clean_surnames(self) -> str:
        return clean_name_part(self.cleaned_data["surnames"])

    def clean_organisation(self) -> str:
        return clean_name_part(self.cleaned_data["organisation"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_phones(self) -> list[PhoneEntry]:
        entries = parse_phone_lines(self.cleaned_data["phones"])
        for _kind, number in entries:
            validate_phone(number)
        return entries

    def clean_flei_code(self) -> str:
        return self.cleaned_data["flei_code"].strip().upper()

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("flei_code") and cleaned.get("kind") != CustomerKind.SUBSCRIBER:
            self.add_error("flei_code", _("Only subscribers have a FLEI code."))
        return cleaned


class CustomerEditForm(CustomerForm):
    """The customer page's *Editar*: the data, the phones and whether active."""

    class Meta(CustomerForm.Meta):
        fields = (*CustomerForm.Meta.fields, "active")


class AgentNoteForm(forms.Form):
    agent_note = forms.CharField(
        label=_("Note for agents"),
        required=False,
        max_length=AGENT_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
