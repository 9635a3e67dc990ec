"""The rules every ticket write follows, for both kinds."""

import pytest
from django.core.exceptions import ValidationError

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import (
    RequiresAttention,
    Status,
    StatusReason,
    SupportGroup,
    TicketTemplate,
    WorkInfoType,
)
from itsm.presenters import entry_text
from itsm.services.journal import work_info_add
from itsm.services.rules import DEFAULT_RESOLUTION, TEMPLATE_FIELDS
from itsm.services.ticket_create import ticket_create
from itsm.services.ticket_update import (
    ticket_reopen,
    ticket_resolve,
    ticket_set_pending,
    ticket_update,
)
from itsm.tests.factories import campaign_template, make_ticket
from workorders.models import WorkOrder

BOTH_KINDS = pytest.mark.parametrize("model", [Incident, WorkOrder], ids=["INC", "WO"])


def reason(model, status, name=None) -> StatusReason:
    reasons = StatusReason.objects.filter(kind=model.KIND, status=status, active=True)
    if name:
        reasons = reasons.filter(name=name)
    return reasons.order_by("name").first()


def pend(ticket, user):
    """Put ``ticket`` in Pendiente with its kind's first pending reason."""
    return ticket_set_pending(
        ticket=ticket,
        user=user,
        expected_version=ticket.version,
        status_reason=reason(type(ticket), Status.PENDING),
    )


def resolve(ticket, user, **kwargs):
    """Resolve (or complete) ``ticket`` with its kind's first reason."""
    return ticket_resolve(
        ticket=ticket,
        user=user,
        expected_version=ticket.version,
        status_reason=reason(type(ticket), ticket.RESOLVED_STATUS),
        **kwargs,
    )


def entries(ticket, entry_type=None) -> list[str]:
    rows = ticket.work_info.order_by("created_at", "pk")
    if entry_type:
        rows = rows.filter(type=entry_type)
    return [entry_text(entry) for entry in rows.select_related("author")]


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


# --- statuses -------------------------------------------------------------------


@BOTH_KINDS
def test_pending_sets_requires_response(agent, model):
    ticket = make_ticket(model, user=agent)

    pend(ticket, agent)

    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.requires_attention == RequiresAttention.RESPONSE


def test_pending_overrides_an_empty_requires_attention_sent_by_the_form(agent):
    ticket = make_ticket(Incident, user=agent)

    ticket_update(
        ticket=ticket,
        user=agent,
        expected_version=ticket.version,
        status=Status.PENDING,
        status_reason=reason(Incident, Status.PENDING),
        requires_attention=RequiresAttention.NONE,
    )

    assert ticket.requires_attention == RequiresAttention.RESPONSE


@BOTH_KINDS
def test_resolving_defaults_the_resolution_and_clears_requires_attention(agent, model):
    ticket = make_ticket(model, user=agent)
    pend(ticket, agent)

    resolve(ticket, agent, resolution="  ")

    ticket.refresh_from_db()
    assert ticket.status == model.RESOLVED_STATUS
    assert ticket.resolution == DEFAULT_RESOLUTION == "RESUELTO"
    assert ticket.requires_attention == RequiresAttention.NONE
    assert ticket.resolved_at is not None


def test_resolving_keeps_a_notable_resolution(agent):
    ticket = make_ticket(Incident, user=agent)

    ticket_resolve(
        ticket=ticket,
        user=agent,
        expected_version=ticket.version,
        status_reason=reason(Incident, Status.RESOLVED),
        resolution="Se reinstala el certificado",
    )

    assert ticket.resolution == "Se reinstala el certificado"


def test_a_resolved_status_needs_a_reason(agent):
    ticket = make_ticket(WorkOrder, user=agent)

    with pytest.raises(ValidationError) as error:
        ticket_update(
            ticket=ticket, user=agent, expected_version=ticket.version, status=Status.COMPLETED
        )

    assert error.value.message_dict["status_reason"] == ["Elija el motivo de este estado."]


@BOTH_KINDS
def test_reopening_goes_back_to_assigned_pending_communication(agent, model):
    ticket = make_ticket(model, user=agent)
    resolve(ticket, agent)

    ticket_reopen(ticket=ticket, user=agent, expected_version=ticket.version, note="Vuelve")

    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED
    assert ticket.status_reason.name == "Pdte comunicación con cliente"
    assert ticket.resolution == ""
    assert ticket.resolved_at is None
    assert "Vuelve" in entries(ticket, WorkInfoType.WORK_NOTES)


def test_only_a_resolved_ticket_can_be_reopened(agent):
    ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError) as error:
        ticket_reopen(ticket=ticket, user=agent, expected_version=ticket.version)

    assert error.value.code == "not_resolved"


def test_a_reason_of_another_status_is_refused(agent):
    ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError) as error:
        ticket_update(
            ticket=ticket,
            user=agent,
            expected_version=ticket.version,
            status=Status.PENDING,
            status_reason=reason(Incident, Status.RESOLVED),
        )

    assert error.value.message_dict["status_reason"] == [
        "Este motivo no corresponde al estado elegido."
    ]
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED


def test_a_reason_of_the_other_kind_is_refused(agent):
    ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError) as error:
        ticket_set_pending(
            ticket=ticket,
            user=agent,
            expected_version=ticket.version,
            status_reason=reason(WorkOrder, Status.PENDING),
        )

    assert "status_reason" in error.value.message_dict


