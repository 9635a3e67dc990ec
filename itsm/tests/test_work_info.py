"""The journal is append-only: no edit or delete anywhere, the admin included."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from incidents.models import Incident, IncidentWorkInfo
from itsm.models import AppendOnlyError, RequiresAttention, ViewAccess, WorkInfoType
from itsm.services.journal import work_info_add
from itsm.tests.factories import make_ticket
from workorders.models import WorkOrder, WorkOrderWorkInfo


@pytest.fixture
def entry(agent) -> IncidentWorkInfo:
    ticket = make_ticket(Incident, user=agent)
    return work_info_add(ticket=ticket, user=agent, notes="Llamada del usuario")


def test_adding_work_info_appends_an_entry_with_its_attention_and_access(agent):
    ticket = make_ticket(WorkOrder, user=agent)

    entry = work_info_add(
        ticket=ticket,
        user=agent,
        notes="  Se envía el cuadro de vinculación  ",
        entry_type=WorkInfoType.CUSTOMER_COMMUNICATION,
        requires_attention=RequiresAttention.RESPONSE,
        view_access=ViewAccess.PUBLIC,
    )

    stored = WorkOrderWorkInfo.objects.get(pk=entry.pk)
    assert stored.ticket == ticket
    assert stored.author == agent
    assert stored.notes == "Se envía el cuadro de vinculación"
    assert stored.get_type_display() == "Comunicación con cliente"
    assert stored.get_requires_attention_display() == "Requiere respuesta"
    assert stored.get_view_access_display() == "Pública"


def test_an_entry_takes_at_most_three_files(agent):
    ticket = make_ticket(Incident, user=agent)
    files = [SimpleUploadedFile(f"nota{i}.txt", b"texto") for i in range(4)]

    with pytest.raises(ValidationError):
        work_info_add(ticket=ticket, user=agent, notes="Adjuntos", attachments=files)

    assert ticket.work_info.filter(notes="Adjuntos").count() == 0


def test_an_entry_cannot_be_saved_again(entry):
    entry.notes = "Otra cosa"

    with pytest.raises(AppendOnlyError):
        entry.save()

    assert IncidentWorkInfo.objects.get(pk=entry.pk).notes == "Llamada del usuario"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()

    assert IncidentWorkInfo.objects.filter(pk=entry.pk).exists()


def test_a_ticket_with_a_journal_cannot_be_deleted(entry):
    with pytest.raises(ProtectedError):
        entry.ticket.delete()

    assert IncidentWorkInfo.objects.filter(pk=entry.pk).exists()


def test_the_queryset_refuses_update_and_delete(entry):
    with pytest.raises(AppendOnlyError):
        IncidentWorkInfo.objects.filter(pk=entry.pk).update(notes="Otra cosa")
    with pytest.raises(AppendOnlyError):
        IncidentWorkInfo.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        IncidentWorkInfo.objects.bulk_update([entry], ["notes"])

    assert IncidentWorkInfo.objects.get(pk=entry.pk).notes == "Llamada del usuario"


def test_the_admin_cannot_add_change_or_delete_entries(admin_client, entry):
    changelist = reverse("admin:incidents_incidentworkinfo_changelist")
    change = reverse("admin:incidents_incidentworkinfo_change", args=[entry.pk])
    delete = reverse("admin:incidents_incidentworkinfo_delete", args=[entry.pk])

    listing = admin_client.get(changelist)
    assert listing.status_code == 200
    assert reverse("admin:incidents_incidentworkinfo_add") not in listing.content.decode()
    assert admin_client.get(reverse("admin:incidents_incidentworkinfo_add")).status_code == 403
    page = admin_client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    admin_client.post(change, {"notes": "Otra cosa"})
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert IncidentWorkInfo.objects.get(pk=entry.pk).notes == "Llamada del usuario"


def test_the_ticket_admin_shows_the_journal_read_only(admin_client, entry):
    page = admin_client.get(reverse("admin:incidents_incident_change", args=[entry.ticket_id]))

    assert page.status_code == 200
    content = page.content.decode()
    assert "Llamada del usuario" in content
    assert 'name="_save"' not in content
    assert "work_info-0-DELETE" not in content
