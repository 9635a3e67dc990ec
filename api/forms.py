from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import Scope
from api.tokens import DEFAULT_DAYS, MAX_DAYS, allowed_scopes


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, e.g. “Portal de registradores”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=[], widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only what the user's role allows is offered.
        allowed = allowed_scopes(user)
        self.fields["scopes"].choices = [(s.value, s.label) for s in Scope if s in allowed]
        self.fields["scopes"].initial = [Scope.READ]
