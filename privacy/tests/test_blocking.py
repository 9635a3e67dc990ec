"""Erasure, first step: a blocked customer disappears from everything an
agent uses — search, consoles, ticket pages, the API, the mailbox, the
phone's matching and the customer page — while the data-protection role
still finds them, and each of its looks is audited."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from api.tests.conftest import token_client
from itsm.models import AuditEvent, AuditEventKind
from itsm.services.journal import work_info_add
from itsm.tests.factories import make_incident, make_work_order
from notifications.selectors import mailbox_messages, sender_customers
from notifications.tests import corpus
from notifications.tests.factories import stored
from privacy.models import Right
from privacy.services import customer_block
from privacy.tests.conftest import EMAIL, NAME, PHONE, SURNAMES, TAX_ID
from privacy.tests.factories import make_request
from telephony.selectors import customers_for_number
from telephony.tests.factories import make_call

pytestmark = pytest.mark.django_db

SEARCHES = (SURNAMES, TAX_ID, "47.382.910-n", EMAIL, "612 34 59 87")


@pytest.fixture
def blocked(data_protection, person, agent, private_media):
    incident = make_incident(user=agent, customer=person, summary="Consulta de depósito")
    work_info_add(ticket=incident, user=agent, notes=f"Llamó {NAME}: depósito atascado")
    work_order = make_work_order(user=agent, customer=person)
    message = stored(corpus.plain(sender=f"{NAME} {SURNAMES} <{EMAIL}>", subject="Sin ticket"))
    request = make_request(data_protection, person, Right.ERASURE, date(2026, 3, 1))
    customer_block(request=request, user=data_protection)
    return incident, work_order, message


def personal_audits() -> int:
    return AuditEvent.objects.filter(kind=AuditEventKind.PERSONAL_DATA).count()


@pytest.mark.parametrize("query", SEARCHES)
def test_agents_search_finds_nothing_of_the_person(client, agent, blocked, query):
    incident, work_order, _message = blocked
    person_url = reverse("customers:detail", args=[incident.customer_id])
    client.force_login(agent)
    for text in (query, incident.number, work_order.number, "depósito atascado"):
        found = client.get(reverse("search"), {"q": text})
        assert found.status_code == 200
        page = found.content.decode()
        assert person_url not in page
        assert incident.get_absolute_url() not in page
        assert work_order.get_absolute_url() not in page
    lookup = client.get(reverse("customers:lookup"), {"q": query}).content.decode()
    assert NAME not in lookup


def test_agents_consoles_ticket_and_customer_pages_find_nothing(client, agent, person, blocked):
    incident, work_order, _message = blocked
    client.force_login(agent)
    for ticket in (incident, work_order):
        for filters in (
            {},
            {"f": "1"},
            {"f": "1", "number": ticket.number},
            {"f": "1", "customer": SURNAMES},
        ):
            console = client.get(reverse(ticket.kind.url_name("console")), filters)
            assert ticket.get_absolute_url() not in console.content.decode()
        assert client.get(ticket.get_absolute_url()).status_code == 404
    assert client.get(reverse("customers:detail", args=[person.pk])).status_code == 404


def test_the_api_finds_nothing(agent, person, blocked):
    incident, work_order, _message = blocked
    api = token_client(agent)
    for ticket in (incident, work_order):
        # Without filters (no FilterSet is built) and with them.
        for filters in ({}, {"o": "number", "page_size": 5}, {"customer": SURNAMES}):
            listed = api.get(reverse(f"api:{ticket.kind.namespace}-list"), filters).json()
            assert ticket.number not in [row["number"] for row in listed["results"]]
        detail = api.get(reverse(f"api:{ticket.kind.namespace}-detail", args=[ticket.number]))
        assert detail.status_code == 404
    assert api.get(reverse("api:customer", args=[person.pk])).status_code == 404
    assert api.get(reverse("api:customers"), {"q": TAX_ID}).json() == []
    for text in (SURNAMES, incident.number, "atascado"):
        searched = api.get(reverse("api:search"), {"q": text}).json()
        assert searched["tickets"] == searched["customers"] == searched["text"] == []


def test_the_mailbox_and_the_phone_match_nothing(client, agent, blocked):
    _incident, _work_order, message = blocked
    assert sender_customers(message) == []
    assert message.pk not in mailbox_messages().values_list("pk", flat=True)
    client.force_login(agent)
    assert EMAIL not in client.get(reverse("notifications:mailbox")).content.decode()
    assert customers_for_number(f"+34{PHONE}") == []


def test_the_role_still_finds_them_and_every_look_is_audited(
    client, data_protection, person, blocked
):
    incident, _work_order, _message = blocked
    client.force_login(data_protection)
    before = personal_audits()

    page = client.get(reverse("search"), {"q": TAX_ID}).content.decode()
    assert SURNAMES in page
    assert personal_audits() == before + 1
    assert client.get(reverse("customers:detail", args=[person.pk])).status_code == 200
    assert personal_audits() == before + 2
    for filters in ({"number": incident.number}, {"customer": SURNAMES}):
        console = client.get(reverse(incident.kind.url_name("console")), {"f": "1", **filters})
        assert incident.get_absolute_url() in console.content.decode()
    looked = personal_audits()
    assert client.get(incident.get_absolute_url()).status_code == 200
    assert personal_audits() == looked + 1
    audit = AuditEvent.objects.filter(kind=AuditEventKind.PERSONAL_DATA).latest("pk")
    assert audit.user == data_protection and str(person.pk) in audit.detail


def test_agents_call_log_leaves_the_person_out_and_no_ticket_is_opened_for_them(
    client, agent, data_protection, person, private_media
):
    call = make_call(person, call_id="before-blocking")
    assert call.customer_id == person.pk
    request = make_request(data_protection, person, Right.ERASURE, date(2026, 3, 1))
    customer_block(request=request, user=data_protection)
    client.force_login(agent)
    log = client.get(reverse("telephony:calls")).content.decode()
    assert reverse("telephony:detail", args=[call.pk]) not in log
    assert SURNAMES not in log
    assert client.get(reverse("telephony:detail", args=[call.pk])).status_code == 404
    person.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        make_incident(user=agent, customer=person)
    assert refused.value.message_dict["customer"] == [
        "Este cliente está bloqueado por una solicitud de protección de datos."
    ]
    client.force_login(data_protection)
    assert client.get(reverse("telephony:detail", args=[call.pk])).status_code == 200
