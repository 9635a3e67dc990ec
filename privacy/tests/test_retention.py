"""Retention: the dry run lists what is due per category of data, and the
apply does exactly what it listed; the beat task applies only when enabled."""

import io

import pytest
from django.core.management import call_command

from itsm import journal_events as events
from itsm.services.autoclose import tickets_autoclose
from itsm.tests.factories import resolve
from notifications.models import InboundEmail
from privacy.retention import ATTACHMENTS, CLOSED_TICKET, RAW_MAIL
from privacy.tasks import apply_retention
from privacy.tests.conftest import SURNAMES

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(settings, desk, agent):
    """The person's incident closed; every period set to nothing."""
    settings.ITSM_RETENTION_RAW_MAIL_DAYS = 0
    settings.ITSM_RETENTION_ATTACHMENT_DAYS = 0
    settings.ITSM_RETENTION_CLOSED_TICKET_DAYS = 0
    incident = desk["person"][0]
    incident.refresh_from_db()
    resolve(incident, agent)
    tickets_autoclose(days=0)
    incident.refresh_from_db()
    return incident


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue().splitlines()


def planned(lines: list[str]) -> set[tuple[str, str]]:
    return {tuple(line.split("\t")[:2]) for line in lines if "\t" in line}


def test_the_dry_run_lists_and_the_apply_does_what_it_listed(due, desk):
    raw_names = {email.pk: email.raw.name for email in InboundEmail.objects.all()}
    listed = planned(run("--dry-run"))
    expected = {(RAW_MAIL, str(pk)) for pk in raw_names}
    expected |= {(ATTACHMENTS, due.number), (CLOSED_TICKET, due.number)}
    assert listed == expected
    # Nothing changed yet.
    assert all(email.raw for email in InboundEmail.objects.all())
    assert due.work_info.exclude(attachment_1="").exists()

    assert planned(run("--apply")) == listed

    assert not any(email.raw for email in InboundEmail.objects.all())
    storage = InboundEmail._meta.get_field("raw").storage
    assert not any(storage.exists(name) for name in raw_names.values())
    assert not due.work_info.exclude(attachment_1="", attachment_2="").exists()
    due_events = set(due.work_info.values_list("event", flat=True))
    assert {events.FILES_REMOVED, events.PERSONAL_DATA_REMOVED} <= due_events
    assert SURNAMES not in " ".join(due.work_info.values_list("notes", flat=True))
    # Open tickets keep their files; nothing is due any more.
    assert desk["other"][0].work_info.exclude(attachment_1="").exists()
    assert planned(run("--dry-run")) == set()


def test_the_beat_task_applies_only_when_enabled(due, settings):
    settings.ITSM_RETENTION_ENABLED = False
    assert apply_retention() == 0
    assert all(email.raw for email in InboundEmail.objects.all())
    settings.ITSM_RETENTION_ENABLED = True
    assert apply_retention() > 0
    assert not any(email.raw for email in InboundEmail.objects.all())
