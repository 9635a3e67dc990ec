"""Subscriptions: created, changed, disabled and deleted here only (the admin
and the API call these), so the cache of who listens to what is cleared
whenever they change."""

from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.events import EVENT_TYPES
from webhooks.addresses import check_destination
from webhooks.models import Subscription
from webhooks.signing import new_secret

SUBSCRIBERS_KEY = "webhooks:subscribers"
EDITABLE = frozenset({"name", "url", "events", "active"})


def subscribers() -> dict[str, list[int]]:
    """The active subscriptions' ids by event type, from the cache. Other
    processes with a cache of their own (no CACHE_URL) see a change when
    their copy expires (ITSM_REFERENCE_CACHE_SECONDS)."""
    cached = cache.get(SUBSCRIBERS_KEY)
    if cached is None:
        cached = {}
        for pk, wanted in Subscription.objects.filter(active=True).values_list("pk", "events"):
            for event_type in wanted:
                cached.setdefault(event_type, []).append(pk)
        cache.set(SUBSCRIBERS_KEY, cached, settings.ITSM_REFERENCE_CACHE_SECONDS)
    return cached


def forget_subscribers() -> None:
    """After a subscription changed: now, and again once the change commits
    (a read in between may have cached the old rows)."""
    cache.delete(SUBSCRIBERS_KEY)
    transaction.on_commit(partial(cache.delete, SUBSCRIBERS_KEY))


def clean_events(events) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError({"events": _("Choose at least one event.")})
    unknown = sorted({str(e) for e in events} - set(EVENT_TYPES))
    if unknown:
        raise ValidationError(
            {"events": _("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}}
        )
    return [e for e in EVENT_TYPES if e in events]


def _check(subscription: Subscription, *, destination: bool = True) -> None:
    name = " ".join((subscription.name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the subscription a name.")})
    subscription.name = name
    subscription.events = clean_events(subscription.events)
    if not destination:
        return
    try:
        check_destination(subscription.url)
    except ValidationError as error:
        raise ValidationError({"url": error.messages}) from None


@transaction.atomic
def subscription_create(*, owner, name: str, url: str, events: list[str]) -> Subscription:
    """A new active subscription with a new secret (shown to its owner)."""
    subscription = Subscription(
        name=name, url=url, events=list(events), owner=owner, secret=new_secret()
    )
    _check(subscription)
    subscription.save()
    forget_subscribers()
    return subscription


@transaction.atomic
def subscription_update(*, subscription: Subscription, **fields) -> Subscription:
    """Change what the admin may change. Turning a disabled one on again
    starts its failure count afresh."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"subscription_update() got unexpected fields: {sorted(unknown)}")
    # As stored: the admin's form has already set the new values on the instance.
    stored = Subscription.objects.filter(pk=subscription.pk).values("active", "url").get()
    for name, value in fields.items():
        setattr(subscription, name, value)
    was_active = stored["active"]
    # The destination again when it changes or the subscription is turned on;
    # turning it off must work whatever its name resolves to now.
    _check(
        subscription,
        destination=subscription.url != stored["url"] or (subscription.active and not was_active),
    )
    if subscription.active and not was_active:
        subscription.consecutive_failures = 0
        subscription.failing_since = None
        subscription.disabled_at = None
        subscription.disabled_reason = ""
    subscription.save()
    forget_subscribers()
    return subscription


@transaction.atomic
def subscription_rotate_secret(*, subscription: Subscription) -> Subscription:
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret"])
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: Subscription) -> None:
    subscription.delete()
    forget_subscribers()


def subscription_disable(*, subscription: Subscription, reason: str) -> bool:
    """Turn it off (the receiver keeps failing); False if it already was."""
    disabled = Subscription.objects.filter(pk=subscription.pk, active=True).update(
        active=False, disabled_at=timezone.now(), disabled_reason=reason
    )
    forget_subscribers()
    return bool(disabled)
