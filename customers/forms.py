from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import CUSTOMER_FIELDS, Customer, CustomerKind
from customers.validators import normalise_tax_id
from itsm.common.text import ENCODED_WORD, single_line


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


class CustomerForm(forms.ModelForm):
    """Validates and normalises a customer; services do the saving."""

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS

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

    def clean_phone(self) -> str:
        phone = "".join(self.cleaned_data["phone"].split())
        if phone and not phone.lstrip("+").isdigit():
            raise forms.ValidationError(_("A phone number has only digits (and a leading +)."))
        return phone

    def clean_flei_code(self) -> str:
        return self.cleaned_data["flei_code"].strip().upper()

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("flei_code") and cleaned.get("kind") != CustomerKind.SUBSCRIBER:
            self.add_error("flei_code", _("Only subscribers have a FLEI code."))
        return cleaned
