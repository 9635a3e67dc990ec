"""``flush`` empties every table, journals included.

A journal refuses DELETE through database triggers. On PostgreSQL ``flush``
empties tables with TRUNCATE, which fires no row trigger; SQLite has no
TRUNCATE and deletes row by row, so there the journals' DELETE triggers are
lifted for the flush's own transaction and put back, with the text they had,
before it commits. Tests that run in transactions (browser, concurrency) end
with a flush.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from itsm.migration_ops import delete_trigger_name


class Command(flush.Command):
    def handle(self, **options) -> None:
        database = options["database"]
        connection = connections[database]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [delete_trigger_name("%")],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
            super().handle(**options)
            for _name, sql in triggers:
                cursor.execute(sql)
