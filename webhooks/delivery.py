"""Delivering events: a worker claims a delivery with a conditional UPDATE,
POSTs the event signed, and records the attempt; a failure is tried again
after the next delay of ``ITSM_WEBHOOKS_RETRY_SECONDS`` and given up after
the last. A subscription whose receiver failed all that time (no delivery to
it succeeded meanwhile) is disabled and the admins are told by mail."""

import logging
import time
from dataclasses import asdict, dataclass
from datetime import timedelta

import requests
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from itsm.common.leases import lease_claim
from itsm.common.text import single_line
from webhooks import client
from webhooks.addresses import RefusedDestination, check_destination
from webhooks.models import Attempt, Delivery, DeliveryStatus, Subscription
from webhooks.services import subscription_disable
from webhooks.signing import signed_headers

log = logging.getLogger(__name__)

SKIPPED = "skipped"
# What the log keeps of a receiver's answer.
RESPONSE_KEPT_CHARACTERS = 2000
USER_AGENT = "itsm-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to; ``retry_in`` (seconds) when it will be tried again."""

    status: str
    retry_in: int | None = None


@dataclass
class _Result:
    """What the receiver answered, in the fields of the ``Attempt`` that records it."""

    status_code: int | None = None
    response_ms: int | None = None
    response_body: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def delivery_attempt(*, delivery_id: int) -> Outcome:
    """Claim the delivery, POST its event and record what came of it."""
    claimed = lease_claim(
        Delivery,
        delivery_id,
        waiting=DeliveryStatus.PENDING,
        sending=DeliveryStatus.SENDING,
        lease_seconds=settings.ITSM_WEBHOOKS_LEASE_SECONDS,
    )
    if not claimed:
        return Outcome(SKIPPED)
    delivery = Delivery.objects.select_related("event").get(pk=delivery_id)
    number = delivery.attempts  # the fencing token of this claim
    subscription = Subscription.objects.filter(pk=delivery.subscription_id).first()
    if subscription is None or not subscription.active:
        result = _Result(error=_("The subscription is disabled or was deleted."))
        _record(delivery, number, {}, result, status=DeliveryStatus.FAILED)
        return Outcome(DeliveryStatus.FAILED)
    body = delivery.event.body.encode()
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **signed_headers(
            secret=subscription.secret,
            webhook_id=delivery.event.webhook_id,
            timestamp=int(time.time()),
            body=body,
        ),
    }
    result = _send(subscription.url, body, headers)
    if result.succeeded:
        _record_delivered(delivery, number, headers, result, subscription)
        return Outcome(DeliveryStatus.DELIVERED)
    return _record_failure(delivery, number, headers, result, subscription)


def _send(url: str, body: bytes, headers: dict) -> _Result:
    try:
        # The name may resolve elsewhere since the subscription was saved.
        check_destination(url)
        answer = client.post(
            url, body=body, headers=headers, timeout=settings.ITSM_WEBHOOKS_TIMEOUT_SECONDS
        )
    except RefusedDestination as refusal:
        return _Result(error=" ".join(refusal.messages))
    except (requests.RequestException, OSError, SoftTimeLimitExceeded) as error:
        return _Result(error=single_line(f"{type(error).__name__}: {error}")[:500])
    result = _Result(
        status_code=answer.status_code,
        response_ms=answer.elapsed_ms,
        response_body=answer.body[:RESPONSE_KEPT_CHARACTERS],
    )
    if 300 <= answer.status_code < 400:
        result.error = _("The receiver answered with a redirect, which is not followed.")
    elif not result.succeeded:
        result.error = _("The receiver answered %(code)s.") % {"code": answer.status_code}
    return result


def _record(
    delivery: Delivery,
    number: int,
    headers: dict,
    result: _Result,
    *,
    status: str,
    next_attempt_at=None,
    delivered_at=None,
) -> bool:
    """The attempt in the log and the delivery released, while the claim is
    still this attempt's (a worker whose lease ran out writes nothing)."""
    with transaction.atomic():
        released = Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=number
        ).update(
            status=status,
            lease_expires_at=None,
            next_attempt_at=next_attempt_at,
            delivered_at=delivered_at,
        )
        if not released:
            log.error("Webhook delivery %s attempt %s lost its claim", delivery.pk, number)
            return False
        Attempt.objects.create(
            delivery=delivery,
            number=number,
            request_headers=headers,
            next_retry_at=next_attempt_at,
            **asdict(result),
        )
    return True


def _record_delivered(delivery, number, headers, result, subscription) -> None:
    now = timezone.now()
    if _record(
        delivery, number, headers, result, status=DeliveryStatus.DELIVERED, delivered_at=now
    ):
        Subscription.objects.filter(pk=subscription.pk).exclude(
            consecutive_failures=0, failing_since=None
        ).update(consecutive_failures=0, failing_since=None)


