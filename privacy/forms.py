from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models import IdentityCheck, Right


class RequestForm(forms.Form):
    right = forms.ChoiceField(label=_("Right"), choices=Right.choices)
    identity_check = forms.ChoiceField(
        label=_("Identity checked by"), choices=IdentityCheck.choices
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return received_on


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the extension"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    refused = forms.BooleanField(label=_("Refused"), required=False)
    note = forms.CharField(label=_("Answer given"), widget=forms.Textarea(attrs={"rows": 2}))
