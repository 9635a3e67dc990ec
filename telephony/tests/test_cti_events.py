"""Zammad Generic CTI events replayed through the real endpoint, as a PBX
posts them: in order, out of order, twice, anonymous, unknown, transferred,
missed and called back, blocked."""

import hashlib
import hmac
import json
from itertools import permutations

import pytest
from django.test import Client

from customers.tests.factories import CustomerFactory
from telephony.models import Call, CallbackResult, CallbackStatus, CallEvent
from telephony.tests.conftest import post_event

pytestmark = pytest.mark.django_db

DESK = "4930123456"  # the number customers dial


@pytest.fixture
def pbx() -> Client:
    # A PBX has no session and no CSRF token.
    return Client(enforce_csrf_checks=True)


def call_events(call_id: str, caller: str, *, extension: str = "101", talk: bool = True):
    """newCall → answer → hangup of one inbound call, as Zammad's docs show."""
    common = {"from_": caller, "to": DESK, "direction": "in", "callId": call_id}
    events = [{"event": "newCall", **common, "user": [extension]}]
    if talk:
        events.append({"event": "answer", **common, "answeringNumber": extension})
        events.append({"event": "hangup", **common, "cause": "normalClearing"})
    else:
        events.append({"event": "hangup", **common, "cause": "cancel"})
    return events


def replay(pbx, url, clock, events, *, gap: float = 10):
    answers = []
    for event in events:
        response = post_event(pbx, url, **event)
        assert response.status_code == 200, response.content
        answers.append(response.json())
        clock.tick(gap)
    return answers


def test_an_answered_call_is_logged_with_its_agent_customer_and_talk_time(
    pbx, cti_url, clock, extensions
):
    customer = CustomerFactory(phone="612 34 56 78")
    answers = replay(pbx, cti_url, clock, call_events("c-1", "+34612345678"), gap=96)

    call = Call.objects.get(call_id="c-1")
    assert answers == [{}, {}, {}]
    assert call.direction == "in"
    assert call.remote_e164 == "+34612345678"
    assert call.customer == customer
    assert call.agent == extensions["101"]
    assert call.extension == "101"
    assert call.answered_at is not None and call.ended_at is not None
    assert call.talk_seconds == 96
    assert call.cause == "normalClearing"
    assert not call.missed and call.callback_status == ""
    assert CallEvent.objects.filter(call=call).count() == 3


def test_form_data_with_user_brackets_is_read_like_json(pbx, cti_url, clock, extensions):
    for event in call_events("form-1", "0034612345678", extension="102"):
        response = post_event(pbx, cti_url, as_json=False, **event)
        assert response.status_code == 200
        clock.tick(30)

    call = Call.objects.get(call_id="form-1")
    assert call.agent == extensions["102"]
    assert call.talk_seconds == 30
    assert call.remote_e164 == "+34612345678"


@pytest.mark.parametrize("order", list(permutations(range(3))))
def test_any_order_of_the_same_events_gives_the_same_call(pbx, cti_url, clock, extensions, order):
    CustomerFactory(phone="612345678")
    events = call_events("order", "612345678")
    replay(pbx, cti_url, clock, [events[i] for i in order])

    call = Call.objects.get(call_id="order")
    assert call.agent == extensions["101"]
    assert call.answered_at and call.ended_at
    assert call.answered_at <= call.ended_at
    assert call.talk_seconds >= 0
    assert not call.missed  # answered, whenever the answer arrived
    assert call.callback_status == ""


def test_every_event_twice_records_one_call(pbx, cti_url, clock, extensions):
    events = call_events("dup", "612345678")
    replay(pbx, cti_url, clock, [e for event in events for e in (event, event)], gap=5)

    assert Call.objects.filter(call_id="dup").count() == 1
    call = Call.objects.get(call_id="dup")
    # The first answer and the first hang-up count: 2 events apart.
    assert call.talk_seconds == 10
    assert call.events.count() == 6


def test_an_unanswered_inbound_call_is_missed_and_owed_a_call_back(
    pbx, cti_url, clock, extensions, settings
):
    settings.CTI_CALLBACK_TARGET_MINUTES = 30
    replay(pbx, cti_url, clock, call_events("miss", "612345678", talk=False))

    call = Call.objects.get(call_id="miss")
    assert call.missed
    assert call.callback_status == CallbackStatus.OPEN
    assert (call.callback_due_at - call.rung_at).total_seconds() == 30 * 60
    assert call.talk_seconds == 0


