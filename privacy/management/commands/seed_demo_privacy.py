"""``seed_demo``'s part for data protection: the coordinator and the admin
get the role, and one access request is waiting."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.utils import timezone

from customers.models import Customer
from itsm.common.permissions import DATA_PROTECTION_GROUP
from privacy.models import DataRequest, IdentityCheck, Right
from privacy.services import request_create

DEMO_HANDLERS = ("coordinador", "admin")


class Command(BaseCommand):
    help = "Demo data of the data-protection requests (seed_demo runs it)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, **options) -> None:
        role = Group.objects.get(name=DATA_PROTECTION_GROUP)
        users = list(get_user_model().objects.filter(username__in=DEMO_HANDLERS))
        for user in users:
            user.groups.add(role)
        if DataRequest.objects.exists() or not users:
            return
        customer = Customer.objects.order_by("pk").first()
        if customer is None:
            return
        # The first named handler that exists (the coordinator in the demo).
        handler = min(users, key=lambda user: DEMO_HANDLERS.index(user.username))
        request_create(
            user=handler,
            customer=customer,
            right=Right.ACCESS,
            identity_check=IdentityCheck.DNI_COPY,
            received_on=timezone.localdate() - timedelta(days=20),
        )
        self.stdout.write("Data protection: 1 request.")
