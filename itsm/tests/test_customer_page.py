"""The customer page: who the customer is, the agents' note, the figures and
one timeline merged from every registered source (tickets, escalations, mail),
newest first and keyset-paged with no item lost or repeated at a boundary."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerKind, PhoneKind
from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.customer_timeline import (
    customer_summary,
    decode_timeline_cursor,
    timeline_page,
)
from itsm.tests.factories import escalate_other, make_incident, make_work_order, resolve
from notifications.models import InboundEmail
from notifications.tests import corpus
from notifications.tests.factories import sent_email, stored
from workorders.models import WorkOrder

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def ana(reference):
    return CustomerFactory(
        kind=CustomerKind.SUBSCRIBER,
        first_name="Ana",
        surnames="García López",
        organisation="Gestoría Turia S.L.",
        tax_id="12345678Z",
        email=corpus.CUSTOMER,
        flei_code="FL123456",
        phones=[("", "612/34.56.78"), (PhoneKind.SWITCHBOARD, "96 123 45 67")],
    )


def page(customer) -> str:
    return reverse("customers:detail", args=[customer.pk])


def received_mail(*, subject: str, at) -> InboundEmail:
    email = stored(corpus.plain(subject=subject))
    InboundEmail.objects.filter(pk=email.pk).update(received_at=at)
    return email


def busy_customer(customer, agent, *, tickets: int = 6) -> dict:
    """Tickets of both kinds (some resolved, one escalated) and mail both
    ways, several at the very same instant so the tie-breaks are exercised."""
    now = timezone.now().replace(microsecond=0)
    same = now - timedelta(days=3)
    made = []
    for index in range(tickets):
        maker = make_incident if index % 2 == 0 else make_work_order
        ticket = maker(user=agent, customer=customer)
        made.append(ticket)
        if index % 3 == 0:
            resolve(ticket, agent)
    escalate_other(made[1], agent)
    for index, ticket in enumerate(made):
        # Half of them opened at one instant, the rest a day apart.
        at = same if index % 2 == 0 else now - timedelta(days=index + 5)
        type(ticket).objects.filter(pk=ticket.pk).update(created_at=at)
        type(ticket).objects.filter(pk=ticket.pk, resolved_at__isnull=False).update(
            resolved_at=same
        )
    received_mail(subject="Primera consulta", at=same)
    received_mail(subject="Segunda consulta", at=now - timedelta(days=1))
    sent_email(made[0], agent, subject="Respuesta uno", sent_at=same)
    sent_email(made[1], agent, subject="Respuesta dos", sent_at=now - timedelta(hours=2))
    return {"tickets": made}


def every_key(customer) -> list:
    return [item.key for item in timeline_page(customer, size=1000).items]


def test_the_timeline_holds_every_kind_of_item_newest_first(agent, ana):
    data = busy_customer(ana, agent)
    other = CustomerFactory()
    make_incident(user=agent, customer=other)

    keys = every_key(ana)

    resolved = Incident.objects.filter(customer=ana, resolved_at__isnull=False).count()
    resolved += WorkOrder.objects.filter(customer=ana, resolved_at__isnull=False).count()
    # Tickets opened and resolved, one escalation, two mails in, two out.
    assert len(keys) == len(data["tickets"]) + resolved + 1 + 2 + 2
    assert len(set(keys)) == len(keys)
    assert keys == sorted(keys, reverse=True)
    kinds = {key.kind for key in keys}
    assert {"INC.opened", "WO.opened", "escalation", "mail.received", "mail.sent"} <= kinds
    assert kinds & {"INC.resolved", "WO.resolved"}


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7])
def test_pages_forward_and_back_cover_the_timeline_exactly(agent, ana, size):
    busy_customer(ana, agent)
    expected = every_key(ana)

    pages, cursor = [], None
    while True:
        current = timeline_page(ana, after=cursor, size=size)
        pages.append([item.key for item in current.items])
        if current.next_cursor is None:
            break
        cursor = decode_timeline_cursor(current.next_cursor)
    assert [key for keys in pages for key in keys] == expected
    assert all(len(keys) == size for keys in pages[:-1])

    # Back from the last page, each previous page is the one seen going forward.
    back = timeline_page(ana, after=decode_timeline_cursor(cursor_of(pages[-2][-1])), size=size)
    for index in range(len(pages) - 1, 0, -1):
        assert [item.key for item in back.items] == pages[index]
        assert back.previous_cursor is not None
        back = timeline_page(ana, before=decode_timeline_cursor(back.previous_cursor), size=size)
    assert [item.key for item in back.items] == pages[0]
    assert back.previous_cursor is None


def cursor_of(key):
    from itsm.customer_timeline import encode_timeline_cursor

    return encode_timeline_cursor(key)


def test_the_page_pages_through_links(client, agent, ana, monkeypatch):
    from itsm import customer_timeline

    busy_customer(ana, agent)
    monkeypatch.setattr(customer_timeline, "TIMELINE_PAGE_SIZE", 4)
    client.force_login(agent)
    seen, url = [], page(ana)
    while url:
        response = client.get(url)
        assert response.status_code == 200
        rows = response.context["timeline"]
        assert len(rows) <= 4
        seen.extend(item.key for item in rows)
        next_url = response.context["next_url"]
        url = page(ana) + next_url if next_url else None
    assert seen == every_key(ana)


def test_a_bad_cursor_gives_the_first_page_and_says_so(client, agent, ana):
    client.force_login(agent)
    response = client.get(page(ana), {"after": "bm90IGEgY3Vyc29y"})
    assert response.status_code == 200
    assert "El enlace de página no es válido" in response.content.decode()


def test_the_header_shows_who_the_customer_is_and_the_figures(client, agent, ana):
    busy_customer(ana, agent)
    Incident.objects.filter(customer=ana).update(sla_breached_at=timezone.now())
    client.force_login(agent)
    response = client.get(page(ana))
    html = response.content.decode()
    for text in (
        "Ana García López",
        "Usuario Abonado",
        "12345678Z",
        "FL123456",
        corpus.CUSTOMER,
        "Gestoría Turia S.L.",
        "612 34 56 78",
        "Centralita",
        "961 23 45 67",
        'href="tel:+34612345678"',
    ):
        assert text in html, text
    figures = {figure.code: figure.value for figure in response.context["summary"].figures}
    open_count = Incident.objects.filter(customer=ana).open().count()
    open_count += WorkOrder.objects.filter(customer=ana).open().count()
    assert figures["open_tickets"] == open_count
    assert figures["recent_tickets"] == 6
    assert figures["sla_breaches"] == Incident.objects.filter(customer=ana).count()
    assert response.context["summary"].last_contact is not None


def test_last_contact_is_the_latest_ticket_or_mail_from_the_customer(agent, ana):
    make_incident(user=agent, customer=ana)
    Incident.objects.filter(customer=ana).update(created_at=timezone.now() - timedelta(days=9))
    later = timezone.now() - timedelta(days=2)
    received_mail(subject="Hola", at=later)
    assert customer_summary(ana).last_contact == later


def test_a_customer_with_nothing_yet_has_an_empty_page(client, agent, ana):
    client.force_login(agent)
    html = client.get(page(ana)).content.decode()
    assert "Todavía no ha pasado nada con este cliente." in html
    assert response_figure(client, ana, "open_tickets") == 0


def response_figure(client, customer, code):
    summary = client.get(page(customer)).context["summary"]
    return next(figure.value for figure in summary.figures if figure.code == code)


def test_each_item_links_to_what_it_is(client, agent, ana):
    ticket = make_incident(user=agent, customer=ana)
    email = received_mail(subject="Consulta", at=timezone.now())
    sent_email(ticket, agent, subject="Respuesta", sent_at=timezone.now())
    client.force_login(agent)
    html = client.get(page(ana)).content.decode()
    assert f'href="/incidents/{ticket.number}/"' in html
    assert f'href="/mailbox/{email.pk}/"' in html or f'href="{email.get_absolute_url()}"' in html
    assert f'href="/incidents/{ticket.number}/#ticket-emails"' in html


# --- the note ----------------------------------------------------------------------------


def test_an_agent_edits_the_note_in_place(client, agent, ana):
    client.force_login(agent)
    response = client.post(
        reverse("customers:note", args=[ana.pk]), {"agent_note": "  Prefiere mañanas.  "}
    )
    assert response.status_code == 302 and response.url == page(ana)
    ana.refresh_from_db()
    assert ana.agent_note == "Prefiere mañanas."
    assert "Prefiere mañanas." in client.get(page(ana)).content.decode()


def test_a_too_long_note_comes_back_in_spanish_with_the_text_kept(client, agent, ana):
    client.force_login(agent)
    text = "x" * 4001
    response = client.post(reverse("customers:note", args=[ana.pk]), {"agent_note": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "tenga menos de 4000 caracteres (tiene 4001)" in html
    assert text in html
    ana.refresh_from_db()
    assert ana.agent_note == ""


def test_the_note_accepts_post_only(client, agent, ana):
    client.force_login(agent)
    assert client.get(reverse("customers:note", args=[ana.pk])).status_code == 405


# --- the edit page -------------------------------------------------------------------


def edit_phones(client, user, customer, phones: str):
    """Posts the edit page as shown, with ``phones`` typed in."""
    client.force_login(user)
    url = reverse("customers:edit", args=[customer.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    return client.post(url, {**data, "phones": phones, "active": "on"})


def test_the_edit_page_changes_the_data_and_the_phones(client, admin_user, ana):
    response = edit_phones(client, admin_user, ana, "Centralita: 96 123 45 67\n699 11 22 33")
    assert response.status_code == 302, response.context["form"].errors
    assert sorted(p.e164 for p in ana.phones.all()) == ["+34699112233", "+34961234567"]


def test_a_bad_phone_on_the_edit_page_comes_back_in_spanish_with_the_input_kept(
    client, admin_user, ana
):
    response = edit_phones(client, admin_user, ana, "612 34\n699 11 22 33")
    assert response.status_code == 400
    html = response.content.decode()
    assert "«612 34» no es un número de teléfono válido." in html
    assert "612 34\n699 11 22 33</textarea>" in html
    assert sorted(p.e164 for p in ana.phones.all()) == ["+34612345678", "+34961234567"]


# --- access ----------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client, ana):
    for response in (
        client.get(page(ana)),
        client.get(reverse("customers:edit", args=[ana.pk])),
        client.post(reverse("customers:note", args=[ana.pk]), {"agent_note": "x"}),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_users_without_a_role_are_refused(client, outsider, ana):
    client.force_login(outsider)
    assert client.get(page(ana)).status_code == 403
    assert client.get(reverse("customers:edit", args=[ana.pk])).status_code == 403
    response = client.post(reverse("customers:note", args=[ana.pk]), {"agent_note": "x"})
    assert response.status_code == 403
    ana.refresh_from_db()
    assert ana.agent_note == ""


@pytest.mark.parametrize("role", ["agent", "coordinator", "admin_user"])
def test_every_role_that_sees_tickets_sees_the_customer(client, request, ana, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(page(ana)).status_code == 200


def test_only_administrators_edit_a_customer_as_in_the_admin_and_the_api(
    client, agent, coordinator, admin_user, ana
):
    url = reverse("customers:edit", args=[ana.pk])
    for user in (agent, coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"first_name": "Otra"}).status_code == 403
        assert "Editar cliente" not in client.get(page(ana)).content.decode()
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    assert "Editar cliente" in client.get(page(ana)).content.decode()


def test_an_unknown_customer_is_404(client, agent):
    client.force_login(agent)
    assert client.get(reverse("customers:detail", args=[999999])).status_code == 404


# --- cost and safety --------------------------------------------------------------------


def test_the_page_runs_a_fixed_number_of_queries(client, agent, ana, django_assert_max_num_queries):
    """Session, user and roles; the customer and phones; per source a fixed
    number (one per kind and event, escalations, mail from the address, on
    the tickets and sent) and the
    figures (one per kind, two for mail). A source registered by another app
    adds its own fixed count."""
    client.force_login(agent)
    busy_customer(ana, agent, tickets=2)
    # 17, and 2 for the phone's calls (their items, their figures).
    with django_assert_max_num_queries(19) as few:
        client.get(page(ana))
    busy_customer(ana, agent, tickets=12)
    with django_assert_max_num_queries(19) as many:
        response = client.get(page(ana))
    assert len(response.context["timeline"]) > 20
    assert len(many.captured_queries) == len(few.captured_queries)


def test_hostile_names_notes_and_subjects_are_shown_as_text(client, agent, reference):
    customer = CustomerFactory(
        first_name="Eva", surnames='<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    )
    customer.agent_note = HOSTILE
    customer.save(update_fields=["agent_note"])
    ticket = make_incident(user=agent, customer=customer, summary=HOSTILE)
    email = stored(corpus.plain(subject=HOSTILE, sender=f"Eva <{customer.email}>"))
    sent_email(ticket, agent, subject=HOSTILE, sent_at=timezone.now())
    client.force_login(agent)
    html = client.get(page(customer)).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
    assert html.count(escaped) >= 4  # name (title and heading), note, summary, subjects
    assert email.subject == HOSTILE


# --- the ways in -----------------------------------------------------------------------


def test_the_ticket_header_links_to_the_customer_page(client, agent, ana):
    ticket = make_incident(user=agent, customer=ana)
    client.force_login(agent)
    html = client.get(reverse("incidents:detail", args=[ticket.number])).content.decode()
    assert f'href="{page(ana)}"' in html


def test_a_mailbox_message_links_its_sender_to_the_customer_page(client, agent, ana):
    email = received_mail(subject="Consulta", at=timezone.now())
    client.force_login(agent)
    html = client.get(email.get_absolute_url()).content.decode()
    assert f'href="{page(ana)}"' in html
