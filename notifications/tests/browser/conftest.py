"""The browser and page fixtures of the ticket pages' browser tests."""

from itsm.tests.browser.conftest import (  # noqa: F401
    browser,
    open_page,
    page,
    pytest_runtest_makereport,
)
