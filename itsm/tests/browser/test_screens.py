"""Every page fits the screens the desk is used on (1024×768, 1366×768,
1920×1080) for every role: nothing scrolls sideways, the top bar's search box
and button are whole, console rows are one line high from 1366 px, and the
consoles and the coordination queue offer their CSV export with the filters
and sort on screen."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from itsm.common.permissions import DATA_PROTECTION_GROUP
from itsm.presenters import customer_url
from itsm.services.escalation import ticket_escalate
from itsm.tests.browser.helpers import log_in, screenshot
from itsm.tests.factories import make_incident, make_work_order, pend
from kb.models import Article, ArticleStatus
from kb.services.articles import article_save
from notifications import reference_data as notification_reference
from notifications.models import InboundEmail
from notifications.services.inbound import inbound_receive
from notifications.tests.corpus import plain
from privacy.services import customer_block, request_create, request_extend
from telephony.tests.factories import make_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"1024x768": (1024, 768), "1366x768": (1366, 768), "1920x1080": (1920, 1080)}
ROLES = ("agent", "coordinator", "admin_user")

# As long as a summary may be (100 characters): it wraps in any column that lets it.
SUMMARY = (
    "No puede presentar el depósito de cuentas anuales: "
    "ERROR 23 al firmar con el certificado de empresa"
)
INCIDENT_FILTERS = {"f": "1", "open": "on", "o": "-due"}
WORK_ORDER_FILTERS = {"f": "1", "status": "pending", "o": "priority"}
COORDINATION_FILTERS = {"case": "other"}


@pytest.fixture
def desk(agent, other_agent, coordinator):
    """A working day's worth of long names and texts on every page."""
    notification_reference.load()
    customer = CustomerFactory(
        first_name="María de los Ángeles",
        surnames="Fernández-Villaverde Gómez de la Serna",
        organisation="Asesoría Contable y Mercantil del Noroeste Peninsular, S.L.",
    )
    incidents = [
        make_incident(user=agent, customer=customer, summary=SUMMARY, assignee=agent)
        for _ in range(6)
    ]
    for incident in incidents[:3]:
        pend(incident, agent)
    work_orders = [
        make_work_order(user=agent, customer=customer, summary=SUMMARY, assignee=agent)
        for _ in range(4)
    ]
    for work_order in work_orders[:2]:
        pend(work_order, agent)
    escalated = make_incident(user=other_agent, customer=customer, summary=SUMMARY)
    ticket_escalate(
        ticket=escalated,
        user=other_agent,
        expected_version=escalated.version,
        case="other",
        data={"description": SUMMARY},
    )
    receipt = inbound_receive(
        raw=plain(
            sender=f"María Fernández <{customer.email}>",
            subject=SUMMARY,
            body=f"{SUMMARY}\n\n" * 3,
        ),
        source="pipe",
    )
    article = Article(
        title=f"{SUMMARY}: qué comprobar",
        body=f"{SUMMARY}.\n\n1. Compruebe el certificado.\n2. Vuelva a firmar.",
        status=ArticleStatus.PUBLISHED,
    )
    article_save(article, user=coordinator)
    return {
        "customer": customer,
        "article": article,
        "call": make_call(customer, number="+34 912 345 678", call_id="screens-1"),
        "incident": incidents[0],
        "work_order": work_orders[0],
        "message": InboundEmail.objects.get(pk=receipt.email_id),
    }


def _pages(desk) -> dict[str, str]:
    incident, work_order = desk["incident"], desk["work_order"]
    return {
        "incidents": _url("incidents:console", INCIDENT_FILTERS),
        "work-orders": _url("workorders:console", WORK_ORDER_FILTERS),
        "incident": incident.get_absolute_url(),
        "work-order": work_order.get_absolute_url(),
        "new-incident": reverse("incidents:new"),
        "mailbox": reverse("notifications:mailbox"),
        "message": reverse("notifications:mailbox_detail", args=[desk["message"].pk]),
        "coordination": _url("coordination", COORDINATION_FILTERS),
        "dashboard": reverse("dashboard"),
        # Bare digits: the incident and the work order of that number.
        "search": _url("search", {"q": incident.number.removeprefix("INC").lstrip("0")}),
        "customer": customer_url(desk["customer"]),
        "email": reverse("incidents:email", args=[incident.number]),
        "calls": reverse("telephony:calls"),
        "call": reverse("telephony:detail", args=[desk["call"].pk]),
        "kb": reverse("kb:list"),
        "article": reverse("kb:detail", args=[desk["article"].pk]),
        "merge": reverse("incidents:merge") + f"?numbers={incident.number}",
    }


def _url(name: str, query: dict) -> str:
    return reverse(name) + "?" + "&".join(f"{key}={value}" for key, value in query.items())


def _query(href: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(href).query).items()}


