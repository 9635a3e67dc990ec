"""Creating, finding and revoking API tokens. A token is ``itsm_`` and 43
random characters; the database keeps its SHA-256 and its first characters,
so a stolen database holds no usable token and the owner still recognises
each one in the list."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken, Scope
from itsm.common.auth_backend import DeskBackend
from itsm.common.permissions import is_agent

TOKEN_PREFIX = "itsm_"
SHOWN_CHARACTERS = 12
DEFAULT_DAYS = 90
MAX_DAYS = 365
# How precisely a token's last use is kept (see ``token_used``).
LAST_USE_PRECISION = timedelta(minutes=1)


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def allowed_scopes(user) -> list[str]:
    """The scopes a user's role allows: every scope for those who work
    tickets (what the pages let them do), none for anyone else. Checked when
    a token is created and again on every request, so a role taken away
    takes the token's power with it."""
    if not is_agent(user):
        return []
    return [Scope.READ, Scope.WRITE, Scope.MAIL, Scope.MAILBOX]


def effective_scopes(token: ApiToken) -> set[str]:
    return set(token.scope_list) & set(allowed_scopes(token.user))


@transaction.atomic
def token_create(*, user, name: str, scopes: list[str], days: int = DEFAULT_DAYS):
    """A new token for ``user``: returns (token, the plain token to show once)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("The name is too long (100 characters at most).")})
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)}}
        )
    if not scopes:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    above = sorted(set(scopes) - set(allowed_scopes(user)))
    if above:
        raise PermissionDenied(
            _("Your role does not allow these scopes: %(scopes)s.") % {"scopes": ", ".join(above)}
        )
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            {"days": _("A token lasts between 1 and %(max)d days.") % {"max": MAX_DAYS}}
        )
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name,
                prefix=plain[:SHOWN_CHARACTERS],
                key_hash=hash_token(plain),
                scopes=" ".join(s for s in Scope.values if s in scopes),
                expires_at=timezone.now() + timedelta(days=days),
            )
    except IntegrityError:
        raise ValidationError(
            {"name": _("You already have a token named %(name)s.") % {"name": name}}
        ) from None
    return token, plain


def token_find(plain: str) -> ApiToken | None:
    """The usable token ``plain`` is, with its user and their roles as a
    signed-in person's are read; None for anything else, a deactivated
    owner's token included. With a shared cache (``ITSM_USER_CACHE_SECONDS``)
    the token and its user come from it, no query at all: a token's saving
    or deletion (a revocation) drops its copy at once, as a user's change
    drops theirs; its expiry is checked on every use."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    token = _stored(hash_token(plain))
    if token is None or not token.is_usable:
        return None
    user = DeskBackend().get_user(token.user_id)
    if user is None:
        return None
    token.user = user
    return token


def _cache_key(key_hash: str) -> str:
    return f"api:token:{key_hash}"


def _stored(key_hash: str) -> ApiToken | None:
    seconds = settings.ITSM_USER_CACHE_SECONDS
    token = cache.get(_cache_key(key_hash)) if seconds else None
    if token is None:
        # The hash is unique: no ORDER BY for the database to plan.
        token = next(iter(ApiToken.objects.filter(key_hash=key_hash)[:1]), None)
        if token is not None and seconds:
            cache.set(_cache_key(key_hash), token, seconds)
    return token


def forget_token(sender=None, instance: ApiToken | None = None, **kwargs) -> None:
    """Drop the shared copy of a token that changed (connected to its saving
    and deletion in ``ApiConfig.ready``)."""
    if settings.ITSM_USER_CACHE_SECONDS and instance is not None:
        cache.delete(_cache_key(instance.key_hash))


def token_used(token: ApiToken, *, address: str | None) -> None:
    """Note the token's last use, to the minute: a busy integration does not
    rewrite its row (and wait on its lock) on every request. The audit trail
    keeps every use, each with its time and address."""
    now = timezone.now()
    address = address or None
    recent = token.last_used_at is not None and now - token.last_used_at < LAST_USE_PRECISION
    if recent and token.last_used_from == address:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=address)
    token.last_used_at, token.last_used_from = now, address
    forget_token(instance=token)  # read again with its new last use


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def user_tokens(user):
    """The user's tokens, live first, newest first."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at"
    )
