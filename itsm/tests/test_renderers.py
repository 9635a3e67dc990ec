"""The form renderer writes plain widgets in Python: the same markup as
Django's templates, byte for byte."""

import datetime

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from incidents.filters import IncidentFilterSet
from incidents.models import Incident
from itsm.action_forms import PendingForm, TicketEditForm, WorkInfoForm
from itsm.forms import TicketCreateForm
from itsm.models import StatusReason
from itsm.renderers import FormRenderer
from itsm.tests.factories import make_incident

CHOICES = [
    ("", "---------"),
    ("a", "Plain"),
    ("b&c", 'Quotes " and <tags> & ampersands'),
    ("lazy", gettext_lazy("Status")),
    ("safe", mark_safe("<b>safe</b>")),
    ("Group", [("g1", "In a group"), ("g2", "Also")]),
    (3, 1234567),
]


class SampleForm(forms.Form):
    single = forms.ChoiceField(choices=CHOICES, required=False)
    multiple = forms.MultipleChoiceField(
        choices=CHOICES, required=False, widget=forms.SelectMultiple(attrs={"size": 3})
    )
    flagged = forms.ChoiceField(
        choices=CHOICES,
        required=False,
        widget=forms.Select(
            attrs={"hx-get": "/x/?a=1&b=2", "disabled": True, "hidden": False, "data-n": 5}
        ),
    )
    nullable = forms.NullBooleanField(required=False)
    reason = forms.ModelChoiceField(queryset=StatusReason.objects.order_by("pk"), required=False)
    text = forms.CharField(required=False, max_length=20, widget=forms.TextInput(attrs={"a": "<"}))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    number = forms.IntegerField(required=False)
    email = forms.EmailField(required=False)
    password = forms.CharField(required=False, widget=forms.PasswordInput)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    flag = forms.BooleanField(required=False)
    upload = forms.FileField(required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    split = forms.SplitDateTimeField(required=False)


def render_all(form: forms.Form) -> list[str]:
    return [str(form[name]) for name in form.fields]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "single": "b&c",
            "multiple": ["a", "g2", "3"],
            "flagged": "safe",
            "nullable": "true",
            "text": 'say "hi" & <bye>',
            "hidden": "1",
            "number": "1234567",
            "email": "A@B.es",
            "password": "secret",
            "day": "2024-02-29",
            "flag": "on",
            "notes": "line 1\n<b>line 2</b>",
            "split_0": "2024-01-01",
            "split_1": "10:00",
        },
        {"single": "nope", "multiple": ["lazy"], "nullable": "false", "number": "x", "notes": ""},
    ],
)
def test_widgets_render_exactly_as_the_stock_templates(reference, data):
    reason = StatusReason.objects.order_by("pk").first()
    files = None
    if data is not None:
        data = {**data, "reason": str(reason.pk)}
        files = {"upload": SimpleUploadedFile("a.txt", b"x")}
    initial = {"day": datetime.date(2024, 1, 2), "number": 5, "text": 0}
    fast = render_all(SampleForm(data, files, initial=initial, renderer=FormRenderer()))
    stock = render_all(SampleForm(data, files, initial=initial, renderer=DjangoTemplates()))
    assert fast == stock
    assert "<option" in fast[0] and "optgroup" in fast[0]


def test_the_ticket_forms_render_through_crispy_as_with_the_stock_templates(reference, agent, rf):
    ticket = make_incident(user=agent)
    request = rf.get("/")
    request.user = agent

    def forms_with(renderer) -> list[forms.Form]:
        bad_pending = PendingForm(
            {"pending-version": "x"}, model=Incident, prefix="pending", renderer=renderer
        )
        bad_pending.is_valid()
        filterset = IncidentFilterSet(
            {"f": "1", "status": ["pending"], "created_after": "ayer"},
            queryset=Incident.objects.all(),
            request=request,
        )
        filterset.form.renderer = renderer
        filterset.form.is_valid()
        return [
            TicketEditForm(model=Incident, user=agent, ticket=ticket, renderer=renderer),
            TicketCreateForm(model=Incident, user=agent, renderer=renderer),
            WorkInfoForm(prefix="wi", renderer=renderer),
            bad_pending,
            filterset.form,
        ]

    def html(renderer) -> list[str]:
        return [
            as_crispy_field(form[name]) for form in forms_with(renderer) for name in form.fields
        ]

    assert html(FormRenderer()) == html(DjangoTemplates())


def test_the_project_renders_forms_with_it(settings):
    assert settings.FORM_RENDERER == "itsm.renderers.FormRenderer"


def test_a_field_of_an_unbound_form_reads_no_errors_and_a_bound_ones_reads_its_own():
    from itsm.renderers import DeskBoundField

    class Form(forms.Form):
        name = forms.CharField()

    unbound = Form()
    field = unbound["name"]
    assert isinstance(field, DeskBoundField)
    assert list(field.errors) == [] and field.errors is field.errors
    bound = Form(data={"name": ""})
    assert not bound.is_valid()
    assert list(bound["name"].errors) == [str(forms.CharField.default_error_messages["required"])]
    bound.add_error("name", "Otro error")
    assert len(bound["name"].errors) == 2
