from django.core.management.base import BaseCommand, CommandError

from notifications.imap import imap_configured, imap_poll


class Command(BaseCommand):
    help = (
        "Read new messages from the IMAP mailbox (ITSM_IMAP_*) and store them; "
        "one line per message."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batches", type=int, default=None, help="stop after N batches")

    def handle(self, *args, **options) -> None:
        if not imap_configured():
            raise CommandError("ITSM_IMAP_HOST is not set.")
        result = imap_poll(max_batches=options["batches"], force=True)
        for outcome in result.outcomes:
            self.stdout.write(outcome.summary())
        if result.skipped:
            self.stdout.write(f"skipped: {result.skipped}")
        if result.error:
            raise CommandError(result.error)
        self.stdout.write(f"{result.fetched} message(s) read.")