def _record_failure(delivery, number, headers, result, subscription) -> Outcome:
    now = timezone.now()
    Subscription.objects.filter(pk=subscription.pk, failing_since=None).update(failing_since=now)
    schedule = settings.ITSM_WEBHOOKS_RETRY_SECONDS
    if number <= len(schedule):
        delay = schedule[number - 1]
        next_attempt_at = now + timedelta(seconds=delay)
        _record(
            delivery,
            number,
            headers,
            result,
            status=DeliveryStatus.PENDING,
            next_attempt_at=next_attempt_at,
        )
        log.info("Webhook delivery %s attempt %s failed (%s)", delivery.pk, number, result.error)
        return Outcome(DeliveryStatus.PENDING, retry_in=delay)
    if _record(delivery, number, headers, result, status=DeliveryStatus.FAILED):
        log.warning("Webhook delivery %s given up after %s attempts", delivery.pk, number)
        _given_up(subscription, now)
    return Outcome(DeliveryStatus.FAILED)


def _given_up(subscription: Subscription, now) -> None:
    """A delivery was given up: the subscription is disabled if nothing has
    reached its receiver for as long as the retries last."""
    Subscription.objects.filter(pk=subscription.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    span = timedelta(seconds=sum(settings.ITSM_WEBHOOKS_RETRY_SECONDS))
    failing = Subscription.objects.filter(
        pk=subscription.pk, active=True, failing_since__lte=now - span
    ).exists()
    if not failing:
        return
    with translation.override(settings.LANGUAGE_CODE):
        reason = _(
            "Its receiver failed every delivery for %(hours)s hours; the last one was given up."
        ) % {"hours": round(span.total_seconds() / 3600, 1)}
    if subscription_disable(subscription=subscription, reason=reason):
        transaction.on_commit(lambda: tell_admins(subscription, reason))


def tell_admins(subscription: Subscription, reason: str) -> None:
    """Mail every active admin with an address that the subscription was disabled."""
    addresses = list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    if not addresses:
        log.warning("Webhook subscription %s disabled; no admin has an address", subscription.pk)
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Webhook disabled: %(name)s") % {"name": single_line(subscription.name)}
        body = _(
            "The webhook subscription “%(name)s” (%(url)s) has been disabled.\n\n"
            "%(reason)s\n\n"
            "Check the receiver, then turn the subscription on again in the admin; "
            "the deliveries it missed can be sent again with “Resend”."
        ) % {"name": subscription.name, "url": subscription.url, "reason": reason}
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)
    except Exception:
        log.exception("Could not tell the admins that webhook %s was disabled", subscription.pk)


# --- resending and the sweep --------------------------------------------------------


def delivery_resend(*, delivery: Delivery) -> bool:
    """*Reenviar*: the delivery is sent once more, now, with the same
    webhook-id. Not while a worker holds it. The caller publishes it."""
    return bool(
        Delivery.objects.filter(pk=delivery.pk)
        .exclude(status=DeliveryStatus.SENDING)
        .update(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now())
    )


def deliveries_requeue_stuck(*, now=None, limit: int = 500) -> list[int]:
    """Claim again what no worker is going to send: sending rows whose lease
    expired (the worker died mid-request: the receiver may have it, and will
    get it again with the same webhook-id) and pending rows long past their
    time (published while the broker was down, or a retry far ahead). Returns
    their ids, for the caller to publish."""
    now = now or timezone.now()
    requeued = []
    expired = (
        Delivery.objects.filter(status=DeliveryStatus.SENDING, lease_expires_at__lt=now)
        .order_by("lease_expires_at")
        .values_list("pk", "attempts")[:limit]
    )
    for pk, attempts in expired:
        with transaction.atomic():
            reclaimed = Delivery.objects.filter(
                pk=pk, status=DeliveryStatus.SENDING, attempts=attempts
            ).update(status=DeliveryStatus.PENDING, next_attempt_at=now, lease_expires_at=None)
            if reclaimed:
                Attempt.objects.create(
                    delivery_id=pk,
                    number=attempts,
                    error=_("The worker sending it stopped; it will be sent again."),
                    next_retry_at=now,
                )
                requeued.append(pk)
    overdue = now - timedelta(seconds=settings.ITSM_WEBHOOKS_STUCK_AFTER_SECONDS)
    late = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=overdue)
        .order_by("next_attempt_at")
        .values_list("pk", "next_attempt_at")[:limit]
    )
    for pk, due in late:
        # Moving next_attempt_at claims the republication: a concurrent sweep finds nothing.
        if Delivery.objects.filter(
            pk=pk, status=DeliveryStatus.PENDING, next_attempt_at=due
        ).update(next_attempt_at=now):
            requeued.append(pk)
    if requeued:
        log.info("Re-queued %d webhook deliveries: %s", len(requeued), requeued)
    return requeued