def test_a_status_of_the_other_kind_is_refused(agent):
    ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError) as error:
        ticket_update(
            ticket=ticket, user=agent, expected_version=ticket.version, status=Status.COMPLETED
        )

    assert "status" in error.value.message_dict


def test_changing_status_without_a_reason_drops_the_old_reason(agent):
    ticket = make_ticket(Incident, user=agent)
    pend(ticket, agent)

    ticket_update(
        ticket=ticket, user=agent, expected_version=ticket.version, status=Status.IN_PROGRESS
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.status_reason is None


def test_an_inactive_reason_cannot_be_chosen(agent):
    ticket = make_ticket(Incident, user=agent)
    retired = reason(Incident, Status.PENDING)
    StatusReason.objects.filter(pk=retired.pk).update(active=False)
    retired.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        ticket_set_pending(
            ticket=ticket, user=agent, expected_version=ticket.version, status_reason=retired
        )

    assert "status_reason" in error.value.message_dict


# --- closed tickets -----------------------------------------------------------


def close(ticket, status=Status.CLOSED):
    type(ticket).objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()
    return ticket


@pytest.mark.parametrize("status", [Status.CLOSED, Status.CANCELLED])
def test_a_closed_ticket_cannot_be_changed(agent, status):
    ticket = close(make_ticket(Incident, user=agent), status)

    with pytest.raises(ValidationError) as error:
        ticket_update(ticket=ticket, user=agent, expected_version=ticket.version, summary="Otro")

    assert error.value.code == "ticket_closed"
    ticket.refresh_from_db()
    assert ticket.summary != "Otro"


def test_a_closed_ticket_takes_no_work_info(agent):
    ticket = close(make_ticket(WorkOrder, user=agent))
    count = ticket.work_info.count()

    with pytest.raises(ValidationError):
        work_info_add(ticket=ticket, user=agent, notes="Tarde")

    assert ticket.work_info.count() == count


def test_a_closed_ticket_cannot_be_reopened(agent):
    ticket = close(make_ticket(Incident, user=agent))

    with pytest.raises(ValidationError):
        ticket_reopen(ticket=ticket, user=agent, expected_version=ticket.version)


def test_a_rejected_work_order_is_closed_for_good(agent):
    ticket = close(make_ticket(WorkOrder, user=agent), Status.REJECTED)

    assert ticket.is_closed
    assert not WorkOrder.objects.filter(pk=ticket.pk).open().exists()


# --- journal of changes -------------------------------------------------------


def test_creating_a_ticket_writes_the_opening_entry_and_the_first_notes(agent):
    ticket = make_ticket(Incident, user=agent, work_info_notes="El usuario no puede firmar")

    status_entries = entries(ticket, WorkInfoType.STATUS_CHANGE)
    assert len(status_entries) == 1
    assert "L1 CAMPAÑA LIBROS/CUENTAS" in status_entries[0]
    assert entries(ticket, WorkInfoType.WORK_NOTES) == ["El usuario no puede firmar"]


def test_a_status_change_writes_a_journal_entry(agent):
    ticket = make_ticket(Incident, user=agent)

    ticket_set_pending(
        ticket=ticket,
        user=agent,
        expected_version=ticket.version,
        status_reason=reason(Incident, Status.PENDING, "Requiere acción del cliente"),
    )

    last = ticket.work_info.filter(type=WorkInfoType.STATUS_CHANGE).latest("pk")
    assert entry_text(last) == "Estado: Asignado → Pendiente (Requiere acción del cliente)"
    assert last.author == agent


def test_an_assignee_change_writes_a_journal_entry(agent, other_agent):
    ticket = make_ticket(Incident, user=agent, assignee=agent)

    ticket_update(ticket=ticket, user=agent, expected_version=ticket.version, assignee=other_agent)

    last = ticket.work_info.filter(type=WorkInfoType.ASSIGNMENT).latest("pk")
    assert entry_text(last) == "Usuario asignado: Agente → Agente2"


def test_a_group_change_writes_a_journal_entry(agent, reference):
    ticket = make_ticket(WorkOrder, user=agent)
    coordination = SupportGroup.objects.get(is_coordination=True)

    ticket_update(
        ticket=ticket, user=agent, expected_version=ticket.version, assigned_group=coordination
    )

    last = ticket.work_info.filter(type=WorkInfoType.ASSIGNMENT).latest("pk")
    assert entry_text(last) == (
        "Grupo: L1 CAMPAÑA LIBROS/CUENTAS → L1 COORDINACIÓN CAMPAÑA LIBROS/CUENTAS"
    )


def test_a_change_of_other_fields_writes_no_status_entry(agent):
    ticket = make_ticket(Incident, user=agent)
    count = ticket.work_info.count()

    ticket_update(ticket=ticket, user=agent, expected_version=ticket.version, summary="Otro")

    assert ticket.work_info.count() == count
    assert ticket.version == 2


def test_work_info_needs_notes_or_a_file(agent):
    ticket = make_ticket(Incident, user=agent)

    with pytest.raises(ValidationError) as error:
        work_info_add(ticket=ticket, user=agent, notes="   ")

    assert error.value.message_dict["notes"] == ["Escriba las notas de esta entrada."]
