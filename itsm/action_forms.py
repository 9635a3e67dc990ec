"""Forms of the actions on an existing ticket: the edit form's locking
fields, the quick actions, *Agregar*, relations and the coordinators' row
actions. Each posts back the version the agent saw and what the page showed
(``seen``), so a change based on a stale page is refused and can say who
changed what."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.fields import (
    ATTACHMENT_FIELDS,
    AttachmentField,
    AttachmentsMixin,
    LongTextarea,
    LongTextField,
    TicketNumberField,
)
from itsm.forms import DeferredChoiceField, TicketFieldsForm, show_reasons
from itsm.models import (
    RelationType,
    RequiresAttention,
    Status,
    StatusReason,
    Ticket,
    ViewAccess,
    WorkInfoType,
)
from itsm.selectors import status_reasons, stored_values
from itsm.services.rules import DEFAULT_RESOLUTION, FORM_FIELDS, REASON_NOT_ALLOWED

# Journal entry types an agent picks by hand; the others are written by the system.
MANUAL_WORK_INFO_TYPES = (
    WorkInfoType.WORK_NOTES,
    WorkInfoType.CUSTOMER_COMMUNICATION,
    WorkInfoType.GENERAL,
)


def seen_state(ticket: Ticket) -> str:
    """What the page shows of ``ticket``, posted back with every form."""
    return json.dumps(stored_values(ticket, FORM_FIELDS), sort_keys=True)


class VersionedForm(forms.Form):
    """A change based on the version of the ticket the agent saw, and what
    the page showed of it (``seen``): the service compares it with what is
    stored to say what someone else changed meanwhile."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def initial_for(ticket: Ticket) -> dict:
        return {"version": ticket.version, "seen": seen_state(ticket)}

    def clean_seen(self) -> dict[str, str] | None:
        """The shown values by field, or None when the page did not say (the
        service then compares with the ticket as loaded)."""
        try:
            seen = json.loads(self.cleaned_data["seen"] or "")
        except ValueError:
            return None
        if not isinstance(seen, dict):
            return None
        return {name: str(seen[name]) for name in FORM_FIELDS if name in seen} or None

    def rebased_data(self, current: Ticket):
        """The same input, now based on ``current``: sending it again is a
        deliberate overwrite of what the other agent did."""
        data = self.data.copy()
        for name, value in self.initial_for(current).items():
            data[self.add_prefix(name)] = str(value)
        return data


def _as_stored(value) -> str:
    """A cleaned value as ``stored_values`` writes it: ids for rows, empty for
    none, one kind of line break (browsers post textareas with CRLF)."""
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value).replace("\r\n", "\n")


class TicketEditForm(TicketFieldsForm, VersionedForm):
    """Sections 2–4 of an existing ticket, saved with optimistic locking.

    Only what the agent changed from what their page showed (``seen``) is
    saved, so a value they did not touch is never written back over someone
    else's. After a refused stale save the form is rebased on the current
    ticket: the agent's changes kept, the rest current, and the fields both
    changed (``conflicts``) wait for the agent to choose which value to keep
    (``keep_<field>``: ``mine`` or ``theirs``)."""

    requires_attention = forms.ChoiceField(
        label=_("Requires attention"), choices=RequiresAttention.choices, required=False
    )
    note = LongTextField(
        label=_("Work note for this change"),
        required=False,
        widget=LongTextarea(attrs={"rows": 2}),
    )
    conflicts = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, ticket: Ticket, **kwargs):
        if not args and "data" not in kwargs:
            kwargs["initial"] = {
                **stored_values(ticket, FORM_FIELDS),
                **self.initial_for(ticket),
            }
        super().__init__(*args, ticket=ticket, **kwargs)
        self.kept_theirs: set[str] = set()

    def clean_conflicts(self) -> list[str]:
        try:
            names = json.loads(self.cleaned_data["conflicts"] or "[]")
        except ValueError:
            return []
        if not isinstance(names, list):
            return []
        return [name for name in names if name in FORM_FIELDS]

    def clean(self) -> dict:
        cleaned = super().clean()
        self.kept_theirs = set()
        for name in cleaned.get("conflicts") or []:
            choice = self.data.get(self.add_prefix(f"keep_{name}"))
            if choice == "theirs":
                self.kept_theirs.add(name)
            elif choice != "mine":
                self.add_error(
                    name,
                    _("You and another agent both changed this field: choose which value to keep."),
                )
        return cleaned

    def changes(self) -> dict:
        """The fields the agent changed from what their page showed."""
        seen = self.cleaned_data.get("seen") or {}
        loaded = stored_values(self.ticket, FORM_FIELDS)
        return {
            name: self.cleaned_data[name]
            for name in FORM_FIELDS
            if name in self.cleaned_data
            and name not in self.kept_theirs
            and _as_stored(self.cleaned_data[name]) != seen.get(name, loaded[name])
        }

    def rebased(self, current: Ticket, *, changed_by_others=()) -> "TicketEditForm":
        """The agent's changes on top of ``current``: every field they did not
        change shows the current value, and the ones both changed to different
        values become conflicts to resolve."""
        mine = self.changes()
        now = stored_values(current, FORM_FIELDS)
        data = self.rebased_data(current)
        for key in [key for key in data if key.startswith(self.add_prefix("keep_"))]:
            del data[key]
        for name in FORM_FIELDS:
            if name not in mine:
                data[self.add_prefix(name)] = now[name]
        conflicts = [
            name
            for name in FORM_FIELDS
            if name in mine and name in changed_by_others and _as_stored(mine[name]) != now[name]
        ]
        data[self.add_prefix("conflicts")] = json.dumps(conflicts)
        return type(self)(data, model=self.model, user=self._user, ticket=current)

    def conflict_rows(self, current: Ticket) -> list[dict]:
        """For each conflict: the field, the agent's value and the current one,
        as the form labels them."""
        if not self.is_bound:
            return []
        try:
            names = json.loads(self.data.get(self.add_prefix("conflicts")) or "[]")
        except ValueError:
            return []
        now = stored_values(current, FORM_FIELDS)
        rows = []
        for name in names if isinstance(names, list) else []:
            if name not in FORM_FIELDS:
                continue
            field = self.fields[name]
            labels = {}
            if hasattr(field, "choices"):
                labels = {str(value): str(label) for value, label in field.choices}
            mine = (self.data.get(self.add_prefix(name)) or "").replace("\r\n", "\n")
            theirs = now[name]
            rows.append(
                {
                    "name": name,
                    "label": str(field.label),
                    "mine": labels.get(mine, mine) or "—",
                    "theirs": labels.get(theirs, theirs) or "—",
                    "choice": self.data.get(self.add_prefix(f"keep_{name}"), ""),
                }
            )
        return rows


