"""Ids → names of the groups, status reasons and people a page mentions,
kept with the reference lists (``itsm.reference_cache``): a history's events
and a console's lines name them without a query or a join. Retired groups
and reasons are included; someone newer than the copy is read from the
database."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from itsm.common.text import person_name
from itsm.models import StatusReason, SupportGroup
from itsm.reference_cache import cached_rows


def _people(pks=None) -> dict:
    """Id → (name, login) of everyone, or of the users ``pks``."""
    users = get_user_model().objects.only("username", "first_name", "last_name")
    if pks is not None:
        users = users.filter(pk__in=pks)
    return {user.pk: (person_name(user), user.get_username()) for user in users}


def _people_field(pks: Iterable[int], index: int) -> dict:
    wanted = {pk for pk in pks if pk is not None}
    if not wanted:
        return {}
    # Who works the desk changes seldom: they come with the reference lists;
    # someone newer than the copy, from the database.
    people = cached_rows("desk-people", _people)
    found = {pk: people[pk] for pk in wanted if pk in people}
    missing = wanted - found.keys()
    if missing:
        found.update(_people(missing))
    return {pk: person[index] for pk, person in found.items()}


def people_names(pks: Iterable[int]) -> dict:
    """Id → name of the users ``pks`` (None and unknown ids left out)."""
    return _people_field(pks, 0)


def usernames(pks: Iterable[int]) -> dict:
    """Id → login of the users ``pks`` (None and unknown ids left out)."""
    return _people_field(pks, 1)


def group_names() -> dict:
    return cached_rows(
        "journal-groups", lambda: dict(SupportGroup.objects.values_list("pk", "name"))
    )


def reason_names() -> dict:
    return cached_rows(
        "journal-reasons", lambda: dict(StatusReason.objects.values_list("pk", "name"))
    )
