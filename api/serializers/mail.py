"""What the API reads and writes for mail to a ticket's customer and for the
mailbox. Input serializers only type what arrives: the compose and mailbox
forms apply their rules (with their messages), the services the rest."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import MAX_ID, PageSerializer, text
from notifications.models import (
    Classification,
    ClassificationReason,
    EmailStatus,
    InboundAction,
    InboundStatus,
    QuarantineReason,
)

# --- response templates and mail to the customer ---------------------------------------


class ResponseTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    subject = serializers.CharField(help_text="The subject the message will carry.")
    asks_amount = serializers.BooleanField(help_text="Send `amount` (the amount owed) with it.")
    coordinators_only = serializers.BooleanField()
    documents = serializers.ListField(
        child=serializers.CharField(), help_text="Standard documents every message carries."
    )


class MailComposeSerializer(serializers.Serializer):
    """What the compose page lets the agent choose. The recipient and the
    subject are not here: the service sets them (the ticket's customer)."""

    template = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    amount = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Euros owed, as 1234.50 or 1.234,50; for templates with asks_amount.",
    )
    note = text(required=False, default="", help_text="Text for the customer (optional).")


class MailSendSerializer(MailComposeSerializer):
    # Checked by the compose form, as the page's upload.
    attachment = serializers.FileField(required=False, help_text="One file (multipart).")


class MailPreviewSerializer(serializers.Serializer):
    to_email = serializers.CharField()
    to_name = serializers.CharField()
    subject = serializers.CharField()
    body_text = serializers.CharField()
    body_html = serializers.CharField()


class OutgoingFileSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    name = serializers.CharField()


class OutgoingEmailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ticket = serializers.CharField(source="ticket_number")
    template = serializers.IntegerField(source="template_id")
    template_title = serializers.CharField(source="template.title")
    to_email = serializers.CharField()
    to_name = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.ChoiceField(choices=EmailStatus.choices)
    message_id = serializers.CharField()
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()
    queued_at = serializers.DateTimeField(allow_null=True)
    queued_by = serializers.CharField(source="queued_by.username", default=None, allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    bounced_at = serializers.DateTimeField(allow_null=True)
    attachments = serializers.SerializerMethodField()

    @extend_schema_field(OutgoingFileSerializer(many=True))
    def get_attachments(self, email) -> list[dict]:
        return [{"index": index, "name": name} for index, name in email.attachment_names]


class OutgoingEmailPageSerializer(PageSerializer):
    results = OutgoingEmailSerializer(many=True)


# --- the mailbox ----------------------------------------------------------------------


def _user_name(user) -> str | None:
    return user.get_username() if user is not None else None


class InboundRowSerializer(serializers.Serializer):
    """A row of the mailbox console."""

    id = serializers.IntegerField()
    received_at = serializers.DateTimeField()
    from_address = serializers.CharField()
    from_name = serializers.CharField()
    subject = serializers.CharField()
    preview = serializers.CharField(help_text="The first words of the new text.")
    classification = serializers.ChoiceField(choices=Classification.choices)
    quarantine_reason = serializers.ChoiceField(choices=QuarantineReason.choices)
    status = serializers.ChoiceField(choices=InboundStatus.choices)
    assigned_to = serializers.SerializerMethodField()
    ticket_number = serializers.CharField()
    version = serializers.IntegerField()

    def get_assigned_to(self, email) -> str | None:
        return _user_name(email.assigned_to)


class InboundPageSerializer(PageSerializer):
    results = InboundRowSerializer(many=True)


class InboundAttachmentSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField(help_text="As the sender declared it.")
    size = serializers.IntegerField()
    inline = serializers.BooleanField()
    content_id = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="Its download in the API.")

    def get_url(self, attachment) -> str:
        request = self.context["request"]
        return request.build_absolute_uri(
            reverse("api:mailbox_attachment", args=[attachment.email_id, attachment.position])
        )


class InboundEmailSerializer(InboundRowSerializer):
    """A message as its page shows it: the parsed headers, the text split
    into what is new and the quoted history, the sanitised HTML, its files."""

    preview = None
    to = serializers.CharField()
    cc = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True)
    message_id = serializers.CharField()
    in_reply_to = serializers.CharField()
    classification_reason = serializers.ChoiceField(choices=ClassificationReason.choices)
    action = serializers.ChoiceField(choices=InboundAction.choices)
    acted_by = serializers.SerializerMethodField()
    acted_at = serializers.DateTimeField(allow_null=True)
    no_action_reason = serializers.CharField()
    body_text = serializers.CharField()
    new_text = serializers.CharField(help_text="The text the sender wrote this time.")
    quoted_text = serializers.CharField(help_text="The history the reply quotes.")
    html = serializers.CharField(
        help_text="The HTML with nothing active left; remote images only with ?images=true."
    )
    has_remote_images = serializers.BooleanField()
    size = serializers.IntegerField()
    raw_url = serializers.SerializerMethodField(help_text="The message as received (.eml).")
    attachments = serializers.SerializerMethodField()
    customers = serializers.SerializerMethodField(
        help_text="Active customers with the sender's address (five at most)."
    )

    def get_acted_by(self, email) -> str | None:
        return _user_name(email.acted_by)

    def get_raw_url(self, email) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:mailbox_raw", args=[email.pk])
        )

    @extend_schema_field(InboundAttachmentSerializer(many=True))
    def get_attachments(self, email) -> list[dict]:
        return InboundAttachmentSerializer(
            self.context["attachments"], many=True, context=self.context
        ).data

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_customers(self, email) -> list[int]:
        return [customer.pk for customer in self.context["customers"]]


class NoActionSerializer(serializers.Serializer):
    reason = text(300, help_text="Spam, a thank-you, a duplicate…")


class AddToTicketSerializer(serializers.Serializer):
    number = serializers.CharField(
        max_length=40, help_text="The ticket: INC 1234, wo1234 or its whole number."
    )
