"""What every API view shares: the documented error answers, the ticket's
ETag and ``If-Match``, input validation, the one-kind view base and the
404 for addresses no route matches."""

from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from api.rest import PROBLEM_JSON, DeskAPIView, PreconditionRequired
from api.serializers import (
    ProblemSerializer,
    kind_serializers,
)
from itsm.common.access import get_ticket_for_user
from itsm.kinds import Kind
from itsm.models import Ticket


def problems(*codes: int) -> dict:
    """The error answers an operation documents, all problem+json."""
    return {(code, PROBLEM_JSON): ProblemSerializer for code in (400, 401, 403, 429, *codes)}


def responses(ok: dict, *codes: int) -> dict:
    return {**ok, **problems(*codes)}


def if_match(thing: str, example: int) -> OpenApiParameter:
    """The required ``If-Match`` of a write to a versioned row (a ticket, a message)."""
    return OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=True,
        description=f'The {thing}\'s ETag (its version, e.g. "{example}"). '
        "Without it: 428; stale: 412.",
    )


IF_MATCH = if_match("ticket", 3)


def search_query(description: str) -> OpenApiParameter:
    """The required ``q`` of a search."""
    return OpenApiParameter("q", OpenApiTypes.STR, required=True, description=description)


def etag(row: models.Model) -> str:
    """A versioned row's ETag: its version."""
    return f'"{row.version}"'


def expected_version(request, missing: str | None = None) -> int:
    """The version ``If-Match`` names; 428 without it (``missing`` says what to
    send). An unreadable one can match no version: -1 makes the service answer
    412 with what changed."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired(missing)
    value = header.strip().removeprefix("W/").strip('"')
    return int(value) if value.isdigit() and len(value) < 10 else -1


def validated(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class KindView(DeskAPIView):
    """A view of one kind's tickets (``as_view(kind=…)``)."""

    kind: Kind | None = None

    @property
    def serializers(self) -> dict:
        return kind_serializers(self.kind)

    def ticket(self, number: str) -> Ticket:
        return get_ticket_for_user(
            self.request.user,
            self.kind.model,
            number,
            select_related=(
                "customer",
                "assigned_group",
                "assignee",
                "status_reason",
                "updated_by",
            ),
        )

    def represent(self, ticket: Ticket) -> dict:
        return self.serializers["ticket"](ticket).data

    def ticket_response(self, ticket: Ticket, code: int = 200, *, reload: bool = True) -> Response:
        # Read again after a change: the services change fields the caller did not set.
        fresh = self.ticket(ticket.number) if reload else ticket
        response = Response(self.represent(fresh), status=code)
        response["ETag"] = etag(fresh)
        return response


class NotFoundView(DeskAPIView):
    """Anything under /api/ no route matches: a problem, not the site's page."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    schema = None

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        raise Http404(_("There is no such address in the API."))
