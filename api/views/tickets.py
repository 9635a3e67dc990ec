"""One kind's tickets: list (the console's filters and sorts), detail,
update, quick actions, journal and relations. Every read through the
selectors and access checks the pages use; every write through the service
the page calls."""

import copy
from functools import cache
from urllib.parse import urlencode

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api.pagination import keyset_response, newest_first_response
from api.serializers import (
    TICKET_COLUMNS,
    JournalAppendSerializer,
    JournalEntrySerializer,
    ListNames,
    NoteSerializer,
    PendingSerializer,
    RelationAddSerializer,
    RelationSerializer,
    ResolveSerializer,
    list_columns,
    relation_side,
)
from api.views.base import KindView, etag, expected_version, validated
from api.views.merge import merged_redirect
from itsm.action_forms import RelationForm
from itsm.blocked import visible_by_customer
from itsm.common.pagination import CURSOR_PARAMS, first_page_query
from itsm.common.permissions import is_data_protection
from itsm.common.rows import row_id
from itsm.common.statements import Statement
from itsm.kinds import kind_for_code
from itsm.models import Channel, Relation, Ticket
from itsm.selectors import ticket_relations
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
# What a list is asked besides its filters.
LIST_PARAMS = {*CURSOR_PARAMS, "o", "fields", "page_size"}


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


def _first_page(kind_code: str, sort_key: str, descending: bool, size: int):
    model = kind_for_code(kind_code).model
    # As any agent sees them: blocked customers left out.
    rows = visible_by_customer(model.objects.all(), None).values_list(
        *list_columns(model), named=True
    )
    return first_page_query(rows, SORTS[sort_key].keys, descending=descending, size=size)


_FIRST_PAGE = Statement(_first_page)


class TicketListView(KindView, generics.GenericAPIView):
    filter_backends = [DjangoFilterBackend]
    schema = ConsoleFiltersSchema()

    def get_queryset(self):
        # Read as rows of list_columns; the group's, reason's and assignee's
        # names come from ListNames, not joins.
        return self.kind.model.objects.all()

    schema_filterset: type | None = None

    @property
    def filterset_class(self):
        return self.schema_filterset or self.kind.filterset

    def get_serializer_class(self):
        return self.serializers["ticket"]

    def unfiltered(self) -> bool:
        """Asked with none of the console's filters: only the sort, the
        columns, the page."""
        return self.schema_filterset is None and set(self.request.query_params) <= LIST_PARAMS

    def filter_queryset(self, queryset):
        """The console's filters; a list asked with none of them is only what
        the person may see, as the FilterSet would leave it, without building
        its form (0.5 ms)."""
        if self.unfiltered():
            return visible_by_customer(queryset, self.request.user)
        return super().filter_queryset(queryset)

    def kept_first_page(self, sort: str):
        """The first page of an unfiltered list, the same query for everyone
        but the data-protection role (who sees blocked customers too), as a
        kept ``Statement`` per kind, sort and page size, as the consoles'
        first pages are; None when the list is filtered."""
        if not self.unfiltered() or is_data_protection(self.request.user):
            return None
        shape = (self.kind.code, sort.lstrip("-"), sort.startswith("-"))
        return lambda size: _FIRST_PAGE(shape=(*shape, size))

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
        model = self.kind.model
        filtered = cache(lambda: self.filter_queryset(self.get_queryset()))
        key = sort.lstrip("-")
        ticket_serializer = self.serializers["ticket"]
        return Response(
            keyset_response(
                request,
                # Built only when read: not for a kept first page (0.3 ms).
                lambda: filtered().values_list(*list_columns(model), named=True),
                SORTS[key].keys,
                descending=sort.startswith("-"),
                serialize=lambda rows: (
                    ticket_serializer(
                        rows, many=True, columns=columns, context={"names": ListNames(rows)}
                    ).data
                ),
                counted=filtered,
                count_key=self.count_key(request),
                kept_first_page=self.kept_first_page(sort),
            )
        )

    def count_key(self, request) -> str:
        """The filters and who asks: not the cursor, the sort, the columns
        or the page's size, which change nothing counted."""
        filters = sorted(
            (name, value)
            for name, values in request.query_params.lists()
            if name not in LIST_PARAMS
            for value in values
        )
        return f"api:{self.kind.code}:{request.user.pk}:{urlencode(filters)}"

    def post(self, request, **kwargs) -> Response:
        data = validated(self.serializers["create"], request)
        ticket = ticket_create(
            model=self.kind.model, user=request.user, channel=Channel.API, **data
        )
        # As created: the service's own object holds every field and relation it stored.
        response = self.ticket_response(ticket, status.HTTP_201_CREATED, reload=False)
        response["Location"] = request.build_absolute_uri(f"{request.path}{ticket.number}/")
        return response


class TicketDetailView(KindView):
    def get(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        if ticket.is_merged:
            return merged_redirect(request, ticket)
        if request.headers.get("If-None-Match") == etag(ticket):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(ticket)})
        return self.ticket_response(ticket, reload=False)

    def patch(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        version = expected_version(request)
        data = dict(validated(self.serializers["update"], request, partial=True))
        ticket_update(
            ticket=ticket,
            user=request.user,
            expected_version=version,
            channel=Channel.API,
            **data,
        )
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
        ticket_assign_to_me(ticket=ticket, user=user, expected_version=version, channel=Channel.API)


class PendingView(ActionView):
    input_serializer = PendingSerializer

    def perform(self, ticket, user, version, data) -> None:
        ticket_set_pending(
            ticket=ticket, user=user, expected_version=version, channel=Channel.API, **data
        )


class ResolveView(ActionView):
    input_serializer = ResolveSerializer

    def perform(self, ticket, user, version, data) -> None:
        if not data.get("resolution"):
            data.pop("resolution", None)
        ticket_resolve(
            ticket=ticket, user=user, expected_version=version, channel=Channel.API, **data
        )


class ReopenView(ActionView):
    def perform(self, ticket, user, version, data) -> None:
        ticket_reopen(
            ticket=ticket, user=user, expected_version=version, channel=Channel.API, **data
        )


class JournalView(KindView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        entries = ticket.kind.journal_model.objects.filter(ticket=ticket).select_related("author")
        return Response(newest_first_response(request, entries, JournalEntrySerializer))

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
            channel=Channel.API,
        )
        entry = type(entry).objects.select_related("author").get(pk=entry.pk)
        return Response(JournalEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


def _relation_rows(ticket: Ticket) -> list[dict]:
    return [relation_side(relation, other) for relation, other in ticket_relations(ticket)]


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
        relation = ticket_relate(
            ticket=ticket, user=request.user, channel=Channel.API, **form.cleaned_data
        )
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
        ticket_unrelate(relation=relation, user=request.user, channel=Channel.API)
        return Response(status=status.HTTP_204_NO_CONTENT)
