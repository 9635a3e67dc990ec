"""``manage.py retention --dry-run`` lists what the retention rules would
purge or anonymise now; ``--apply`` does it (the same list)."""

from django.core.management.base import BaseCommand, CommandError

from privacy.retention import retention_apply, retention_plan


class Command(BaseCommand):
    help = "List (--dry-run) or apply (--apply) the retention rules."

    def add_arguments(self, parser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="List only (the default).")
        mode.add_argument("--apply", action="store_true", help="Purge and anonymise.")

    def handle(self, *args, apply: bool, **options) -> None:
        plan = retention_plan()
        for item in plan:
            self.stdout.write(item.line())
        if not apply:
            self.stdout.write(f"{len(plan)} items due (dry run: nothing changed).")
            return
        try:
            done = retention_apply(plan)
        except Exception as error:  # noqa: BLE001 - say which run failed, keep the trace
            raise CommandError(f"Retention stopped: {error}") from error
        self.stdout.write(f"{done} items applied.")
