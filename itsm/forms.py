"""Forms of the ticket pages: the fields of sections 2–4 and the new-ticket
form, the pickers they share (reasons by status, assignable users, files).
They validate and normalise what the agent typed; the services in
``itsm.services`` do the writing. The forms of actions on an existing
ticket are in ``itsm.action_forms``."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from itsm.attachments import validate_attachment
from itsm.common.permissions import is_coordinator
from itsm.kinds import number_examples
from itsm.models import (
    MAX_ATTACHMENTS,
    HeldUpload,
    ReportedSource,
    RequiresAttention,
    Status,
    StatusReason,
    SupportGroup,
    Ticket,
    TicketTemplate,
)
from itsm.reference_cache import cached_rows, offers, reference_choices, show_choices
from itsm.selectors import (
    group_assignees,
    pickable_groups,
    pickable_templates,
    row_id,
    status_reasons,
    ticket_numbers,
)
from itsm.services.rules import (
    ASSIGNEE_NOT_ALLOWED,
    GROUP_NOT_ALLOWED,
    REASON_NOT_ALLOWED,
    TEMPLATE_NOT_ALLOWED,
)

ATTACHMENT_FIELDS = tuple(f"attachment_{index}" for index in range(1, MAX_ATTACHMENTS + 1))


def ticket_numbers_from_text(text: str) -> list[str]:
    """The ticket numbers an agent may mean by ``text`` (``inc 1234``, ``wo
    1234``, a full number; bare digits give one per kind), as the magnifier
    reads them."""
    return [number for _kind, number in ticket_numbers(text)]


class TicketNumberField(forms.CharField):
    """One ticket, written as in the search box (``inc 1234``) or whole;
    cleans to its full number. ``help`` and ``invalid`` say
    ``%(examples)s``, the registered kinds' prefixes, known once the apps are
    ready: filled in when shown."""

    def __init__(self, *, help: str, invalid: str, **kwargs) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", lazy(lambda: help % {"examples": number_examples()}, str)())
        super().__init__(**kwargs)
        self.invalid = invalid

    def clean(self, value) -> str:
        numbers = ticket_numbers_from_text(super().clean(value))
        if len(numbers) != 1:
            raise ValidationError(self.invalid % {"examples": number_examples()})
        return numbers[0]


def open_statuses(model: type[Ticket]) -> list[tuple[str, str]]:
    """The statuses an agent sets on a form: the kind's own, minus the final ones."""
    return [
        (value, Status(value).label)
        for value in model.STATUSES
        if value not in model.FINISHED_STATUSES
    ]


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


class UserChoiceField(forms.ModelChoiceField):
    @staticmethod
    def label_for(user) -> str:
        full_name = user.get_full_name()
        return f"{full_name} ({user.get_username()})" if full_name else user.get_username()

    def label_from_instance(self, obj) -> str:
        return self.label_for(obj)


