"""A user's default console view."""

from django.db import transaction

from itsm.models import SavedConsoleView


@transaction.atomic
def saved_view_store(*, user, kind: str, query: str | None) -> None:
    """Save (or, with ``query=None``, forget) the user's default console."""
    if query is None:
        SavedConsoleView.objects.filter(user=user, kind=kind).delete()
        return
    SavedConsoleView.objects.update_or_create(user=user, kind=kind, defaults={"query": query})
