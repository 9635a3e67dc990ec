"""``|as_field``, the one field renderer of the pages, writes crispy-forms'
Bootstrap 5 field in Python: the same elements, attributes and text as
``|as_crispy_field``, kept here as the reference for every field the pages show."""

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.forms import CustomerForm
from incidents.filters import IncidentFilterSet
from incidents.models import Incident
from itsm.action_forms import (
    PendingForm,
    RelationForm,
    ReopenForm,
    ResolveForm,
    TicketEditForm,
    WorkInfoForm,
)
from itsm.escalation_cases import CASES
from itsm.escalation_forms import EscalationPacketForm
from itsm.forms import TicketCreateForm
from itsm.templatetags.form_fields import as_field
from itsm.tests.factories import make_incident
from notifications.forms import EmailComposeForm
from notifications.models import ResponseTemplate
from workorders.filters import WorkOrderFilterSet
from workorders.models import WorkOrder


def same_markup(html: str) -> str:
    """Whitespace between and inside tags does not change the page."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<|>)\s*", r"\1", html).strip()


class Extras(forms.Form):
    required_css_class = "required"
    error_css_class = "has-error"

    agree = forms.BooleanField(label="I <agree>", help_text="Tick <b>it</b>")
    upload = forms.FileField(required=False, disabled=True)
    styled_upload = forms.FileField(widget=forms.FileInput(attrs={"class": "big", "accept": "*"}))
    unlabelled = forms.CharField(label="", required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)


def filter_forms(request, bound: bool) -> list[forms.Form]:
    """The consoles' filter forms, bound to values some of which are wrong."""
    data = {
        "f": "1",
        "mine": "on",
        "status": ["pending", "nope"],
        "created_after": "ayer",
        "assignee": "999999",
        "customer": "gómez",
    }
    filtersets = [
        cls(data if bound else None, queryset=model.objects.all(), request=request)
        for cls, model in ((IncidentFilterSet, Incident), (WorkOrderFilterSet, WorkOrder))
    ]
    return [filterset.form for filterset in filtersets]


def bound_page_forms(agent, ticket) -> list[forms.Form]:
    """The pages' forms bound to input they refuse, so every error shows."""
    files = {"attachment_1": SimpleUploadedFile("a.exe", b"MZ\x90\x00")}
    return [
        TicketCreateForm({"status": "pending"}, files, model=Incident, user=agent),
        TicketEditForm({"version": "x"}, model=Incident, user=agent, ticket=ticket),
        WorkInfoForm({"wi-type": "nope"}, prefix="wi"),
        PendingForm({"pending-version": "1"}, model=Incident, prefix="pending"),
        ResolveForm({"resolve-version": "1"}, model=WorkOrder, prefix="resolve"),
        ReopenForm({}, prefix="reopen"),
        EscalationPacketForm(
            {"escalate-version": "1", "escalate-tax_id": "123", "escalate-note": "x"},
            case=CASES["error23"],
            ticket=ticket,
            prefix="escalate",
        ),
        EscalationPacketForm(
            {"escalate-version": "1", "escalate-operation": "zz"},
            case=CASES["linking"],
            ticket=ticket,
            prefix="escalate",
        ),
        RelationForm({"rel-other_number": "hola"}, prefix="rel"),
        Extras({"hidden": "x"}),
        CustomerForm({"customer-tax_id": "123"}, prefix="customer"),
        EmailComposeForm({"amount": "x"}, {}, templates=ResponseTemplate.objects.all(), slot=1),
        AuthenticationForm(data={"username": "x"}),
    ]


def unbound_page_forms(agent, ticket) -> list[forms.Form]:
    """The pages' forms as they first show, one escalation form per case."""
    return [
        TicketCreateForm(model=Incident, user=agent),
        TicketEditForm(model=Incident, user=agent, ticket=ticket),
        WorkInfoForm(prefix="wi"),
        PendingForm(model=Incident, prefix="pending"),
        ResolveForm(model=WorkOrder, prefix="resolve"),
        ReopenForm(prefix="reopen"),
        *(
            EscalationPacketForm(case=CASES[case], ticket=ticket, prefix="escalate")
            for case in ("error23", "unsolved", "linking", "flei")
        ),
        RelationForm(prefix="rel"),
        Extras(),
        CustomerForm(prefix="customer"),
        EmailComposeForm(templates=ResponseTemplate.objects.all(), slot=1),
        AuthenticationForm(),
    ]


def page_forms(agent, ticket, request, bound: bool) -> list[forms.Form]:
    """Every form the console, the new-ticket page and the ticket page show."""
    pages = bound_page_forms if bound else unbound_page_forms
    result = filter_forms(request, bound) + pages(agent, ticket)
    for form in result:
        form.is_valid()
    return result


@pytest.mark.parametrize("bound", [False, True])
def test_fields_render_as_crispy_renders_them(reference, agent, rf, bound):
    ticket = make_incident(user=agent)
    request = rf.get("/")
    request.user = agent
    # Each renderer gets its own forms: crispy adds classes to the widgets.
    ours = page_forms(agent, ticket, request, bound)
    theirs = page_forms(agent, ticket, request, bound)
    compared = 0
    for our_form, their_form in zip(ours, theirs, strict=True):
        for name in our_form.fields:
            if isinstance(our_form.fields[name].widget, forms.CheckboxSelectMultiple):
                continue  # the console draws its multiple choices as a picker of its own
            expected = same_markup(as_crispy_field(their_form[name]))
            assert same_markup(as_field(our_form[name])) == expected, name
            compared += 1
    assert compared > 75
