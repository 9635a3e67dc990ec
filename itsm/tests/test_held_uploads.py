"""Files chosen on a form that comes back with errors are kept on the server
(a short-lived token per file) and shown as already attached; sending the
form again uses them, and what is never used is purged."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.models import HeldUpload, WorkInfoType
from itsm.services.uploads import held_uploads_purge
from itsm.tests.factories import PNG, make_incident, new_ticket_data, work_info_with_a_refused_file

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def ticket(client, agent):
    """An incident, its page open to the agent."""
    client.force_login(agent)
    return make_incident(user=agent)


def work_info_url(ticket) -> str:
    return reverse("incidents:work_info_add", args=[ticket.number])


def test_a_work_info_file_survives_a_validation_error(client, agent, private_media, ticket):
    data = work_info_with_a_refused_file("Se adjunta la captura")
    response = client.post(work_info_url(ticket), data)
    held = response.context["held_files"]
    assert [(f["input"], f["name"]) for f in held] == [("wi-held_attachment_1", "captura.png")]
    assert f'name="wi-held_attachment_1" value="{held[0]["token"]}"' in response.content.decode()
    assert HeldUpload.objects.get().user == agent

    # Sent again without choosing the file: it is attached from the server.
    again = {key: value for key, value in data.items() if "attachment" not in key}
    again["wi-held_attachment_1"] = held[0]["token"]
    response = client.post(work_info_url(ticket), again)
    assert response.status_code == 302
    entry = ticket.work_info.get(type=WorkInfoType.WORK_NOTES)
    assert entry.attachment_1.name.endswith("captura.png")
    assert entry.attachment_1.read() == PNG
    assert not HeldUpload.objects.exists()
    assert not list((private_media / "held").rglob("*.png"))


def test_a_held_file_is_only_usable_by_its_owner(client, other_agent, ticket):
    response = client.post(
        work_info_url(ticket),
        {
            "wi-type": "notes",
            "wi-notes": "",
            "wi-view_access": "bogus",
            "wi-attachment_1": SimpleUploadedFile("captura.png", PNG),
        },
    )
    token = response.context["held_files"][0]["token"]
    client.force_login(other_agent)
    response = client.post(
        work_info_url(ticket),
        {
            "wi-type": "notes",
            "wi-notes": "",
            "wi-view_access": "internal",
            "wi-held_attachment_1": token,
        },
    )
    assert response.status_code == 200  # no notes and no file of theirs
    assert HeldUpload.objects.count() == 1


def test_a_new_ticket_keeps_its_files_through_an_error(client, agent):
    client.force_login(agent)
    data = new_ticket_data(
        description="",
        work_info_notes="Primera llamada",
        attachment_1=SimpleUploadedFile("captura.png", PNG),
    )
    response = client.post(reverse("incidents:new"), data)
    assert response.status_code == 200
    held = response.context["held_files"]
    assert [f["name"] for f in held] == ["captura.png"]
    data.pop("attachment_1")
    data["customer"] = CustomerFactory().pk
    data[held[0]["input"]] = held[0]["token"]
    assert client.post(reverse("incidents:new"), data).status_code == 302
    entry = Incident.objects.get().work_info.get(type=WorkInfoType.WORK_NOTES)
    assert entry.attachment_1.name.endswith("captura.png")
    assert not HeldUpload.objects.exists()


def test_unused_held_files_are_purged(client, private_media, ticket):
    client.post(
        work_info_url(ticket),
        {
            "wi-type": "notes",
            "wi-notes": "",
            "wi-view_access": "bogus",
            "wi-attachment_1": SimpleUploadedFile("captura.png", PNG),
        },
    )
    held = HeldUpload.objects.get()
    assert held_uploads_purge() == 0
    HeldUpload.objects.filter(pk=held.pk).update(created_at=timezone.now() - timedelta(days=2))
    call_command("purge_held_uploads")
    assert not HeldUpload.objects.exists()
    assert not list((private_media / "held").rglob("*.png"))
