"""What the phone tests share: an integration and its token, agents with
extensions, a clock the events read, and posting events to the real
endpoint."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from telephony.models import AgentPhone, CtiIntegration
from telephony.services import events as event_service


class Clock:
    """The time the event service reads, moved by the test."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def tick(self, seconds: float) -> datetime:
        self.moment += timedelta(seconds=seconds)
        return self.moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    made = Clock()
    monkeypatch.setattr(event_service, "timezone", made)
    return made


@pytest.fixture
def integration(db) -> tuple[CtiIntegration, str]:
    token = CtiIntegration.new_token()
    made = CtiIntegration(name="Centralita")
    made.set_token(token)
    made.save()
    return made, token


@pytest.fixture
def cti_url(integration) -> str:
    return reverse("telephony:cti", args=[integration[1]])


@pytest.fixture
def extensions(agent, other_agent) -> dict:
    """The agent answers at 101, the other agent at 102; both in queue "soporte"."""
    AgentPhone.objects.create(user=agent, extension="101", queues="soporte")
    AgentPhone.objects.create(user=other_agent, extension="102", queues="soporte, libros")
    return {"101": agent, "102": other_agent}


def post_event(client, url: str, *, as_json: bool = True, **fields):
    """One Zammad Generic CTI event, as the bridges send it."""
    if "from_" in fields:
        fields["from"] = fields.pop("from_")
    if as_json:
        return client.post(url, fields, content_type="application/json")
    users = fields.pop("user", [])
    data = {**fields, "user[]": users} if users else fields
    return client.post(url, data)
