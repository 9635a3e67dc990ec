"""Forms of the ticket pages: the fields of sections 2–4 and the new-ticket
form, the pickers they share (reasons by status, assignable users); the
fields and widgets every form shares are in ``itsm.fields``.
They validate and normalise what the agent typed; the services in
``itsm.services`` do the writing. The forms of actions on an existing
ticket are in ``itsm.action_forms``."""

from collections.abc import Callable

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from itsm.common.permissions import is_coordinator
from itsm.common.rows import row_id
from itsm.fields import (
    AttachmentField,
    AttachmentsMixin,
    LongTextarea,
    LongTextField,
)
from itsm.models import (
    ReportedSource,
    RequiresAttention,
    Status,
    StatusReason,
    SupportGroup,
    Ticket,
    TicketTemplate,
)
from itsm.people import GROUP_ASSIGNEE, group_assignees
from itsm.reference_cache import cached_rows, offers, reference_choices, show_choices
from itsm.selectors import (
    PICKABLE_GROUP,
    PICKABLE_TEMPLATE,
    pickable_groups,
    pickable_templates,
    status_reasons,
)
from itsm.services.rules import (
    ASSIGNEE_NOT_ALLOWED,
    GROUP_NOT_ALLOWED,
    REASON_NOT_ALLOWED,
    TEMPLATE_NOT_ALLOWED,
)


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


class _DeferredOptions(BaseChoiceIterator):
    """Lazy like Django's model choice iterator: a widget keeps it unread."""

    def __init__(self, field: "DeferredChoiceField") -> None:
        self.field = field

    def __iter__(self):
        self.field.queryset  # noqa: B018 - builds it, and the widget's options
        return iter(self.field.widget.choices)

    def __len__(self) -> int:
        return len(list(self))


# A row by its id, or None.
Lookup = Callable[[int], Model | None]


class DeferredChoiceField(forms.ModelChoiceField):
    """A model choice whose queryset may be given as a function, built when
    validation, or a page the option cache cannot serve, first asks for it.
    A ticket page shows its options from the cache; building the querysets
    it would never run cost more than the rest of its form."""

    _factory: Callable[[], QuerySet] | None = None
    # The row of an id among the factory's, or None: a kept statement, so a
    # form that validates does not build the queryset to ask for one row.
    # Dropped when the queryset is replaced.
    _lookup: Lookup | None = None

    def defer_queryset(
        self, factory: Callable[[], QuerySet], *, lookup: Lookup | None = None
    ) -> None:
        self._factory = factory
        self._lookup = lookup
        # Options not set from the cache come from the queryset, built then.
        self.widget.choices = _DeferredOptions(self)

    def to_python(self, value):
        if self._lookup is None or value in self.empty_values:
            return super().to_python(value)
        self.validate_no_null_characters(value)
        key = row_id(value.pk if isinstance(value, Model) else value)
        found = self._lookup(key) if key is not None else None
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found

    def _get_queryset(self):
        if self._factory is not None:
            factory, self._factory = self._factory, None
            forms.ModelChoiceField._set_queryset(self, factory())
        return self._queryset

    def _set_queryset(self, queryset) -> None:
        self._factory = self._lookup = None
        forms.ModelChoiceField._set_queryset(self, queryset)

    queryset = property(_get_queryset, _set_queryset)

    def __deepcopy__(self, memo):
        # Django clones the queryset for each form's copy of the field; here
        # the clone is deferred as well (each form sets its own before use).
        result = super(forms.ChoiceField, self).__deepcopy__(memo)
        result.defer_queryset(self._factory or self._queryset.all)
        return result


class UserChoiceField(DeferredChoiceField):
    @staticmethod
    def label_for(user) -> str:
        full_name = user.get_full_name()
        return f"{full_name} ({user.get_username()})" if full_name else user.get_username()

    def label_from_instance(self, obj) -> str:
        return self.label_for(obj)


