"""The mailbox (*Buzón*, scope ``mailbox``): the console's list with its
filters, a message as its page shows it, the message as received and its
files, and the page's actions — take it, make a ticket of it, add it to a
ticket, close it with no action — through the mailbox services. A message
carries a version as tickets do: the actions take it in ``If-Match``."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.pagination import PAGE_PARAMETERS, keyset_response
from api.rest import PROBLEM_JSON, DeskAPIView
from api.serializers import kind_serializers
from api.serializers.mail import (
    AddToTicketSerializer,
    InboundEmailSerializer,
    InboundPageSerializer,
    InboundRowSerializer,
    NoActionSerializer,
)
from api.views.base import etag, expected_version, if_match, responses, validated
from api.views.kinds import _own_handler
from api.views.mail import form_errors
from api.views.scoped import MailboxPermission
from api.views.tickets import isolated_filterset
from itsm.attachments import file_response
from itsm.common.links import desk_hosts
from itsm.common.rows import row_id
from itsm.kinds import Kind
from notifications.filters import InboundEmailFilterSet
from notifications.forms import AddToTicketForm, NoActionForm
from notifications.models import InboundAttachment, InboundEmail
from notifications.presenters import sanitise_html
from notifications.quoting import split_quoted
from notifications.selectors import mailbox_messages, sender_customers
from notifications.services.mailbox import (
    StaleMessageError,
    mailbox_add_to_ticket,
    mailbox_create_ticket,
    mailbox_no_action,
    mailbox_take,
)

KEYS = ("received_at", "id")
# InboundAttachment.position is a small integer.
MAX_POSITION = 32767
BINARY = {(200, "application/octet-stream"): OpenApiTypes.BINARY}

MESSAGE_IF_MATCH = if_match("message", 2)


def stale_message_problem(error: StaleMessageError) -> Response:
    """Who acted on the message and when, as the page says it."""
    current = error.current
    who = current.acted_by or current.assigned_to
    when = current.acted_at or current.assigned_at
    response = Response(
        {
            "type": "about:blank",
            "title": _("The message changed since your version."),
            "status": 412,
            "detail": str(error),
            "changed_by": who.get_username() if who else None,
            "changed_at": when.isoformat() if when else None,
            "current_version": current.version,
        },
        status=412,
        content_type=PROBLEM_JSON,
    )
    response["ETag"] = etag(current)
    return response


class MailboxFiltersSchema(AutoSchema):
    """The list answers a page object: its filters documented all the same,
    from a copy of the console's FilterSet (see ``isolated_filterset``)."""

    def get_filter_backends(self) -> list:
        return getattr(self.view, "filter_backends", []) if self.method == "GET" else []

    def _get_filter_parameters(self) -> list:
        self.view.schema_filterset = isolated_filterset(InboundEmailFilterSet)
        return super()._get_filter_parameters()


class MailboxListView(DeskAPIView, generics.GenericAPIView):
    """The mailbox console: every message not threaded by itself, newest
    first, with the console's filters (none by default)."""

    permission_classes = [MailboxPermission]
    filter_backends = [DjangoFilterBackend]
    schema = MailboxFiltersSchema()
    schema_filterset: type | None = None

    @property
    def filterset_class(self):
        return self.schema_filterset or InboundEmailFilterSet

    def get_queryset(self):
        return mailbox_messages()

    @extend_schema(
        tags=["mailbox"],
        operation_id="mailbox_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: InboundPageSerializer}),
    )
    def get(self, request, **kwargs) -> Response:
        matches = self.filter_queryset(self.get_queryset())
        # The first lines of the text for the preview, not all of it.
        rows = matches.annotate(preview_text=Substr("body_text", 1, 400))

        def serialize(page: list) -> list:
            for email in page:
                email.preview = " ".join(split_quoted(email.preview_text)[0].split())[:140]
            return InboundRowSerializer(page, many=True).data

        return Response(
            keyset_response(
                request, rows, KEYS, descending=True, serialize=serialize, counted=matches
            )
        )


class MessageBase(DeskAPIView):
    permission_classes = [MailboxPermission]

    def message(self, message_id: int) -> InboundEmail:
        # row_id: a number no column holds designates nothing (and would overflow).
        return get_object_or_404(
            InboundEmail.objects.select_related("assigned_to", "acted_by"), pk=row_id(message_id)
        )

    def represent(self, email: InboundEmail) -> Response:
        request = self.request
        attachments = list(email.attachments.order_by("position"))
        html = ""
        if email.body_html:
            html = sanitise_html(
                email,
                show_images=request.query_params.get("images") in ("1", "true"),
                cid_urls={
                    a.content_id: request.build_absolute_uri(
                        reverse("api:mailbox_attachment", args=[email.pk, a.position])
                    )
                    for a in attachments
                    if a.content_id and a.content_type.startswith("image/")
                },
                desk_hosts=desk_hosts(request._request),
            )
        email.new_text, email.quoted_text = split_quoted(email.body_text)
        email.html = html
        context = {
            "request": request,
            "attachments": attachments,
            "customers": sender_customers(email),
        }
        response = Response(InboundEmailSerializer(email, context=context).data)
        response["ETag"] = etag(email)
        return response


class MessageView(MessageBase):
    def get(self, request, message_id: int, **kwargs) -> Response:
        return self.represent(self.message(message_id))


class ActionView(MessageBase):
    """An action of the message's page: ``perform`` calls its service with
    the version ``If-Match`` names; a stale one is a 412."""

    def perform(self, email: InboundEmail, version: int):
        raise NotImplementedError

    def answer(self, email: InboundEmail, result) -> Response:
        return self.represent(self.message(email.pk))

    def post(self, request, message_id: int, **kwargs) -> Response:
        email = self.message(message_id)
        version = expected_version(
            request, _("Send If-Match with the message's ETag (its version).")
        )
        try:
            result = self.perform(email, version)
        except StaleMessageError as error:
            return stale_message_problem(error)
        return self.answer(email, result)


