"""Model fields several apps declare alike."""

from django.conf import settings
from django.db import models


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
