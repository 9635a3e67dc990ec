"""Mail to a ticket's customer (scope ``mail``): the response templates the
user may pick, a preview, *Enviar* and the ticket's outbox. The compose
form validates what arrives (its messages are the page's) and the compose
service sends it: the recipient is always the ticket's customer."""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api.pagination import PAGE_PARAMETERS, newest_first_response
from api.serializers.mail import (
    MailComposeSerializer,
    MailPreviewSerializer,
    MailSendSerializer,
    OutgoingEmailPageSerializer,
    OutgoingEmailSerializer,
    ResponseTemplateSerializer,
)
from api.views.base import KindView, responses, validated
from api.views.kinds import made_view
from api.views.scoped import MailPermission
from itsm.kinds import Kind
from itsm.models import Ticket
from notifications.forms import EmailComposeForm
from notifications.models import OutgoingEmail
from notifications.rendering import TemplateRenderError
from notifications.selectors import response_templates_for
from notifications.services.compose import email_render, email_send, email_subject

# What a caller might send to choose the recipient or the subject: refused,
# so nobody believes a message went where it did not.
LOCKED_FIELDS = ("to", "to_email", "to_name", "cc", "bcc", "recipient", "subject")


def form_errors(form) -> dict:
    return {
        ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


class MailKindView(KindView):
    permission_classes = [MailPermission]

    def templates(self, ticket: Ticket):
        return response_templates_for(kind=ticket.KIND, user=self.request.user)

    def composed(self, ticket: Ticket, serializer_class) -> dict:
        """What the agent chose, through the compose page's form."""
        sent = self.request.data if isinstance(self.request.data, Mapping) else {}
        locked = sorted(name for name in LOCKED_FIELDS if name in sent)
        if locked:
            message = _(
                "The recipient is always the ticket's customer and the subject is fixed: "
                "they cannot be chosen."
            )
            raise ValidationError({name: [message] for name in locked})
        data = validated(serializer_class, self.request)
        files = {"attachment": data["attachment"]} if data.get("attachment") else {}
        form = EmailComposeForm(
            {
                "template": data["template"],
                "amount": data.get("amount") or "",
                "note": data.get("note", ""),
            },
            files,
            templates=self.templates(ticket),
            slot=1,
        )
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        return form.cleaned_data


class MailTemplatesView(MailKindView):
    def get(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        rows = [
            {
                "id": template.pk,
                "title": template.title,
                "subject": email_subject(ticket=ticket, template=template),
                "asks_amount": template.asks_amount,
                "coordinators_only": template.coordinators_only,
                "documents": [document.name for document in template.documents.all()],
            }
            for template in self.templates(ticket).prefetch_related("documents").order_by("title")
        ]
        return Response(ResponseTemplateSerializer(rows, many=True).data)


class MailPreviewView(MailKindView):
    def post(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        data = self.composed(ticket, MailComposeSerializer)
        template = data["template"]
        try:
            body_text, body_html = email_render(
                ticket=ticket,
                template=template,
                user=request.user,
                amount=data["amount"],
                note=data["note"],
            )
        except TemplateRenderError as error:
            raise ValidationError({"template": [str(error)]}) from None
        customer = ticket.customer
        return Response(
            MailPreviewSerializer(
                {
                    "to_email": customer.email,
                    "to_name": customer.full_name,
                    "subject": email_subject(ticket=ticket, template=template),
                    "body_text": body_text,
                    "body_html": body_html,
                }
            ).data
        )


class MailView(MailKindView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        emails = OutgoingEmail.objects.for_ticket(ticket).select_related("template", "queued_by")
        return Response(
            newest_first_response(request, emails, OutgoingEmailSerializer, counted=emails)
        )

    def post(self, request, number: str, **kwargs) -> Response:
        ticket = self.ticket(number)
        data = self.composed(ticket, MailSendSerializer)
        try:
            email = email_send(
                ticket=ticket,
                user=request.user,
                template=data["template"],
                amount=data["amount"],
                note=data["note"],
                attachment=data.get("attachment"),
            )
        except TemplateRenderError as error:
            raise ValidationError({"template": [str(error)]}) from None
        # Read after the commit: without a broker it has been delivered already.
        email = OutgoingEmail.objects.select_related("template", "queued_by").get(pk=email.pk)
        return Response(OutgoingEmailSerializer(email).data, status=status.HTTP_201_CREATED)


def mail_views(kind: Kind) -> dict:
    """The mail views of one kind, each with its own schema."""
    tag = f"{kind.namespace}-mail"
    return {
        "mail": made_view(
            kind,
            MailView,
            {
                "get": {
                    "parameters": PAGE_PARAMETERS,
                    "responses": responses({200: OutgoingEmailPageSerializer}, 404),
                },
                "post": {
                    "request": {
                        "multipart/form-data": MailSendSerializer,
                        "application/json": MailComposeSerializer,
                    },
                    "responses": responses(
                        {
                            201: OpenApiResponse(
                                OutgoingEmailSerializer,
                                description="Queued, or already sent or failed.",
                            )
                        },
                        404,
                    ),
                },
            },
            tag=tag,
        ),
        "mail-templates": made_view(
            kind,
            MailTemplatesView,
            {"get": {"responses": responses({200: ResponseTemplateSerializer(many=True)}, 404)}},
            tag=tag,
        ),
        "mail-preview": made_view(
            kind,
            MailPreviewView,
            {
                "post": {
                    "request": MailComposeSerializer,
                    "responses": responses({200: MailPreviewSerializer}, 404),
                }
            },
            tag=tag,
        ),
    }
