"""The mailbox through the API: the console's filters and pages, a message
as its page shows it, its files, and the page's actions through the
mailbox services, with the message's version in If-Match."""

import pytest
from django.urls import reverse

from api.tests.conftest import token_client
from customers.tests.factories import CustomerFactory
from itsm.tests.factories import campaign_template, make_incident
from notifications.models import InboundStatus
from notifications.tests import corpus
from notifications.tests.factories import stored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(private_media):
    return private_media


@pytest.fixture
def mailbox(agent):
    return token_client(agent, scopes=("mailbox",), name_suffix="-mailbox")


@pytest.fixture
def customer(reference):
    return CustomerFactory(first_name="Ana", surnames="García López", email=corpus.CUSTOMER)


def mailbox_client_journal(user, number: str) -> list[dict]:
    reader = token_client(user, scopes=("read",), name_suffix="-journal")
    return reader.get(reverse("api:incidents-journal", args=[number])).json()["results"]


def message_url(email, name: str = "mailbox_message") -> str:
    return reverse(f"api:{name}", args=[email.pk])


def test_the_list_takes_the_consoles_filters_and_pages(mailbox, agent, reference):
    first = stored(corpus.plain(subject="Primera consulta"))
    second = stored(corpus.plain(subject="Segunda consulta", sender="Luis <luis@example.org>"))
    stored(corpus.plain(subject="Tercera", sender="Eva <eva@example.org>"))

    response = mailbox.get(reverse("api:mailbox"), {"q": "consulta", "page_size": 1})

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 2
    assert [row["id"] for row in page["results"]] == [second.pk]
    assert page["results"][0]["preview"].startswith("Buenos días")
    following = mailbox.get(page["next"]).json()
    assert [row["id"] for row in following["results"]] == [first.pk]
    by_sender = mailbox.get(reverse("api:mailbox"), {"q": "LUIS@example.org"}).json()
    assert [row["id"] for row in by_sender["results"]] == [second.pk]
    bad = mailbox.get(reverse("api:mailbox"), {"status": "perdido"})
    assert bad.status_code == 400
    assert "status" in bad.json()["errors"]
    assert mailbox.get(reverse("api:mailbox"), {"after": "nada"}).status_code == 400


def test_a_message_reads_as_its_page_with_its_files_and_raw_bytes(mailbox, customer):
    raw = corpus.plain(
        subject="Factura",
        body="Adjunto la factura.\n\nEl 1 de enero, Luis escribió:\n> hola",
        attachments=[("factura.pdf", "application/pdf", b"%PDF-1.4 factura")],
    )
    email = stored(raw)

    response = mailbox.get(message_url(email))

    assert response.status_code == 200
    assert response["ETag"] == f'"{email.version}"'
    body = response.json()
    assert body["subject"] == "Factura"
    assert body["from_address"] == corpus.CUSTOMER
    assert body["new_text"].startswith("Adjunto la factura.")
    assert body["customers"] == [customer.pk]
    (attachment,) = body["attachments"]
    assert attachment["name"] == "factura.pdf"
    download = mailbox.get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 factura"
    assert download["Content-Type"] == "application/octet-stream"
    eml = mailbox.get(body["raw_url"])
    assert eml.status_code == 200
    assert b"".join(eml.streaming_content) == raw
    assert 'filename="mensaje-' in eml["Content-Disposition"]
    missing = mailbox.get(reverse("api:mailbox_attachment", args=[email.pk, 9]))
    assert missing.status_code == 404


def test_the_html_is_sanitised_as_the_page_shows_it(mailbox, reference):
    email = stored(corpus.html_only(corpus.HOSTILE_HTML))

    html = mailbox.get(message_url(email)).json()["html"]

    assert "Texto visible" in html
    for active in ("<script", "onerror", "javascript:", "<form", "<iframe", "tracker.example"):
        assert active not in html
    with_images = mailbox.get(message_url(email), {"images": "true"}).json()["html"]
    assert "tracker.example.net" in with_images


