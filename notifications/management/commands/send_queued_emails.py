from django.core.management.base import BaseCommand

from notifications.tasks import publish_stuck_emails


class Command(BaseCommand):
    help = (
        "Publish every queued message that is due and every message whose sender died. "
        "Without a broker (eager mode) this sends them at once."
    )

    def handle(self, *args, **options) -> None:
        count = publish_stuck_emails(stuck_after=0)
        self.stdout.write(f"{count} message(s) handed to the workers.")
