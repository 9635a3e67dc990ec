"""Access and portability: one ZIP of everything the desk holds about the
person and nothing about anyone else, built by a worker, downloaded once by
the request's handler, audited; ``customer_export`` writes the same."""

import io
import json
import zipfile
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from itsm.common.permissions import DATA_PROTECTION_GROUP
from itsm.models import AuditEvent, AuditEventKind
from privacy.models import DataRequest, StepAction
from privacy.tests.conftest import EMAIL, SURNAMES, TAX_ID
from privacy.tests.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(data_protection, person):
    return make_request(data_protection, person, received_on=date(2026, 3, 1))


def contents(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def check_archive(files: dict[str, bytes], desk, someone_else) -> None:
    tickets = json.loads(files["tickets.json"])
    assert sorted(t["number"] for t in tickets) == sorted(t.number for t in desk["person"])
    notes = [entry["text"] for ticket in tickets for entry in ticket["journal"]]
    assert any(TAX_ID in text for text in notes)
    received = json.loads(files["mail_received.json"])
    assert [m["from_address"] for m in received] == [EMAIL]
    sent = json.loads(files["mail_sent.json"])
    assert [m["ticket_number"] for m in sent] == [desk["person"][0].number]
    assert json.loads(files["customer.json"])["tax_id"] == TAX_ID
    assert SURNAMES in files["summary.html"].decode()
    assert any(name.endswith(".txt") and b"Eulalia" in data for name, data in files.items())
    everything = b"".join(files.values())
    for other in (someone_else.tax_id, someone_else.email, someone_else.surnames):
        assert other.encode() not in everything
    for ticket in desk["other"]:
        assert ticket.number.encode() not in everything


def test_the_archive_is_built_downloaded_once_by_its_handler_and_audited(
    client, data_protection, access, desk, someone_else, django_capture_on_commit_callbacks
):
    client.force_login(data_protection)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:export", args=[access.pk]))
    access.refresh_from_db()
    assert access.export_name and access.export_ready_at

    response = client.post(reverse("privacy:download", args=[access.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    check_archive(contents(response.content), desk, someone_else)
    audit = AuditEvent.objects.get(kind=AuditEventKind.PERSONAL_DATA, user=data_protection)
    assert f"request {access.pk}" in audit.detail

    again = client.post(reverse("privacy:download", args=[access.pk]))
    assert again.status_code == 302
    actions = list(access.steps.values_list("action", flat=True))
    assert actions[-3:] == [
        StepAction.EXPORT_REQUESTED,
        StepAction.EXPORT_READY,
        StepAction.EXPORT_DOWNLOADED,
    ]


def test_no_one_but_the_handler_downloads_it(
    client, data_protection, access, desk, django_user_model, django_capture_on_commit_callbacks
):
    client.force_login(data_protection)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:export", args=[access.pk]))
    colleague = django_user_model.objects.create_user("dpd2", password="x")
    colleague.groups.add(Group.objects.get(name=DATA_PROTECTION_GROUP))
    client.force_login(colleague)
    assert client.post(reverse("privacy:download", args=[access.pk])).status_code == 403
    assert DataRequest.objects.get(pk=access.pk).export_downloaded_at is None


def test_the_command_writes_the_same_archive(person, desk, someone_else, tmp_path):
    out = tmp_path / "export.zip"
    call_command("customer_export", str(person.pk), "--out", str(out))
    check_archive(contents(out.read_bytes()), desk, someone_else)