def test_no_action_needs_the_version_and_a_reason(mailbox, agent, other_agent, reference):
    email = stored(corpus.plain())
    url = message_url(email, "mailbox_no_action")

    assert mailbox.post(url, {"reason": "Spam"}, format="json").status_code == 428
    blank = mailbox.post(url, {}, format="json", HTTP_IF_MATCH=f'"{email.version}"')
    assert blank.status_code == 400
    assert blank.json()["errors"] == {"reason": ["Este campo es obligatorio."]}

    other = token_client(other_agent, scopes=("mailbox",))
    taken = other.post(message_url(email, "mailbox_take"), HTTP_IF_MATCH=f'"{email.version}"')
    assert taken.status_code == 200
    assert taken.json()["assigned_to"] == "agente2"
    stale = mailbox.post(url, {"reason": "Spam"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    problem = stale.json()
    assert problem["changed_by"] == "agente2"
    assert problem["current_version"] == 2
    assert "Agente2" in problem["detail"]
    assert stale["ETag"] == '"2"'

    done = mailbox.post(url, {"reason": "Spam"}, format="json", HTTP_IF_MATCH='"2"')
    assert done.status_code == 200
    assert done.json()["status"] == InboundStatus.NO_ACTION
    assert done.json()["no_action_reason"] == "Spam"


def test_a_message_is_added_to_a_ticket_by_its_short_number(mailbox, agent, customer):
    ticket = make_incident(user=agent, customer=customer)
    email = stored(corpus.plain(subject="Más datos"))
    digits = str(int(ticket.number[3:]))

    response = mailbox.post(
        message_url(email, "mailbox_add"),
        {"number": f"inc {digits}"},
        format="json",
        HTTP_IF_MATCH=f'"{email.version}"',
    )

    assert response.status_code == 200, response.json()
    assert response.json()["ticket_number"] == ticket.number
    assert response.json()["status"] == InboundStatus.DONE
    unknown = stored(corpus.plain(subject="Otra"))
    refused = mailbox.post(
        message_url(unknown, "mailbox_add"),
        {"number": "INC000000999999"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"number": ["No existe la gestión INC000000999999."]}


def test_a_ticket_is_made_from_a_message_with_its_files(mailbox, agent, customer):
    email = stored(
        corpus.plain(
            subject="No puedo  depositar",
            attachments=[("captura.pdf", "application/pdf", b"%PDF-1.4 captura")],
        )
    )

    response = mailbox.post(
        message_url(email, "mailbox_new-incidents"),
        {"template": campaign_template("INC").pk},
        format="json",
        HTTP_IF_MATCH=f'"{email.version}"',
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customer"] == customer.pk
    assert body["summary"] == "No puedo depositar"
    assert response["Location"].endswith(f"/api/v1/incidents/{body['number']}/")
    email.refresh_from_db()
    assert email.ticket_number == body["number"]
    assert email.status == InboundStatus.DONE
    journal = mailbox_client_journal(agent, body["number"])
    files = [f["name"] for entry in journal for f in entry["attachments"]]
    assert files == ["captura.pdf"]
    again = mailbox.post(
        message_url(email, "mailbox_new-workorders"),
        {"template": campaign_template("WO").pk},
        format="json",
        HTTP_IF_MATCH=f'"{email.version}"',
    )
    assert again.status_code == 400
    assert again.json()["errors"] == {"non_field_errors": ["Este mensaje ya se ha tramitado."]}


def test_a_message_from_an_unknown_sender_needs_the_customer(mailbox, reference):
    email = stored(corpus.plain(sender="Nadie <nadie@example.org>"))
    response = mailbox.post(
        message_url(email, "mailbox_new-incidents"),
        {"template": campaign_template("INC").pk},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"customer": ["Este campo es obligatorio."]}


def test_the_mailbox_needs_the_mailbox_scope_and_the_desks_roles(agent, outsider, reference):
    email = stored(corpus.plain())
    reader = token_client(agent, scopes=("read", "write", "mail"), name_suffix="-rwm")
    refused = reader.get(message_url(email))
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Este token no tiene el permiso mailbox."
    assert reader.get(reverse("api:mailbox")).status_code == 403
    assert token_client(agent, scopes=("mailbox",)).get(message_url(email)).status_code == 200


def test_the_list_and_a_message_cost_a_fixed_number_of_queries(
    mailbox, agent, reference, django_assert_max_num_queries
):
    for index in range(8):
        email = stored(
            corpus.plain(
                subject=f"Consulta {index}",
                attachments=[("c.pdf", "application/pdf", b"%PDF-1.4")],
            )
        )
    mailbox.post(reverse("api:mailbox_take", args=[email.pk]), HTTP_IF_MATCH='"1"')
    inline = stored(corpus.inline_image())

    # The first list fills the cached list of agents the filter offers, as the page's.
    with django_assert_max_num_queries(7):
        page = mailbox.get(reverse("api:mailbox"), {"status": "new", "page_size": 5})
    assert len(page.json()["results"]) == 5
    with django_assert_max_num_queries(5):
        mine = mailbox.get(reverse("api:mailbox"), {"mine": "true"})
    assert [row["id"] for row in mine.json()["results"]] == [email.pk]
    with django_assert_max_num_queries(7):
        message = mailbox.get(message_url(inline))
    # Its inline image is served by the API, not by the page.
    assert reverse("api:mailbox_attachment", args=[inline.pk, 1]) in message.json()["html"]


def test_a_file_opens_only_under_its_own_message(mailbox, reference):
    first = stored(corpus.plain(attachments=[("a.pdf", "application/pdf", b"%PDF-1.4 a")]))
    second = stored(corpus.plain(subject="Sin archivos"))

    own = mailbox.get(reverse("api:mailbox_attachment", args=[first.pk, 1]))
    foreign = mailbox.get(reverse("api:mailbox_attachment", args=[second.pk, 1]))

    assert own.status_code == 200
    assert foreign.status_code == 404
    assert foreign["Content-Type"] == "application/problem+json"
    assert mailbox.get(reverse("api:mailbox_raw", args=[second.pk + 100])).status_code == 404


@pytest.mark.parametrize("message_id", ["9" * 25, str(2**63)])
def test_a_number_no_message_can_have_is_a_404(mailbox, reference, message_id):
    email = stored(corpus.plain(attachments=[("a.pdf", "application/pdf", b"%PDF-1.4 a")]))
    for url in (
        f"/api/v1/mailbox/{message_id}/",
        f"/api/v1/mailbox/{message_id}/raw/",
        f"/api/v1/mailbox/{message_id}/files/1/",
        f"/api/v1/mailbox/{email.pk}/files/{message_id}/",
    ):
        assert mailbox.get(url).status_code == 404, url
