"""Merging a ticket into another and undoing it, as the ticket page does:
every write through ``itsm.services.merge``. A merged ticket's address
answers ``307 Temporary Redirect`` to the ticket it was merged into
(``merged_redirect``): temporary, because a coordinator may undo the merge."""

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.serializers import kind_serializers
from api.views.base import KindView, responses, validated
from itsm.kinds import Kind, all_kinds, kind_for_number
from itsm.models import Channel, Ticket, TicketMerge
from itsm.services.merge import live_merge, ticket_merge, ticket_merge_undo, undo_deadline

TAGS = ["merge"]


class MergeRequestSerializer(serializers.Serializer):
    target = serializers.CharField(
        max_length=40, help_text="The number of the ticket to merge into, of any kind."
    )
    confirm_other_customer = serializers.BooleanField(
        default=False,
        help_text="Needed when the two tickets belong to different customers; without it "
        "the merge is refused (400) with a message naming both.",
    )


class MergeStateSerializer(serializers.Serializer):
    merged = serializers.CharField(help_text="The merged ticket's number.")
    merged_into = serializers.CharField(help_text="The number of the ticket it was merged into.")
    merged_into_url = serializers.URLField(help_text="That ticket's address in the API.")
    merged_at = serializers.DateTimeField()
    merged_by = serializers.CharField(help_text="The username of who merged it.")
    undo_until = serializers.DateTimeField(help_text="Until when a coordinator may undo it.")


def api_ticket_url(request, number: str) -> str:
    kind = kind_for_number(number)
    return request.build_absolute_uri(reverse(f"api:{kind.namespace}-detail", args=[number]))


def merge_state(request, merge: TicketMerge) -> dict:
    return {
        "merged": merge.source_number,
        "merged_into": merge.target_number,
        "merged_into_url": api_ticket_url(request, merge.target_number),
        "merged_at": merge.merged_at,
        "merged_by": merge.merged_by.get_username(),
        "undo_until": undo_deadline(merge),
    }


def merged_redirect(request, ticket: Ticket) -> Response:
    """What a merged ticket's address answers: 307 to the target, the merge
    in the body and a ``Link`` to the target as the canonical resource."""
    merge = live_merge(ticket.number)
    url = api_ticket_url(request, ticket.merged_into)
    body = MergeStateSerializer(merge_state(request, merge)).data if merge else {}
    return Response(
        body, status=307, headers={"Location": url, "Link": f'<{url}>; rel="canonical"'}
    )


MERGE_STATE_OK = OpenApiResponse(
    MergeStateSerializer,
    description="The merge. While a ticket is merged, GET on its own address answers "
    "307 Temporary Redirect to the target (Location, and a Link rel=canonical) with "
    "this body; its writes are refused (400).",
)


class MergeView(KindView):
    """``/<kind>/<number>/merge/``: this ticket's merge (GET), or merge it (POST)."""

    def get(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        merge = live_merge(ticket.number)
        if merge is None:
            raise Http404(_("%(number)s is not merged.") % {"number": ticket.number})
        return Response(MergeStateSerializer(merge_state(request, merge)).data)

    def post(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        data = validated(MergeRequestSerializer, request)
        merge = ticket_merge(
            source=ticket,
            target_number=data["target"],
            user=request.user,
            confirm_other_customer=data["confirm_other_customer"],
            channel=Channel.API,
        )
        body = MergeStateSerializer(merge_state(request, merge)).data
        return Response(body, headers={"Location": body["merged_into_url"]})


class MergeUndoView(KindView):
    """``/<kind>/<number>/merge/undo/``: a coordinator undoes the merge."""

    def post(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        ticket_merge_undo(source=ticket, user=request.user, channel=Channel.API)
        return self.ticket_response(ticket)


def _schemas(kind: Kind) -> dict:
    return {
        (MergeView, "get"): {"responses": responses({200: MERGE_STATE_OK}, 404)},
        (MergeView, "post"): {
            "request": MergeRequestSerializer,
            "responses": responses({200: MERGE_STATE_OK}, 404),
            "description": "Close this ticket as merged into `target` (any kind, open, not "
            "merged itself, no tickets merged into this one); its journal shows in the "
            "target's, its relations, escalation packet and mail threads follow. Any agent "
            "may merge. Answers the merge, with the target in Location.",
        },
        (MergeUndoView, "post"): {
            "request": None,
            "responses": responses({200: kind_serializers(kind)["ticket"]}, 404),
            "description": "Coordinators only, within ITSM_MERGE_UNDO_DAYS: both tickets go "
            "back to what they were before the merge; entries written since stay on the "
            "ticket they were written on. Answers this ticket as it is again.",
        },
    }


def _own(original):
    """A function of its own per kind: extend_schema stores the schema on it."""

    def handler(self, request, *args, **kwargs):
        return original(self, request, *args, **kwargs)

    handler.__name__ = original.__name__
    return handler


def merge_urlpatterns() -> list:
    """``merge/`` and ``merge/undo/`` under every kind's tickets."""
    patterns = []
    for kind in all_kinds():
        views = {}
        for base in (MergeView, MergeUndoView):
            views[base] = type(f"{kind.model.__name__}{base.__name__}", (base,), {"kind": kind})
        for (base, method), schema in _schemas(kind).items():
            name = "merge_undo" if base is MergeUndoView else "merge"
            handler = extend_schema(
                tags=TAGS, operation_id=f"{kind.namespace}_{name}_{method}", **schema
            )(_own(getattr(base, method)))
            setattr(views[base], method, handler)
        ticket = f"v1/{kind.namespace}/<str:number>/"
        patterns += [
            path(ticket + "merge/", views[MergeView].as_view(), name=f"{kind.namespace}-merge"),
            path(
                ticket + "merge/undo/",
                views[MergeUndoView].as_view(),
                name=f"{kind.namespace}-merge-undo",
            ),
        ]
    return patterns
