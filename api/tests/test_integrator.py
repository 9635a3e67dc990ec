"""The API as an integrator uses it: ``requests`` over HTTP against a running
desk, tokens made with ``manage.py api_token create``, and a real SMTP
server (aiosmtpd, in its own process) receiving the customer's mail.

The desk's side of the set-up (users, a customer, reference data) is what
an administrator would have done in the admin beforehand."""

from io import StringIO

import pytest
import requests
from django.core.management import call_command

from customers.tests.factories import CustomerFactory
from itsm.models import SupportGroup
from itsm.tests.factories import make_incident
from notifications import reference_data as notification_reference
from notifications.tests.factories import PNG
from notifications.tests.live import ServiceUnavailable, SmtpSink, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

LINKING = "VINCULACIÓN – ENVÍO CUADRO DE VINCULACIÓN"
LINKED = "VINCULACIÓN – VINCULADO"  # coordinators only


@pytest.fixture
def smtp(tmp_path, settings):
    """The desk sends through a real SMTP server; without a broker the
    delivery task runs in the web process once the request commits."""
    sink = SmtpSink(tmp_path / "smtp")
    try:
        sink.start()
    except ServiceUnavailable as error:
        pytest.skip(str(error))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    sink.stop()


@pytest.fixture
def desk(live_server, reference, private_media, agent, other_agent, coordinator, smtp):
    notification_reference.load()
    return live_server.url


def api_token(username: str, *scopes: str) -> str:
    """``manage.py api_token create``: the token is on its last line."""
    out = StringIO()
    call_command(
        "api_token", "create", username, "--name", "Portal", "--scopes", *scopes, stdout=out
    )
    return out.getvalue().strip().splitlines()[-1]


class Desk:
    """A small client as an integrator writes one."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base + "/api/v1/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        url = path if path.startswith("http") else self.base + path
        return self.session.request(method, url, timeout=30, **kwargs)


def open_incident(portal: Desk, customer) -> tuple[str, str]:
    """An incident from the first active template that applies: its number and ETag."""
    templates = portal("GET", "templates/").json()
    template = next(t for t in templates if t["applies_to"] in ("INC", "ALL") and t["active"])
    created = portal(
        "POST",
        "incidents/",
        json={"customer": customer.pk, "template": template["id"], "work_info_notes": "Portal"},
    )
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    assert created.headers["Location"].endswith(f"/api/v1/incidents/{number}/")
    return number, created.headers["ETag"]


def mail_the_linking_form(portal: Desk, number: str, smtp) -> None:
    """Sends the linking template to the ticket's customer and sees it reach SMTP."""
    ticket = f"incidents/{number}/"
    offered = portal("GET", ticket + "mail/templates/").json()
    linking = next(t for t in offered if t["title"] == LINKING)
    sent = portal("POST", ticket + "mail/", json={"template": linking["id"]})
    assert sent.status_code == 201, sent.text
    assert sent.json()["to_email"] == "ana.garcia@example.com"
    assert wait_for(smtp.messages, timeout=15)
    (received,) = smtp.messages()
    assert received["rcpt_tos"] == ["ana.garcia@example.com"]
    assert received["message"]["Subject"] == f"{number} Colegio de Registradores"
    outbox = portal("GET", ticket + "mail/").json()
    assert [row["status"] for row in outbox["results"]] == ["sent"]


