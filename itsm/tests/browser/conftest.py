"""Browser tests: Debian's Chromium, driven by Playwright, against live_server.

One browser for the whole browser suite and a fresh context (cookies,
storage) per user and test. A failing test leaves a screenshot and the HTML of
every page it had open in ``test-artifacts/``; the main pages are also
photographed into ``test-artifacts/screenshots/`` on every run, to look at by eye.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import missing_service
from itsm.tests.browser.helpers import ARTIFACTS, log_in

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# An agent's desktop; the pages are laid out for it.
VIEWPORT = {"width": 1440, "height": 900}
# Playwright's default is 30 s: a local page that takes 10 s is broken anyway.
TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# Package scope: one browser for all the browser tests, stopped once they are
# done, because Playwright keeps an event loop running in the main thread
# (async_to_sync refuses to run there) for as long as it is started.
@pytest.fixture(scope="package")
def browser() -> Iterator:
    if not os.access(CHROMIUM, os.X_OK):
        missing_service(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as error:
        missing_service(f"Playwright is not installed: {error}")
    # Playwright's sync API keeps an asyncio loop in this thread, and Django
    # refuses ORM calls from a thread with a running loop; the fixtures and
    # assertions here are plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000
            )
        except Error as error:
            missing_service(f"Chromium did not start: {error}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:120]


def _save_failure(pages: list, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for index, page in enumerate(pages, start=1):
        if page.is_closed():
            continue
        stem = ARTIFACTS / f"{name}-{index}"
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
        except Exception as error:  # the page may have crashed; keep the test's own error
            Path(f"{stem}.txt").write_text(f"could not save the page: {error}\n")


@pytest.fixture
def open_page(browser, live_server, request) -> Iterator[Callable]:
    """A new, logged-out browser window (context) on the live server."""
    contexts, pages, errors = [], [], []
    name = _artifact_name(request.node.nodeid)
    for stale in ARTIFACTS.glob(f"{name}-*"):  # from an earlier failing run
        stale.unlink()

    def open_page(*, bypass_csp: bool = False):
        # bypass_csp: the page as a browser without the Content-Security-Policy
        # sees it, for what must hold without it (the mail sanitiser).
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORT,
            locale="es-ES",
            timezone_id="Europe/Madrid",
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        # Chromium reports what the Content-Security-Policy blocked on the console.
        page.on(
            "console",
            lambda message: (
                errors.append(f"{page.url}: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        pages.append(page)
        return page

    yield open_page
    reports = (getattr(request.node, f"report_{when}", None) for when in ("setup", "call"))
    if any(report is not None and report.failed for report in reports):
        _save_failure(pages, name)
    for context in contexts:
        context.close()
    # An uncaught script error or a policy violation is a bug even when the
    # test got through.
    assert not errors, f"JavaScript errors or CSP violations: {errors}"


@pytest.fixture
def page_as(open_page) -> Callable:
    """``page_as(user)``: a new window with ``user`` logged in."""

    def open_as(user, **options):
        page = open_page(**options)
        log_in(page, user)
        return page

    return open_as


@pytest.fixture
def page(open_page):
    return open_page()