def test_an_answered_outbound_call_to_the_number_closes_its_missed_calls(
    pbx, cti_url, clock, extensions
):
    replay(pbx, cti_url, clock, call_events("miss-1", "612 34 56 78", talk=False))
    replay(pbx, cti_url, clock, call_events("miss-2", "+34612345678", talk=False))
    other = call_events("miss-other", "699000111", talk=False)
    replay(pbx, cti_url, clock, other)
    # An attempt nobody picks up leaves them open.
    outbound = {"from_": "102", "to": "0034612345678", "direction": "out"}
    replay(
        pbx,
        cti_url,
        clock,
        [
            {"event": "newCall", "callId": "back-0", **outbound, "user": ["102"]},
            {"event": "hangup", "callId": "back-0", **outbound, "cause": "noAnswer"},
        ],
    )
    assert Call.objects.missed_open().count() == 3

    replay(
        pbx,
        cti_url,
        clock,
        [
            {"event": "newCall", "callId": "back-1", **outbound, "user": ["102"]},
            {"event": "answer", "callId": "back-1", **outbound},
            {"event": "hangup", "callId": "back-1", **outbound, "cause": "normalClearing"},
        ],
    )

    back = Call.objects.get(call_id="back-1")
    assert back.agent == extensions["102"]
    for call_id in ("miss-1", "miss-2"):
        call = Call.objects.get(call_id=call_id)
        assert call.callback_status == CallbackStatus.DONE
        assert call.callback_result == CallbackResult.CALLED_BACK
        assert call.callback_call == back
        assert call.callback_closed_by == extensions["102"]
    assert Call.objects.get(call_id="miss-other").callback_status == CallbackStatus.OPEN


def test_a_transferred_call_belongs_to_the_extension_that_answered(pbx, cti_url, clock, extensions):
    common = {"from_": "612345678", "to": DESK, "direction": "in", "callId": "xfer"}
    replay(
        pbx,
        cti_url,
        clock,
        [
            {"event": "newCall", **common, "user": ["101"]},
            {"event": "answer", **common, "answeringNumber": "102"},
            {"event": "hangup", **common, "cause": "normalClearing", "answeringNumber": "102"},
        ],
    )

    call = Call.objects.get(call_id="xfer")
    assert call.agent == extensions["102"]
    assert call.extension == "102"
    # Both were told: the first that it rang, both when it was answered.
    assert set(call.notified_user_ids) == {extensions["101"].pk, extensions["102"].pk}


def test_an_anonymous_caller_is_logged_without_a_number_or_customer(
    pbx, cti_url, clock, extensions
):
    CustomerFactory(phone="612345678")
    replay(pbx, cti_url, clock, call_events("anon", "anonymous", talk=False))

    call = Call.objects.get(call_id="anon")
    assert call.remote_e164 == ""
    assert call.from_number == "anonymous"
    assert call.customer is None
    assert call.missed  # still owed, though nobody can dial it
    assert list(call.matched_customers.all()) == []


def test_an_unknown_number_matches_nobody(pbx, cti_url, clock, extensions):
    CustomerFactory(phone="612345678")
    replay(pbx, cti_url, clock, call_events("unknown", "+34 698 76 54 32"))

    call = Call.objects.get(call_id="unknown")
    assert call.remote_e164 == "+34698765432"
    assert call.customer is None


def test_a_shared_switchboard_matches_every_customer_and_picks_none(
    pbx, cti_url, clock, extensions
):
    first = CustomerFactory(phones=[("switchboard", "91 555 01 00")], phone="")
    second = CustomerFactory(phones=[("switchboard", "+34915550100")], phone="")
    replay(pbx, cti_url, clock, call_events("shared", "0034 915 550 100"))

    call = Call.objects.get(call_id="shared")
    assert call.customer is None
    assert set(call.matched_customers.all()) == {first, second}