def _narrowed(
    label: str,
    model: type[Model],
    refusal: str,
    *,
    optional: str | None = None,
    field_class: type[forms.ModelChoiceField] = DeferredChoiceField,
) -> forms.ModelChoiceField:
    """A choice of ``model`` rows that the form narrows to what the user may
    pick; another row is refused with the service's own message. ``optional``:
    the label of choosing none (else one must be chosen)."""
    blank = {"required": False, "empty_label": optional} if optional is not None else {}
    return field_class(
        label=label,
        queryset=model._default_manager.none(),
        error_messages={"invalid_choice": refusal},
        **blank,
    )


class TicketFieldsForm(forms.Form):
    """Sections 2 and 4 of a ticket: template, summary, notes, assignment and state."""

    template = _narrowed(
        _("Template"), TicketTemplate, TEMPLATE_NOT_ALLOWED, optional=_("(choose a template)")
    )
    summary = forms.CharField(label=_("Summary"), max_length=100, required=False)
    description = LongTextField(
        label=_("Notes"), required=False, widget=LongTextarea(attrs={"rows": 3})
    )
    reported_source = forms.ChoiceField(
        label=_("Reported source"), choices=ReportedSource.choices, initial=ReportedSource.PHONE
    )
    assigned_group = _narrowed(_("Assigned group"), SupportGroup, GROUP_NOT_ALLOWED)
    assignee = _narrowed(
        _("Assignee"),
        get_user_model(),
        ASSIGNEE_NOT_ALLOWED,
        optional=_("(nobody)"),
        field_class=UserChoiceField,
    )
    status = forms.ChoiceField(label=_("Status"))
    status_reason = _narrowed(
        _("Status reason"), StatusReason, REASON_NOT_ALLOWED, optional=_("(no reason)")
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
        self._show_reference(
            "template",
            lambda: pickable_templates(kind),
            f"templates:{kind}",
            ticket.template_id if ticket else None,
            lookup=lambda pk: PICKABLE_TEMPLATE.first(pk, shape=(kind,)),
        )
        self._show_reference(
            "assigned_group",
            lambda: pickable_groups(user),
            f"groups:{'all' if coordinator else 'agents'}",
            ticket.assigned_group_id if ticket else None,
            lookup=lambda pk: PICKABLE_GROUP.first(pk, shape=(coordinator,)),
        )
        self.fields["assigned_group"].label = model.GROUP_LABEL
        group_id = self.chosen_group_id()
        keep_assignee = None
        if ticket is not None and str(group_id) == str(ticket.assigned_group_id):
            # A ticket's assignee who has since left the group can stay put.
            keep_assignee = ticket.assignee_id
        group = row_id(group_id)
        self._show_reference(
            "assignee",
            lambda: group_assignees(group_id),
            f"assignees:{group}",
            keep_assignee,
            lookup=(lambda pk: GROUP_ASSIGNEE.first(group, pk)) if group is not None else None,
        )

        self.fields["status"].choices = open_statuses(model)
        reason_id = ticket.status_reason_id if ticket is not None else None
        status = self.chosen_status()
        self.fields["status_reason"].defer_queryset(
            lambda: status_reasons(kind, status, keep_id=reason_id)
        )
        show_reasons(self.fields["status_reason"], kind, status, reason_id)

    def _show_reference(
        self, name: str, queryset: Callable[[], QuerySet], key: str, keep_id, *, lookup=None
    ) -> None:
        """The field's options from the reference cache; if the ticket's
        current value is no longer among them (retired), from the queryset
        plus that value, as before. The queryset is built only if needed;
        ``lookup`` finds one of its rows by id (``DeferredChoiceField``)."""
        field = self.fields[name]
        field.defer_queryset(queryset, lookup=lookup)
        choices = reference_choices(field, key)
        if offers(choices, keep_id):
            show_choices(field, choices)
        else:
            queryset = field.queryset
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
