"""The mailbox pages: access, the console, a message's page and its actions."""

import pytest
from django.urls import reverse

from itsm.models import WorkInfoType
from notifications.models import InboundAction, InboundEmail, InboundStatus
from notifications.tests import corpus
from notifications.tests.factories import stored

pytestmark = pytest.mark.django_db


def urls(email: InboundEmail) -> dict[str, tuple[str, str]]:
    return {
        "console": ("get", reverse("notifications:mailbox")),
        "detail": ("get", reverse("notifications:mailbox_detail", args=[email.pk])),
        "raw": ("get", reverse("notifications:mailbox_raw", args=[email.pk])),
        "file": ("get", reverse("notifications:mailbox_attachment", args=[email.pk, 1])),
        "new": ("get", reverse("notifications:mailbox_new_ticket", args=[email.pk, "INC"])),
        "take": ("post", reverse("notifications:mailbox_take", args=[email.pk])),
        "no_action": ("post", reverse("notifications:mailbox_no_action", args=[email.pk])),
        "add": ("post", reverse("notifications:mailbox_add", args=[email.pk])),
    }


@pytest.mark.parametrize(
    "name", ["console", "detail", "raw", "file", "new", "take", "no_action", "add"]
)
def test_anonymous_users_are_sent_to_the_login(client, message, name):
    method, url = urls(message)[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name", ["console", "detail", "raw", "file", "new", "take", "no_action", "add"]
)
def test_users_without_a_role_are_refused(client, outsider, message, name):
    client.force_login(outsider)
    method, url = urls(message)[name]
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("role", ["agent", "coordinator"])
@pytest.mark.parametrize("name", ["console", "detail", "raw", "file", "new"])
def test_agents_and_coordinators_open_the_mailbox(client, request, message, role, name):
    client.force_login(request.getfixturevalue(role))
    method, url = urls(message)[name]
    response = getattr(client, method)(url)
    assert response.status_code == 200


def test_the_console_lists_waiting_messages_newest_first(client, agent, private_media, reference):
    for index in range(3):
        stored(corpus.plain(subject=f"Consulta {index}"))
    client.force_login(agent)
    response = client.get(reverse("notifications:mailbox"))
    content = response.content.decode()
    assert content.index("Consulta 2") < content.index("Consulta 1") < content.index("Consulta 0")
    assert "Buzón" in content


def test_threaded_replies_do_not_wait_in_the_mailbox(client, agent, private_media, incident):
    stored(corpus.reply(subject=f"Re: {incident.number}"))
    client.force_login(agent)
    response = client.get(reverse("notifications:mailbox"), {"f": "1"})
    assert response.context["rows"] == []


def test_the_console_pages_by_keyset(client, agent, private_media, reference):
    for index in range(55):
        stored(corpus.plain(subject=f"Consulta {index:02d}"))
    client.force_login(agent)
    first = client.get(reverse("notifications:mailbox"))
    assert len(first.context["rows"]) == 50
    second = client.get(reverse("notifications:mailbox") + first.context["next_url"])
    subjects = [row.subject for row in second.context["rows"]]
    assert subjects == [f"Consulta {index:02d}" for index in range(4, -1, -1)]


def test_the_console_filters_and_searches(client, agent, private_media, reference):
    stored(corpus.plain(subject="Depósito de cuentas", body="ERROR 23 al firmar"))
    stored(corpus.auto_reply("auto-submitted", subject="Fuera de la oficina"))
    client.force_login(agent)
    url = reverse("notifications:mailbox")
    assert [r.subject for r in client.get(url, {"f": "1", "q": "error 23"}).context["rows"]] == [
        "Depósito de cuentas"
    ]
    auto = client.get(url, {"f": "1", "classification": "auto_reply"}).context["rows"]
    assert [r.subject for r in auto] == ["Fuera de la oficina"]
    bad = client.get(url, {"f": "1", "received_after": "nonsense"})
    assert bad.status_code == 400


def test_the_filter_bar_is_the_consoles(client, agent, private_media, reference):
    stored(corpus.plain(subject="Depósito de cuentas"))
    client.force_login(agent)
    url = reverse("notifications:mailbox")
    html = client.get(url, {"f": "1", "status": ["new", "in_progress"]}).content.decode()
    assert "<select" not in html[html.index('id="choices-status"') : html.index("</details>")]
    assert '<details class="filter-choices position-relative" id="choices-status">' in html
    assert html.count('type="checkbox" name="status"') == len(InboundStatus.choices)
    assert 'title="Nuevo, En curso">Nuevo, En curso</summary>' in html
    received = html[html.index('id="range-received"') :]
    received = received[: received.index("</div>")]
    assert received.count('type="date"') == 2 and "desde" in received and "hasta" in received
    assert ">-<" not in received
    dated = client.get(url, {"f": "1", "received_after": "2000-01-01"})
    assert [row.subject for row in dated.context["rows"]] == ["Depósito de cuentas"]
    assert list(client.get(url, {"f": "1", "received_before": "2000-01-01"}).context["rows"]) == []


def test_the_console_query_count_does_not_grow(
    client, agent, private_media, reference, django_assert_max_num_queries
):
    for index in range(30):
        stored(corpus.plain(subject=f"Consulta {index}"))
    client.force_login(agent)
    client.get(reverse("notifications:mailbox"))  # warm the option cache
    with django_assert_max_num_queries(6):
        client.get(reverse("notifications:mailbox"))


def test_the_message_page_query_count(client, agent, message, django_assert_max_num_queries):
    client.force_login(agent)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("notifications:mailbox_detail", args=[message.pk]))
    assert response.status_code == 200


