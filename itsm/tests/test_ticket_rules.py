"""The rules every ticket write follows, for both kinds: what a template
fills in, and how tickets are numbered."""

import pytest
from django.core.exceptions import ValidationError

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import (
    TicketTemplate,
)
from itsm.services.rules import TEMPLATE_FIELDS
from itsm.services.ticket_create import ticket_create
from itsm.services.ticket_update import (
    ticket_update,
)
from itsm.tests.factories import campaign_template, make_ticket
from workorders.models import WorkOrder

BOTH_KINDS = pytest.mark.parametrize("model", [Incident, WorkOrder], ids=["INC", "WO"])


# --- templates ------------------------------------------------------------------


@BOTH_KINDS
def test_applying_a_template_fills_section_three_and_the_summary(agent, model):
    template = campaign_template(model.KIND)

    ticket = ticket_create(model=model, user=agent, customer=CustomerFactory(), template=template)

    ticket.refresh_from_db()
    assert ticket.template == template
    assert ticket.summary == template.summary
    for field in TEMPLATE_FIELDS:
        assert getattr(ticket, field) == getattr(template, field), field
    assert ticket.assigned_group == template.default_group


def test_changing_the_template_refills_section_three(agent):
    ticket = make_ticket(WorkOrder, user=agent)
    other = (
        TicketTemplate.objects.for_agents("WO").exclude(pk=ticket.template_id).order_by("-name")
    ).first()

    ticket_update(ticket=ticket, user=agent, expected_version=ticket.version, template=other)

    ticket.refresh_from_db()
    assert ticket.summary == other.summary
    assert ticket.operational_tier_3 == other.operational_tier_3
    assert ticket.product_tier_3 == other.product_tier_3
    assert ticket.service == other.service


def test_a_template_of_the_other_kind_is_refused(agent):
    incident_only = TicketTemplate.objects.for_agents("INC").filter(applies_to="INC").first()

    with pytest.raises(ValidationError) as error:
        make_ticket(WorkOrder, user=agent, template=incident_only)

    assert "template" in error.value.message_dict


def test_agents_only_see_active_campaign_templates_of_the_kind(reference):
    names = list(TicketTemplate.objects.for_agents("INC").values_list("name", flat=True))

    assert len(names) >= 5
    assert all(name.startswith("CAMPAÑA") for name in names)
    assert "INTERNA - PRUEBAS DE PLATAFORMA" not in names
    assert not TicketTemplate.objects.for_agents("INC").filter(applies_to="WO").exists()


def test_a_ticket_without_template_or_summary_is_refused(agent):
    with pytest.raises(ValidationError) as error:
        make_ticket(Incident, user=agent, template=None)

    assert error.value.message_dict["summary"] == ["Elija una plantilla o escriba un resumen."]


# --- numbers --------------------------------------------------------------------


def test_incident_numbers_are_inc_and_twelve_digits(agent):
    first = make_ticket(Incident, user=agent)
    second = make_ticket(Incident, user=agent)

    assert first.number == "INC000000000001"
    assert second.number == "INC000000000002"
    assert len(first.number) == 15


def test_work_order_numbers_are_wo_and_thirteen_digits(agent):
    first = make_ticket(WorkOrder, user=agent)

    assert first.number == "WO0000000000001"
    assert len(first.number) == 15
