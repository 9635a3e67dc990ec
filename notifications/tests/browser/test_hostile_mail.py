"""The hostile-mail corpus in Chromium: the page of every message opened with
the Content-Security-Policy on (nothing may even be blocked by it: the page
fixture fails on a violation) and off (the sanitiser must hold by itself).
No dialog, no injected markup, no request to the sender's hosts, no link
into the desk, nothing covering the page, images within the message's width;
every file of every message shown inline only when it is a raster image."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from itsm.tests.browser.helpers import log_in, screenshot
from itsm.tests.browser.test_xss import INJECTED
from notifications.models import InboundEmail
from notifications.services.inbound import inbound_receive
from notifications.tests.hostile_corpus import EVIL_HOSTS, hostile_messages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RASTER = ("image/png", "image/jpeg", "image/gif", "image/webp")

# Run in the message's page: what the sanitised message must not hold.
MESSAGE_PROBLEMS = """() => {
  const found = [];
  const desk = new Set([location.hostname, 'localhost', '127.0.0.1']);
  for (const link of document.querySelectorAll('#message-html a')) {
    if (!link.hasAttribute('href')) { found.push('an anchor without a link'); continue; }
    const url = new URL(link.href);
    if (!['http:', 'https:', 'mailto:', 'tel:'].includes(url.protocol))
      found.push(`link ${link.href}`);
    if (url.protocol.startsWith('http') && desk.has(url.hostname))
      found.push(`link into the desk ${link.href}`);
    if (link.target !== '_blank' || !link.relList.contains('noopener')
        || !link.relList.contains('noreferrer'))
      found.push(`link opening in the desk's tab ${link.href}`);
  }
  const body = document.querySelector('#message-html');
  if (body) {
    const width = body.getBoundingClientRect().width;
    for (const image of body.querySelectorAll('img')) {
      const box = image.getBoundingClientRect();
      if (box.width > width + 1 || box.height > 1000)
        found.push(`image ${box.width}x${box.height}`);
    }
  }
  if (typeof window.pwned !== 'undefined') found.push('window.pwned is set');
  return found;
}"""


@pytest.fixture
def hostile_mailbox(settings, tmp_path) -> list[tuple[str, InboundEmail]]:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    received = []
    for name, raw in hostile_messages():
        email_id = inbound_receive(raw=raw, source="pipe").email_id
        received.append((name, InboundEmail.objects.get(pk=email_id)))
    return received


def open_messages(page, mailbox, dialogs: list[str]) -> list[str]:
    problems = []
    for name, email in mailbox:
        response = page.goto(reverse("notifications:mailbox_detail", args=[email.pk]))
        assert response is not None and response.status == 200, name
        page.wait_for_load_state("load")
        problems += [f"{name}: {what}" for what in page.evaluate(INJECTED)]
        problems += [f"{name}: {what}" for what in page.evaluate(MESSAGE_PROBLEMS)]
        # Nothing covers the page: the agent can still act on the message.
        page.get_by_role("button", name="Asignarme").click(trial=True)
        expect(page.locator("#message-subject")).to_be_visible()
    return problems + dialogs


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp-on", "csp-off"])
def test_no_hostile_message_runs_or_reaches_out(open_page, agent, hostile_mailbox, bypass_csp):
    assert len(hostile_mailbox) >= 40
    page = open_page(bypass_csp=bypass_csp)
    dialogs: list[str] = []
    page.on(
        "dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss())
    )
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, agent)

    problems = open_messages(page, hostile_mailbox, dialogs)

    assert problems == []
    assert [url for url in requests if any(host in url for host in EVIL_HOSTS)] == []
    if not bypass_csp:
        page.goto(
            reverse(
                "notifications:mailbox_detail",
                args=[dict(hostile_mailbox)["links-into-the-desk"].pk],
            )
        )
        screenshot(page, "mailbox-hostile-links")


def test_every_file_of_the_corpus_is_inline_only_as_a_raster_image(
    open_page, agent, hostile_mailbox
):
    page = open_page()
    log_in(page, agent)
    served = {}
    for name, email in hostile_mailbox:
        for attachment in email.attachments.order_by("position"):
            url = reverse("notifications:mailbox_attachment", args=[email.pk, attachment.position])
            response = page.request.get(url + "?inline=1")
            headers = response.headers
            served[f"{name}/{attachment.name}"] = headers["content-type"]
            assert headers["x-content-type-options"] == "nosniff"
            if headers["content-type"] in RASTER:
                assert headers["content-disposition"] == "inline"
                assert response.body()[:8] == b"\x89PNG\r\n\x1a\n"
            else:
                assert headers["content-type"] == "application/octet-stream"
                assert headers["content-disposition"].startswith("attachment;")

    # Only a real PNG is served as one, whatever its name or declared type.
    expected = {
        "real-png/captura.png": "image/png",
        "real-png-named-html/captura.html": "image/png",
        "html-as-png-inline/factura.html": "application/octet-stream",
        "html-as-png-attachment/factura.html": "application/octet-stream",
        "svg-as-png-inline/x.svg": "application/octet-stream",
        "svg-declared-svg/x.svg": "application/octet-stream",
    }
    assert {name: served.get(name) for name in expected} == expected
