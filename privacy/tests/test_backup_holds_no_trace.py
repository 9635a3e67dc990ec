"""After anonymising, a backup of the whole desk (``manage.py backup``: the
SQLite database and every private file) holds no byte of the person's NIF,
e-mail, phone or name — unpacked and searched in full, in any case.

It runs on a SQLite desk of its own (in subprocesses, as ``itsm/tests/
test_backup.py``), so it runs the same in the PostgreSQL pass; there the
live database is searched through ``pg_dump`` by ``test_pg_dump_holds_no_trace``."""

import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from itsm.tests.instance import manage

# The person as typed, as stored and as indexed (accent-free, lower case).
TRACES = (
    "47382910N", "47.382.910-N", "eulalia.zq@correo.example", "612345987", "612 34 59 87",
    "Eulalia", "Zubizarreta", "Quiñones", "quinones",
)  # fmt: skip

SEED = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from customers.tests.factories import CustomerFactory
from itsm.common.permissions import AGENTS_GROUP
from itsm.services.journal import work_info_add
from itsm.tests.factories import make_incident, make_work_order
from notifications import reference_data
from notifications.models import ResponseTemplate
from notifications.services.compose import email_send
from notifications.services.delivery import email_deliver
from notifications.services.inbound import inbound_receive
from notifications.tests import corpus
from notifications.tests.factories import png_upload
from telephony.models import Call, CallEvent, CtiIntegration
from webhooks.models import Event

reference_data.load()
agent = get_user_model().objects.create_user("agente", password="x")
agent.groups.add(Group.objects.get(name=AGENTS_GROUP))
template = ResponseTemplate.objects.order_by("pk").first()
person = CustomerFactory(first_name="Eulalia", surnames="Zubizarreta Quiñones",
                         tax_id="47382910N", email="eulalia.zq@correo.example", phone="612345987")
other = CustomerFactory(first_name="Bartolomé", surnames="Ferrándiz")
for customer in (person, other):
    name = f"{customer.first_name} {customer.surnames}"
    nif, phone = customer.tax_id, customer.phones_summary  # "612 34 59 87"
    dotted = f"{nif[:2]}.{nif[2:5]}.{nif[5:8]}-{nif[8:]}"
    ticket = make_incident(user=agent, customer=customer, summary=f"Llamada de {name}",
                           work_info_notes=f"NIF {nif}, tel. {phone}")
    make_work_order(user=agent, customer=customer, description=f"Correo {customer.email}")
    letter = SimpleUploadedFile(f"carta-{customer.surnames.split()[0]}.txt",
                                f"Firmado: {name}, {dotted}".encode())
    work_info_add(ticket=ticket, user=agent, notes=f"Habla {name}",
                  attachments=[letter, png_upload(f"dni-{customer.surnames.split()[0]}.png")])
    annex = SimpleUploadedFile(f"anexo-{customer.first_name}.txt", name.encode())
    email = email_send(ticket=ticket, user=agent, template=template, attachment=annex)
    email_deliver(email_id=email.pk)
    inbound_receive(source="pipe", raw=corpus.plain(
        sender=f"{name} <{customer.email}>", subject=f"Re: {ticket.number}",
        body=f"Soy {name}, NIF {dotted}, tel. +34 {phone}",
        attachments=[(f"dni-{customer.surnames.split()[0]}.txt", "text/plain", name.encode()),
                     ("foto.png", "image/png", png_upload().read())]))
    Event.objects.create(webhook_id=f"msg_{customer.pk}", type="ticket.created",
                         body=json.dumps({"customer": {"name": name, "email": customer.email,
                                                       "tax_id": customer.tax_id}}))
integration = CtiIntegration.objects.create(name="pbx", token_hash="x" * 64, token_prefix="x")
call = Call.objects.create(integration=integration, call_id="c1", direction="in",
                           from_number="612 34 59 87", remote_e164="+34612345987",
                           rung_at=timezone.now(), customer=person)
CallEvent.objects.create(call=call, event="newCall", payload={"from": "+34612345987"})
print(person.pk)
"""


def traces_in(data: bytes) -> list[str]:
    lowered = data.lower()
    return [trace for trace in TRACES if trace.lower().encode() in lowered]


def archive_bytes(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def test_an_anonymised_person_leaves_no_trace_in_the_backup(tmp_path):
    instance = tmp_path / "desk"
    manage(instance, "migrate", "--noinput", "-v0")
    person = manage(instance, "shell", "-c", SEED).strip().splitlines()[-1]
    before = archive_bytes_of(instance, tmp_path / "before.tar.gz")
    # The search finds the person before: it would find them after.
    assert set(traces_in(b"".join(before.values()))) == set(TRACES)

    manage(instance, "customer_anonymise", person, "--yes")

    after = archive_bytes_of(instance, tmp_path / "after.tar.gz")
    assert "db.sqlite3" in after
    found = {name: traces_in(data) for name, data in after.items() if traces_in(data)}
    assert found == {}
    # The other customer and the tickets are still there.
    assert b"Ferr\xc3\xa1ndiz" in after["db.sqlite3"]
    assert len([n for n in after if n.startswith("private/")]) >= 8


def archive_bytes_of(instance: Path, archive: Path) -> dict[str, bytes]:
    manage(instance, "backup", str(archive))
    return archive_bytes(archive)


@pytest.mark.django_db(transaction=True)
def test_pg_dump_holds_no_trace(desk, person, tmp_path):
    """PostgreSQL: its backup is ``pg_dump`` and ``backup --files-only``
    (docs/backups.md); neither holds the person after anonymising."""
    from django.core.management import call_command
    from django.db import connection

    from privacy.anonymise import customer_anonymise

    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is PostgreSQL's backup; SQLite's is the test above")
    database = connection.settings_dict

    def dump() -> bytes:
        environment = {**os.environ, "PGPASSWORD": database["PASSWORD"] or ""}
        command = ["pg_dump", "-h", database["HOST"] or "/tmp", "-U", database["USER"]]
        command += ["-p", str(database["PORT"] or 5432), "-d", database["NAME"]]
        return subprocess.run(command, env=environment, capture_output=True, check=True).stdout

    assert traces_in(dump())
    customer_anonymise(person)
    call_command("backup", str(tmp_path / "files.tar.gz"), "--files-only")
    files = archive_bytes(tmp_path / "files.tar.gz")
    found = {name: traces_in(data) for name, data in files.items() if traces_in(data)}
    assert found == {} and traces_in(dump()) == []
