"""``backup`` and ``restore``: a desk with tickets, journal entries,
attachments and mails, backed up while it runs and restored into an empty
instance, comes back identical — every row and every file compared by hash.

The round trip runs on SQLite instances of its own (in subprocesses), so it
runs the same in the PostgreSQL pass; PostgreSQL itself is backed up with
pg_dump (docs/backups.md)."""

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage

from itsm.backup import private_files
from itsm.tests.instance import manage

SEED = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from customers.tests.factories import CustomerFactory
from itsm.common.permissions import AGENTS_GROUP
from itsm.services.journal import work_info_add
from itsm.tests.factories import make_incident, make_work_order
from notifications import reference_data
from notifications.models import ResponseTemplate
from notifications.services.delivery import email_deliver
from notifications.services.compose import email_send

reference_data.load()
agent = get_user_model().objects.create_user("agente", password="x")
agent.groups.add(Group.objects.get(name=AGENTS_GROUP))
template = ResponseTemplate.objects.get(title="VINCULACIÓN – ENVÍO CUADRO DE VINCULACIÓN")
for i in range(5):
    customer = CustomerFactory(first_name=f"Cliente {i}", email=f"c{i}@example.com")
    for ticket in (make_incident(user=agent, customer=customer, work_info_notes="alta"),
                   make_work_order(user=agent, customer=customer)):
        upload = SimpleUploadedFile(f"captura{i}.txt", f"contenido {i}".encode())
        work_info_add(ticket=ticket, user=agent, notes=f"nota {i}", attachments=[upload])
        email = email_send(ticket=ticket, user=agent, template=template,
                           attachment=SimpleUploadedFile(f"anexo{i}.txt", b"anexo"))
        email_deliver(email_id=email.pk)
"""

TABLES = [
    "customers_customer",
    "incidents_incident",
    "incidents_incidentworkinfo",
    "workorders_workorder",
    "workorders_workorderworkinfo",
    "notifications_outgoingemail",
    "itsm_ticketsequence",
    "auth_user",
]


def row_hashes(database: Path) -> dict[str, tuple[int, str]]:
    """(rows, SHA-256 of every row in id order) of each table."""
    hashes = {}
    with sqlite3.connect(database) as db:
        for table in TABLES:
            rows = db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # noqa: S608
            hashes[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return hashes


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory) -> tuple[Path, Path]:
    """A working desk (its own SQLite file and folder) and its backup."""
    folder = tmp_path_factory.mktemp("backup")
    original, archive = folder / "a", folder / "desk.tar.gz"
    manage(original, "migrate", "--noinput", "-v0")
    manage(original, "shell", "-c", SEED)
    manage(original, "backup", str(archive))
    return original, archive


def test_a_backup_restores_every_row_and_file_identically(backed_up, tmp_path):
    original, archive = backed_up
    restored = tmp_path / "b"

    manage(restored, "restore", str(archive))

    before = row_hashes(original / "db.sqlite3")
    after = row_hashes(restored / "db.sqlite3")
    assert before["incidents_incident"][0] == 5
    assert before["notifications_outgoingemail"][0] == 10
    assert before["incidents_incidentworkinfo"][0] >= 10
    assert after == before
    files = private_files(FileSystemStorage(location=original / "private"))
    assert len(files) >= 20  # attachments, mail files, standard documents
    assert private_files(FileSystemStorage(location=restored / "private")) == files
    # The restored instance works: Django sees the same data.
    assert "No changes detected" in manage(restored, "makemigrations", "--check", "--dry-run")


def test_restore_refuses_an_instance_that_holds_data(backed_up, tmp_path):
    original, archive = backed_up
    environment = {**os.environ, "DATABASE_URL": "", "SQLITE_PATH": str(original / "db.sqlite3")}
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=settings.BASE_DIR,
        env={**environment, "PRIVATE_MEDIA_ROOT": str(tmp_path / "empty")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "already holds data" in result.stderr


def test_a_damaged_archive_is_refused(backed_up, tmp_path):
    _original, archive = backed_up
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "db.sqlite3":
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))

    with pytest.raises(AssertionError, match="damaged"):
        manage(tmp_path / "b", "restore", str(damaged))