class AssignToMeForm(VersionedForm):
    pass


class _StatusReasonForm(VersionedForm):
    """A quick action that moves the ticket to ``status_for(model)`` with one
    of that status's reasons."""

    status_reason = DeferredChoiceField(
        label=_("Status reason"),
        queryset=StatusReason.objects.none(),
        error_messages={
            "required": _("Choose the reason for this status."),
            "invalid_choice": REASON_NOT_ALLOWED,
        },
    )

    @staticmethod
    def status_for(model: type[Ticket]) -> str:
        raise NotImplementedError

    def __init__(self, *args, model: type[Ticket], **kwargs):
        super().__init__(*args, **kwargs)
        status = self.status_for(model)
        self.fields["status_reason"].defer_queryset(lambda: status_reasons(model.KIND, status))
        show_reasons(self.fields["status_reason"], model.KIND, status)


class PendingForm(_StatusReasonForm):
    note = LongTextField(label=_("Note"), required=False, widget=LongTextarea(attrs={"rows": 2}))

    @staticmethod
    def status_for(model: type[Ticket]) -> str:
        return Status.PENDING


class ResolveForm(_StatusReasonForm):
    resolution = forms.CharField(
        label=_("Resolution"),
        initial=DEFAULT_RESOLUTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = LongTextField(label=_("Note"), required=False, widget=LongTextarea(attrs={"rows": 2}))

    @staticmethod
    def status_for(model: type[Ticket]) -> str:
        return model.RESOLVED_STATUS

    def clean_resolution(self) -> str:
        return self.cleaned_data["resolution"].strip() or DEFAULT_RESOLUTION


class ReopenForm(VersionedForm):
    note = LongTextField(
        label=_("Why is it reopened?"), required=False, widget=LongTextarea(attrs={"rows": 2})
    )


class WorkInfoForm(AttachmentsMixin, forms.Form):
    """*Agregar*: a new entry of the history."""

    type = forms.ChoiceField(
        label=_("Type"),
        choices=[(value, WorkInfoType(value).label) for value in MANUAL_WORK_INFO_TYPES],
        initial=WorkInfoType.WORK_NOTES,
    )
    notes = LongTextField(label=_("Notes"), required=False, widget=LongTextarea(attrs={"rows": 3}))
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
    other_number = TicketNumberField(
        label=_("Ticket"),
        help=_("%(examples)s or the full number."),
        invalid=_("Write %(examples)s or the full number."),
    )
    relation_type = forms.ChoiceField(
        label=_("Relation type"), choices=RelationType.choices, initial=RelationType.RELATED
    )


class CoordinationActionForm(forms.Form):
    """*Tomar*, *Devolver al agente*, *Pasar a L2 ESPECIALISTAS*: the version
    the coordinator saw (optimistic locking) and, except to take, a note."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = LongTextField(
        label=_("Note"),
        required=False,
        strip=True,
        widget=LongTextarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, note_required: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.note_required = note_required

    def clean_note(self) -> str:
        note = self.cleaned_data["note"]
        if self.note_required and not note:
            raise forms.ValidationError(_("Write a note for the agent or the specialists."))
        return note


class SaveViewForm(forms.Form):
    """The console's current filters (its query string) to open with by default."""

    query = forms.CharField(required=False, max_length=2000)
    reset = forms.BooleanField(required=False)


class MergeForm(forms.Form):
    """*Fusionar en…*: the tickets to merge (a ticket page's one, or a console
    selection) and the target, by number; ``confirm_other_customer`` when the
    service asked to confirm merging tickets of different customers."""

    numbers = forms.CharField(widget=forms.MultipleHiddenInput)
    target = TicketNumberField(
        label=_("Merge into ticket"),
        help=_("%(examples)s or the full number."),
        invalid=_("Write %(examples)s or the full number."),
    )
    confirm_other_customer = forms.BooleanField(
        label=_("Merge even though the customers are different"), required=False
    )

    def __init__(self, *args, max_numbers: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_numbers = max_numbers

    def clean_numbers(self) -> list[str]:
        values = self.data.getlist("numbers") if hasattr(self.data, "getlist") else []
        numbers = list(dict.fromkeys(value.strip().upper() for value in values if value.strip()))
        if not numbers:
            raise forms.ValidationError(_("Select the tickets to merge."))
        if len(numbers) > self.max_numbers:
            raise forms.ValidationError(
                _("Merge at most %(max)d tickets at once.") % {"max": self.max_numbers}
            )
        return numbers
