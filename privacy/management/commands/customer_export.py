"""``manage.py customer_export CUSTOMER_ID --out FILE``: the archive of a
person's data (as an access request's), written to FILE."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from customers.models import Customer
from itsm.audit import audit_record
from itsm.models import AuditEventKind
from privacy.export import customer_archive


class Command(BaseCommand):
    help = "Write the ZIP of everything the desk holds about a customer."

    def add_arguments(self, parser) -> None:
        parser.add_argument("customer_id", type=int)
        parser.add_argument("--out", required=True, type=Path, help="The ZIP file to write.")

    def handle(self, *args, customer_id: int, out: Path, **options) -> None:
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            raise CommandError(f"There is no customer {customer_id}.")
        out.write_bytes(customer_archive(customer))
        audit_record(
            kind=AuditEventKind.PERSONAL_DATA,
            request=None,
            username="manage.py",
            detail=f"archive of customer {customer_id} written by customer_export",
        )
        self.stdout.write(f"{out}: {out.stat().st_size} bytes")
