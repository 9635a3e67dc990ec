import pytest

from webhooks.services import subscription_create
from webhooks.tests.receiver import Receiver


@pytest.fixture
def allow_private(settings):
    """The receiver listens on loopback, which only an intranet desk allows."""
    settings.ITSM_WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def subscribe(admin_user, allow_private):
    def make(url: str, events: list[str]):
        return subscription_create(owner=admin_user, name="Portal", url=url, events=events)

    return make
