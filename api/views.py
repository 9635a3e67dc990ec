"""The API's resources. Every read goes through the selectors and access
checks the pages use; every write through the service the page calls. The
ticket views serve one kind each: ``urls.py`` makes them for every kind in
the registry, so a new kind gets its API with no edit here."""

import copy

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api.pagination import PAGE_PARAMETERS, keyset_response
from api.rest import PROBLEM_JSON, DeskAPIView, PreconditionRequired, StaffPermission
from api.serializers import (
    TICKET_COLUMNS,
    CustomerSerializer,
    CustomerUpdateSerializer,
    CustomerWriteSerializer,
    GroupSerializer,
    JournalAppendSerializer,
    JournalEntrySerializer,
    JournalPageSerializer,
    NoteSerializer,
    PendingSerializer,
    ProblemSerializer,
    ReasonSerializer,
    RelationAddSerializer,
    RelationSerializer,
    ResolveSerializer,
    SlaTargetSerializer,
    TemplateSerializer,
    kind_serializers,
)
from customers.models import Customer
from customers.selectors import customer_search
from customers.services import customer_create, customer_update
from itsm.action_forms import RelationForm
from itsm.common.access import get_ticket_for_user
from itsm.kinds import Kind
from itsm.models import Relation, SlaTarget, StatusReason, SupportGroup, Ticket, TicketTemplate
from itsm.selectors import row_id, ticket_relations
from itsm.services.journal import work_info_add
from itsm.services.relations import ticket_relate, ticket_unrelate
from itsm.services.ticket_create import ticket_create
from itsm.services.ticket_update import (
    ticket_assign_to_me,
    ticket_reopen,
    ticket_resolve,
    ticket_set_pending,
    ticket_update,
)
from itsm.views.consoles import DEFAULT_SORT, SORTS

SORT_VALUES = [f"{sign}{key}" for key in SORTS for sign in ("", "-")]
CUSTOMER_SEARCH_LIMIT = 20


def problems(*codes: int) -> dict:
    """The error answers an operation documents, all problem+json."""
    return {(code, PROBLEM_JSON): ProblemSerializer for code in (400, 401, 403, 429, *codes)}


def responses(ok: dict, *codes: int) -> dict:
    return {**ok, **problems(*codes)}


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ticket\'s ETag (its version, e.g. "3"). Without it: 428; stale: 412.',
)


def etag(ticket: Ticket) -> str:
    return f'"{ticket.version}"'


