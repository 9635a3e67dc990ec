"""The phone's pop-up in real browsers, against the production shape:
gunicorn with two uvicorn workers and Redis, two agents logged in. A
newCall to one agent's extension shows the caller on that agent's screen
within 2 s and never on the other's; *Nueva incidencia* from the pop-up
creates the ticket with the customer and the call."""

import json
import os
import time
import urllib.request
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from conftest import missing_service
from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.tests.browser.conftest import VIEWPORT
from itsm.tests.browser.helpers import screenshot
from itsm.tests.test_gunicorn_concurrency import Gunicorn, session_cookie
from notifications.tests.live import wait_for
from telephony.models import AgentPhone, Call, CallTicket, CtiIntegration

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("ITSM_TEST_REDIS_URL", "redis://127.0.0.1:56379/5")
TEMPLATE = "CAMPAÑA PORTAL - ERROR DE ENVÍO"
POPUP_WITHIN_MS = 2000
# An answer redraws the card: the test clicks the card drawn after it, as a
# click that straddles the swap is lost.
ANSWERED_CARD = '#call-popups [data-call][data-state="answered"]'


class AsgiGunicorn(Gunicorn):
    """gunicorn with uvicorn workers serving ``itsm.asgi`` (plus the static
    files nginx serves in production), with the push channel on Redis."""

    description = "gunicorn with uvicorn workers"

    def arguments(self, *, workers: int, threads: int) -> list[str]:
        return [
            "telephony.tests.asgi_static:application",
            "--worker-class",
            "uvicorn.workers.UvicornWorker",
            "--workers",
            str(workers),
        ]

    def environment(self, folder: Path) -> dict[str, str]:
        return {**super().environment(folder), "PUSH_REDIS_URL": REDIS_URL}


@pytest.fixture
def asgi_server(tmp_path, reference):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        missing_service(f"Redis at {REDIS_URL}: {error}")
    server = AsgiGunicorn(tmp_path / "web", workers=2)
    yield server
    server.stop()


def post_event(server, token: str, **event) -> float:
    """POST one Zammad event; the moment it was sent (monotonic)."""
    request = urllib.request.Request(
        server.url + reverse("telephony:cti", args=[token]),
        data=json.dumps(event).encode(),
        headers={"Content-Type": "application/json"},
    )
    sent = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    return sent


def agent_page(browser, server, user, errors: list):
    context = browser.new_context(
        base_url=server.url, viewport=VIEWPORT, locale="es-ES", timezone_id="Europe/Madrid"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"{user}: {error}"))
    # The server hashes passwords with Django's own hashers, not the tests'
    # fast one: the agent arrives logged in, with a session made here.
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(user), "url": server.url}]
    )
    page.goto("/incidents/")
    # The page's push stream is open before the phone rings.
    expect(page.locator("#call-popups")).to_have_attribute("data-connected", "true")
    return context, page


def test_a_call_pops_up_only_for_the_agent_whose_extension_rang(
    browser, asgi_server, agent, other_agent
):
    AgentPhone.objects.create(user=agent, extension="101", queues="soporte")
    AgentPhone.objects.create(user=other_agent, extension="102", queues="soporte")
    caller = CustomerFactory(
        first_name="Lucía", surnames="Ibáñez Gómez", tax_id="12345678Z", phone="612 34 56 78"
    )
    token = CtiIntegration.new_token()
    pbx = CtiIntegration(name="Centralita")
    pbx.set_token(token)
    pbx.save()
    errors: list[str] = []
    contexts = []
    try:
        context, mine = agent_page(browser, asgi_server, agent, errors)
        contexts.append(context)
        context, theirs = agent_page(browser, asgi_server, other_agent, errors)
        contexts.append(context)
        call = {"from": "0034612345678", "to": "+34910000000", "direction": "in", "callId": "b1"}

        sent = post_event(asgi_server, token, event="newCall", user=["101"], **call)
        mine.locator("#call-popups [data-call]").wait_for(timeout=POPUP_WITHIN_MS)
        shown_after = time.monotonic() - sent

        assert shown_after <= POPUP_WITHIN_MS / 1000, shown_after
        popup = mine.locator("#call-popups [data-call]")
        expect(popup).to_contain_text("Lucía Ibáñez Gómez")
        expect(popup).to_contain_text("12345678Z")
        screenshot(mine, "call-popup")
        # The other agent's screen stays quiet, now and a while later.
        theirs.wait_for_timeout(1000)
        expect(theirs.locator("#call-popups [data-call]")).to_have_count(0)

        post_event(asgi_server, token, event="answer", answeringNumber="101", **call)
        mine.locator(ANSWERED_CARD).get_by_role("link", name="Nueva incidencia").click()
        mine.wait_for_url("**/calls/*/new/INC/**")
        expect(mine.locator("#customer-card")).to_contain_text("Lucía Ibáñez Gómez")
        expect(mine.locator("#call-source")).to_be_visible()
        expect(mine.locator("#id_reported_source")).to_have_value("phone")
        mine.locator("#id_template").select_option(label=TEMPLATE)
        mine.locator("#id_work_info_notes").fill("No puede enviar las cuentas.")
        mine.locator("#ticket-form button[type=submit]").click()
        mine.wait_for_url("**/incidents/INC*/")
        post_event(asgi_server, token, event="hangup", cause="normalClearing", **call)

        ticket = Incident.objects.get(customer=caller)
        link = CallTicket.objects.get(call__call_id="b1")
        assert link.number == ticket.number
        assert wait_for(
            lambda: CallTicket.objects.filter(pk=link.pk, journaled_at__isnull=False).exists(),
            timeout=5,
        )
        assert Call.objects.get(call_id="b1").agent == agent
        expect(theirs.locator("#call-popups [data-call]")).to_have_count(0)
        assert errors == []
    finally:
        for context in contexts:
            context.close()
