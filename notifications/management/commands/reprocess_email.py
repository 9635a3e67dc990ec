from django.core.management.base import BaseCommand, CommandError

from notifications.models import InboundEmail
from notifications.services.inbound import inbound_process


class Command(BaseCommand):
    help = "Process stored messages again from their raw bytes (after a fix)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="message ids")
        parser.add_argument("--quarantined", action="store_true", help="every quarantined message")

    def handle(self, *args, **options) -> None:
        if options["quarantined"]:
            queryset = InboundEmail.objects.exclude(quarantine_reason="").order_by("pk")
        elif options["ids"]:
            queryset = InboundEmail.objects.filter(pk__in=options["ids"]).order_by("pk")
            missing = set(options["ids"]) - set(queryset.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no such message: {sorted(missing)}")
        else:
            raise CommandError("give message ids or --quarantined")
        for email in queryset.iterator():
            self.stdout.write(inbound_process(email=email).summary())
