"""E-mail to and from the customer, one module per family: ``templates``
(response templates and their standard documents), ``outgoing`` (the outbox)
and ``inbound`` (received mail, its attachments, IMAP polling state)."""

from notifications.models.inbound import (
    Classification,
    ClassificationReason,
    ImapFolderState,
    InboundAction,
    InboundAttachment,
    InboundEmail,
    InboundEmailQuerySet,
    InboundSource,
    InboundStatus,
    QuarantineReason,
    inbound_attachment_upload_to,
    inbound_raw_upload_to,
)
from notifications.models.outgoing import (
    EmailStatus,
    OutgoingEmail,
    OutgoingEmailDocument,
    OutgoingEmailQuerySet,
    email_attachment_upload_to,
    frozen_document_upload_to,
)
from notifications.models.templates import (
    DEFAULT_SUBJECT_SUFFIX,
    ResponseTemplate,
    ResponseTemplateDocument,
    ResponseTemplateQuerySet,
    document_upload_to,
)

__all__ = [
    "Classification",
    "ClassificationReason",
    "DEFAULT_SUBJECT_SUFFIX",
    "EmailStatus",
    "ImapFolderState",
    "InboundAction",
    "InboundAttachment",
    "InboundEmail",
    "InboundEmailQuerySet",
    "InboundSource",
    "InboundStatus",
    "OutgoingEmail",
    "OutgoingEmailDocument",
    "OutgoingEmailQuerySet",
    "QuarantineReason",
    "ResponseTemplate",
    "ResponseTemplateDocument",
    "ResponseTemplateQuerySet",
    "document_upload_to",
    "email_attachment_upload_to",
    "frozen_document_upload_to",
    "inbound_attachment_upload_to",
    "inbound_raw_upload_to",
]