class TakeView(ActionView):
    def perform(self, email, version):
        return mailbox_take(email=email, user=self.request.user, expected_version=version)


def _form_data(form_class, request, version: int, serializer_class) -> dict:
    """The page's form over what the serializer typed, for its messages."""
    data = validated(serializer_class, request)
    form = form_class({"version": version, **data})
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    cleaned = dict(form.cleaned_data)
    cleaned.pop("version")
    return cleaned


class NoActionView(ActionView):
    def perform(self, email, version):
        data = _form_data(NoActionForm, self.request, version, NoActionSerializer)
        return mailbox_no_action(
            email=email, user=self.request.user, expected_version=version, **data
        )


class AddToTicketView(ActionView):
    def perform(self, email, version):
        data = _form_data(AddToTicketForm, self.request, version, AddToTicketSerializer)
        return mailbox_add_to_ticket(
            email=email, user=self.request.user, expected_version=version, **data
        )


class CreateTicketView(ActionView):
    """*Crear incidencia* / *Crear orden de trabajo* for one kind. What the
    caller leaves out comes from the message as the page prefills it: the
    summary from the subject, the description from the new text, the
    customer when exactly one has the sender's address."""

    kind: Kind | None = None

    def perform(self, email, version):
        if not email.is_open or email.is_quarantined:
            raise DjangoValidationError(_("This message has already been dealt with."))
        data = self.request.data
        customers = sender_customers(email)
        new_text, _quoted = split_quoted(email.body_text)
        defaults = {
            "summary": " ".join(email.subject.split())[:100],
            "description": new_text[:10_000],
            "work_info_notes": _("E-mail from %(sender)s (message %(id)d)")
            % {"sender": email.sender, "id": email.pk},
        }
        if len(customers) == 1:
            defaults["customer"] = customers[0].pk
        if isinstance(data, Mapping):
            # Anything else is refused by the serializer as it is.
            data = data.copy()
            for name, value in defaults.items():
                if name not in data:
                    data[name] = value
        serializer = kind_serializers(self.kind)["create"](data=data)
        serializer.is_valid(raise_exception=True)
        return mailbox_create_ticket(
            email=email,
            user=self.request.user,
            expected_version=version,
            model=self.kind.model,
            **serializer.validated_data,
        )

    def answer(self, email, ticket) -> Response:
        ticket = self.kind.model.objects.select_related(
            "customer", "assigned_group", "assignee", "status_reason", "updated_by"
        ).get(pk=ticket.pk)
        response = Response(
            kind_serializers(self.kind)["ticket"](ticket).data, status=status.HTTP_201_CREATED
        )
        response["ETag"] = f'"{ticket.version}"'
        response["Location"] = self.request.build_absolute_uri(
            reverse(f"api:{self.kind.namespace}-detail", args=[ticket.number])
        )
        return response


class RawView(MessageBase):
    def get(self, request, message_id: int, **kwargs):
        email = self.message(message_id)
        return file_response(email.raw, name=f"mensaje-{email.pk}.eml")


class AttachmentView(MessageBase):
    def get(self, request, message_id: int, position: int, **kwargs):
        attachment = (
            InboundAttachment.objects.filter(email_id=row_id(message_id), position=position).first()
            if position <= MAX_POSITION
            else None
        )
        if attachment is None:
            raise Http404(_("There is no file %(n)d.") % {"n": position})
        return file_response(attachment.file, name=attachment.name)


TAG = ["mailbox"]
MESSAGE_OK = {200: OpenApiResponse(InboundEmailSerializer, description="ETag = its version.")}
IMAGES = OpenApiParameter(
    "images",
    OpenApiTypes.BOOL,
    description="Keep remote images in the HTML.",
)


def _schema(view: type, operation: str, method: str, **schema) -> type:
    setattr(
        view,
        method,
        extend_schema(tags=TAG, operation_id=operation, **schema)(
            _own_handler(getattr(view, method), method)
        ),
    )
    return view


def _action_schema(request, ok: dict, *codes: int) -> dict:
    return {
        "parameters": [MESSAGE_IF_MATCH, IMAGES],
        "request": request,
        "responses": responses(ok, 404, 412, 428, *codes),
    }


for _view, _operation, _request in (
    (TakeView, "mailbox_take", None),
    (NoActionView, "mailbox_no_action", NoActionSerializer),
    (AddToTicketView, "mailbox_add_to_ticket", AddToTicketSerializer),
):
    _schema(_view, _operation, "post", **_action_schema(_request, MESSAGE_OK))
_schema(
    MessageView,
    "mailbox_message_get",
    "get",
    parameters=[IMAGES],
    responses=responses(MESSAGE_OK, 404),
)
_schema(RawView, "mailbox_raw_get", "get", responses=responses(BINARY, 404))
_schema(AttachmentView, "mailbox_attachment_get", "get", responses=responses(BINARY, 404))


def create_ticket_view(kind: Kind):
    """*Crear …* for one kind, with the kind's serializers in its schema."""
    s = kind_serializers(kind)
    view = type(f"Mailbox{kind.model.__name__}CreateView", (CreateTicketView,), {"kind": kind})
    schema = _action_schema(s["create"], {201: s["ticket"]})
    schema["parameters"] = [MESSAGE_IF_MATCH]
    schema["description"] = (
        "A ticket made from the message; the files of the message go to its first journal "
        "entry. Left out: summary (the subject), description (the new text), customer (the "
        "only active customer with the sender's address)."
    )
    _schema(view, f"mailbox_create_{kind.namespace}", "post", **schema)
    return view.as_view()
