"""What the browser tests do the way a person does it."""

import re
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import expect

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
PASSWORD = "test-password-123"


def log_in(page, user, *, password: str = PASSWORD) -> None:
    """The login form, as a person fills it: user, Tab, password, Enter."""
    page.goto(reverse("login"))
    page.locator("#id_username").fill(user.get_username())
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)


def screenshot(page, name: str) -> None:
    """A picture of a main page, to check by eye that it looks right."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # Finish fades (tabs, alerts) instead of catching them half-way.
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True, animations="disabled")


def expect_tab_shown(page, pane_id: str) -> None:
    """A Bootstrap tab pane is in view once it has faded in, not just when it
    is displayed (it is displayed, transparent, while fading)."""
    expect(page.locator(f"#{pane_id}")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
