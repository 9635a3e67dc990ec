"""``manage.py rebuild_text_index [--source NAME …]``: index every text again."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from itsm import fulltext


class Command(BaseCommand):
    help = "Rebuild the full-text index (every registered source, or the ones named)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--source", action="append", dest="sources", metavar="NAME")
        parser.add_argument("--batch", type=int, default=fulltext.REBUILD_BATCH)

    def handle(self, *args, sources=None, batch=fulltext.REBUILD_BATCH, **options) -> None:
        known = [source.name for source in fulltext.registered_sources()]
        for name in sources or ():
            if name not in known:
                raise CommandError(f"Unknown source {name!r}; known: {', '.join(known)}")
        for name in sources or known:
            # One transaction per source: searches see its old entries until
            # the new ones are complete.
            with transaction.atomic():
                counts = fulltext.rebuild([name], batch=batch)
            self.stdout.write(f"{name}: {counts.get(name, 0)}")
