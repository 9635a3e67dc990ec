"""Stored XSS: a corpus of hostile strings is stored in every field a person
or an e-mail controls, and every page that shows them is opened in Chromium.
Nothing may run (a dialog listener catches alert/confirm/prompt), nothing
may be blocked by the Content-Security-Policy (the page fixture fails on any
violation: our pages must escape, not rely on the policy), and no element may
carry markup the corpus tried to add."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from incidents.models import Incident
from itsm.services.journal import work_info_add
from itsm.tests.browser.helpers import log_in
from itsm.tests.factories import escalate_other, make_incident, make_work_order
from notifications import reference_data as notification_reference
from notifications.models import ResponseTemplate
from notifications.services.compose import email_save_draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each at most 100 characters (the summary's length).
PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//127.0.0.1:9/x.js></SCRIPT>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    "<svg><script>alert(4)</script></svg>",
    "<body onload=alert(5)>",
    "<iframe src=javascript:alert(6)>",
    "<a href=javascript:alert(7)>x</a>",
    "<a href='data:text/html,<script>alert(8)</script>'>x</a>",
    '"><script>alert(9)</script>',
    "'><img src=x onerror=alert(10)>",
    '" onmouseover="alert(11)" x="',
    "' autofocus onfocus='alert(12)' x='",
    "<details open ontoggle=alert(13)>",
    "<input autofocus onfocus=alert(14)>",
    "<video><source onerror=alert(15)></video>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(16)>",
    "<object data=javascript:alert(17)>",
    "<embed src=javascript:alert(18)>",
    "<base href=//127.0.0.1:9/>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(19)'>",
    "<style>@import 'javascript:alert(20)';</style>",
    '<div style="background:url(javascript:alert(21))">',
    '<img src="x` `<script>alert(22)</script>"` `>',
    "<<script>alert(23);//<</script>",
    "<scr<script>ipt>alert(24)</scr</script>ipt>",
    "{{ request.user.password }}{% debug %}",
    "{% load static %}{{ 7|add:7 }}${{7*7}}",
    "javascript:alert(25)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgyNik8L3NjcmlwdD4=",
    "\u202e<img src=x onerror=alert(27)>",
    "\uff1cscript\uff1ealert(28)\uff1c/script\uff1e",
    "<form action=javascript:alert(29)><button>x</button></form>",
    "<textarea></textarea><script>alert(30)</script>",
    "</title><script>alert(31)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(32)>">',
]

# What no page may hold unless we wrote it: run in the page after it loads.
INJECTED = """() => {
  const found = [];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.trim().toLowerCase();
      if (name.startsWith('on')) found.push(`${element.tagName} ${name}`);
      if (['href', 'src', 'action', 'data', 'formaction'].includes(name)
          && (value.startsWith('javascript:') || value.startsWith('data:text/html')))
        found.push(`${element.tagName} ${name}=${value}`);
    }
  }
  for (const script of document.querySelectorAll('script')) {
    let path = '';
    try { path = new URL(script.src).pathname; } catch (error) { path = ''; }
    // Our static files, and the admin's translations catalogue.
    if (!(script.src && (path.startsWith('/static/') || path === '/admin/jsi18n/')))
      found.push(`script ${script.src || script.textContent.slice(0, 40)}`);
  }
  for (const tag of ['object', 'embed', 'base', 'meta[http-equiv]', 'svg script', 'math'])
    for (const element of document.querySelectorAll(tag)) found.push(tag);
  for (const frame of document.querySelectorAll('iframe'))
    if (!frame.hasAttribute('sandbox') || frame.getAttribute('sandbox').includes('allow-scripts'))
      found.push('iframe without a sandbox');
  return found;
}"""


@pytest.fixture
def hostile_desk(agent, coordinator, settings, tmp_path):
    """Every payload in every field a person or an e-mail controls."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    notification_reference.load()
    template = ResponseTemplate.objects.create(
        title=PAYLOADS[0][:100],
        subject_suffix=PAYLOADS[2],
        body="Estimado/a {{ nombre_completo }}:\n\n{{ texto }}",
        applies_to="BOTH",
    )
    tickets = []
    for index, payload in enumerate(PAYLOADS):
        customer = CustomerFactory(
            first_name=payload,
            surnames=payload,
            organisation=payload,
            email=f"c{index}@example.com",
        )
        ticket = make_incident(
            user=agent, customer=customer, summary=payload, work_info_notes=payload
        )
        tickets.append(ticket)
    showcase = tickets[0]
    work_order = make_work_order(user=agent, customer=showcase.customer, summary=PAYLOADS[3])
    for payload in PAYLOADS:
        for ticket in (showcase, work_order):
            work_info_add(
                ticket=ticket,
                user=agent,
                notes=payload,
                attachments=[SimpleUploadedFile(f"{payload[:60]}.txt", b"hola\n")],
            )
    # Escalated, so the coordination queue shows them too, each with a payload
    # as the reason.
    for ticket, payload in zip(tickets[:10], PAYLOADS, strict=False):
        ticket.refresh_from_db()
        escalate_other(ticket, agent, payload)
    email = email_save_draft(
        ticket=showcase, user=agent, template=template, note="\n".join(PAYLOADS)[:2000]
    )
    return {"incident": showcase, "work_order": work_order, "email": email}


