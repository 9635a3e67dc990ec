"""Forms of the ticket pages. They validate and normalise what the agent
typed; the services in ``itsm.services`` do the writing."""

import json

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from itsm.attachments import validate_attachment
from itsm.models import (
    MAX_ATTACHMENTS,
    RelationType,
    ReportedSource,
    RequiresAttention,
    Status,
    StatusReason,
    SupportGroup,
    Ticket,
    TicketTemplate,
    ViewAccess,
    WorkInfoType,
)
from itsm.permissions import AGENTS_GROUP, COORDINATORS_GROUP, is_coordinator
from itsm.reference_cache import cached_rows, offers, reference_choices, show_choices
from itsm.search import ticket_numbers
from itsm.services import DEFAULT_RESOLUTION, FORM_FIELDS

ATTACHMENT_FIELDS = tuple(f"attachment_{index}" for index in range(1, MAX_ATTACHMENTS + 1))

# Journal entry types an agent picks by hand; the others are written by the system.
MANUAL_WORK_INFO_TYPES = (
    WorkInfoType.WORK_NOTES,
    WorkInfoType.CUSTOMER_COMMUNICATION,
    WorkInfoType.GENERAL,
)


def ticket_numbers_from_text(text: str) -> list[str]:
    """The ticket numbers an agent may mean by ``text`` (``inc 1234``, ``wo
    1234``, a full number; bare digits give one per kind), as the magnifier
    reads them."""
    return [number for _model, number in ticket_numbers(" ".join((text or "").split()))]


def open_statuses(model: type[Ticket]) -> list[tuple[str, str]]:
    """The statuses an agent sets on a form: the kind's own, minus the final ones."""
    return [
        (value, Status(value).label)
        for value in model.STATUSES
        if value not in model.FINISHED_STATUSES
    ]


def status_reasons(kind: str, status: str, *, keep_id: int | None = None) -> QuerySet:
    """The active reasons of one status of one kind (plus the ticket's current
    reason, so an edit that does not touch it stays valid)."""
    wanted = Q(active=True)
    if keep_id:
        wanted |= Q(pk=keep_id)
    return StatusReason.objects.filter(wanted, kind=kind, status=status).order_by("name")


def active_reasons(kind: str) -> list[tuple[str, str, str]]:
    """(id, status, name) of the kind's active reasons by name, from the
    reference cache."""
    return cached_rows(
        f"reasons:{kind}",
        lambda: [
            (str(pk), status, name)
            for pk, status, name in StatusReason.objects.filter(kind=kind, active=True)
            .order_by("name")
            .values_list("pk", "status", "name")
        ],
    )


def show_reasons(field: forms.ModelChoiceField, kind: str, status: str, keep_id=None) -> None:
    """Render ``field`` (whose queryset is ``status_reasons(kind, status,
    keep_id=…)``) from the cached reasons, the same options in the same order;
    if ``keep_id`` has been retired, the queryset renders it as before.
    Validation still goes through the queryset."""
    rows = active_reasons(kind)
    if keep_id and str(keep_id) not in {pk for pk, _status, _name in rows}:
        return
    show_choices(
        field,
        [
            *([("", field.empty_label)] if field.empty_label is not None else []),
            *((pk, name) for pk, reason_status, name in rows if reason_status == status),
        ],
    )


