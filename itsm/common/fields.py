"""Model fields several apps declare alike."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def foreign_key(
    to,
    verbose_name,
    *,
    optional: bool = False,
    on_delete=models.PROTECT,
    related_name: str = "+",
    **options,
) -> models.ForeignKey:
    """A key to another row. Protected by default, so a record never loses
    what it names; no reverse accessor unless named. ``optional``: the key
    may be empty (a ticket without a template, a call from an unknown number)."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=on_delete,
        null=optional,
        blank=optional,
        related_name=related_name,
        **options,
    )


def user_key(verbose_name, **options) -> models.ForeignKey:
    """A key to the person who did something (``foreign_key``'s options);
    ``optional`` where the system acted by itself."""
    return foreign_key(settings.AUTH_USER_MODEL, verbose_name, **options)


def active_flag() -> models.BooleanField:
    """Whether a row is still offered for new use; switched off, never
    deleted, so what already names it keeps doing so."""
    return models.BooleanField(_("active"), default=True)


def created_field(*, auto: bool = False) -> models.DateTimeField:
    """When the row was created: now unless the caller gives the moment, or,
    with ``auto``, always the moment of the first save (``auto_now_add``:
    not editable)."""
    if auto:
        return models.DateTimeField(_("created"), auto_now_add=True)
    return models.DateTimeField(_("created"), default=timezone.now)


def status_field(
    choices: type[models.TextChoices], *, max_length: int, **options
) -> models.CharField:
    """A row's ``status``, one of ``choices``."""
    return models.CharField(_("status"), max_length=max_length, choices=choices.choices, **options)
