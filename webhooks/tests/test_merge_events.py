"""A merge is announced like any other change: the merged ticket's status
(closed, with the merged reason) and both tickets' updates."""

import pytest
from standardwebhooks import Webhook

from itsm import events
from itsm.services.merge import ticket_merge
from itsm.tests.factories import make_incident, make_work_order

pytestmark = pytest.mark.django_db


def test_a_merge_announces_the_closed_ticket_and_both_updates(
    agent, receiver, subscribe, private_media, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url(), list(events.EVENT_TYPES))
    source = make_incident(user=agent)
    target = make_work_order(user=agent, customer=source.customer)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_merge(source=source, target_number=target.number, user=agent)
    webhook = Webhook(subscription.secret)
    payloads = [webhook.verify(r.body, r.headers) for r in receiver.requests]
    (status,) = [p["data"] for p in payloads if p["type"] == events.TICKET_STATUS_CHANGED]
    assert status["ticket"]["number"] == source.number
    assert status["ticket"]["status"] == "closed"
    assert status["old_status"] == source.status
    updated = {
        p["data"]["ticket"]["number"] for p in payloads if p["type"] == events.TICKET_UPDATED
    }
    assert updated == {source.number, target.number}
