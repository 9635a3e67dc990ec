from decimal import Decimal

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from itsm.attachments import validate_attachment, validate_file_name
from itsm.fields import (
    AttachmentInput,
    LongTextarea,
    LongTextField,
    PrivateFileInput,
    TicketNumberField,
)
from notifications.models import ResponseTemplate, ResponseTemplateDocument
from notifications.rendering import TemplateRenderError, compile_body, render_body, sample_values
from notifications.services.compose import TEMPLATE_NOT_USABLE


class AmountField(forms.DecimalField):
    """Euros as agents type them: 1234,5 · 1.234,50 · 1234.50."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("€", "")
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
        return super().to_python(value)


class EmailComposeForm(forms.Form):
    """What the agent chooses. The recipient and the subject are not fields:
    the service sets them, so nothing posted can change them."""

    template = forms.ModelChoiceField(
        label=gettext_lazy("Response template"),
        queryset=ResponseTemplate.objects.none(),
        empty_label=gettext_lazy("Choose a response template"),
        error_messages={"invalid_choice": TEMPLATE_NOT_USABLE},
    )
    amount = AmountField(
        label=gettext_lazy("Amount owed (€)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("Only for the templates that tell the customer their debt."),
    )
    note = LongTextField(
        label=gettext_lazy("Text for the customer"),
        required=False,
        widget=LongTextarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Optional; the template decides where it goes."),
    )
    attachment = forms.FileField(label=gettext_lazy("File"), required=False, widget=AttachmentInput)
    # *Enviar al cliente* from a suggested article: its reference, so the
    # message carries the article's documents once it is saved.
    article = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, templates, slot: int | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates.order_by("title")
        if slot is None:
            del self.fields["attachment"]
        else:
            self.fields["attachment"].label = _("File %(number)d") % {"number": slot}

    def clean_attachment(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_attachment(upload)
        return upload or None

    def clean(self) -> dict:
        cleaned = super().clean()
        template = cleaned.get("template")
        amount_missing = cleaned.get("amount") is None and "amount" not in self.errors
        if template is not None and template.asks_amount and amount_missing:
            self.add_error("amount", _("This template needs the amount owed."))
        return cleaned


class ResponseTemplateAdminForm(forms.ModelForm):
    class Meta:
        model = ResponseTemplate
        fields = [
            "title",
            "subject_suffix",
            "body",
            "applies_to",
            "coordinators_only",
            "asks_amount",
            "active",
        ]

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        try:
            compile_body(body)
            render_body(body, sample_values())
        except TemplateRenderError as error:
            raise forms.ValidationError(str(error), code="template_syntax") from None
        return body


# --- the mailbox ---------------------------------------------------------------------


class MailboxVersionForm(forms.Form):
    """An action on a message, based on the version the agent saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class NoActionForm(MailboxVersionForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        help_text=gettext_lazy("Spam, a thank-you, a duplicate…"),
    )


class AddToTicketForm(MailboxVersionForm):
    number = TicketNumberField(
        label=gettext_lazy("Ticket"),
        help=gettext_lazy("%(examples)s or the whole number"),
        invalid=gettext_lazy("Write one ticket: %(examples)s or its whole number."),
    )


class ResponseTemplateDocumentForm(forms.ModelForm):
    """A standard document: its name goes through the same cleaner as every
    upload, and its file through the same checks."""

    class Meta:
        model = ResponseTemplateDocument
        fields = ["template", "name", "file"]
        widgets = {"file": PrivateFileInput(url_name="notifications:document")}

    def clean_name(self) -> str:
        return validate_file_name(self.cleaned_data["name"])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if isinstance(upload, UploadedFile):
            validate_attachment(upload)
        return upload
