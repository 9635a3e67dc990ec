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
from api.views.merge import MERGE_STATE_OK
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


# A view's schema for each of its methods: extend_schema's arguments.
Schemas = dict[str, dict]


# The views whose operations and classes are not named after their class.
RENAMED = {TicketListView: "ListView", TicketDetailView: "DetailView"}


def made_view(kind: Kind, base: type, methods: Schemas, *, tag: str = ""):
    """One kind's class of ``base``, each method with its schema: its
    operation named after the kind, under the kind's tag or ``tag``."""
    name = RENAMED.get(base, base.__name__)
    view = type(f"{kind.model.__name__}{name}", (base,), {"kind": kind})
    for method, schema in methods.items():
        handler = _own_handler(getattr(base, method), method)
        operation = f"{kind.namespace}_{name.removesuffix('View').lower()}_{method}"
        decorate = extend_schema(tags=[tag or kind.namespace], operation_id=operation, **schema)
        setattr(view, method, decorate(handler))
    return view.as_view()


def _ticket_ok(kind: Kind) -> dict:
    return {
        200: OpenApiResponse(
            kind_serializers(kind)["ticket"], description="The ticket; ETag = its version."
        )
    }


LIST_PARAMETERS = [
    *PAGE_PARAMETERS,
    OpenApiParameter("o", OpenApiTypes.STR, enum=SORT_VALUES, description="Sort."),
    OpenApiParameter(
        "fields",
        OpenApiTypes.STR,
        description="Comma-separated columns to return: " + ", ".join(TICKET_COLUMNS),
    ),
]


def _ticket_schemas(kind: Kind) -> dict[str, tuple[type, Schemas]]:
    """The ticket itself, its journal and its relations."""
    s = kind_serializers(kind)
    changed = responses(_ticket_ok(kind), 404, 412, 428)
    return {
        "list": (
            TicketListView,
            {
                "get": {"parameters": LIST_PARAMETERS, "responses": responses({200: s["page"]})},
                "post": {"request": s["create"], "responses": responses({201: s["ticket"]})},
            },
        ),
        "detail": (
            TicketDetailView,
            {
                "get": {
                    "responses": responses(
                        {**_ticket_ok(kind), 304: None, 307: MERGE_STATE_OK}, 404
                    )
                },
                "patch": {"parameters": [IF_MATCH], "request": s["update"], "responses": changed},
            },
        ),
        "journal": (
            JournalView,
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
        "relations": (
            RelationsView,
            {
                "get": {"responses": responses({200: RelationSerializer(many=True)}, 404)},
                "post": {
                    "request": RelationAddSerializer,
                    "responses": responses({201: RelationSerializer}, 404),
                },
            },
        ),
        "relation": (RelationDetailView, {"delete": {"responses": responses({204: None}, 404)}}),
    }


def _action_schemas(kind: Kind) -> dict[str, tuple[type, Schemas]]:
    """The POST actions on one ticket: each takes If-Match and answers the
    ticket; what each reads is its request."""
    packet = escalate_serializer()
    requests = {
        "assign-to-me": (AssignToMeView, None),
        "pending": (PendingView, PendingSerializer),
        "resolve": (ResolveView, ResolveSerializer),
        "reopen": (ReopenView, NoteSerializer),
        # Escalation: the agent's, then the coordinators' answers.
        "escalate": (EscalateView, {"multipart/form-data": packet, "application/json": packet}),
        "coordination-take": (TakeView, None),
        "coordination-return": (ReturnToAgentView, ReturnToAgentSerializer),
        "coordination-specialists": (PassToSpecialistsView, CoordinationNoteSerializer),
    }
    post = {"parameters": [IF_MATCH], "responses": responses(_ticket_ok(kind), 404, 412, 428)}
    return {
        route: (view, {"post": {**post, "request": request}})
        for route, (view, request) in requests.items()
    }


def _escalation_schemas() -> dict[str, tuple[type, Schemas]]:
    """A related ticket opened by escalation (of whichever kind carries the
    case), and the packet an escalation carries."""
    related = PolymorphicProxySerializer(
        component_name="RelatedTicket",
        serializers=[kind_serializers(k)["ticket"] for k in all_kinds()],
        resource_type_field_name=None,
    )
    created = OpenApiResponse(
        related, description="The new ticket, of the kind that carries the case."
    )
    return {
        "escalate-related": (
            EscalateRelatedView,
            {
                "post": {
                    "request": EscalateRelatedSerializer,
                    "responses": responses({201: created}, 404),
                }
            },
        ),
        "packet": (PacketView, {"get": {"responses": responses({200: PacketSerializer}, 404)}}),
    }


def kind_views(kind: Kind) -> dict:
    """Every view of one kind, with its schema (named after the kind)."""
    schemas = {**_ticket_schemas(kind), **_action_schemas(kind), **_escalation_schemas()}
    return {route: made_view(kind, view, methods) for route, (view, methods) in schemas.items()}
