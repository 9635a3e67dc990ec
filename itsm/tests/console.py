"""What the console tests read from a page: the ticket numbers a console
table shows, in order."""

import re

from django.urls import reverse

from itsm.models import Status

INCIDENTS = reverse("incidents:console")
WORK_ORDERS = reverse("workorders:console")
NUMBER_RE = re.compile(r"\b(?:INC\d{12}|WO\d{13})\b")


def numbers(response) -> list[str]:
    """Ticket numbers in the order the table shows them."""
    table = response.content.decode().split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
    seen = []
    for number in NUMBER_RE.findall(table):
        if not seen or seen[-1] != number:
            seen.append(number)
    return seen


def close(ticket) -> None:
    type(ticket).objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
