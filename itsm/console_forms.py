"""Forms of the consoles (the filters themselves are FilterSets in ``filters``)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CoordinationActionForm(forms.Form):
    """*Tomar*, *Devolver al agente*, *Pasar a L2 ESPECIALISTAS*: the version
    the coordinator saw (optimistic locking) and, except to take, a note."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
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