def test_the_message_page_shows_the_matching_customer(client, agent, message, incident):
    client.force_login(agent)
    response = client.get(reverse("notifications:mailbox_detail", args=[message.pk]))
    content = response.content.decode()
    assert "Ana García López" in content
    assert incident.number in content
    assert "captura.png" in content


def test_headers_are_shown_on_demand(client, agent, message):
    client.force_login(agent)
    url = reverse("notifications:mailbox_detail", args=[message.pk])
    assert "message-headers" not in client.get(url).content.decode()
    shown = client.get(url, {"headers": "1"}).content.decode()
    assert "Message-ID:" in shown


def test_hostile_html_is_sanitised_and_remote_images_wait(client, agent, private_media, reference):
    email = stored(corpus.html_only(corpus.HOSTILE_HTML))
    client.force_login(agent)
    url = reverse("notifications:mailbox_detail", args=[email.pk])
    html = client.get(url).context["html"]
    assert "Texto visible" in html
    for bad in ("<script", "onerror", "javascript:", "<form", "<iframe", "<style", "style="):
        assert bad not in html
    assert "tracker.example.net" not in html
    assert "tracker.example.net" in client.get(url, {"images": "1"}).context["html"]


def test_inline_images_are_served_from_our_storage(client, agent, private_media, reference):
    email = stored(corpus.inline_image())
    client.force_login(agent)
    html = client.get(reverse("notifications:mailbox_detail", args=[email.pk])).context["html"]
    image_url = reverse("notifications:mailbox_attachment", args=[email.pk, 1]) + "?inline=1"
    assert image_url.replace("&", "&amp;") in html or image_url in html
    response = client.get(image_url)
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_raw_message_downloads_as_received(client, agent, message):
    client.force_login(agent)
    response = client.get(reverse("notifications:mailbox_raw", args=[message.pk]))
    assert "attachment" in response["Content-Disposition"]
    with message.raw.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()


def test_taking_a_message_shows_who_has_it(client, agent, other_agent, message):
    client.force_login(agent)
    client.post(
        reverse("notifications:mailbox_take", args=[message.pk]), {"version": message.version}
    )
    message.refresh_from_db()
    assert message.assigned_to == agent and message.status == InboundStatus.IN_PROGRESS
    client.force_login(other_agent)
    page = client.get(reverse("notifications:mailbox_detail", args=[message.pk])).content.decode()
    assert "Agente" in page


def test_an_action_on_a_stale_version_is_refused(client, agent, other_agent, message):
    version = message.version
    client.force_login(agent)
    client.post(reverse("notifications:mailbox_take", args=[message.pk]), {"version": version})
    client.force_login(other_agent)
    response = client.post(
        reverse("notifications:mailbox_no_action", args=[message.pk]),
        {"na-version": version, "na-reason": "spam"},
    )
    assert response.status_code == 409
    message.refresh_from_db()
    assert message.status == InboundStatus.IN_PROGRESS
    assert message.assigned_to == agent


def test_no_action_needs_a_reason_and_records_it(client, agent, message):
    client.force_login(agent)
    url = reverse("notifications:mailbox_no_action", args=[message.pk])
    refused = client.post(url, {"na-version": message.version, "na-reason": ""})
    assert refused.status_code == 400
    assert "Este campo es obligatorio." in refused.content.decode()
    client.post(url, {"na-version": message.version, "na-reason": "Agradecimiento"})
    message.refresh_from_db()
    assert message.status == InboundStatus.NO_ACTION
    assert message.no_action_reason == "Agradecimiento"
    assert message.acted_by == agent and message.action == InboundAction.NO_ACTION


def test_add_to_ticket_appends_the_message_as_threading_does(client, agent, message, incident):
    client.force_login(agent)
    digits = str(int(incident.number[3:]))
    response = client.post(
        reverse("notifications:mailbox_add", args=[message.pk]),
        {"add-version": message.version, "add-number": f"inc {digits}"},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.ticket_number == incident.number
    assert message.action == InboundAction.ADDED and message.acted_by == agent
    entry = incident.work_info.get(type=WorkInfoType.CUSTOMER_COMMUNICATION)
    assert entry.author == agent
    assert len(entry.attachments) == 1


def test_add_to_an_unknown_ticket_says_so(client, agent, message):
    client.force_login(agent)
    response = client.post(
        reverse("notifications:mailbox_add", args=[message.pk]),
        {"add-version": message.version, "add-number": "inc 999999"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "No existe la gestión INC000000999999." in content
    assert 'value="inc 999999"' in content  # what was typed stays


def test_the_ticket_email_tab_shows_the_conversation_in_order(client, agent, message, incident):
    stored(corpus.reply(subject=f"Re: {incident.number}"))
    client.force_login(agent)
    content = client.get(reverse("incidents:detail", args=[incident.number])).content.decode()
    assert 'data-email-direction="in"' in content


def test_the_menu_links_the_mailbox(client, agent, reference):
    client.force_login(agent)
    content = client.get(reverse("incidents:console")).content.decode()
    assert reverse("notifications:mailbox") in content


def test_searching_an_address_finds_that_senders_messages(client, agent, private_media, reference):
    stored(corpus.plain(subject="De Ana", sender="Ana <Ana.Garcia@example.com>"))
    stored(corpus.plain(subject="De Pedro", sender="Pedro <pedro@example.com>"))
    client.force_login(agent)
    response = client.get(
        reverse("notifications:mailbox"), {"f": "1", "q": "ana.garcia@EXAMPLE.com"}
    )
    assert [row.subject for row in response.context["rows"]] == ["De Ana"]
