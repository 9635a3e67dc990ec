"""Turning the phone system's events into calls. Events of one call may come
in any order and more than once: each fills what it knows and never
undoes what another said, so any order of the same events gives the same
call."""

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from telephony import push
from telephony.forms import CtiEvent
from telephony.models import (
    Call,
    CallbackResult,
    CallbackStatus,
    CallEvent,
    CtiIntegration,
    Direction,
    HangupCause,
    hash_token,
)
from telephony.selectors import (
    agents_named,
    agents_of_queue,
    customers_for_number,
    e164_or_blank,
    extension_of,
)
from telephony.services.tickets import journal_pending_links

REJECT = {"action": "reject"}


def integration_for_token(token: str) -> CtiIntegration | None:
    if not token or len(token) > 100:
        return None
    return CtiIntegration.objects.filter(token_hash=hash_token(token), active=True).first()


def signature_valid(integration: CtiIntegration, body: bytes, header: str) -> bool:
    """``X-Hub-Signature-256: sha256=<hex>``, HMAC-SHA256 of the raw body."""
    if not integration.hmac_secret:
        return True
    expected = hmac.new(integration.hmac_secret.encode(), body, hashlib.sha256).hexdigest()
    given = header.removeprefix("sha256=").strip()
    return hmac.compare_digest(expected, given)


def is_blocked(integration: CtiIntegration, e164: str) -> bool:
    if not e164 or not integration.blocked_numbers:
        return False
    listed = {e164_or_blank(line) for line in integration.blocked_numbers.splitlines()}
    return e164 in listed - {""}


def _call_for_update(integration: CtiIntegration, event: CtiEvent, now) -> tuple[Call, bool]:
    """The call of ``event``, locked; made by whichever event comes first."""
    calls = Call.objects.select_for_update().filter(integration=integration, call_id=event.call_id)
    call = calls.first()
    if call is not None:
        return call, False
    try:
        with transaction.atomic():
            return Call.objects.create(
                integration=integration,
                call_id=event.call_id,
                direction=event.direction,
                from_number=event.from_number,
                to_number=event.to_number,
                rung_at=now,
            ), True
    except IntegrityError:
        # Another request made it between our read and our insert.
        return calls.get(), False


def _fill_parties(call: Call, event: CtiEvent) -> None:
    """What the call is: the first event that says it wins."""
    call.from_number = call.from_number or event.from_number
    call.to_number = call.to_number or event.to_number
    call.queue = call.queue or event.queue
    remote = call.from_number if call.direction == Direction.INBOUND else call.to_number
    call.remote_e164 = call.remote_e164 or e164_or_blank(remote)


def _match_customer(call: Call, *, created: bool) -> None:
    if not created or not call.remote_e164:
        return
    matched = customers_for_number(call.remote_e164)
    call.customer = matched[0] if len(matched) == 1 else None
    call._matched = matched


def _rung_agents(call: Call, event: CtiEvent) -> list:
    """Whose phone rings: the agents named by ``user[]`` and the number
    called (an extension or direct line); else everyone in the queue."""
    if call.direction == Direction.INBOUND:
        named = agents_named([*event.users, event.to_number])
    else:
        named = agents_named([*event.users, event.from_number])
    if not named and call.direction == Direction.INBOUND:
        named = agents_of_queue(call.queue)
    return named


def _apply_new_call(call: Call, event: CtiEvent) -> list:
    agents = _rung_agents(call, event)
    if len(agents) == 1 and call.agent_id is None:
        call.agent = agents[0]
        call.extension = call.extension or extension_of(agents[0])
    return agents


def _apply_answer(call: Call, event: CtiEvent, now) -> list:
    call.answered_at = call.answered_at or now
    answering = agents_named([event.answering_number]) if event.answering_number else []
    if not answering and event.users:
        answering = agents_named(list(event.users))
    if len(answering) == 1:
        # A transfer: whoever picks it up is the call's agent.
        call.agent = answering[0]
        call.extension = extension_of(answering[0]) or event.answering_number
    return answering


def _apply_hangup(call: Call, event: CtiEvent, now) -> None:
    call.ended_at = call.ended_at or now
    call.cause = call.cause or event.cause
    if call.agent_id is None and event.answering_number:
        named = agents_named([event.answering_number])
        if len(named) == 1:
            call.agent = named[0]
            call.extension = extension_of(named[0]) or event.answering_number


def _settle(call: Call) -> None:
    """What follows from the times: talk time, missed, the callback owed."""
    if call.answered_at and call.ended_at:
        # An answer that arrives after the hang-up cannot make time negative.
        call.answered_at = min(call.answered_at, call.ended_at)
        call.talk_seconds = int((call.ended_at - call.answered_at).total_seconds())
    call.missed = bool(
        call.is_inbound
        and call.ended_at
        and not call.answered_at
        and not call.blocked
        and call.cause != HangupCause.FORWARDED
    )
    if call.missed and call.callback_status == CallbackStatus.NONE:
        call.callback_status = CallbackStatus.OPEN
        call.callback_due_at = call.rung_at + timedelta(
            minutes=settings.CTI_CALLBACK_TARGET_MINUTES
        )
    elif not call.missed and call.callback_status == CallbackStatus.OPEN:
        # The answer came late (out of order): nothing is owed.
        call.callback_status = CallbackStatus.NONE
        call.callback_due_at = None
        call.callback_assignee = None


def _close_callbacks(call: Call, now) -> None:
    """An answered outbound call to a number returns its missed calls."""
    if call.direction != Direction.OUTBOUND or not call.answered_at or not call.remote_e164:
        return
    Call.objects.missed_open().filter(
        remote_e164=call.remote_e164, rung_at__lte=call.rung_at
    ).update(
        callback_status=CallbackStatus.DONE,
        callback_result=CallbackResult.CALLED_BACK,
        callback_closed_at=now,
        callback_closed_by=call.agent,
        callback_call=call,
    )


@transaction.atomic
def cti_event_receive(
    *, integration: CtiIntegration, event: CtiEvent, payload: dict, now: datetime | None = None
) -> dict:
    """Record one event; the answer for the phone system (``{}`` or a reject).
    ``now`` is when it happened, for a loader replaying a past day, which
    no agent's screen is told about."""
    live = now is None
    now = now or timezone.now()
    call, created = _call_for_update(integration, event, now)
    _fill_parties(call, event)
    _match_customer(call, created=created)
    answer: dict = {}
    told: list = []
    state = "ringing"
    if event.event == "newCall":
        if call.is_inbound and is_blocked(integration, call.remote_e164):
            call.blocked = True
            answer = REJECT
        else:
            told = _apply_new_call(call, event)
    elif event.event == "answer":
        told = _apply_answer(call, event, now)
        state = "answered"
    else:
        _apply_hangup(call, event, now)
        state = "ended"
    _settle(call)
    if call.blocked or not call.is_inbound:
        told = []
    notified = set(call.notified_user_ids)
    targets = {user.pk for user in told} | (notified if event.event != "newCall" else set())
    if call.ended_at and state != "ended":
        state = "ended"  # an event after the hang-up cannot make it ring again
    call.notified_user_ids = sorted(notified | {user.pk for user in told})
    call.save()
    if created and getattr(call, "_matched", None):
        call.matched_customers.set(call._matched)
    CallEvent.objects.create(call=call, event=event.event, payload=payload)
    _close_callbacks(call, now)
    if call.ended_at:
        journal_pending_links(call)
    if targets and live:
        push.publish(targets, {"call": call.pk, "state": state, "agent": call.agent_id})
    return answer
