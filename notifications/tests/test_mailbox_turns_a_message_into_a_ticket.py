"""The mailbox turns a message into a ticket: the new-ticket page prefilled
from the message, its first empty field, the attachments carried over, and
the messages that can no longer become one."""

import pytest
from django.urls import reverse

from incidents.models import Incident
from itsm.models import WorkInfoType
from notifications.models import InboundAction, InboundEmail, InboundStatus
from notifications.tests import corpus
from notifications.tests.factories import stored
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_create_incident_page_is_prefilled(client, agent, message, customer):
    client.force_login(agent)
    response = client.get(reverse("notifications:mailbox_new_ticket", args=[message.pk, "INC"]))
    form = response.context["form"]
    assert form.initial["summary"] == "No puedo legalizar el libro"
    assert "no puedo enviar el depósito" in form.initial["description"]
    assert response.context["customer"] == customer
    assert "captura.png" in response.content.decode()


def test_create_page_starts_at_the_first_empty_field_and_assigns_the_agent(
    client, agent, message, customer
):
    client.force_login(agent)
    response = client.get(reverse("notifications:mailbox_new_ticket", args=[message.pk, "WO"]))
    html = response.content.decode()
    # The customer is known and the summary comes from the subject: the template is next.
    assert html.count("autofocus") == 1
    template = html[html.index('name="template"') - 300 : html.index('name="template"') + 400]
    assert "autofocus" in template
    # Assigned to the agent taking it, as on a new ticket.
    assert response.context["form"].initial["assignee"] == agent.pk


def test_create_page_starts_at_the_customer_search_when_the_sender_is_unknown(
    client, agent, private_media, reference
):
    email = stored(corpus.plain(sender="Luis Pérez Gil <luis@example.net>"))
    client.force_login(agent)
    html = client.get(
        reverse("notifications:mailbox_new_ticket", args=[email.pk, "WO"])
    ).content.decode()
    assert html.count("autofocus") == 1
    assert 'id="customer-q" name="q" autocomplete="off" autofocus' in html


def test_create_page_offers_the_customer_form_when_no_customer_matches(
    client, agent, private_media, reference
):
    email = stored(corpus.plain(sender="Luis Pérez Gil <luis@example.net>"))
    client.force_login(agent)
    response = client.get(reverse("notifications:mailbox_new_ticket", args=[email.pk, "WO"]))
    customer_form = response.context["customer_form"]
    assert customer_form.initial == {
        "email": "luis@example.net",
        "first_name": "Luis",
        "surnames": "Pérez Gil",
    }


def test_creating_a_work_order_carries_the_attachments(client, agent, message, customer):
    client.force_login(agent)
    url = reverse("notifications:mailbox_new_ticket", args=[message.pk, "WO"])
    page = client.get(url)
    group = page.context["form"].initial["assigned_group"]
    response = client.post(
        url,
        {
            "inbound-version": message.version,
            "customer": customer.pk,
            "summary": "No puedo legalizar el libro",
            "description": "Texto",
            "reported_source": "email",
            "assigned_group": group,
            "status": "assigned",
            "work_info_notes": "Correo del cliente",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    work_order = WorkOrder.objects.get()
    entry = work_order.work_info.get(type=WorkInfoType.CUSTOMER_COMMUNICATION)
    assert [f.name.rsplit("/", 1)[-1] for _i, f in entry.attachments] == ["captura.png"]
    message.refresh_from_db()
    assert message.ticket_number == work_order.number
    assert message.action == InboundAction.CREATED and message.status == InboundStatus.DONE
    assert not Incident.objects.exists()


def test_creating_from_a_message_someone_closed_meanwhile_is_refused(
    client, agent, other_agent, message, customer
):
    client.force_login(agent)
    url = reverse("notifications:mailbox_new_ticket", args=[message.pk, "INC"])
    group = client.get(url).context["form"].initial["assigned_group"]
    InboundEmail.objects.filter(pk=message.pk).update(version=message.version + 1)
    response = client.post(
        url,
        {
            "inbound-version": message.version,
            "customer": customer.pk,
            "summary": "Resumen",
            "reported_source": "email",
            "assigned_group": group,
            "status": "assigned",
        },
    )
    assert response.status_code == 409
    assert not Incident.objects.exists()


def test_the_prefilled_new_ticket_page_query_count(
    client, agent, message, customer, django_assert_max_num_queries
):
    client.force_login(agent)
    url = reverse("notifications:mailbox_new_ticket", args=[message.pk, "INC"])
    client.get(url)  # warm the option cache
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_an_unknown_kind_is_not_found(client, agent, message):
    client.force_login(agent)
    url = reverse("notifications:mailbox_new_ticket", args=[message.pk, "XX"])
    assert client.get(url).status_code == 404


def test_a_message_already_dealt_with_cannot_become_a_ticket(client, agent, message):
    InboundEmail.objects.filter(pk=message.pk).update(
        status=InboundStatus.NO_ACTION, no_action_reason="spam"
    )
    client.force_login(agent)
    url = reverse("notifications:mailbox_new_ticket", args=[message.pk, "INC"])
    assert client.get(url).status_code == 302
