"""Bounces mark the message, the customer's address and the journal; our
replies thread; the address, the admin and the mailbox show what failed."""

import pytest
from django.core.management import call_command
from django.utils import translation

from customers.models import Customer
from incidents.models import Incident
from itsm.models import Status, WorkInfoType
from itsm.presenters import entry_text
from notifications.models import (
    Classification,
    EmailStatus,
    InboundStatus,
)
from notifications.tests import corpus
from notifications.tests.factories import receive, sent_email
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


# --- bounces -------------------------------------------------------------------


def test_a_permanent_bounce_marks_the_message_the_address_and_the_journal(
    private_media, incident, agent, documentation
):
    outgoing = sent_email(incident, agent, documentation, "<b1@registradores.example>")
    status = incident.status
    outcome, email = receive(corpus.dsn(outgoing.message_id))
    outgoing.refresh_from_db()
    assert email.classification == Classification.BOUNCE
    assert outcome.summary() == f"bounce {incident.number} ({email.pk})"
    assert outgoing.status == EmailStatus.BOUNCED
    assert "5.1.1" in outgoing.bounce_diagnostic
    assert "User unknown" in outgoing.bounce_diagnostic
    customer = Customer.objects.get(pk=incident.customer_id)
    assert customer.email_failing_since is not None
    incident.refresh_from_db()
    assert incident.status == status
    entry = incident.work_info.get(
        type=WorkInfoType.EMAIL_SYSTEM, author=None, event="email_bounced"
    )
    with translation.override("en"):
        assert entry_text(entry).startswith(
            f"Our e-mail to {customer.email} bounced: the address fails ("
        )


def test_a_temporary_bounce_does_not_mark_the_address(
    private_media, incident, agent, documentation
):
    outgoing = sent_email(incident, agent, documentation, "<b2@registradores.example>")
    receive(corpus.dsn(outgoing.message_id, status="4.2.2"))
    outgoing.refresh_from_db()
    assert outgoing.status == EmailStatus.SENT
    assert Customer.objects.get(pk=incident.customer_id).email_failing_since is None


def test_a_non_standard_bounce_is_matched_by_the_quoted_message_id(
    private_media, incident, agent, documentation
):
    outgoing = sent_email(incident, agent, documentation, "<b3@registradores.example>")
    _outcome, email = receive(corpus.mailer_daemon_plain(outgoing.message_id))
    outgoing.refresh_from_db()
    assert email.bounced_email_id == outgoing.pk
    assert outgoing.status == EmailStatus.BOUNCED


def test_an_exchange_report_with_the_whole_original_is_matched(
    private_media, work_order, agent, documentation
):
    outgoing = sent_email(work_order, agent, documentation, "<b4@registradores.example>")
    _outcome, email = receive(corpus.exchange_ndr(outgoing.message_id))
    assert email.classification == Classification.BOUNCE
    assert email.bounced_email_id == outgoing.pk
    assert email.bounce_status == "5.1.10"
    assert WorkOrder.objects.get(pk=work_order.pk).status == work_order.status


# --- outgoing replies, the customer's address, the admin -------------------------


def test_our_replies_carry_in_reply_to_and_references(
    private_media, incident, agent, documentation
):
    from notifications.services.delivery import build_message

    first = sent_email(incident, agent, documentation, "<first@registradores.example>")
    _outcome, reply = receive(
        corpus.reply(subject=f"Re: {incident.number}", message_id="<customer-1@example.com>")
    )
    second = sent_email(incident, agent, documentation, "<second@registradores.example>")
    mime = build_message(second).message()
    assert mime["In-Reply-To"] == "<customer-1@example.com>"
    assert mime["References"] == f"{first.message_id} <customer-1@example.com>"
    assert mime["X-Loop"] == "soporte@registradores.example"


def test_a_new_address_clears_the_failing_flag(private_media, incident, agent, documentation):
    from customers.services import customer_update

    outgoing = sent_email(incident, agent, documentation, "<b5@registradores.example>")
    receive(corpus.dsn(outgoing.message_id))
    customer = Customer.objects.get(pk=incident.customer_id)
    assert customer.email_failing_since is not None
    customer_update(customer=customer, email="ana.nueva@example.com")
    customer.refresh_from_db()
    assert customer.email_failing_since is None and customer.email_failure == ""


def test_the_ticket_page_says_the_address_fails(
    client, private_media, incident, agent, documentation
):
    from django.urls import reverse

    outgoing = sent_email(incident, agent, documentation, "<b6@registradores.example>")
    receive(corpus.dsn(outgoing.message_id))
    client.force_login(agent)
    content = client.get(reverse("incidents:detail", args=[incident.number])).content.decode()
    assert "data-email-failing" in content
    assert "Rebotado" in content


def test_admins_see_quarantined_messages(admin_client, private_media, settings):
    from django.urls import reverse

    settings.ITSM_INBOUND_MAX_BYTES = 100
    _outcome, email = receive(corpus.huge(1000))
    url = reverse("admin:notifications_inboundemail_changelist")
    response = admin_client.get(url, {"quarantine_reason": "too_large"})
    assert response.status_code == 200
    assert str(email.subject or email.pk) in response.content.decode()
    detail = admin_client.get(reverse("admin:notifications_inboundemail_change", args=[email.pk]))
    assert detail.status_code == 200
    assert (
        admin_client.get(reverse("admin:notifications_imapfolderstate_changelist")).status_code
        == 200
    )


def test_agents_cannot_open_the_admin_of_messages(client, agent):
    from django.urls import reverse

    client.force_login(agent)
    response = client.get(reverse("admin:notifications_inboundemail_changelist"))
    assert response.status_code == 302


def test_a_reply_the_ticket_refuses_waits_in_the_mailbox(private_media, incident, agent):
    Incident.objects.filter(pk=incident.pk).update(status=Status.CLOSED)
    agent.groups.clear()  # the closed ticket's agent has left the desk
    outcome, email = receive(corpus.reply(subject=f"Re: {incident.number}"))
    assert outcome.summary() == f"customer mailbox ({email.pk})"
    assert not email.threaded and email.status == InboundStatus.NEW
    assert Incident.objects.count() == 1


def test_reprocess_email_by_id_prints_what_became_of_it(private_media, reference, capsys):
    _outcome, email = receive(corpus.plain())
    call_command("reprocess_email", str(email.pk))
    assert capsys.readouterr().out.strip() == f"customer mailbox ({email.pk})"


def test_the_customer_lookup_shows_the_failing_address(
    client, private_media, incident, agent, documentation
):
    from django.urls import reverse

    outgoing = sent_email(incident, agent, documentation, "<b7@registradores.example>")
    receive(corpus.dsn(outgoing.message_id))
    client.force_login(agent)
    response = client.get(reverse("customers:lookup"), {"q": incident.customer.email})
    assert "data-email-failing" in response.content.decode()
