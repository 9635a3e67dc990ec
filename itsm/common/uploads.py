"""Where stored files go: a folder per area and month, so a month's files
are listed, backed up or purged together."""

from uuid import uuid4

from django.utils import timezone


def monthly_path(area: str, *parts: str) -> str:
    """``<area>/<year>/<month>/<parts…>``, in the current month."""
    return "/".join((area, f"{timezone.now():%Y/%m}", *parts))


def own_folder(filename: str) -> str:
    """``filename`` in a folder of its own (a short random name): files of
    one name never collide, and each keeps the name its sender gave it."""
    return f"{uuid4().hex[:12]}/{filename}"
