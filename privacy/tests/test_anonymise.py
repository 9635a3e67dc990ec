"""Erasure, second step: the person's data removed from every place the desk
keeps it, in one transaction, past the journal's trigger by this path only;
the tickets stay, and their journal says it happened."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction

from customers.models import Customer
from itsm import journal_events as events
from itsm.db import APPEND_ONLY_MESSAGE
from itsm.models import TextIndexEntry
from itsm.models.journal import AppendOnlyError
from notifications.models import InboundEmail, OutgoingEmail
from privacy.anonymise import customer_anonymise
from privacy.models import Right, StepAction
from privacy.redaction import Redactor
from privacy.tests.conftest import EMAIL, NAME, PHONE, TAX_ID
from privacy.tests.factories import make_request

pytestmark = pytest.mark.django_db

TRACES = (TAX_ID, EMAIL, PHONE, "612 34 59 87", NAME, "Zubizarreta", "Quiñones")


def traces_in(text: str) -> list[str]:
    return [trace for trace in TRACES if trace.lower() in text.lower()]


def test_the_redactor_finds_the_person_however_written(person):
    redactor = Redactor(person)
    text = (
        "47.382.910-n, +34 612 34 59 87, 0034-612-345-987, EULALIA.ZQ@correo.example, "
        "ZUBIZARRETA QUIÑONES, Eulalia Zubizarreta Quinones"
    )
    assert traces_in(redactor(text)) == []
    # Other people's words stay.
    assert redactor("Bartolomé Eulalio") == "Bartolomé Eulalio"


def test_everything_of_the_person_is_removed_and_the_tickets_stay(
    desk, person, someone_else, data_protection
):
    erasure = make_request(data_protection, person, Right.ERASURE, date(2026, 3, 1))
    numbers = customer_anonymise(person)

    assert erasure.steps.last().action == StepAction.ANONYMISED
    assert sorted(numbers) == sorted(t.number for t in desk["person"])
    customer = Customer.objects.get(pk=person.pk)
    assert customer.anonymised_at and not customer.phones.exists()
    assert traces_in(f"{customer.full_name} {customer.tax_id} {customer.email}") == []
    for ticket in desk["person"]:
        ticket.refresh_from_db()
        entries = list(ticket.work_info.order_by("pk"))
        assert entries[-1].event == events.PERSONAL_DATA_REMOVED
        assert traces_in(" ".join(f"{e.notes} {e.data}" for e in entries)) == []
        for entry in entries:
            for field in (entry.attachment_1, entry.attachment_2, entry.attachment_3):
                if field:
                    assert field.name.endswith(".txt")
                    assert traces_in(field.name + field.read().decode()) == []
    mine = InboundEmail.objects.get(pk=desk["received"][0].pk)
    raw = mine.raw.read().decode()
    assert traces_in(f"{mine.from_address} {mine.from_name} {mine.body_text} {raw}") == []
    for attachment in mine.attachments.all():
        assert traces_in(attachment.name + attachment.file.read().decode()) == []
    sent = OutgoingEmail.objects.get(pk=desk["sent"][0].pk)
    assert traces_in(f"{sent.to_email} {sent.to_name} {sent.body_text}") == []
    indexed = " ".join(TextIndexEntry.objects.values_list("text", flat=True))
    assert traces_in(indexed) == []
    # Someone else's data is untouched.
    theirs = InboundEmail.objects.get(pk=desk["received"][1].pk)
    assert someone_else.surnames in theirs.body_text


def test_the_journal_stays_append_only_for_everyone_else(desk, person):
    customer_anonymise(person)
    entry = desk["person"][0].work_info.first()
    with pytest.raises(AppendOnlyError):
        type(entry).objects.filter(pk=entry.pk).update(notes="x")
    with pytest.raises(DatabaseError, match=APPEND_ONLY_MESSAGE), transaction.atomic():
        type(entry)._base_manager.filter(pk=entry.pk).update(notes="x")


def test_the_command_asks_for_confirmation_and_runs_once(desk, person):
    with pytest.raises(CommandError):
        call_command("customer_anonymise", str(person.pk))
    call_command("customer_anonymise", str(person.pk), "--yes")
    assert Customer.objects.get(pk=person.pk).anonymised_at is not None
    with pytest.raises(CommandError):
        call_command("customer_anonymise", str(person.pk), "--yes")


def test_the_beat_task_anonymises_customers_blocked_past_the_limitation(
    desk, person, someone_else, settings
):
    from django.utils import timezone

    from privacy.tasks import anonymise_blocked

    settings.ITSM_PRIVACY_LIMITATION_DAYS = 30
    Customer.objects.filter(pk=person.pk).update(
        blocked_at=timezone.now() - timezone.timedelta(days=31)
    )
    Customer.objects.filter(pk=someone_else.pk).update(
        blocked_at=timezone.now() - timezone.timedelta(days=29)
    )
    assert anonymise_blocked() == 1
    assert Customer.objects.get(pk=person.pk).anonymised_at is not None
    assert Customer.objects.get(pk=someone_else.pk).anonymised_at is None