def expected_version(request) -> int:
    """The version ``If-Match`` names; 428 without it. An unreadable one can
    match no version: -1 makes the service answer 412 with what changed."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
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

    def ticket_response(self, ticket: Ticket, code: int = 200) -> Response:
        # Read again: the services change fields the caller did not set.
        fresh = self.ticket(ticket.number)
        response = Response(self.represent(fresh), status=code)
        response["ETag"] = etag(fresh)
        return response


def isolated_filterset(filterset: type) -> type:
    """A copy of a console FilterSet with filters of its own. drf-spectacular
    reads each filter's form field, which django-filter builds once and keeps
    on the filter: read on the console's own class, it would freeze the
    choices each console sets per request (the kind's statuses) to none."""
    copied = type(filterset.__name__, (filterset,), {"__module__": filterset.__module__})
    copied.base_filters = copy.deepcopy(filterset.base_filters)
    return copied


class ConsoleFiltersSchema(AutoSchema):
    """The list answers a page object, not an array: its filters are
    documented all the same, from a copy of the console's FilterSet."""

    def get_filter_backends(self) -> list:
        return getattr(self.view, "filter_backends", []) if self.method == "GET" else []

    def _get_filter_parameters(self) -> list:
        self.view.schema_filterset = isolated_filterset(self.view.kind.filterset)
        return super()._get_filter_parameters()


class TicketListView(KindView, generics.GenericAPIView):
    filter_backends = [DjangoFilterBackend]
    schema = ConsoleFiltersSchema()

    def get_queryset(self):
        return self.kind.model.objects.with_list_relations()

    schema_filterset: type | None = None

    @property
    def filterset_class(self):
        return self.schema_filterset or self.kind.filterset

    def get_serializer_class(self):
        return self.serializers["ticket"]

    def get(self, request, **kwargs) -> Response:
        sort = request.query_params.get("o") or DEFAULT_SORT
        if sort not in SORT_VALUES:
            raise ValidationError(
                {"o": [_("Choose one of: %(v)s.") % {"v": ", ".join(SORT_VALUES)}]}
            )
        columns = None
        if request.query_params.get("fields"):
            columns = {name.strip() for name in request.query_params["fields"].split(",")}
            unknown = sorted(columns - set(TICKET_COLUMNS))
            if unknown:
                raise ValidationError(
                    {"fields": [_("Unknown fields: %(f)s.") % {"f": ", ".join(unknown)[:200]}]}
                )
        queryset = self.filter_queryset(self.get_queryset())
        key = sort.lstrip("-")
        ticket_serializer = self.serializers["ticket"]
        return Response(
            keyset_response(
                request,
                queryset,
                SORTS[key].keys,
                descending=sort.startswith("-"),
                serialize=lambda rows: ticket_serializer(rows, many=True, columns=columns).data,
                counted=queryset,
            )
        )

    def post(self, request, **kwargs) -> Response:
        data = validated(self.serializers["create"], request)
        ticket = ticket_create(model=self.kind.model, user=request.user, **data)
        response = self.ticket_response(ticket, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{request.path}{ticket.number}/")
        return response


class TicketDetailView(KindView):
    def get(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        if request.headers.get("If-None-Match") == etag(ticket):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(ticket)})
        return self.ticket_response(ticket)

    def patch(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        version = expected_version(request)
        data = dict(validated(self.serializers["update"], request, partial=True))
        ticket_update(ticket=ticket, user=request.user, expected_version=version, **data)
        return self.ticket_response(ticket)


class ActionView(KindView):
    """A quick action of the ticket page, with the page's service."""

    input_serializer = NoteSerializer

    def perform(self, ticket: Ticket, user, version: int, data: dict) -> None:
        raise NotImplementedError

    def post(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        version = expected_version(request)
        data = dict(validated(self.input_serializer, request))
        self.perform(ticket, request.user, version, data)
        return self.ticket_response(ticket)


class AssignToMeView(ActionView):
    def perform(self, ticket, user, version, data) -> None:
        ticket_assign_to_me(ticket=ticket, user=user, expected_version=version)


class PendingView(ActionView):
    input_serializer = PendingSerializer

    def perform(self, ticket, user, version, data) -> None:
        ticket_set_pending(ticket=ticket, user=user, expected_version=version, **data)


class ResolveView(ActionView):
    input_serializer = ResolveSerializer

    def perform(self, ticket, user, version, data) -> None:
        if not data.get("resolution"):
            data.pop("resolution", None)
        ticket_resolve(ticket=ticket, user=user, expected_version=version, **data)


class ReopenView(ActionView):
    def perform(self, ticket, user, version, data) -> None:
        ticket_reopen(ticket=ticket, user=user, expected_version=version, **data)


class JournalView(KindView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        entries = ticket.kind.journal_model.objects.filter(ticket=ticket).select_related("author")
        return Response(
            keyset_response(
                request,
                entries,
                ("created_at", "id"),
                descending=True,
                serialize=lambda rows: JournalEntrySerializer(rows, many=True).data,
            )
        )

    def post(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        data = validated(JournalAppendSerializer, request)
        attachments = [
            data[name] for name in ("attachment_1", "attachment_2", "attachment_3") if name in data
        ]
        entry = work_info_add(
            ticket=ticket,
            user=request.user,
            notes=data["notes"],
            entry_type=data["type"],
            attachments=attachments,
            requires_attention=data["requires_attention"],
            view_access=data["view_access"],
        )
        entry = type(entry).objects.select_related("author").get(pk=entry.pk)
        return Response(JournalEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


def _relation_rows(ticket: Ticket) -> list[dict]:
    return [
        {
            "id": relation.pk,
            "type": relation.type,
            "number": other.number,
            "summary": other.summary,
            "status": other.status,
            "created_at": relation.created_at,
        }
        for relation, other in ticket_relations(ticket)
    ]


class RelationsView(KindView):
    def get(self, request, number: str, **kwargs) -> Response:
        return Response(RelationSerializer(_relation_rows(self.ticket(number)), many=True).data)

    def post(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        data = validated(RelationAddSerializer, request)
        # The Relations tab's form reads "wo 1234" as the page does.
        form = RelationForm(data)
        if not form.is_valid():
            raise ValidationError(form.errors)
        relation = ticket_relate(ticket=ticket, user=request.user, **form.cleaned_data)
        row = next(row for row in _relation_rows(ticket) if row["id"] == relation.pk)
        return Response(RelationSerializer(row).data, status=status.HTTP_201_CREATED)


class RelationDetailView(KindView):
    def delete(self, request, number: str, relation_id: int, **kwargs) -> Response:
        ticket = self.ticket(number)
        relation = (
            Relation.objects.filter(pk=row_id(relation_id))
            .filter(Q(source_number=ticket.number) | Q(target_number=ticket.number))
            .first()
        )
        if relation is None:
            raise Http404(_("This relation does not exist."))
        ticket_unrelate(relation=relation, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotFoundView(DeskAPIView):
    """Anything under /api/ no route matches: a problem, not the site's page."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    schema = None

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        raise Http404(_("There is no such address in the API."))


# --- customers ----------------------------------------------------------------------


class CustomerListView(DeskAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description="Name and surnames (accents ignored), CIF/NIF in any format, "
                "e-mail or phone; at least 2 characters. Active customers, up to 20.",
            )
        ],
        responses=responses({200: CustomerSerializer(many=True)}),
        operation_id="customers_search",
    )
    def get(self, request) -> Response:
        query = request.query_params.get("q", "")
        found = customer_search(query, limit=CUSTOMER_SEARCH_LIMIT)
        return Response(CustomerSerializer(found, many=True).data)

    @extend_schema(request=CustomerWriteSerializer, responses=responses({201: CustomerSerializer}))
    def post(self, request) -> Response:
        with transaction.atomic():
            customer = customer_create(**validated(CustomerWriteSerializer, request))
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailView(DeskAPIView):
    def get_permissions(self):
        if self.request.method == "PATCH":
            return [StaffPermission()]
        return super().get_permissions()

    def customer(self, pk: int) -> Customer:
        customer = Customer.objects.filter(pk=row_id(pk)).first()
        if customer is None:
            raise Http404(_("There is no such customer."))
        return customer

    @extend_schema(responses=responses({200: CustomerSerializer}, 404))
    def get(self, request, pk: int) -> Response:
        return Response(CustomerSerializer(self.customer(pk)).data)

    @extend_schema(
        request=CustomerUpdateSerializer, responses=responses({200: CustomerSerializer}, 404)
    )
    def patch(self, request, pk: int) -> Response:
        customer = self.customer(pk)
        data = validated(CustomerUpdateSerializer, request, partial=True)
        customer_update(customer=customer, **data)
        return Response(CustomerSerializer(customer).data)


# --- reference data -----------------------------------------------------------------


class ReferenceView(DeskAPIView, generics.ListAPIView):
    pagination_class = None
    filter_backends: list = []


class GroupListView(ReferenceView):
    serializer_class = GroupSerializer
    queryset = SupportGroup.objects.order_by("name")


class TemplateListView(ReferenceView):
    serializer_class = TemplateSerializer
    queryset = TicketTemplate.objects.order_by("name")


class ReasonListView(ReferenceView):
    serializer_class = ReasonSerializer
    queryset = StatusReason.objects.order_by("kind", "status", "name")


class SlaTargetListView(ReferenceView):
    serializer_class = SlaTargetSerializer
    queryset = SlaTarget.objects.order_by("id")


for reference_view in (GroupListView, TemplateListView, ReasonListView, SlaTargetListView):
    extend_schema(responses=responses({200: reference_view.serializer_class(many=True)}))(
        reference_view
    )


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
