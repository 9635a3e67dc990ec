"""Received and sent mail in the full-text index, in the transaction that
stores them; the mailbox search and the magnifier find them by their words."""

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from itsm import fulltext
from itsm.models import TextIndexEntry
from notifications.fulltext import MAIL_RECEIVED, MAIL_SENT
from notifications.services.compose import email_send
from notifications.services.delivery import email_deliver
from notifications.tests import corpus
from notifications.tests.factories import stored


def test_a_received_message_is_indexed_and_the_mailbox_finds_it_by_stem(
    client, agent, private_media, reference
):
    email = stored(corpus.plain(subject="Consulta", body="No encuentro las contraseñas <script>"))
    hits = fulltext.search("contraseña", [MAIL_RECEIVED])
    assert [h.key for h in hits] == [str(email.pk)]
    assert "&lt;script&gt;" in hits[0].snippet and "<script>" not in hits[0].snippet
    stored(corpus.plain(subject="Otra consulta", body="Nada que ver"))
    client.force_login(agent)
    rows = client.get(reverse("notifications:mailbox"), {"f": "1", "q": "CONTRASENA"})
    assert [r.subject for r in rows.context["rows"]] == ["Consulta"]


def test_a_sent_message_is_indexed_once_delivered(agent, incident, documentation, mailoutbox):
    email = email_send(ticket=incident, user=agent, template=documentation)
    assert not TextIndexEntry.objects.filter(source=MAIL_SENT).exists()
    assert email_deliver(email_id=email.pk).status == "sent"
    entry = TextIndexEntry.objects.get(source=MAIL_SENT)
    assert entry.key == str(email.pk) and entry.ticket_number == incident.number
    word = email.subject.split()[-1]
    assert str(email.pk) in [h.key for h in fulltext.search(word, [MAIL_SENT])]


def test_the_command_rebuilds_the_mail(agent, incident, documentation, mailoutbox, private_media):
    sent = email_send(ticket=incident, user=agent, template=documentation)
    email_deliver(email_id=sent.pk)
    received = stored(corpus.plain(subject="Vinculación", body="Paso a paso"))
    TextIndexEntry.objects.all().delete()
    call_command("rebuild_text_index", source=[MAIL_RECEIVED, MAIL_SENT], stdout=StringIO())
    assert set(TextIndexEntry.objects.values_list("source", "key")) == {
        (MAIL_RECEIVED, str(received.pk)),
        (MAIL_SENT, str(sent.pk)),
    }
