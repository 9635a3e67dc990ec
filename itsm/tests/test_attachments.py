"""Attachment downloads: only for users allowed to see the ticket, always as a
download (never rendered inline), never from a public URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from itsm.services.journal import work_info_add
from itsm.tests.factories import make_incident, make_work_order

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML_AS_TEXT = b"<html><script>alert(1)</script></html>"


pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def entry(agent):
    ticket = make_incident(user=agent)
    return work_info_add(
        ticket=ticket,
        user=agent,
        notes="captura y registro",
        attachments=[
            SimpleUploadedFile("captura.png", PNG),
            SimpleUploadedFile("registro.txt", HTML_AS_TEXT),
        ],
    )


def download_url(entry, index: int) -> str:
    ticket = entry.ticket
    return reverse(f"{ticket._meta.app_label}:attachment", args=[ticket.number, entry.pk, index])


def test_anonymous_user_is_sent_to_login(client, entry):
    response = client.get(download_url(entry, 1))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_without_role_is_refused(client, entry, outsider):
    client.force_login(outsider)
    assert client.get(download_url(entry, 1)).status_code == 403


@pytest.mark.parametrize("user_fixture", ["agent", "other_agent", "coordinator"])
def test_desk_users_download_with_safe_headers(client, request, entry, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(download_url(entry, 1))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "captura.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_text_that_looks_like_html_is_still_a_download(client, entry, agent):
    client.force_login(agent)
    response = client.get(download_url(entry, 2))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_missing_file_slot_or_entry_is_not_found(client, entry, agent):
    client.force_login(agent)
    assert client.get(download_url(entry, 3)).status_code == 404
    assert client.get(download_url(entry, 4)).status_code == 404
    ticket = entry.ticket
    missing = reverse("incidents:attachment", args=[ticket.number, entry.pk + 999, 1])
    assert client.get(missing).status_code == 404


def test_entry_of_another_ticket_cannot_be_reached_through_this_one(client, entry, agent):
    other = make_work_order(user=agent)
    client.force_login(agent)
    url = reverse("workorders:attachment", args=[other.number, entry.pk, 1])
    assert client.get(url).status_code == 404


def test_history_links_to_the_download_view_not_to_a_media_url(client, entry, agent):
    client.force_login(agent)
    html = client.get(reverse("incidents:detail", args=[entry.ticket.number])).content.decode()
    assert f'href="{download_url(entry, 1)}"' in html
    assert f'href="{download_url(entry, 2)}"' in html
    assert "/media/" not in html
    assert "workinfo/inc/" not in html
