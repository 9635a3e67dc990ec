"""Escalation to coordination with its packet, and the coordinators'
answers, as the ticket page and the coordination queue do them: the packet
is validated by the page's form (same messages), every change goes through
``itsm.services.escalation``, and the coordinators' actions need the
coordinator's role as on the queue."""

from functools import cache

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api.rest import DeskAPIView, DeskPermission
from api.serializers import MAX_ID, AttachmentFileField, kind_serializers, text
from api.views.base import KindView, etag, expected_version, responses, validated
from itsm import escalation_cases as cases
from itsm.action_forms import CoordinationActionForm
from itsm.common.permissions import is_coordinator
from itsm.escalation_forms import EscalationPacketForm
from itsm.kinds import all_kinds
from itsm.models import Channel, PacketEvent, PacketState, Ticket
from itsm.selectors import packet_for
from itsm.services.escalation import (
    ticket_create_related_for_case,
    ticket_escalate,
    ticket_pass_to_specialists,
    ticket_return_to_agent,
    ticket_take,
)
from itsm.ticket_page_presenters import packet_view

# --- serializers ----------------------------------------------------------------------


def _case_serializer_field(field: cases.CaseField) -> serializers.Field:
    """The field as the API reads it; the page's form checks it afterwards."""
    common = {"required": False, "help_text": str(field.label)}
    if field.type == cases.LONG_TEXT:
        return text(**common)
    if field.type == cases.REGISTRO:
        return serializers.IntegerField(min_value=1, max_value=MAX_ID, **common)
    if field.type == cases.DATETIME:
        return serializers.DateTimeField(**common)
    if field.type == cases.DATE:
        return serializers.DateField(**common)
    if field.type == cases.AMOUNT:
        return serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, **common)
    if field.type == cases.LINK_OPERATION:
        return serializers.ChoiceField(cases.LINK_OPERATIONS, **common)
    if field.type == cases.CONFIRMATION:
        return serializers.BooleanField(default=False, **common)
    if field.type == cases.ATTACHMENT:
        common["help_text"] += ": a file of the ticket's history as '<entry id>:<index>'"
        return serializers.CharField(max_length=40, **common)
    return serializers.CharField(max_length=200, allow_blank=True, **common)


@cache
def escalate_serializer() -> type[serializers.Serializer]:
    """Every case's fields, each optional here: which ones a case needs is
    the case's (see ``/api/v1/escalation-cases/``)."""
    fields: dict[str, serializers.Field] = {
        "case": serializers.ChoiceField(cases.CASE_CHOICES),
        "note": text(required=False, help_text="Note for the coordinator."),
    }
    for case in cases.CASES.values():
        for field in case.fields:
            fields.setdefault(field.name, _case_serializer_field(field))
            if field.type == cases.ATTACHMENT:
                fields.setdefault(
                    f"{field.name}_upload",
                    AttachmentFileField(required=False, help_text=f"{field.label}: upload it now"),
                )
    return type("EscalateSerializer", (serializers.Serializer,), fields)


class EscalateRelatedSerializer(serializers.Serializer):
    case = serializers.ChoiceField(cases.CASE_CHOICES)


class CoordinationNoteSerializer(serializers.Serializer):
    note = text(required=False)


class ReturnToAgentSerializer(CoordinationNoteSerializer):
    missing = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=20,
        help_text="The case's fields the agent has to complete.",
    )


class PacketItemSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField(help_text="As the ticket page shows it.")
    stored = serializers.JSONField(
        allow_null=True, help_text="As the packet stores it (ids, ISO dates, '<entry>:<index>')."
    )
    missing = serializers.BooleanField()


class PacketRevisionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    event = serializers.ChoiceField(PacketEvent.choices)
    case = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()
    author = serializers.CharField(source="author.username")
    created_at = serializers.DateTimeField()
    journal_entry_id = serializers.IntegerField(allow_null=True)


class PacketSerializer(serializers.Serializer):
    ticket_number = serializers.CharField()
    case = serializers.ChoiceField(cases.CASE_CHOICES)
    case_label = serializers.CharField()
    state = serializers.ChoiceField(PacketState.choices)
    state_label = serializers.CharField()
    complete = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField(help_text="What the agent wrote when escalating.")
    return_note = serializers.CharField(help_text="The coordinator's note when returning it.")
    times_returned = serializers.IntegerField()
    escalated_at = serializers.DateTimeField()
    escalated_by = serializers.CharField()
    updated_at = serializers.DateTimeField()
    version = serializers.IntegerField()
    items = PacketItemSerializer(many=True)
    revisions = PacketRevisionSerializer(many=True)


class CaseFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    required = serializers.BooleanField()


class EscalationCaseSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    hint = serializers.CharField()
    kinds = serializers.ListField(
        child=serializers.CharField(), help_text="The kinds (namespaces) that carry this case."
    )
    fields = CaseFieldSerializer(many=True)


# --- views ----------------------------------------------------------------------------


def _form_data(data: dict) -> dict:
    """The API's typed values as the page's form reads them."""
    values = {}
    for name, value in data.items():
        if hasattr(value, "read"):
            continue
        if hasattr(value, "hour"):
            # The form reads the desk's local time, to the minute.
            value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, bool):
            value = "on" if value else ""
        values[name] = "" if value is None else str(value)
    return values