class _LinkedFile:
    """What ClearableFileInput's template shows for a stored file: its name
    and a URL, here the access-checked download view's."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url

    def __str__(self) -> str:
        return self.name


class PrivateFileInput(forms.ClearableFileInput):
    """A file input for a private file: the current file links to the view
    named ``url_name`` (given the object's pk), never to the storage."""

    def __init__(self, *, url_name: str, attrs=None) -> None:
        super().__init__(attrs)
        self.url_name = url_name

    def is_initial(self, value) -> bool:
        return bool(value and getattr(value, "instance", None) is not None and value.name)

    def format_value(self, value):
        if self.is_initial(value):
            return _LinkedFile(
                value.name.rsplit("/", 1)[-1], reverse(self.url_name, args=[value.instance.pk])
            )
        return None


class LongTextarea(forms.Textarea):
    """A textarea that tells the page the longest text the server takes, for
    a counter that warns: never ``maxlength``, which cuts a paste silently."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        limit = settings.ITSM_MAX_TEXT_LENGTH
        context["widget"]["attrs"]["data-max-length"] = limit
        # The counter's words, with {length} for the page to fill in.
        context["widget"]["attrs"]["data-max-length-message"] = _(
            "{length} characters and the maximum is %(limit)s: shorten it before saving."
        ) % {"limit": number_format(limit, force_grouping=True)}
        return context


class LongTextField(forms.CharField):
    """What a person writes into the journal or to a customer: up to
    ``ITSM_MAX_TEXT_LENGTH`` characters (read when validating, so a test or a
    deployment can change it); longer is refused and the text comes back."""

    widget = LongTextarea

    def validate(self, value) -> None:
        super().validate(value)
        limit = settings.ITSM_MAX_TEXT_LENGTH
        # Browsers post line breaks as CRLF; count them as the page's counter does.
        length = len(value.replace("\r\n", "\n")) if value else 0
        if length > limit:
            raise ValidationError(
                _(
                    "This text has %(length)s characters and the maximum is %(limit)s. "
                    "Shorten it or attach it as a file: nothing has been saved yet."
                ),
                code="text_too_long",
                params={
                    "length": number_format(length, force_grouping=True),
                    "limit": number_format(limit, force_grouping=True),
                },
            )


class AttachmentInput(forms.ClearableFileInput):
    """A file input that tells the page the server's size limit, so a file
    too big is refused before it is sent."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        limit = settings.ITSM_ATTACHMENT_MAX_BYTES
        context["widget"]["attrs"]["data-max-bytes"] = limit
        # The refusal's words, with {name} and {size} for the page to fill in.
        context["widget"]["attrs"]["data-max-bytes-message"] = _(
            "“{name}” is {size} and the limit is %(limit)s: it has not been attached. "
            "Choose a smaller file."
        ) % {"limit": filesizeformat(limit)}
        return context


class AttachmentField(forms.FileField):
    """An optional attachment checked by size and content."""

    widget = AttachmentInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def validate(self, value) -> None:
        super().validate(value)
        if value:
            validate_attachment(value)


class AttachmentsMixin:
    """Up to three files. The browser drops the files of a form that comes
    back with errors, so the valid ones are held on the server
    (``itsm.services.uploads``) and the page sends their tokens
    (``held_attachment_<n>``) instead; ``use_held_uploads`` puts them back in
    the slots the agent left empty, where they are validated again.
    ``held_file_fields`` names the file fields (the three attachments unless
    a form says otherwise)."""

    held: dict
    held_file_fields: tuple[str, ...] = ATTACHMENT_FIELDS

    def held_field_name(self, name: str) -> str:
        return self.add_prefix(f"held_{name}")

    def use_held_uploads(self, user) -> None:
        self.held = {}
        if not self.is_bound:
            return
        tokens = {
            name: self.data.get(self.held_field_name(name), "") for name in self.held_file_fields
        }
        wanted = [token for token in tokens.values() if token]
        if not wanted:
            return
        found = {h.token: h for h in HeldUpload.objects.filter(user=user, token__in=wanted)}
        files = self.files.copy()
        for name, token in tokens.items():
            held = found.get(token)
            key = self.add_prefix(name)
            if held is None or files.get(key):
                continue  # unknown, someone else's, or replaced by a new file
            try:
                held.file.open("rb")
            except FileNotFoundError:
                continue
            files[key] = UploadedFile(file=held.file.file, name=held.name, size=held.file.size)
            self.held[name] = held
        self.files = files

    def attachments(self) -> list:
        return [
            self.cleaned_data[name] for name in ATTACHMENT_FIELDS if self.cleaned_data.get(name)
        ]

    def uploads_to_hold(self) -> dict:
        """The valid files of a posted form that is shown again (it came back
        with errors, or was refused as stale), by field name."""
        if not self.is_bound:
            return {}
        return {
            name: self.files[self.add_prefix(name)]
            for name in self.held_file_fields
            if self.files.get(self.add_prefix(name)) and name not in self.errors
        }


class TicketFieldsForm(forms.Form):
    """Sections 2 and 4 of a ticket: template, summary, notes, assignment and state."""

    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=TicketTemplate.objects.none(),
        required=False,
        empty_label=_("(choose a template)"),
        error_messages={"invalid_choice": TEMPLATE_NOT_ALLOWED},
    )
    summary = forms.CharField(label=_("Summary"), max_length=100, required=False)
    description = LongTextField(
        label=_("Notes"), required=False, widget=LongTextarea(attrs={"rows": 3})
    )
    reported_source = forms.ChoiceField(
        label=_("Reported source"), choices=ReportedSource.choices, initial=ReportedSource.PHONE
    )
    assigned_group = forms.ModelChoiceField(
        label=_("Assigned group"),
        queryset=SupportGroup.objects.none(),
        error_messages={"invalid_choice": GROUP_NOT_ALLOWED},
    )
    assignee = UserChoiceField(
        label=_("Assignee"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("(nobody)"),
        error_messages={"invalid_choice": ASSIGNEE_NOT_ALLOWED},
    )
    status = forms.ChoiceField(label=_("Status"))
    status_reason = forms.ModelChoiceField(
        label=_("Status reason"),
        queryset=StatusReason.objects.none(),
        required=False,
        empty_label=_("(no reason)"),
        error_messages={"invalid_choice": REASON_NOT_ALLOWED},
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
        templates = pickable_templates(kind)
        groups = pickable_groups(user)
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
        group_id = self.chosen_group_id()
        keep_assignee = None
        if ticket is not None and str(group_id) == str(ticket.assigned_group_id):
            # A ticket's assignee who has since left the group can stay put.
            keep_assignee = ticket.assignee_id
        self._show_reference(
            "assignee", group_assignees(group_id), f"assignees:{row_id(group_id)}", keep_assignee
        )

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

    def chosen_group_id(self) -> str:
        if self.is_bound:
            return self.data.get(self.add_prefix("assigned_group"), "")
        if self.initial.get("assigned_group"):
            return str(self.initial["assigned_group"])
        return str(self.ticket.assigned_group_id) if self.ticket is not None else ""

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
    work_info_notes = LongTextField(
        label=_("Work info notes"), required=False, widget=LongTextarea(attrs={"rows": 3})
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
        # The agent who takes the call (or the mail) owns it, when they belong
        # to the group (the group's assignee options, from the cache, say
        # whether they do).
        offered = (value for value, _label in self.fields["assignee"].choices)
        if not self.is_bound and not self.initial.get("assignee") and str(user.pk) in offered:
            self.initial["assignee"] = user.pk

    def ticket_fields(self) -> dict:
        """The cleaned form as ``ticket_create``'s arguments (customer to files)."""
        data = self.cleaned_data
        return {
            "customer": data["customer"],
            "template": data["template"],
            "summary": data["summary"].strip(),
            "description": data["description"].strip(),
            "reported_source": data["reported_source"],
            "assigned_group": data["assigned_group"],
            "assignee": data["assignee"],
            "status": data["status"],
            "status_reason": data["status_reason"],
            "resolution": data["resolution"].strip(),
            "requires_attention": data["requires_attention"],
            "work_info_notes": data["work_info_notes"].strip(),
            "work_info_attachments": self.attachments(),
        }