def test_an_integrator_opens_works_mails_and_resolves_an_incident(desk, smtp):
    customer = CustomerFactory(
        first_name="Ana",
        surnames="García López",
        tax_id="12345678Z",
        email="ana.garcia@example.com",
    )
    portal = Desk(desk, api_token("agente", "read", "write", "mail"))
    coordination = Desk(desk, api_token("coordinador", "read", "write"))

    # The customer by NIF, written as the portal's users write it.
    found = portal("GET", "customers/", params={"q": "12.345.678-z"})
    assert found.status_code == 200, found.text
    assert [row["id"] for row in found.json()] == [customer.pk]

    # An incident for them, from the campaign's template.
    number, seen = open_incident(portal, customer)
    ticket = f"incidents/{number}/"

    # Work info with a screenshot (multipart).
    appended = portal(
        "POST",
        ticket + "journal/",
        data={"notes": "Captura del error"},
        files={"attachment_1": ("captura.png", PNG, "image/png")},
    )
    assert appended.status_code == 201, appended.text
    assert [f["name"] for f in appended.json()["attachments"]] == ["captura.png"]

    # A templated mail to the customer: it reaches the SMTP server.
    mail_the_linking_form(portal, number, smtp)

    # Someone else changes the ticket: resolving with the old ETag is refused.
    changed = coordination("PATCH", ticket, json={"urgency": 1}, headers={"If-Match": seen})
    assert changed.status_code == 200, changed.text
    reasons = portal("GET", "reasons/").json()
    reason = next(
        r for r in reasons if r["kind"] == "INC" and r["status"] == "resolved" and r["active"]
    )
    resolve = {"status_reason": reason["id"], "resolution": "Se le envió el cuadro."}
    stale = portal("POST", ticket + "resolve/", json=resolve, headers={"If-Match": seen})
    assert stale.status_code == 412
    assert stale.headers["Content-Type"] == "application/problem+json"
    problem = stale.json()
    assert problem["changed_by"] == "coordinador"
    assert problem["detail"].startswith(f"Coordinador modificó {number}")
    assert problem["current"]["urgency"] == 1
    assert stale.headers["ETag"] == changed.headers["ETag"]
    assert portal("POST", ticket + "resolve/", json=resolve).status_code == 428

    resolved = portal(
        "POST", ticket + "resolve/", json=resolve, headers={"If-Match": stale.headers["ETag"]}
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolution"] == "Se le envió el cuadro."


def page_session(base: str, username: str) -> requests.Session:
    """The same person logged in to the pages."""
    session = requests.Session()
    session.get(base + "/login/", timeout=30)
    response = session.post(
        base + "/login/",
        data={
            "username": username,
            "password": "test-password-123",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": base + "/login/"},
        timeout=30,
    )
    assert response.status_code == 200 and response.url.rstrip("/") != base + "/login", username
    return session


def test_an_agents_token_reaches_what_their_pages_show_and_nothing_more(
    desk, smtp, agent, coordinator
):
    coordination_group = SupportGroup.objects.get(is_coordination=True)
    theirs = make_incident(user=coordinator, assigned_group=coordination_group)
    portal = Desk(desk, api_token("agente", "read", "write", "mail"))
    pages = page_session(desk, "agente")

    # Another group's ticket: the API answers as the page does (the desk
    # shows every ticket to every agent), and a number the page does not
    # know is a 404 in both.
    for number in (theirs.number, "INC000000999999"):
        page = pages.get(f"{desk}/incidents/{number}/", timeout=30)
        api = portal("GET", f"incidents/{number}/")
        assert (page.status_code, api.status_code) in ((200, 200), (404, 404)), number
        mail = portal("GET", f"incidents/{number}/mail/templates/")
        assert mail.status_code == api.status_code
    assert portal("GET", "incidents/INC000000999999/").headers["Content-Type"] == (
        "application/problem+json"
    )

    # The coordinators' template: not offered, and refused with the compose
    # page's message; nothing reaches the customer.
    offered = [
        t["title"] for t in portal("GET", f"incidents/{theirs.number}/mail/templates/").json()
    ]
    assert LINKED not in offered
    coordinators = Desk(desk, api_token("coordinador", "mail"))
    linked = next(
        t
        for t in coordinators("GET", f"incidents/{theirs.number}/mail/templates/").json()
        if t["title"] == LINKED
    )
    refused = portal("POST", f"incidents/{theirs.number}/mail/", json={"template": linked["id"]})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "template": ["Esta plantilla de respuesta no se puede usar en esta gestión."]
    }
    assert portal("GET", f"incidents/{theirs.number}/mail/").json()["count"] == 0
    assert smtp.messages() == []

    # A token without the mail scope sends nothing either.
    reader = Desk(desk, api_token("agente2", "read", "write"))
    no_scope = reader("POST", f"incidents/{theirs.number}/mail/", json={"template": linked["id"]})
    assert no_scope.status_code == 403
    assert no_scope.json()["detail"] == "Este token no tiene el permiso mail."
