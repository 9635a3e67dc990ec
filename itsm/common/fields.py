"""Model fields several apps declare alike."""

from django.conf import settings
from django.db import models


def user_key(
    verbose_name,
    *,
    optional: bool = False,
    on_delete=models.PROTECT,
    related_name: str = "+",
    **options,
) -> models.ForeignKey:
    """A key to the person who did something. Protected by default, so a
    record never loses its author; no reverse accessor unless named.
    ``optional``: empty where the system acted by itself."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=on_delete,
        null=optional,
        blank=optional,
        related_name=related_name,
        **options,
    )