def assignable_users() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=[AGENTS_GROUP, COORDINATORS_GROUP]) | Q(is_staff=True))
        .distinct()
        .order_by("username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.get_username()})" if full_name else obj.get_username()


class AttachmentField(forms.FileField):
    """An optional attachment checked by size and content."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def validate(self, value) -> None:
        super().validate(value)
        if value:
            validate_attachment(value)


class AttachmentsMixin:
    """Up to three files; if the form has errors, the browser drops the
    files, so the page names them and asks for them again."""

    def attachments(self) -> list:
        return [
            self.cleaned_data[name] for name in ATTACHMENT_FIELDS if self.cleaned_data.get(name)
        ]

    def files_to_attach_again(self) -> list[str]:
        if not self.is_bound or not self.errors:
            return []
        return [
            self.files[self.add_prefix(name)].name
            for name in ATTACHMENT_FIELDS
            if self.add_prefix(name) in self.files and name not in self.errors
        ]


class TicketFieldsForm(forms.Form):
    """Sections 2 and 4 of a ticket: template, summary, notes, assignment and state."""

    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=TicketTemplate.objects.none(),
        required=False,
        empty_label=_("(choose a template)"),
    )
    summary = forms.CharField(label=_("Summary"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reported_source = forms.ChoiceField(
        label=_("Reported source"), choices=ReportedSource.choices, initial=ReportedSource.PHONE
    )
    assigned_group = forms.ModelChoiceField(
        label=_("Assigned group"), queryset=SupportGroup.objects.none()
    )
    assignee = UserChoiceField(
        label=_("Assignee"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("(nobody)"),
    )
    status = forms.ChoiceField(label=_("Status"))
    status_reason = forms.ModelChoiceField(
        label=_("Status reason"),
        queryset=StatusReason.objects.none(),
        required=False,
        empty_label=_("(no reason)"),
        error_messages={"invalid_choice": _("This reason does not belong to the chosen status.")},
    )
    resolution = forms.CharField(
        label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, model: type[Ticket], user, ticket: Ticket | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model
        self.ticket = ticket
        self._user = user
        kind = model.KIND
        coordinator = is_coordinator(user)
        templates = TicketTemplate.objects.for_agents(kind).order_by("name")
        groups = SupportGroup.objects.filter(active=True)
        if not coordinator:
            groups = groups.filter(is_specialists=False)
        groups = groups.order_by("name")
        self._show_reference(
            "template", templates, f"templates:{kind}", ticket.template_id if ticket else None
        )
        self._show_reference(
            "assigned_group",
            groups,
            f"groups:{'all' if coordinator else 'agents'}",
            ticket.assigned_group_id if ticket else None,
        )
        self.fields["assigned_group"].label = model.GROUP_LABEL
        self._show_reference("assignee", assignable_users(), "assignable-users", None)

        self.fields["status"].choices = open_statuses(model)
        reason_id = ticket.status_reason_id if ticket is not None else None
        status = self.chosen_status()
        self.fields["status_reason"].queryset = status_reasons(kind, status, keep_id=reason_id)
        show_reasons(self.fields["status_reason"], kind, status, reason_id)

    def _show_reference(self, name: str, queryset: QuerySet, key: str, keep_id) -> None:
        """The field's options from the reference cache; if the ticket's
        current value is no longer among them (retired), from the queryset
        plus that value, as before."""
        field = self.fields[name]
        field.queryset = queryset
        choices = reference_choices(field, key)
        if offers(choices, keep_id):
            show_choices(field, choices)
        else:
            field.queryset = (queryset | queryset.model.objects.filter(pk=keep_id)).order_by(
                *queryset.query.order_by
            )

    def chosen_status(self) -> str:
        if self.is_bound:
            return self.data.get(self.add_prefix("status"), "")
        return self.initial.get("status") or Status.ASSIGNED

    def clean(self) -> dict:
        cleaned = super().clean()
        status = cleaned.get("status")
        needs_reason = status in (Status.PENDING, self.model.RESOLVED_STATUS)
        if needs_reason and not cleaned.get("status_reason") and "status_reason" not in self.errors:
            self.add_error("status_reason", _("Choose the reason for this status."))
        if not cleaned.get("template") and not cleaned.get("summary", "").strip():
            self.add_error("summary", _("Pick a template or write a summary."))
        return cleaned


class TicketCreateForm(AttachmentsMixin, TicketFieldsForm):
    """The new-ticket page: the five sections in one form."""

    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.active(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Find the customer with “Look up customer” or create it."),
            "invalid_choice": _("This customer no longer exists or is inactive."),
        },
    )
    work_info_notes = forms.CharField(
        label=_("Work info notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    requires_attention = forms.ChoiceField(
        label=_("Requires attention"), choices=RequiresAttention.choices, required=False
    )
    attachment_1 = AttachmentField(label=_("File 1"))
    attachment_2 = AttachmentField(label=_("File 2"))
    attachment_3 = AttachmentField(label=_("File 3"))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("status", Status.ASSIGNED)
        super().__init__(*args, user=user, **kwargs)


def _stored(ticket: Ticket, name: str) -> str:
    value = getattr(ticket, ticket._meta.get_field(name).attname)
    return "" if value is None else str(value)


def seen_state(ticket: Ticket) -> str:
    """What the page shows of ``ticket``, posted back with every form."""
    return json.dumps({name: _stored(ticket, name) for name in FORM_FIELDS}, sort_keys=True)


class VersionedForm(forms.Form):
    """A change based on the version of the ticket the agent saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def initial_for(ticket: Ticket) -> dict:
        return {"version": ticket.version, "seen": seen_state(ticket)}

    def fields_changed_since_seen(self, current: Ticket) -> list[str] | None:
        """The fields someone else changed since the page was loaded, or None
        if the form does not say what the page showed."""
        try:
            seen = json.loads(self.data.get(self.add_prefix("seen")) or "")
        except ValueError:
            return None
        if not isinstance(seen, dict):
            return None
        return [
            name
            for name in FORM_FIELDS
            if name in seen and str(seen[name]) != _stored(current, name)
        ]

    def rebased_data(self, current: Ticket):
        """The same input, now based on ``current``: sending it again is a
        deliberate overwrite of what the other agent did."""
        data = self.data.copy()
        for name, value in self.initial_for(current).items():
            data[self.add_prefix(name)] = str(value)
        return data


class TicketEditForm(TicketFieldsForm, VersionedForm):
    """Sections 2–4 of an existing ticket, saved with optimistic locking."""

    requires_attention = forms.ChoiceField(
        label=_("Requires attention"), choices=RequiresAttention.choices, required=False
    )
    note = forms.CharField(
        label=_("Work note for this change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        if not args and "data" not in kwargs:
            kwargs["initial"] = {
                **{name: _stored(ticket, name) for name in FORM_FIELDS},
                **self.initial_for(ticket),
            }
        super().__init__(*args, ticket=ticket, **kwargs)

    def rebased(self, current: Ticket) -> "TicketEditForm":
        return type(self)(
            self.rebased_data(current), model=self.model, user=self._user, ticket=current
        )

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in FORM_FIELDS}


class AssignToMeForm(VersionedForm):
    pass


class PendingForm(VersionedForm):
    status_reason = forms.ModelChoiceField(
        label=_("Status reason"),
        queryset=StatusReason.objects.none(),
        error_messages={"required": _("Choose the reason for this status.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, model: type[Ticket], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status_reason"].queryset = status_reasons(model.KIND, Status.PENDING)
        show_reasons(self.fields["status_reason"], model.KIND, Status.PENDING)


class ResolveForm(VersionedForm):
    status_reason = forms.ModelChoiceField(
        label=_("Status reason"),
        queryset=StatusReason.objects.none(),
        error_messages={"required": _("Choose the reason for this status.")},
    )
    resolution = forms.CharField(
        label=_("Resolution"),
        initial=DEFAULT_RESOLUTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, model: type[Ticket], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status_reason"].queryset = status_reasons(model.KIND, model.RESOLVED_STATUS)
        show_reasons(self.fields["status_reason"], model.KIND, model.RESOLVED_STATUS)

    def clean_resolution(self) -> str:
        return self.cleaned_data["resolution"].strip() or DEFAULT_RESOLUTION


class ReopenForm(VersionedForm):
    note = forms.CharField(
        label=_("Why is it reopened?"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EscalateForm(VersionedForm):
    note = forms.CharField(
        label=_("What the coordinator needs"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what the coordinator needs to know.")},
    )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not note:
            raise ValidationError(_("Write what the coordinator needs to know."))
        return note


class WorkInfoForm(AttachmentsMixin, forms.Form):
    """*Agregar*: a new entry of the history."""

    type = forms.ChoiceField(
        label=_("Type"),
        choices=[(value, WorkInfoType(value).label) for value in MANUAL_WORK_INFO_TYPES],
        initial=WorkInfoType.WORK_NOTES,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    requires_attention = forms.ChoiceField(
        label=_("Requires attention"), choices=RequiresAttention.choices, required=False
    )
    view_access = forms.ChoiceField(
        label=_("View access"), choices=ViewAccess.choices, initial=ViewAccess.INTERNAL
    )
    attachment_1 = AttachmentField(label=_("File 1"))
    attachment_2 = AttachmentField(label=_("File 2"))
    attachment_3 = AttachmentField(label=_("File 3"))

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["notes"] = cleaned.get("notes", "").strip()
        has_files = any(self.files.get(self.add_prefix(name)) for name in ATTACHMENT_FIELDS)
        if not cleaned["notes"] and not has_files and "notes" not in self.errors:
            self.add_error("notes", _("Write the notes of this entry."))
        return cleaned


class RelationForm(forms.Form):
    other_number = forms.CharField(
        label=_("Ticket"),
        max_length=40,
        help_text=_("“inc 1234”, “wo 1234” or the full number."),
    )
    relation_type = forms.ChoiceField(
        label=_("Relation type"), choices=RelationType.choices, initial=RelationType.RELATED
    )

    def clean_other_number(self) -> str:
        text = self.cleaned_data["other_number"]
        numbers = ticket_numbers_from_text(text)
        if len(numbers) != 1:
            raise ValidationError(
                _("Write “inc” or “wo” and the number (e.g. “inc 1234”), or the full number.")
            )
        return numbers[0]