def _check_top_bar(page, width: int) -> None:
    """The search box and its button are whole and on screen."""
    for selector in ("#global-search", "#global-search ~ button"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, selector
    assert page.locator("#global-search").bounding_box()["width"] >= 120


def _visit(page, url: str, width: int) -> int | None:
    """Open the page and check its top bar; its width when wider than the window."""
    page.goto(url)
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    _check_top_bar(page, width)
    return scroll_width if scroll_width > inner_width else None


def _check_console(page, filters: dict, one_line: bool) -> None:
    export = page.locator("#console-export")
    expect(export).to_be_visible()
    expect(export).to_have_text("Exportar CSV")
    href = export.get_attribute("href")
    assert urlsplit(href).path.endswith("/export.csv")
    assert _query(href) == filters
    rows = page.locator(".console-table tbody tr")
    assert rows.count() > 0
    first = rows.first
    # The whole line is in the row's title, each cut text in its cell's.
    assert SUMMARY in first.get_attribute("title")
    expect(first.locator(".console-summary")).to_have_attribute("title", SUMMARY)
    expect(first.locator(".console-customer")).to_have_attribute(
        "title", "María de los Ángeles Fernández-Villaverde Gómez de la Serna"
    )
    if one_line:
        header = page.locator(".console-table thead tr").bounding_box()["height"]
        heights = page.locator(".console-table tbody tr").evaluate_all(
            "rows => rows.map(row => row.getBoundingClientRect().height)"
        )
        # A wrapped cell makes its row at least one more line high.
        assert max(heights) < header + 8, (header, heights)
        names = page.locator(".console-table thead th").evaluate_all(
            "cells => cells.filter(c => c.offsetWidth > 0).map(c => c.textContent.trim())"
        )
        assert names[:4] == ["Número", "Cliente", "Resumen", "Estado"]


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_the_screen_for_every_role(page, request, desk, role, screen):
    user = request.getfixturevalue(role)
    width, height = SCREENS[screen]
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, user)
    overflowing = {}
    for name, url in _pages(desk).items():
        if wider := _visit(page, url, width):
            overflowing[name] = wider
        if name == "incidents":
            _check_console(page, INCIDENT_FILTERS, one_line=width >= 1366)
        elif name == "work-orders":
            _check_console(page, WORK_ORDER_FILTERS, one_line=width >= 1366)
        elif name == "coordination":
            export = page.locator("#coordination-export")
            if role == "agent":  # the queue's export is the coordinators'
                expect(export).to_have_count(0)
            else:
                expect(export).to_be_visible()
                assert _query(export.get_attribute("href")) == COORDINATION_FILTERS
        elif name == "search":
            link = page.locator("#tickets-heading + div td a", has_text="Fernández-Villaverde")
            expect(link.first).to_have_attribute("href", customer_url(desk["customer"]))
        if width == 1366:
            screenshot(page, f"screen-{role}-{name}-{screen}")
    assert overflowing == {}, f"wider than {width} px: {overflowing}"


@pytest.mark.parametrize("role", ROLES)
def test_the_top_bar_groups_new_tickets_and_links_staff_to_the_admin(page, request, role):
    user = request.getfixturevalue(role)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, user)
    page.goto(reverse("dashboard"))
    nav = page.get_by_role("navigation", name="Navegación principal")
    nav.get_by_role("button", name="Nueva…").click()
    nav.get_by_role("link", name="Nueva orden de trabajo").click()
    page.wait_for_url(f"**{reverse('workorders:new')}")
    # The administration is in the menu under the user's name.
    nav.locator("#nav-user-menu button").click()
    admin_link = nav.get_by_role("link", name="Administración", exact=True)
    if user.is_staff:
        admin_link.click()
        page.wait_for_url(f"**{reverse('admin:index')}")
    else:
        expect(admin_link).to_have_count(0)


@pytest.mark.parametrize("width", [1366, 1024])
def test_the_users_menu_opens_on_screen_at_laptop_widths(page, admin_user, width):
    page.set_viewport_size({"width": width, "height": 768})
    log_in(page, admin_user)
    page.goto(reverse("dashboard"))
    nav = page.get_by_role("navigation", name="Navegación principal")
    if width < 1200:
        nav.locator(".navbar-toggler").click()
        # Bootstrap's collapse animates; a click while it moves can be lost.
        expect(nav.locator(".navbar-collapse.show")).to_be_visible()
    nav.locator("#nav-user-menu button").click()
    menu = nav.locator("#nav-user-menu .dropdown-menu")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width


def test_the_export_button_downloads_what_the_console_shows(page, agent, desk):
    log_in(page, agent)
    page.goto(_url("workorders:console", WORK_ORDER_FILTERS))
    with page.expect_download() as download:
        page.locator("#console-export").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 2  # the header and the two pending work orders
    assert any(line.startswith(desk["work_order"].number) for line in lines[1:])


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_data_protection_pages_fit_the_screen(page, coordinator, desk, screen):
    """The role's list (with a customer search), a request with its steps
    and actions, and a new request's form."""
    coordinator.groups.add(Group.objects.get(name=DATA_PROTECTION_GROUP))
    # A fresh instance: the desk's fixture already read (and kept) its roles.
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)
    erasure = request_create(
        user=coordinator,
        customer=desk["customer"],
        right="erasure",
        identity_check="dni_copy",
        received_on=timezone.localdate(),
    )
    request_extend(request=erasure, user=coordinator, reason=SUMMARY)
    customer_block(request=erasure, user=coordinator)
    width, height = SCREENS[screen]
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, coordinator)
    pages = {
        "privacy-list": _url("privacy:list", {"due": "all", "q": "Fernández"}),
        "privacy-request": erasure.get_absolute_url(),
        "privacy-new": reverse("privacy:new", args=[desk["customer"].pk]),
    }
    overflowing = {}
    for name, url in pages.items():
        if wider := _visit(page, url, width):
            overflowing[name] = wider
        if width == 1366:
            screenshot(page, f"screen-data-protection-{name}-{screen}")
    expect(page.locator("#id_received_on")).to_have_value(timezone.localdate().isoformat())
    assert overflowing == {}, f"wider than {width} px: {overflowing}"