class EscalateView(KindView):
    """*Escalar a coordinación* with the packet of a case."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def post(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        version = expected_version(request)
        data = validated(escalate_serializer(), request)
        case = cases.CASES[data["case"]]
        if case.code not in ticket.kind.escalation_cases:
            raise ValidationError(
                {
                    "case": [
                        _("This case cannot be escalated from this kind of ticket (%(kind)s).")
                        % {"kind": ticket.kind.singular}
                    ]
                }
            )
        files = {name: value for name, value in data.items() if hasattr(value, "read")}
        form = EscalationPacketForm(
            {**_form_data(data), "version": str(version)}, files, case=case, ticket=ticket
        )
        if not form.is_valid():
            raise ValidationError(form.errors)
        ticket_escalate(
            ticket=ticket,
            user=request.user,
            expected_version=version,
            case=case.code,
            data=form.packet_data(),
            uploads=form.uploads(),
            note=form.cleaned_data["note"],
            channel=Channel.API,
        )
        return self.ticket_response(ticket)


class EscalateRelatedView(KindView):
    """The case belongs to another kind (ERROR 23 seen on a work order): the
    related ticket there, for the same customer, ready to be escalated."""

    def post(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        data = validated(EscalateRelatedSerializer, request)
        related = ticket_create_related_for_case(
            ticket=ticket, user=request.user, case=data["case"], channel=Channel.API
        )
        # As created: the service's own object holds every field it stored.
        body = kind_serializers(related.kind)["ticket"](related).data
        response = Response(body, status=status.HTTP_201_CREATED)
        response["ETag"] = etag(related)
        response["Location"] = request.build_absolute_uri(
            reverse(f"api:{related.kind.namespace}-detail", args=[related.number])
        )
        return response


def packet_body(ticket: Ticket) -> dict | None:
    """The packet as the ticket page's box shows it, with its stored values
    and its story (one query for the revisions)."""
    packet = packet_for(ticket)
    if packet is None:
        return None
    shown = packet_view(packet, ticket)
    definition = cases.CASES[packet.case]
    items = [
        {
            "name": field.name,
            "label": item.label,
            "value": item.value,
            "stored": packet.data.get(field.name),
            "missing": item.missing,
        }
        for field, item in zip(definition.fields, shown.items, strict=True)
    ]
    revisions = packet.revisions.select_related("author").order_by("version")
    return {
        "ticket_number": packet.ticket_number,
        "case": packet.case,
        "case_label": shown.case_label,
        "state": packet.state,
        "state_label": shown.state_label,
        "complete": packet.complete,
        "missing": list(packet.missing or []),
        "note": shown.note,
        "return_note": packet.return_note,
        "times_returned": packet.times_returned,
        "escalated_at": packet.escalated_at,
        "escalated_by": packet.escalated_by.get_username(),
        "updated_at": packet.updated_at,
        "version": packet.version,
        "items": items,
        "revisions": list(revisions),
    }


class PacketView(KindView):
    def get(self, request, number: str, **kwargs) -> Response:
        body = packet_body(self.ticket(number))
        if body is None:
            raise Http404(_("%(number)s has never been escalated.") % {"number": number})
        return Response(PacketSerializer(body).data)


class CoordinatorPermission(DeskPermission):
    """The coordination queue's actions: coordinators (and admins who are)."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if not is_coordinator(request.user):
            self.message = _("Only coordinators can do this.")
            return False
        return True


class CoordinationActionView(KindView):
    """*Tomar*, *Devolver al agente*, *Pasar a L2 ESPECIALISTAS*."""

    permission_classes = [CoordinatorPermission]
    input_serializer: type[serializers.Serializer] = CoordinationNoteSerializer
    note_required = True

    def perform(self, ticket: Ticket, user, version: int, note: str, data: dict) -> None:
        raise NotImplementedError

    def post(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        version = expected_version(request)
        data = validated(self.input_serializer, request)
        if not ticket.assigned_group.is_coordination:
            raise ValidationError(
                [
                    _("%(number)s is no longer in the coordination group (it is in %(group)s).")
                    % {"number": ticket.number, "group": ticket.assigned_group.name}
                ]
            )
        # The note is checked by the queue's form, as on the page; the version
        # is If-Match's.
        form = CoordinationActionForm(
            {"note": data.get("note", "")}, note_required=self.note_required
        )
        del form.fields["version"]
        if not form.is_valid():
            raise ValidationError(form.errors)
        self.perform(ticket, request.user, version, form.cleaned_data["note"], data)
        return self.ticket_response(ticket)


class TakeView(CoordinationActionView):
    input_serializer = serializers.Serializer
    note_required = False

    def perform(self, ticket, user, version, note, data) -> None:
        ticket_take(ticket=ticket, user=user, expected_version=version, channel=Channel.API)


class ReturnToAgentView(CoordinationActionView):
    input_serializer = ReturnToAgentSerializer

    def perform(self, ticket, user, version, note, data) -> None:
        ticket_return_to_agent(
            ticket=ticket,
            user=user,
            expected_version=version,
            note=note,
            missing=data.get("missing", []),
            channel=Channel.API,
        )


class PassToSpecialistsView(CoordinationActionView):
    def perform(self, ticket, user, version, note, data) -> None:
        ticket_pass_to_specialists(
            ticket=ticket, user=user, expected_version=version, note=note, channel=Channel.API
        )


class EscalationCaseListView(DeskAPIView):
    """The cases and what each packet carries: what to send to ``escalate``."""

    @extend_schema(responses=responses({200: EscalationCaseSerializer(many=True)}))
    def get(self, request) -> Response:
        rows = [
            {
                "code": case.code,
                "label": str(case.label),
                "hint": str(case.hint),
                "kinds": [k.namespace for k in all_kinds() if case.code in k.escalation_cases],
                "fields": [
                    {"name": f.name, "label": str(f.label), "type": f.type, "required": f.required}
                    for f in case.fields
                ],
            }
            for case in cases.CASES.values()
        ]
        return Response(EscalationCaseSerializer(rows, many=True).data)
