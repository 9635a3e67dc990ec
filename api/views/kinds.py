"""The views of every registered kind, each with its own schema: ``urls.py``
makes them for every kind in the registry, so a new kind gets its API with
no edit here."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)

from api.pagination import PAGE_PARAMETERS
from api.serializers import (
    TICKET_COLUMNS,
    JournalAppendSerializer,
    JournalEntrySerializer,
    JournalPageSerializer,
    NoteSerializer,
    PendingSerializer,
    RelationAddSerializer,
    RelationSerializer,
    ResolveSerializer,
    kind_serializers,
)
from api.views.base import IF_MATCH, responses
from api.views.escalation import (
    CoordinationNoteSerializer,
    EscalateRelatedSerializer,
    EscalateRelatedView,
    EscalateView,
    PacketSerializer,
    PacketView,
    PassToSpecialistsView,
    ReturnToAgentSerializer,
    ReturnToAgentView,
    TakeView,
    escalate_serializer,
)
from api.views.tickets import (
    SORT_VALUES,
    AssignToMeView,
    JournalView,
    PendingView,
    RelationDetailView,
    RelationsView,
    ReopenView,
    ResolveView,
    TicketDetailView,
    TicketListView,
)
from itsm.kinds import Kind, all_kinds


def _own_handler(original, name: str):
    """A function of its own for one kind's view: extend_schema stores the
    schema on the function, which the kinds' views would otherwise share."""

    def handler(self, request, *args, **kwargs):
        return original(self, request, *args, **kwargs)

    handler.__name__ = name
    return handler


def kind_views(kind: Kind) -> dict:
    """Every view of one kind, with its schema (named after the kind)."""
    s = kind_serializers(kind)
    ticket_ok = {200: OpenApiResponse(s["ticket"], description="The ticket; ETag = its version.")}
    list_parameters = [
        *PAGE_PARAMETERS,
        OpenApiParameter("o", OpenApiTypes.STR, enum=SORT_VALUES, description="Sort."),
        OpenApiParameter(
            "fields",
            OpenApiTypes.STR,
            description="Comma-separated columns to return: " + ", ".join(TICKET_COLUMNS),
        ),
    ]
    tag = [kind.namespace]

    def made(base, name: str, methods: dict):
        view = type(f"{kind.model.__name__}{name}", (base,), {"kind": kind})
        for method, schema in methods.items():
            handler = _own_handler(getattr(base, method), method)
            operation = f"{kind.namespace}_{name.removesuffix('View').lower()}_{method}"
            setattr(
                view,
                method,
                extend_schema(tags=tag, operation_id=operation, **schema)(handler),
            )
        return view.as_view()

    action_schema = {
        "post": {
            "parameters": [IF_MATCH],
            "request": None,
            "responses": responses(ticket_ok, 404, 412, 428),
        }
    }
    actions = {}
    for route, view, serializer in (
        ("assign-to-me", AssignToMeView, None),
        ("pending", PendingView, PendingSerializer),
        ("resolve", ResolveView, ResolveSerializer),
        ("reopen", ReopenView, NoteSerializer),
    ):
        schema = {"post": {**action_schema["post"], "request": serializer}}
        actions[route] = made(view, view.__name__, schema)
    # Escalation: the agent's, then the coordinators' answers (If-Match too).
    packet_request = {
        "multipart/form-data": escalate_serializer(),
        "application/json": escalate_serializer(),
    }
    for route, view, serializer in (
        ("escalate", EscalateView, packet_request),
        ("coordination-take", TakeView, None),
        ("coordination-return", ReturnToAgentView, ReturnToAgentSerializer),
        ("coordination-specialists", PassToSpecialistsView, CoordinationNoteSerializer),
    ):
        schema = {"post": {**action_schema["post"], "request": serializer}}
        actions[route] = made(view, view.__name__, schema)
    actions["escalate-related"] = made(
        EscalateRelatedView,
        "EscalateRelatedView",
        {
            "post": {
                "request": EscalateRelatedSerializer,
                "responses": responses(
                    {
                        201: OpenApiResponse(
                            PolymorphicProxySerializer(
                                component_name="RelatedTicket",
                                serializers=[kind_serializers(k)["ticket"] for k in all_kinds()],
                                resource_type_field_name=None,
                            ),
                            description="The new ticket, of the kind that carries the case.",
                        )
                    },
                    404,
                ),
            }
        },
    )
    actions["packet"] = made(
        PacketView, "PacketView", {"get": {"responses": responses({200: PacketSerializer}, 404)}}
    )
    return {
        "list": made(
            TicketListView,
            "ListView",
            {
                "get": {"parameters": list_parameters, "responses": responses({200: s["page"]})},
                "post": {"request": s["create"], "responses": responses({201: s["ticket"]})},
            },
        ),
        "detail": made(
            TicketDetailView,
            "DetailView",
            {
                "get": {"responses": responses({**ticket_ok, 304: None}, 404)},
                "patch": {
                    "parameters": [IF_MATCH],
                    "request": s["update"],
                    "responses": responses(ticket_ok, 404, 412, 428),
                },
            },
        ),
        "journal": made(
            JournalView,
            "JournalView",
            {
                "get": {
                    "parameters": PAGE_PARAMETERS,
                    "responses": responses({200: JournalPageSerializer}, 404),
                },
                "post": {
                    "request": {"multipart/form-data": JournalAppendSerializer},
                    "responses": responses({201: JournalEntrySerializer}, 404),
                },
            },
        ),
        "relations": made(
            RelationsView,
            "RelationsView",
            {
                "get": {"responses": responses({200: RelationSerializer(many=True)}, 404)},
                "post": {
                    "request": RelationAddSerializer,
                    "responses": responses({201: RelationSerializer}, 404),
                },
            },
        ),
        "relation": made(
            RelationDetailView,
            "RelationDetailView",
            {"delete": {"responses": responses({204: None}, 404)}},
        ),
        **actions,
    }
