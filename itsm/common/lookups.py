"""Conditions written faster than Django's general ones, where a page pays
for them on every request."""

from django.core.exceptions import EmptyResultSet
from django.db.models import F, Lookup


class KeysIn(Lookup):
    """``pk IN (…)`` for integer keys read from the database: Django's
    ``pk__in`` prepares, resolves and checks each value again for every
    query it writes (0.3 ms for 150 keys). ``KeysIn(ids)`` filters a
    queryset as ``pk__in=ids`` would; the keys must be the model's own."""

    lookup_name = "keys_in"
    prepare_rhs = False

    def __init__(self, keys, column: str = "pk") -> None:
        super().__init__(F(column), tuple(keys))

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection) -> tuple[str, tuple]:
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        marks = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({marks})", (*params, *self.rhs)
