"""The demo's phone (``seed_demo`` runs it): extensions for the demo agents,
the demo phone system, and a day of calls (some missed, one returned)
replayed through the same service as the phone system's events. Running it
again changes nothing."""

import random
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from customers.models import CustomerPhone
from telephony.forms import CtiEvent
from telephony.models import AgentPhone, CtiIntegration
from telephony.services.events import cti_event_receive

# username, extension, queues: documented in the README's demo users.
DEMO_EXTENSIONS = (
    ("agente", "101", "soporte"),
    ("agente2", "102", "soporte"),
    ("coordinador", "110", "coordinacion"),
    ("especialista", "201", "especialistas"),
)
DEMO_PBX = "Centralita demo"
DESK_NUMBER = "+34910000000"
CALLS = 24


class Command(BaseCommand):
    help = "Load the demo's extensions and a day of calls (development only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG and not options.get("force"):
            raise CommandError("DEBUG is off: the demo's calls are for development only.")
        self._extensions()
        integration, created = CtiIntegration.objects.get_or_create(
            name=DEMO_PBX, defaults={"token_hash": "", "token_prefix": ""}
        )
        if created:
            integration.set_token(CtiIntegration.new_token())
            integration.save()
        if integration.calls.exists():
            self.stdout.write("Demo calls already loaded; nothing to do.")
            return
        with transaction.atomic():
            count = self._day_of_calls(integration)
        self.stdout.write(f"Demo calls loaded: {count} calls, extensions 101, 102, 110, 201.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def _extensions(self) -> None:
        users = get_user_model().objects.in_bulk(
            [name for name, _e, _q in DEMO_EXTENSIONS], field_name="username"
        )
        for username, extension, queues in DEMO_EXTENSIONS:
            if username in users:
                AgentPhone.objects.get_or_create(
                    user=users[username], defaults={"extension": extension, "queues": queues}
                )

    def _day_of_calls(self, integration: CtiIntegration) -> int:
        """Today's calls from 08:30 (yesterday's, before 10:00): most
        answered, one in five missed, the first missed one called back."""
        rng = random.Random(19)
        today = timezone.localdate()
        if timezone.localtime().time() < time(10, 0):
            today -= timedelta(days=1)
        start = timezone.make_aware(datetime.combine(today, time(8, 30)))
        end = min(timezone.now() - timedelta(minutes=30), start + timedelta(hours=9))
        numbers = list(
            CustomerPhone.objects.exclude(e164="")
            .filter(customer__email__startswith="demo.")
            .order_by("pk")
            .values_list("e164", flat=True)
        ) or ["+34612345678"]
        strangers = ["+34699123456", "+34911222333", "anonymous"]
        step = (end - start) / CALLS
        returned = None
        for index in range(CALLS):
            rang = start + step * index + timedelta(seconds=rng.randrange(0, 300))
            caller = rng.choice(numbers) if index % 6 else strangers[index // 6 % 3]
            missed = index % 5 == 3
            self._call(
                integration,
                f"demo-{today:%Y%m%d}-{index}",
                direction="in",
                remote=caller,
                extension=rng.choice(["101", "102"]),
                rang=rang,
                talk=None if missed else rng.randrange(40, 600),
            )
            if missed and returned is None and caller.startswith("+"):
                returned = (caller, rang)
        if returned is not None:
            caller, rang = returned
            self._call(
                integration,
                f"demo-{today:%Y%m%d}-back",
                direction="out",
                remote=caller,
                extension="102",
                rang=rang + timedelta(minutes=20),
                talk=95,
            )
        return CALLS + (returned is not None)

    def _call(self, integration, call_id: str, *, direction, remote, extension, rang, talk) -> None:
        inbound = direction == "in"

        def event(name: str, at, **extra) -> None:
            data = {
                "event": name,
                "call_id": call_id,
                "direction": direction,
                "from_number": remote if inbound else extension,
                "to_number": DESK_NUMBER if inbound else remote,
                "users": (extension,),
                "queue": "soporte" if inbound else "",
                "answering_number": "",
                "cause": "",
                **extra,
            }
            cti_event_receive(
                integration=integration,
                event=CtiEvent(**data),
                payload={"event": name, "callId": call_id, "direction": direction, "demo": True},
                now=at,
            )

        event("newCall", rang)
        if talk is None:
            event("hangup", rang + timedelta(seconds=25), cause="cancel")
            return
        answered = rang + timedelta(seconds=8)
        event("answer", answered, answering_number=extension)
        event("hangup", answered + timedelta(seconds=talk), cause="normalClearing")