def test_a_blocked_number_is_rejected_as_zammad_answers(pbx, cti_url, clock, integration):
    made, _token = integration
    made.blocked_numbers = "612 34 56 78\n"
    made.save()
    common = {"from_": "+34612345678", "to": DESK, "direction": "in", "callId": "spam"}

    answer = post_event(pbx, cti_url, event="newCall", **common)

    assert answer.status_code == 200
    assert answer.json() == {"action": "reject"}
    post_event(pbx, cti_url, event="hangup", cause="cancel", **common)
    call = Call.objects.get(call_id="spam")
    assert call.blocked and not call.missed
    assert call.callback_status == ""


def test_a_queue_call_without_an_extension_rings_everyone_in_the_queue(
    pbx, cti_url, clock, extensions
):
    common = {"from_": "612345678", "to": DESK, "direction": "in", "callId": "q"}
    post_event(pbx, cti_url, event="newCall", queue="soporte", **common)

    call = Call.objects.get(call_id="q")
    assert call.queue == "soporte"
    assert set(call.notified_user_ids) == {u.pk for u in extensions.values()}
    assert call.agent is None
    post_event(pbx, cti_url, event="newCall", queue="libros", **{**common, "callId": "q2"})
    assert Call.objects.get(call_id="q2").notified_user_ids == [extensions["102"].pk]


def test_the_same_call_id_of_two_integrations_is_two_calls(pbx, clock, integration, extensions):
    from django.urls import reverse

    from telephony.models import CtiIntegration

    token = CtiIntegration.new_token()
    second = CtiIntegration(name="Otra centralita")
    second.set_token(token)
    second.save()
    event = call_events("same", "612345678")[0]
    post_event(pbx, reverse("telephony:cti", args=[integration[1]]), **event)
    post_event(pbx, reverse("telephony:cti", args=[token]), **event)

    assert Call.objects.filter(call_id="same").count() == 2


# --- refusals: 4xx, never 5xx -----------------------------------------------------


def test_an_unknown_token_is_refused(pbx, db):
    response = post_event(pbx, "/api/v1/cti/nada", **call_events("x", "612345678")[0])
    assert response.status_code == 401
    assert not Call.objects.exists()


def test_an_inactive_integration_is_refused(pbx, cti_url, integration):
    made, _token = integration
    made.active = False
    made.save()
    assert post_event(pbx, cti_url, **call_events("x", "612345678")[0]).status_code == 401


def test_only_post_is_accepted(pbx, cti_url):
    assert pbx.get(cti_url).status_code == 405


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"event": "newCall"}',
        b'{"event": "dance", "callId": "1", "direction": "in"}',
        b'{"event": "newCall", "callId": "1", "direction": "sideways"}',
        b'{"event": "newCall", "callId": {"a": 1}, "direction": "in"}',
        json.dumps({"event": "newCall", "callId": "x" * 251, "direction": "in"}).encode(),
        json.dumps({"event": "newCall", "callId": "1", "direction": "in", "user[]": [{}]}).encode(),
        b'{"event": "newCall", "callId": "1", "direction": "in", "from": "\\u0000"}',
        b"\xff\xfe",
    ],
)
def test_bad_input_is_a_4xx_and_records_nothing(pbx, cti_url, body):
    response = pbx.post(cti_url, body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert not Call.objects.exists()


def test_numbers_in_json_may_be_numbers(pbx, cti_url, clock, extensions):
    response = pbx.post(
        cti_url,
        {"event": "newCall", "from": 34612345678, "to": 101, "direction": "in", "callId": 77},
        content_type="application/json",
    )
    assert response.status_code == 200
    call = Call.objects.get(call_id="77")
    assert call.remote_e164 == "+34612345678"
    assert call.agent == extensions["101"]


# --- the signature ----------------------------------------------------------------


def signed(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_with_a_secret_only_signed_events_are_accepted(pbx, cti_url, integration, clock):
    made, _token = integration
    made.hmac_secret = "s3cret"
    made.save()
    body = json.dumps(
        {"event": "newCall", "from": "612345678", "to": DESK, "direction": "in", "callId": "s"}
    ).encode()

    unsigned = pbx.post(cti_url, body, content_type="application/json")
    wrong = pbx.post(
        cti_url,
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signed("other", body)},
    )
    good = pbx.post(
        cti_url,
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signed("s3cret", body)},
    )

    assert unsigned.status_code == 401
    assert wrong.status_code == 401
    assert good.status_code == 200
    assert Call.objects.filter(call_id="s").count() == 1