def pages_to_open(desk) -> list[str]:
    incident, work_order, email = desk["incident"], desk["work_order"], desk["email"]
    all_open = "?f=1&open=on"
    return [
        reverse("incidents:console") + all_open,
        reverse("workorders:console") + all_open,
        # Filter values typed by the agent, shown back in the console's form.
        reverse("incidents:console")
        + "?f=1&text=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"
        + "&customer=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
        + "&number=%27%3E%3Csvg%20onload%3Dalert(1)%3E",
        reverse("search") + "?q=alert",
        reverse("search") + "?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
        reverse("coordination"),
        reverse("incidents:detail", args=[incident.number]),
        reverse("workorders:detail", args=[work_order.number]),
        reverse("incidents:email", args=[incident.number]),
        reverse("incidents:email_message", args=[incident.number, email.pk]),
        reverse("customers:lookup") + "?q=alert",
        reverse("customers:pick", args=[incident.customer.pk]),
    ]


def admin_pages(desk) -> list[str]:
    return [
        reverse("admin:customers_customer_changelist"),
        reverse("admin:incidents_incident_changelist"),
        reverse("admin:incidents_incident_change", args=[desk["incident"].pk]),
        reverse("admin:notifications_responsetemplate_changelist"),
        reverse("admin:notifications_outgoingemail_change", args=[desk["email"].pk]),
    ]


def visit(page, urls: list[str], dialogs: list[str], shown_as_text=()) -> list[str]:
    problems = []
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status < 500, url
        page.wait_for_load_state("load")
        problems += [f"{url}: {what}" for what in page.evaluate(INJECTED)]
        if url in shown_as_text:
            # The payloads are there, as text.
            text = page.inner_text("body")
            missing = [p for p in PAYLOADS[:12] if p.strip() not in text]
            problems += [f"{url}: not shown as text: {p}" for p in missing]
    problems += dialogs
    return problems


def test_no_stored_payload_runs_or_adds_markup_on_any_page(
    open_page, agent, admin_user, hostile_desk
):
    assert len(PAYLOADS) >= 30
    assert Incident.objects.filter(summary__in=PAYLOADS).count() == len(PAYLOADS)
    dialogs: list[str] = []

    page = open_page()
    page.on(
        "dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss())
    )
    log_in(page, agent)
    urls = pages_to_open(hostile_desk)
    detail = reverse("incidents:detail", args=[hostile_desk["incident"].number])
    problems = visit(page, urls, dialogs, shown_as_text=[urls[0], detail])

    admin_page = open_page()
    admin_page.on(
        "dialog",
        lambda dialog: (dialogs.append(f"{admin_page.url}: {dialog.message}"), dialog.dismiss()),
    )
    log_in(admin_page, admin_user)
    problems += visit(admin_page, admin_pages(hostile_desk), dialogs)

    assert problems == []


def test_the_corpus_would_be_caught_if_a_page_did_not_escape(open_page, agent, live_server):
    """The detector works: the same payloads, written unescaped into a page
    of the browser's own, are reported."""
    dialogs: list[str] = []
    page = open_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content("<div>" + "".join(PAYLOADS[:5]) + "</div>")
    page.wait_for_timeout(200)

    assert page.evaluate(INJECTED) != []
    assert dialogs != []
