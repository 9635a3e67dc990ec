"""``manage.py customer_anonymise CUSTOMER_ID --yes``: remove a customer's
personal data now (what the beat task does after the limitation period)."""

from django.core.management.base import BaseCommand, CommandError

from customers.models import Customer
from privacy.anonymise import AlreadyAnonymised, customer_anonymise


class Command(BaseCommand):
    help = "Anonymise a customer: personal fields, notes, mail, files, calls (cannot be undone)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("customer_id", type=int)
        parser.add_argument("--yes", action="store_true", help="Confirm: it cannot be undone.")

    def handle(self, *args, customer_id: int, yes: bool, **options) -> None:
        if not yes:
            raise CommandError("Anonymising cannot be undone: confirm with --yes.")
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            raise CommandError(f"There is no customer {customer_id}.")
        try:
            numbers = customer_anonymise(customer)
        except AlreadyAnonymised as error:
            raise CommandError(f"Customer {customer_id} is already anonymised.") from error
        self.stdout.write(f"Customer {customer_id} anonymised; {len(numbers)} tickets kept.")
