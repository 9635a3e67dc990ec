"""The escalation packet's forms: the agent's packet (one form per case,
built from ``itsm.escalation_cases``) and the coordination console's filters."""

import re
from datetime import timedelta
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.validators import normalise_tax_id
from itsm import escalation_cases as cases
from itsm.action_forms import VersionedForm
from itsm.coordination_selectors import CoordinationFilters
from itsm.fields import AttachmentField, AttachmentsMixin, LongTextarea, LongTextField
from itsm.models import EscalationPacket, RegistroMercantil, Ticket

PHONE_RE = re.compile(r"^\+?[0-9]{9,15}$")

REQUIRED = _("This information is required for this case.")


def journal_attachments(ticket: Ticket) -> list[tuple[str, str]]:
    """Files already in the ticket's journal: ("<entry id>:<index>", name)."""
    choices = []
    entries = ticket.work_info.exclude(attachment_1="").order_by("-created_at", "-pk")
    for entry in entries.only("pk", "attachment_1", "attachment_2", "attachment_3"):
        for index, f in entry.attachments:
            choices.append((f"{entry.pk}:{index}", PurePath(f.name).name))
    return choices


def _form_field(field: cases.CaseField, attachment_choices) -> forms.Field:
    messages = {"required": REQUIRED}
    common = {"label": field.label, "required": field.required, "error_messages": messages}
    if field.type == cases.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if field.type == cases.REGISTRO:
        return forms.ModelChoiceField(
            queryset=RegistroMercantil.objects.filter(active=True).order_by("name"),
            empty_label="—",
            **common,
        )
    if field.type == cases.IP:
        return forms.CharField(max_length=45, **common)
    if field.type == cases.DATETIME:
        return forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
            **common,
        )
    if field.type == cases.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            **common,
        )
    if field.type == cases.AMOUNT:
        return forms.DecimalField(max_digits=10, decimal_places=2, min_value=0, **common)
    if field.type == cases.LINK_OPERATION:
        return forms.ChoiceField(choices=[("", "—"), *cases.LINK_OPERATIONS], **common)
    if field.type == cases.CONFIRMATION:
        return forms.BooleanField(**common)
    if field.type == cases.ATTACHMENT:
        # Picked from the journal here; an upload goes in "<name>_upload".
        return forms.ChoiceField(
            choices=[("", _("— upload it below —")), *attachment_choices],
            **{**common, "required": False},
        )
    return forms.CharField(max_length=200, **common)


