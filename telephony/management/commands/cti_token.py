"""``cti_token create NAME``: a phone system integration and its URL, shown
once (only its hash is kept). ``cti_token list`` names the integrations."""

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.urls import reverse

from telephony.models import CtiIntegration


class Command(BaseCommand):
    help = "Create a phone system (CTI) integration and print its URL path, or list them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="A new integration; prints its URL path last.")
        create.add_argument("name")
        create.add_argument("--secret", default="", help="HMAC secret the PBX signs with.")
        sub.add_parser("list", help="The integrations.")

    def handle(self, *args, action: str, **options):
        if action == "list":
            for integration in CtiIntegration.objects.order_by("name"):
                state = "active" if integration.active else "inactive"
                self.stdout.write(f"{integration.name}\t{integration.token_prefix}…\t{state}")
            return
        token = CtiIntegration.new_token()
        integration = CtiIntegration(name=options["name"], hmac_secret=options["secret"])
        integration.set_token(token)
        try:
            integration.save()
        except IntegrityError:
            raise CommandError(f"An integration named {options['name']!r} exists.") from None
        self.stdout.write(
            f"Integration {integration.name!r} created. The token is shown only now; "
            "the phone system posts its events to this path on the desk's address:"
        )
        self.stdout.write(reverse("telephony:cti", args=[token]))
