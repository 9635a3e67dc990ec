from django.conf import settings
from django.core.management.base import BaseCommand

from itsm.services.autoclose import tickets_autoclose


class Command(BaseCommand):
    help = "Close resolved incidents and completed work orders older than ITSM_AUTOCLOSE_DAYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days after resolution "
            f"(default: ITSM_AUTOCLOSE_DAYS={settings.ITSM_AUTOCLOSE_DAYS}).",
        )

    def handle(self, *args, days: int | None, **options):
        closed = tickets_autoclose(days=days)
        self.stdout.write(f"{closed} ticket(s) closed.")
