"""What a hostile mail can reach on the desk: its files are served by what
their bytes are (never by their name or declared type), its links stay links
only to other sites, its file names are cleaned, not cut."""

import re

import pytest
from django.urls import reverse

from itsm.models import WorkInfoType
from notifications.models import InboundEmail, QuarantineReason
from notifications.services.inbound import inbound_receive
from notifications.tests import corpus
from notifications.tests.hostile_corpus import (
    DISGUISED_SCRIPTS,
    FAKE_LOGIN_PAGE,
    LINKS_INTO_THE_DESK,
    OUTSIDE_LINK,
    SVG_WITH_SCRIPT,
    hostile_messages,
    image_part,
)

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]*)"')
LINK_TEXT = re.compile(r">([^<>]+)</a>")
TAG = re.compile(r"<[a-z][^>]*>")
ACTIVE_ATTRIBUTE = re.compile(r"\son[a-z]+=|style=|javascript:|vbscript:|data:")
SHOWN_TAGS = {"a", "b", "br", "div", "font", "i", "img", "li", "p", "span", "strong", "table"}


def stored(raw: bytes) -> InboundEmail:
    return InboundEmail.objects.get(pk=inbound_receive(raw=raw, source="pipe").email_id)


def file_url(email: InboundEmail, *, inline: bool) -> str:
    url = reverse("notifications:mailbox_attachment", args=[email.pk, 1])
    return url + "?inline=1" if inline else url


def assert_download(response) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("inline", [True, False], ids=["asked-inline", "asked-download"])
@pytest.mark.parametrize("content_id", ["f1@example.com", ""], ids=["cid", "no-cid"])
@pytest.mark.parametrize(
    ("name", "content"),
    [("factura.html", FAKE_LOGIN_PAGE), ("x.svg", SVG_WITH_SCRIPT)],
    ids=["html", "svg"],
)
def test_a_part_declared_png_that_is_not_one_is_never_served_inline(
    client, agent, reference, name, content, content_id, inline
):
    email = stored(image_part(name=name, content=content, content_id=content_id))
    attachment = email.attachments.get()
    assert attachment.content_type == "image/png"
    client.force_login(agent)

    response = client.get(file_url(email, inline=inline))

    assert_download(response)
    assert name in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize("name", ["captura.png", "captura.html", "captura.svg"])
def test_a_real_png_is_shown_inline_as_a_png_whatever_its_name(client, agent, reference, name):
    email = stored(image_part(name=name, content=corpus.PNG, content_id="p1@example.com"))
    client.force_login(agent)

    response = client.get(file_url(email, inline=True))

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == corpus.PNG
    # Not asked for inline, it is a download like any other file.
    assert_download(client.get(file_url(email, inline=False)))


def test_every_file_route_serves_a_png_named_html_as_a_download(client, agent, incident):
    """The journal entry a threaded reply writes holds the same file: its
    download follows the same rule."""
    stored(
        corpus.reply(
            subject=f"Re: {incident.number}",
            attachments=[("factura.html", "image/png", FAKE_LOGIN_PAGE)],
        )
    )
    entry = incident.work_info.get(type=WorkInfoType.CUSTOMER_COMMUNICATION)
    client.force_login(agent)

    response = client.get(reverse("incidents:attachment", args=[incident.number, entry.pk, 1]))

    assert_download(response)


def test_the_raw_message_is_a_download_of_bytes(client, agent, reference):
    email = stored(corpus.html_only("<p>hola</p>"))
    client.force_login(agent)

    assert_download(client.get(reverse("notifications:mailbox_raw", args=[email.pk])))


def links_mail(*extra: str) -> bytes:
    return corpus.html_only(
        "<p>" + "</p><p>".join([*LINKS_INTO_THE_DESK, *DISGUISED_SCRIPTS, *extra]) + "</p>"
    )


def test_links_into_the_desk_and_disguised_scripts_are_text_on_the_message_page(
    client, agent, reference
):
    same_host = '<a href="http://testserver/logout/">Salir del servicio</a>'
    email = stored(links_mail(OUTSIDE_LINK, same_host))
    client.force_login(agent)

    html = client.get(reverse("notifications:mailbox_detail", args=[email.pk])).context["html"]

    assert HREF.findall(html) == ["https://www.registradores.org/ayuda"]
    assert 'target="_blank"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    # What the links said is still there, as text.
    for link in [*LINKS_INTO_THE_DESK, *DISGUISED_SCRIPTS, same_host]:
        assert LINK_TEXT.search(link).group(1) in html
    assert html.count("<a ") == 1
    assert "javascript" not in html.lower()


def test_links_of_a_threaded_reply_are_text_in_the_ticket_history(client, agent, incident):
    stored(
        corpus.html_only(
            '<p>Hola</p><p><a href="/mailbox/1/files/1/?inline=1">Ver factura</a> '
            '<a href="java&#0;script:alert(1)">Abrir</a> '
            '<a href="http://testserver/logout/">Salir</a></p>'
        ).replace(b"Subject: Captura del error", f"Subject: Re: {incident.number}".encode())
    )
    entry = incident.work_info.get(type=WorkInfoType.CUSTOMER_COMMUNICATION)
    assert "Ver factura" in entry.notes
    client.force_login(agent)

    page = client.get(reverse("incidents:detail", args=[incident.number])).content.decode()

    history = page[page.index('id="history"') :]
    assert "Ver factura" in history and "Abrir" in history and "Salir" in history
    assert "/mailbox/1/files/1/" not in page
    assert "script:" not in page
    assert "/logout/" not in HREF.findall(page)


def test_a_huge_image_keeps_no_size_of_its_own(client, agent, reference):
    email = stored(corpus.html_only('<img src="cid:nothing" width=5000 height=5000 alt="x">'))
    client.force_login(agent)

    html = client.get(reverse("notifications:mailbox_detail", args=[email.pk])).context["html"]

    assert "<img" in html
    assert "5000" not in html


def test_an_attachment_name_is_cleaned_not_cut(client, agent, reference):
    email = stored(corpus.plain(attachments=[("</script>.pdf", "application/pdf", b"%PDF-1.4")]))
    client.force_login(agent)

    assert email.attachments.get().name == "_script_.pdf"
    response = client.get(file_url(email, inline=False))
    assert 'filename="_script_.pdf"' in response["Content-Disposition"]


def test_the_hostile_corpus_has_forty_messages_or_more():
    messages = hostile_messages()
    assert len(messages) >= 40
    assert len({name for name, _raw in messages}) == len(messages)


def test_every_hostile_message_is_received_and_its_page_shows_nothing_active(
    client, agent, reference
):
    client.force_login(agent)
    for name, raw in hostile_messages():
        email = stored(raw)
        response = client.get(reverse("notifications:mailbox_detail", args=[email.pk]))
        assert response.status_code == 200, name
        assert email.quarantine_reason == QuarantineReason.NONE, name
        html = response.context["html"].lower()
        for tag in TAG.findall(html):
            assert tag.split()[0].strip("<>") in SHOWN_TAGS, (name, tag)
            assert not ACTIVE_ATTRIBUTE.search(tag), (name, tag)
        for href in HREF.findall(html):
            assert href.startswith(("https://www.registradores.org", "https://evil.example")), name
