"""Webhook subscriptions, the outbox of events and the delivery log.

An event is written in the same transaction as the change it tells
(``webhooks.outbox``), with one delivery per subscription that wanted it;
each delivery keeps its state (pending → sending → delivered / failed) and
every HTTP request made for it is an attempt in the log."""

import json

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.common.fields import active_flag, created_field, foreign_key, status_field, user_key
from itsm.common.leases import LeasedRow, sweep_indexes
from itsm.events import EVENT_TYPES

# What *Enviar prueba* sends: to one subscription, whatever its events.
TEST_EVENT = "webhook.test"


class Subscription(models.Model):
    """A receiver's URL and the events it wants, signed with its secret
    (Standard Webhooks: ``whsec_`` and the base64 of 32 random bytes)."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=2000)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    active = active_flag()
    owner = user_key(_("owner"), optional=True, on_delete=models.SET_NULL)
    created_at = created_field()
    # Deliveries given up in a row, and since when nothing reached the
    # receiver: both reset by the next delivery that succeeds.
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    disabled_reason = models.TextField(_("why it was disabled"), blank=True)

    # What the desk records by itself; nobody edits these.
    RECORDED_FIELDS = (
        "owner",
        "created_at",
        "consecutive_failures",
        "failing_since",
        "disabled_at",
        "disabled_reason",
    )

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class Event(models.Model):
    """One announcement of the outbox. ``webhook_id`` is the ``webhook-id``
    header of every request made for it, retries and resends included, so a
    receiver recognises a repeat; ``body`` is the JSON sent, byte for byte."""

    webhook_id = models.CharField(_("webhook-id"), max_length=40, unique=True)
    type = models.CharField(
        _("event"), max_length=40, choices=[(name, name) for name in (*EVENT_TYPES, TEST_EVENT)]
    )
    body = models.TextField(_("body"))
    created_at = created_field()

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.type} {self.webhook_id}"

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(LeasedRow):
    """One event to one subscription: claimed by a worker with a conditional
    UPDATE (``status`` and the lease), so one sender at a time holds it."""

    event = foreign_key(Event, _("event"), on_delete=models.CASCADE, related_name="deliveries")
    # No database constraint: the outbox writes deliveries for the
    # subscriptions it has cached, and one deleted meanwhile must not fail
    # the commit of the ticket change; its delivery finds no subscription.
    subscription = foreign_key(
        Subscription,
        _("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_constraint=False,
    )
    status = status_field(DeliveryStatus, max_length=10, default=DeliveryStatus.PENDING)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = created_field()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscription"], name="webhookdelivery_one_per_subscription"
            ),
        ]
        indexes = [
            # A subscription's delivery log, newest first (admin and API).
            models.Index(
                fields=["subscription", "-created_at", "-id"], name="webhookdelivery_log_idx"
            ),
            # The sweep: pending rows overdue and sending rows whose lease expired.
            *sweep_indexes("webhookdelivery", waiting="pending"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id}"


class Attempt(models.Model):
    """One HTTP request of a delivery: what was sent (the headers; the body
    is the event's) and what came back, the response cut to its start."""

    delivery = foreign_key(Delivery, _("delivery"), on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    request_headers = models.JSONField(_("request headers"), default=dict)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    response_body = models.TextField(_("response (start)"), blank=True)
    error = models.TextField(_("error"), blank=True)
    next_retry_at = models.DateTimeField(_("next retry"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        indexes = [
            # A delivery's attempts in order (its log).
            models.Index(fields=["delivery", "number"], name="webhookattempt_delivery_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error[:40]}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
