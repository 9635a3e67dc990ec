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


def _reference_rows(model) -> tuple[list[str], dict]:
    fields = [model._meta.pk.attname]
    fields += [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    return fields, {row[0]: row for row in model.objects.values_list(*fields)}


def attach_reference(ticket) -> None:
    """Give ``ticket`` its support group and status reason from the
    reference lists, each a fresh instance, instead of joining their tables
    to the ticket's query: PostgreSQL planned the ticket page's six tables
    in 0.63 ms, four in 0.22. One missing from the copy (made a second ago
    in another process) is read when first used, as without this."""
    for name, model in (("assigned_group", SupportGroup), ("status_reason", StatusReason)):
        pk = getattr(ticket, f"{name}_id")
        if pk is None or ticket._meta.get_field(name).is_cached(ticket):
            continue
        fields, rows = cached_rows(
            f"rows:{model._meta.label_lower}", lambda model=model: _reference_rows(model)
        )
        if pk in rows:
            setattr(ticket, name, model.from_db(ticket._state.db, fields, rows[pk]))
