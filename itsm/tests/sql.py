"""What tests of kept statements count."""

from unittest import mock

from django.db.models.sql.compiler import SQLCompiler


def sql_written(run) -> int:
    """How many times Django wrote a query's SQL while ``run`` ran."""
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as spy:
        run()
    return spy.call_count
