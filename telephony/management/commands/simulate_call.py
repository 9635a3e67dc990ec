"""``simulate_call --from NUMBER --to EXTENSION [--missed]``: a call as the
phone system reports it, posted over HTTP to the running desk (``make
run``), so the pop-up shows on the screen of the agent at that extension.
It goes through the real endpoint with the token of an integration named
"Simulador", made (or given a new token) on each run."""

import time
import uuid

import requests
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from telephony.models import CtiIntegration

SIMULATOR = "Simulador"
DESK_NUMBER = "+34910000000"


class Command(BaseCommand):
    help = "Simulate an inbound call to an extension against the running desk."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="caller", required=True, help="Caller's number.")
        parser.add_argument("--to", dest="extension", required=True, help="Agent's extension.")
        parser.add_argument("--missed", action="store_true", help="Nobody answers.")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="The running desk's address."
        )
        parser.add_argument("--ring", type=float, default=6, help="Seconds it rings.")
        parser.add_argument("--talk", type=float, default=4, help="Seconds of conversation.")

    def handle(self, *args, caller, extension, missed, url, ring, talk, **options):
        token = CtiIntegration.new_token()
        integration = CtiIntegration.objects.filter(name=SIMULATOR).first()
        integration = integration or CtiIntegration(name=SIMULATOR)
        integration.set_token(token)
        integration.save()
        endpoint = url.rstrip("/") + reverse("telephony:cti", args=[token])
        call = {
            "from": caller,
            "to": DESK_NUMBER,
            "direction": "in",
            "callId": f"sim-{uuid.uuid4().hex[:12]}",
        }
        self._post(endpoint, {"event": "newCall", **call, "user[]": [extension]})
        self.stdout.write(f"Ringing at {extension} from {caller} ({call['callId']})…")
        time.sleep(ring)
        if missed:
            self._post(endpoint, {"event": "hangup", **call, "cause": "cancel"})
            self.stdout.write("Nobody answered: the call is missed.")
            return
        self._post(endpoint, {"event": "answer", **call, "answeringNumber": extension})
        self.stdout.write(f"Answered at {extension}.")
        time.sleep(talk)
        self._post(endpoint, {"event": "hangup", **call, "cause": "normalClearing"})
        self.stdout.write("Hung up.")

    def _post(self, endpoint: str, event: dict) -> None:
        try:
            response = requests.post(endpoint, json=event, timeout=10)
        except requests.RequestException as error:
            raise CommandError(f"The desk does not answer at {endpoint}: {error}") from None
        if response.status_code != 200:
            raise CommandError(
                f"The desk refused the event: {response.status_code} {response.text}"
            )
