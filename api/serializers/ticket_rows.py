"""A page of tickets read as rows (``list_columns``) written as the API
shows them. Most of a ticket's values are written as the database gives
them (text, numbers, keys): they are taken from the row in one step, and
only the rest (dates, the customer's name, the names of the group, the
reason and the assignee) go through a writer each. How a serializer class
writes a row is worked out once per process for the row's columns, the
fields asked and the time zone (``RowPlan``); a page then costs a copy of a
dictionary and a dozen calls a ticket."""

from operator import itemgetter

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from rest_framework import serializers

# Serializer fields that write a stored value of these model fields as it
# is: CharField and IntegerField as ``str()`` and ``int()`` of a value of
# their own type, a ChoiceField as the key its value already is.
_TEXT_COLUMNS = (models.CharField, models.TextField)
_INTEGER_COLUMNS = (models.IntegerField,)


def _column(field: serializers.Field, model) -> models.Field | None:
    try:
        return model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return None


def _written_as_stored(field: serializers.Field, column: models.Field) -> bool:
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return field.pk_field is None and column.is_relation
    if column.is_relation:
        return False
    if type(field) is serializers.ChoiceField:
        keys = {type(key) for key in field.choices}
        if keys == {str}:
            return isinstance(column, _TEXT_COLUMNS)
        return keys == {int} and isinstance(column, _INTEGER_COLUMNS)
    if type(field) is serializers.CharField:
        return isinstance(column, _TEXT_COLUMNS)
    if type(field) is serializers.IntegerField:
        return isinstance(column, _INTEGER_COLUMNS)
    return False


MAX_PLANS = 64


def _pick(indexes: list[int]):
    """The values at ``indexes`` as a tuple, whatever their number."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    if indexes:
        index = indexes[0]
        return lambda row: (row[index],)
    return lambda row: ()


class RowPlan:
    """How one serializer class writes rows of given columns.

    ``readers`` are ``_reader``'s (name, read, write) for each field, made
    from a bound serializer: fields that read the serializer's context are
    its method fields, bound again to each serializer that uses the plan
    (``writers``)."""

    def __init__(self, serializer: serializers.Serializer, readers: list, columns: tuple) -> None:
        model = serializer.Meta.model
        index = {column: position for position, column in enumerate(columns)}
        self.template = {}
        as_stored, self.converted = [], []
        for name, read, write in readers:
            field = serializer.fields[name]
            column = _column(field, model)
            self.template[name] = None
            if field.source == "KIND":
                self.template[name] = write(model.KIND)
            elif column and column.attname in index and _written_as_stored(field, column):
                as_stored.append((name, index[column.attname]))
            elif isinstance(field, serializers.SerializerMethodField):
                self.converted.append((name, read, field.method_name))
            else:
                self.converted.append((name, read, write))
        self.stored_names = tuple(name for name, _index in as_stored)
        self.pick = _pick([position for _name, position in as_stored])

    def writers(self, serializer: serializers.Serializer) -> list:
        """The writers that are not written as stored, method fields bound
        to ``serializer`` (its context)."""
        return [
            (name, read, getattr(serializer, write) if isinstance(write, str) else write)
            for name, read, write in self.converted
        ]

    def write(self, rows, writers: list) -> list[dict]:
        template, names, pick = self.template, self.stored_names, self.pick
        written = []
        for row in rows:
            shown = template.copy()
            shown.update(zip(names, pick(row), strict=True))
            for name, read, convert in writers:
                value = read(row)
                shown[name] = None if value is None else convert(value)
            written.append(shown)
        return written


def row_plan(serializer: serializers.Serializer, columns: tuple, make_readers) -> RowPlan:
    """The class's plan for rows of ``columns`` with the fields it was
    asked for, in the current time zone; ``make_readers()`` builds the
    readers the first time (from the bound serializer)."""
    cls = type(serializer)
    plans = cls.__dict__.get("_row_plans")
    if plans is None:
        plans = cls._row_plans = {}
    key = (columns, serializer.columns_asked, timezone.get_current_timezone())
    plan = plans.get(key)
    if plan is None:
        # Each choice of ``fields`` has its own plan: a caller trying them
        # all would fill the process.
        if len(plans) >= MAX_PLANS:
            plans.clear()
        plan = plans[key] = RowPlan(serializer, make_readers(), columns)
    return plan