class EscalationPacketForm(AttachmentsMixin, VersionedForm):
    """The packet of one case. Prefilled from the ticket's customer and the
    packet's last version; every value typed comes back on an error."""

    note = LongTextField(
        label=_("Note for the coordinator"),
        required=False,
        widget=LongTextarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args,
        case: cases.EscalationCase,
        ticket: Ticket,
        packet: EscalationPacket | None = None,
        **kwargs,
    ):
        self.case = case
        if not kwargs.get("data") and not args:
            kwargs["initial"] = {**self.prefill(case, ticket, packet), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        attachment_choices = (
            journal_attachments(ticket)
            if any(f.type == cases.ATTACHMENT for f in case.fields)
            else []
        )
        self.case_field_names = []
        for field in case.fields:
            self.fields[field.name] = _form_field(field, attachment_choices)
            self.case_field_names.append(field.name)
            if field.type == cases.ATTACHMENT:
                self.fields[f"{field.name}_upload"] = AttachmentField(label=_("or upload it now"))
        # A file uploaded with a form that comes back with errors is held for
        # the next attempt (``AttachmentsMixin``); ``kept`` is what the page shows.
        self.held_file_fields = tuple(
            f"{field.name}_upload" for field in case.fields if field.type == cases.ATTACHMENT
        )
        self.held = {}
        self.kept: dict[str, dict] = {}

    @staticmethod
    def prefill(case, ticket: Ticket, packet: EscalationPacket | None) -> dict:
        if packet is not None and packet.case == case.code:
            return dict(packet.data)
        customer = ticket.customer
        phone = customer.main_phone
        known = {
            "tax_id": customer.tax_id,
            "flei_code": customer.flei_code,
            "contact_phone": phone.e164 if phone else "",
            "contact_person": customer.full_name,
        }
        return {name: value for name, value in known.items() if case.field(name) and value}

    def case_fields(self):
        """Bound fields of the case, each with its upload field if it has one
        and the file held from the previous attempt, if any."""
        rows = []
        for name in self.case_field_names:
            upload = f"{name}_upload"
            has_upload = upload in self.fields
            rows.append((self[name], self[upload] if has_upload else None, self.kept.get(upload)))
        return rows

    def clean_tax_id(self) -> str:
        return normalise_tax_id(self.cleaned_data["tax_id"])

    def clean_contact_phone(self) -> str:
        phone = re.sub(r"[\s.-]", "", self.cleaned_data["contact_phone"])
        if not PHONE_RE.match(phone):
            raise ValidationError(
                _("Write a phone number of 9 to 15 digits."), code="phone_invalid"
            )
        return phone

    def clean_ip_address(self) -> str:
        value = self.cleaned_data["ip_address"].strip()
        try:
            validate_ipv46_address(value)
        except ValidationError:
            raise ValidationError(
                _("“%(value)s” is not a valid IPv4 or IPv6 address."),
                code="ip_invalid",
                params={"value": value},
            ) from None
        return value

    def clean_error_at(self):
        value = self.cleaned_data["error_at"]
        if value and value > timezone.now():
            raise ValidationError(_("The error cannot have happened in the future."))
        return value

    def clean(self) -> dict:
        cleaned = super().clean()
        for field in self.case.fields:
            if field.type != cases.ATTACHMENT:
                continue
            picked = cleaned.get(field.name)
            uploaded = cleaned.get(f"{field.name}_upload")
            if field.required and not picked and not uploaded and field.name not in self.errors:
                self.add_error(
                    field.name,
                    ValidationError(
                        _("Pick the file from the history or upload it."),
                        code="attachment_required",
                    ),
                )
        return cleaned

    def packet_data(self) -> dict:
        """The case's values as the packet stores them (JSON: text, ids, ISO dates)."""
        data = {}
        for field in self.case.fields:
            value = self.cleaned_data.get(field.name)
            if field.type == cases.REGISTRO:
                value = value.pk if value else None
            elif field.type in (cases.DATETIME, cases.DATE):
                value = value.isoformat() if value else None
            elif field.type == cases.AMOUNT:
                value = str(value) if value is not None else None
            elif isinstance(value, str):
                value = value.strip()
            if value not in (None, ""):
                data[field.name] = value
        return data

    def uploads(self) -> dict:
        """Field name → uploaded file, for the attachments uploaded now."""
        return {
            field.name: self.cleaned_data[f"{field.name}_upload"]
            for field in self.case.fields
            if field.type == cases.ATTACHMENT and self.cleaned_data.get(f"{field.name}_upload")
        }


class CoordinationFilterForm(forms.Form):
    """The coordination console's filters: case, completeness, age."""

    AGES = {"4h": timedelta(hours=4), "1d": timedelta(days=1), "3d": timedelta(days=3)}

    case = forms.ChoiceField(
        label=_("Case"), required=False, choices=[("", _("All")), *cases.CASE_CHOICES]
    )
    complete = forms.ChoiceField(
        label=_("Completeness"),
        required=False,
        choices=[("", _("All")), ("yes", _("Complete data")), ("no", _("Missing data"))],
    )
    age = forms.ChoiceField(
        label=_("Waiting"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("4h", _("More than 4 hours")),
            ("1d", _("More than 1 day")),
            ("3d", _("More than 3 days")),
        ],
    )

    def filters(self) -> CoordinationFilters:
        if not self.is_valid():
            return CoordinationFilters()
        data = self.cleaned_data
        age = self.AGES.get(data["age"])
        return CoordinationFilters(
            case=data["case"],
            complete={"yes": True, "no": False}.get(data["complete"]),
            escalated_before=timezone.now() - age if age else None,
        )

    def query(self) -> dict:
        """The filters as given, for the page links."""
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}
