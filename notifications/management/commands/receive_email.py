"""For a mail server's pipe (Postfix ``pipe``, procmail, fetchmail --mda):
one raw message on stdin. Exit status 0 when the message is stored (also
when it is a duplicate or had to be quarantined), 75 (EX_TEMPFAIL: the mail
server keeps it and tries again) when it could not be stored."""

import sys

from django.core.management.base import BaseCommand

from notifications.models import InboundSource
from notifications.services.inbound import inbound_receive

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Store one message read from standard input and say what became of it."

    def handle(self, *args, **options) -> None:
        raw = sys.stdin.buffer.read()
        try:
            outcome = inbound_receive(raw=raw, source=InboundSource.PIPE)
        except Exception as error:
            # The database or the storage failed: nothing is lost, the mail
            # server holds the message and retries.
            self.stderr.write(f"temporary failure: {type(error).__name__}: {error}")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(outcome.summary())
